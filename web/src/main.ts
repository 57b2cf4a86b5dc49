// The QueryShield web app: the analyst's pages and the data owner's page, one ES module bundled by the API
// (api/routes/web.ts). Sharing and result rebuilding are domain/shares itself (the CLI's module), the CSV
// check is domain/csv-check (also the CLI's). The data owner's plaintext stays in this page: it is checked
// and secret-shared here, and only the share files are uploaded, one per party.
//
// Routes live in the URL fragment: #/ (jobs), #/new, #/job/<id>, #/signin, #/owner/<id> (the invitation
// link is #/owner/<id>?owner=<name>&token=<token>: in the fragment, so it never reaches a server; the page
// moves it to session storage at once and drops it from the address bar and history).
import { jobPage } from './pages/job.js';
import { jobsPage } from './pages/jobs.js';
import { newJobPage } from './pages/new-job.js';
import { ownerPage } from './pages/owner.js';
import { signInPage } from './pages/sign-in.js';

/** What the page shown last left running (the job page's polling), stopped when the route changes. */
let stop: (() => void) | void;
/** Counts route changes: a page that finishes loading after the next route began is stopped at once. */
let generation = 0;

async function route(): Promise<void> {
  stop?.();
  stop = undefined;
  const mine = ++generation;
  const [path, query] = (location.hash || '#/').slice(1).split('?');
  const parts = path.split('/').filter(Boolean);
  const q = new URLSearchParams(query ?? '');
  if (parts[0] === 'owner' && parts[1]) return ownerPage(decodeURIComponent(parts[1]), q);
  if (parts[0] === 'signin') return signInPage();
  if (parts[0] === 'new') return newJobPage();
  if (parts[0] === 'job' && parts[1]) {
    const stopJob = await jobPage(decodeURIComponent(parts[1]));
    if (mine === generation) stop = stopJob;
    else stopJob?.();
    return;
  }
  return jobsPage(q);
}

window.addEventListener('hashchange', () => void route());
void route();
