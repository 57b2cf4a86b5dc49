// The job page's data owners: who was invited or registered and whether each one's share file is on every
// party (GET /jobs/<id>/owners, which asks the storage; refreshed with the status), and, while the job is
// open, the invitation form (POST /jobs/<id>/owners): its link is shown once, the token in the fragment.
import { api, errorText, jobPath, needsSignIn } from './api.js';
import { h, nextId, table } from './dom.js';

/** One owner as GET /jobs/<id>/owners answers it. */
interface OwnerUploads {
  data_owner: string;
  invited: boolean;
  registered: boolean;
  uploaded: boolean;
  parties: { party: number; provider: string; present: boolean | null }[];
}

export interface OwnersSection {
  section: HTMLElement;
  /** reads the list again (the storage is asked anew) */
  refresh(): Promise<void>;
  /** follows the job's status: invitations only while it is open (Created); a note once it has ended */
  setStatus(status: string): void;
}

const yesNo = (present: boolean | null) => (present === null ? 'unknown (the storage did not answer)' : present ? 'yes' : 'no');

function uploadedCell(o: OwnerUploads): HTMLElement {
  const have = o.parties.filter((p) => p.present).length;
  const text = o.uploaded ? 'yes' : have ? `no (${have} of ${o.parties.length} parties)` : 'no';
  return h('td', { 'data-label': 'Uploaded', class: `uploaded ${o.uploaded ? 'uploaded-yes' : 'uploaded-no'}` }, text);
}

function ownersTable(owners: OwnerUploads[]): HTMLElement {
  if (!owners.length) return h('p', { id: 'owners-list' }, 'No data owner yet.');
  const head = ['Owner', 'Invited', 'Uploaded', 'Share file per party'].map((t) => h('th', { scope: 'col' }, t));
  const rows = owners.map((o) => [
    h('td', { 'data-label': 'Owner' }, h('code', {}, o.data_owner)),
    h('td', { 'data-label': 'Invited' }, o.invited ? 'yes' : o.registered ? 'no (registered with its own token)' : 'no'),
    uploadedCell(o),
    h('td', { 'data-label': 'Per party', class: 'hint' }, o.parties.map((p) => `${p.party + 1} (${p.provider}): ${yesNo(p.present)}`).join(' · ')),
  ]);
  const t = table({ class: 'cards owners' }, `${owners.length} data owner${owners.length === 1 ? '' : 's'}: uploaded means a share file is on every party`, head, rows);
  t.id = 'owners-list';
  t.querySelectorAll('tbody tr').forEach((tr, i) => tr.setAttribute('data-owner', owners[i].data_owner));
  return t;
}

/** The invitation link, shown once, with a copy button. */
function invitationNotice(jobId: string, owner: string, token: string): { notice: HTMLElement; input: HTMLInputElement } {
  // The token goes in the fragment (#…): browsers never send it to a server, so it is in no log.
  const link = `${location.origin}${location.pathname}#/owner/${encodeURIComponent(jobId)}?${new URLSearchParams({ owner, token })}`;
  const lid = nextId('link');
  const input = h('input', { id: lid, readonly: true, value: link, class: 'invite-url', 'data-owner': owner });
  const copied = h('span', { role: 'status', class: 'hint' });
  const copy = async () => {
    input.select();
    try {
      await navigator.clipboard.writeText(link);
      copied.textContent = 'Copied.';
    } catch {
      copied.textContent = 'Select the link and copy it.';
    }
  };
  const notice = h(
    'div',
    { class: 'notice ok' },
    h('label', { for: lid }, `Invitation link for ${owner}`),
    h('div', { class: 'invite-link' }, input, h('button', { type: 'button', class: 'secondary', onclick: copy }, 'Copy link'), copied),
    h('p', { class: 'hint' }, 'Shown once: the server keeps only a hash of it. Send it to this owner privately; a new invitation for the same owner replaces it.'),
  );
  return { notice, input };
}

function inviteForm(jobId: string, invited: () => void): HTMLElement {
  const id = nextId('owner');
  const input = h('input', { id, name: 'data_owner', autocomplete: 'off', spellcheck: 'false', 'aria-describedby': `${id}-hint ${id}-err` });
  const err = h('p', { class: 'error', id: `${id}-err`, 'aria-live': 'polite' });
  const out = h('div', { id: 'invitations' });
  const invite = async (e: Event) => {
    e.preventDefault();
    err.textContent = '';
    input.removeAttribute('aria-invalid');
    const a = await api<{ token: string; data_owner: string }>('POST', `${jobPath(jobId)}/owners`, { data_owner: input.value.trim() });
    if (needsSignIn(a)) return;
    if (a.status !== 200) {
      input.setAttribute('aria-invalid', 'true');
      err.textContent = errorText(a);
      return;
    }
    const shown = invitationNotice(jobId, a.body.data_owner, a.body.token);
    out.prepend(shown.notice);
    input.value = '';
    shown.input.focus();
    shown.input.select();
    invited();
  };
  const hint = h('p', { class: 'hint', id: `${id}-hint` }, 'Letters, digits and . _ @ - (e.g. uni or carol@example.org).');
  return h(
    'div',
    {},
    h('h3', {}, 'Invite a data owner'),
    h('form', { onsubmit: invite }, h('div', { class: 'field' }, h('label', { for: id }, 'Data owner name'), input, hint, err), h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Invite owner'))),
    out,
  );
}

export function ownersSection(jobId: string): OwnersSection {
  let list: HTMLElement = h('p', { id: 'owners-list', role: 'status' }, 'Reading the owners…');
  const problem = h('p', { class: 'error', 'aria-live': 'polite' });
  let loading: Promise<void> | undefined;
  const load = async () => {
    const a = await api<{ owners: OwnerUploads[] }>('GET', `${jobPath(jobId)}/owners`);
    if (a.status !== 200) {
      problem.textContent = `Owners unavailable: ${errorText(a)}`;
      return;
    }
    problem.textContent = '';
    const next = ownersTable(a.body.owners ?? []);
    list.replaceWith(next);
    list = next;
    const count = document.getElementById('owner-count');
    if (count) count.textContent = String(a.body.owners?.length ?? 0);
  };
  // One read at a time: a refresh asked for while one runs shares it.
  const refresh = () => (loading ??= load().finally(() => (loading = undefined)));
  const form = inviteForm(jobId, () => void refresh());
  // An ended job removes its inputs (QS_DELETE_INPUTS_ON_END, the default): its list then shows no uploads.
  const ended = h('p', { class: 'hint', hidden: true }, 'The job has ended: the parties’ input files are removed when a job ends (unless the API keeps them), so a list read now may show no uploads.');
  const section = h('section', { 'aria-labelledby': 'h-owners' }, h('h2', { id: 'h-owners' }, 'Data owners'), list, ended, problem, form);
  const setStatus = (status: string) => {
    form.hidden = status !== 'Created';
    ended.hidden = status !== 'Success' && status !== 'Fail';
  };
  return { section, refresh, setStatus };
}
