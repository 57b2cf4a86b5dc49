// The data owner's page, opened from the invitation link: the job's name, query and schema; a CSV checked
// against the schema in the page (errors per line); Share and upload registers the owner, secret-shares
// here and PUTs one share file per party. Only the registration and the share files leave the page.
import { checkDataCsv, CsvCheckError } from '../../../domain/csv-check.js';
import { api, errorText, inviteKey, jobPath } from '../api.js';
import { h, nextId, plural, table } from '../dom.js';
import { render } from '../layout.js';
import { shareAndUpload } from '../upload.js';

interface Invite {
  owner: string;
  token: string;
}

/** The invitation of this tab: taken out of the address (into session storage) when it is there. */
function takeInvitation(jobId: string, q: URLSearchParams): Invite | undefined {
  if (q.get('token')) {
    sessionStorage.setItem(inviteKey(jobId), JSON.stringify({ owner: q.get('owner') ?? '', token: q.get('token') }));
    history.replaceState(null, '', `${location.pathname}#/owner/${encodeURIComponent(jobId)}`);
  }
  const stored = sessionStorage.getItem(inviteKey(jobId));
  return stored ? JSON.parse(stored) : undefined;
}

interface Upload {
  jobId: string;
  invite: Invite;
  columns: string[];
  n: number;
  clouds: string[];
  fileIn: HTMLInputElement;
  check: HTMLElement;
  uploadBtn: HTMLButtonElement;
  progress: HTMLElement;
  outcome: HTMLElement;
  rows?: number[][];
}

/** Checks the chosen file against the schema; the rows when it matches, the problems per line when not. */
async function checkFile(u: Upload): Promise<void> {
  u.rows = undefined;
  u.uploadBtn.disabled = true;
  u.outcome.replaceChildren();
  u.progress.replaceChildren();
  const file = u.fileIn.files?.[0];
  if (!file) return void u.check.replaceChildren();
  const text = await file.text();
  try {
    u.rows = checkDataCsv(text, u.columns, file.name);
    u.check.replaceChildren(h('p', { class: 'ok' }, `${file.name}: ${plural(u.rows.length, 'row')}, every value a 32-bit integer. Ready to share.`));
    u.fileIn.removeAttribute('aria-invalid');
    u.uploadBtn.disabled = false;
  } catch (err) {
    u.fileIn.setAttribute('aria-invalid', 'true');
    const problems = err instanceof CsvCheckError ? err.problems : [(err as Error).message];
    u.check.replaceChildren(
      h('p', { class: 'error' }, `${file.name} does not match the job’s schema (${problems.length}${problems.length >= 20 ? '+' : ''} problem${problems.length === 1 ? '' : 's'}); fix the file and choose it again. Nothing was sent.`),
      h('ul', { class: 'problems' }, ...problems.map((p) => h('li', {}, p))),
    );
  }
}

/** Registers, then shares and uploads; says what happened in `outcome`. */
async function upload(u: Upload): Promise<void> {
  const rows = u.rows!;
  const reg = await api<{ presigned_urls: string[]; upload_headers?: Record<string, string>[] }>('POST', '/register_data_owner', { job_id: u.jobId, data_owner: u.invite.owner }, u.invite.token);
  const fail = (...content: HTMLElement[]) => u.outcome.replaceChildren(h('div', { class: 'notice err' }, ...content));
  if (reg.status !== 200) {
    const hint = reg.status === 409 ? 'The job no longer takes uploads (submitted or ended): contact the analyst.' : reg.status === 403 || reg.status === 401 ? 'This invitation is not valid for this owner any more: ask the analyst for a new link.' : 'Try again in a moment.';
    return fail(h('p', {}, h('strong', {}, 'Not uploaded: '), `${errorText(reg)}. ${hint}`));
  }
  const urls = reg.body.presigned_urls ?? [];
  if (urls.length !== u.n) return fail(h('p', {}, `The server gave ${urls.length} upload links for a ${u.n}-party job; nothing was uploaded. Contact the analyst.`));
  const failures = await shareAndUpload(u.columns, rows, urls, u.clouds, u.progress, reg.body.upload_headers);
  if (failures.length) {
    return fail(
      h('p', {}, h('strong', {}, `Upload failed for ${failures.length} of ${u.n} parties.`)),
      h('ul', {}, ...failures.map((f) => h('li', {}, f))),
      h('p', {}, 'Nothing is submitted yet. Press “Share and upload” again: it shares your file anew and replaces every party’s file. If it keeps failing, send the analyst this message.'),
    );
  }
  const done = `${plural(rows.length, 'row')} uploaded as ${u.n} share files for ${u.invite.owner}, one per party. You can close this page; the analyst submits the job when every owner has uploaded.`;
  u.outcome.replaceChildren(h('div', { class: 'notice ok', id: 'upload-done' }, h('p', {}, h('strong', {}, 'Done. '), done)));
}

function jobFacts(job: any, u: Upload): HTMLElement[] {
  const privacy = `Your CSV is read, checked and secret-shared by code running in this page; the plaintext never leaves it. Each of the ${u.n} parties’ clouds receives one share file, which on its own is uniformly random.`;
  const head = ['#', 'Column', 'Unit'].map((t) => h('th', { scope: 'col' }, t));
  const rows = u.columns.map((c, i) => [h('td', {}, i + 1), h('td', {}, h('code', {}, c)), h('td', {}, job.schema?.[c] ?? '')]);
  return [
    h('div', { class: 'notice', id: 'privacy' }, h('strong', {}, 'Your data stays in this page. '), privacy),
    h('dl', { class: 'facts' }, h('dt', {}, 'You are'), h('dd', {}, u.invite.owner), h('dt', {}, 'Parties'), h('dd', {}, `${u.n} (${job.security_level}) on ${u.clouds.join(', ')}`)),
    h('h2', {}, 'The query your data goes into'),
    h('pre', {}, job.query_sql),
    h('h2', {}, 'Schema'),
    table({}, 'Columns your CSV needs, in this order (header row first)', head, rows),
  ];
}

export async function ownerPage(jobId: string, q: URLSearchParams): Promise<void> {
  const invite = takeInvitation(jobId, q);
  const title = 'Upload your data';
  if (!invite?.owner) return render(title, h('p', { class: 'notice err', role: 'alert' }, 'This page needs the invitation link your analyst sent you. Open that link (in this browser tab) to continue.'));
  const a = await api('GET', jobPath(jobId), undefined, invite.token);
  if (a.status !== 200) {
    const why = a.status === 401 || a.status === 403 ? 'This invitation is not valid (it may have been replaced by a newer one): ask the analyst for a new link.' : errorText(a);
    return render(title, h('p', { class: 'notice err', role: 'alert' }, why));
  }
  const job = a.body;
  const fid = nextId('file');
  const u: Upload = {
    jobId,
    invite,
    columns: job.columns ?? Object.keys(job.schema ?? {}),
    n: job.party_count,
    clouds: job.cloud_providers ?? [],
    fileIn: h('input', { id: fid, type: 'file', accept: '.csv,text/csv', 'aria-describedby': `${fid}-hint ${fid}-check` }),
    check: h('div', { id: `${fid}-check`, 'aria-live': 'polite' }),
    uploadBtn: h('button', { type: 'button', id: 'share-upload', disabled: true }, 'Share and upload'),
    progress: h('div', { id: 'progress' }),
    outcome: h('div', { id: 'outcome', role: 'alert' }),
  };
  u.fileIn.addEventListener('change', () => void checkFile(u));
  u.uploadBtn.addEventListener('click', async () => {
    if (!u.rows) return;
    u.uploadBtn.disabled = u.fileIn.disabled = true;
    u.outcome.replaceChildren();
    await upload(u);
    u.uploadBtn.disabled = u.fileIn.disabled = false;
  });
  const fileHint = h('p', { class: 'hint', id: `${fid}-hint` }, `A header row ${u.columns.join(',')} then one row per record; plain integers.`);
  render(`${title}: ${job.analysis_name}`, ...jobFacts(job, u), h('h2', {}, 'Your CSV'), h('div', { class: 'field' }, h('label', { for: fid }, 'CSV file'), u.fileIn, fileHint), u.check, h('div', { class: 'actions' }, u.uploadBtn), u.progress, u.outcome);
}
