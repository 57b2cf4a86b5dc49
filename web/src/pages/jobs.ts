// The jobs list: GET /jobs newest first, a status filter and paging (Previous / Next by page tokens).
import { api, errorText, needsSignIn } from '../api.js';
import { h, nextId, table } from '../dom.js';
import { render } from '../layout.js';

const STATUSES = ['Created', 'Submitted', 'Creating VMs', 'VMs Created', 'Setting Up Authentication', 'Finished Authentication Setup', 'Deploying TVA Core', 'Finished TVA Core Deployment', 'Running Experiment', 'Success', 'Fail'];
/** Tokens of the pages before this one (Previous). */
const pageTokens: string[] = [];

interface Listing {
  status: string;
  limit: string;
  pageToken: string;
}

/** Shows the list with these settings (by its address, so that Back works). */
function go(status: string, limit: string, page?: string): void {
  const n = new URLSearchParams();
  if (status) n.set('status', status);
  if (limit !== '20') n.set('limit', limit);
  if (page) n.set('page', page);
  location.hash = `#/${n.toString() ? `?${n}` : ''}`;
}

function filters({ status, limit }: Listing): HTMLElement {
  const sid = nextId('status');
  const lid = nextId('limit');
  const changed = (s: string, l: string) => {
    pageTokens.length = 0;
    go(s, l);
  };
  const statusSelect = h('select', { id: sid, onchange: (e: Event) => changed((e.target as HTMLSelectElement).value, limit) }, h('option', { value: '' }, 'All'), ...STATUSES.map((s) => h('option', { value: s, selected: s === status }, s)));
  const limitSelect = h('select', { id: lid, onchange: (e: Event) => changed(status, (e.target as HTMLSelectElement).value) }, ...['10', '20', '50', '100'].map((l) => h('option', { value: l, selected: l === limit }, l)));
  return h(
    'form',
    { class: 'filters', 'aria-label': 'Filter jobs', onsubmit: (e: Event) => e.preventDefault() },
    h('div', { class: 'field' }, h('label', { for: sid }, 'Status'), statusSelect),
    h('div', { class: 'field' }, h('label', { for: lid }, 'Per page'), limitSelect),
  );
}

function jobsTable(jobs: any[], status: string): HTMLElement {
  if (!jobs.length) return h('p', {}, status ? `No job has status ${status}.` : 'No jobs yet. ', status ? null : h('a', { href: '#/new' }, 'Create one'));
  const head = ['Name', 'Status', 'Level', 'Clouds', 'Created'].map((t) => h('th', { scope: 'col' }, t));
  const rows = jobs.map((j) => [
    h('td', { 'data-label': 'Name' }, h('a', { href: `#/job/${encodeURIComponent(j.job_id)}` }, j.analysis_name || j.job_id)),
    h('td', { 'data-label': 'Status' }, j.status),
    h('td', { 'data-label': 'Level' }, j.security_level ?? ''),
    h('td', { 'data-label': 'Clouds' }, (j.cloud_providers ?? []).join(', ')),
    h('td', { 'data-label': 'Created' }, j.created_at ? new Date(j.created_at).toLocaleString() : ''),
  ]);
  return table({ class: 'jobs cards' }, status ? `Jobs with status ${status}` : 'All jobs, newest first', head, rows);
}

function pager({ status, limit, pageToken }: Listing, next?: string): HTMLElement {
  const toNext = () => {
    pageTokens.push(pageToken);
    go(status, limit, next);
  };
  return h(
    'div',
    { class: 'pager', role: 'navigation', 'aria-label': 'Pages' },
    h('button', { type: 'button', class: 'secondary', disabled: !pageToken, onclick: () => go(status, limit, pageTokens.pop()) }, 'Previous page'),
    h('button', { type: 'button', class: 'secondary', disabled: !next, onclick: toNext }, 'Next page'),
  );
}

export async function jobsPage(q: URLSearchParams): Promise<void> {
  const listing: Listing = { status: q.get('status') ?? '', limit: q.get('limit') ?? '20', pageToken: q.get('page') ?? '' };
  const params = new URLSearchParams({ limit: listing.limit });
  if (listing.status) params.set('status', listing.status);
  if (listing.pageToken) params.set('page_token', listing.pageToken);
  const newJob = () => h('div', { class: 'actions' }, h('a', { class: 'button', href: '#/new' }, 'New job'));
  // The page at once, the list when the API answers: listing asks Temporal's visibility store, which a busy
  // server can take many seconds to answer.
  render('Jobs', newJob(), filters(listing), h('p', { role: 'status' }, 'Loading jobs…'));
  const here = location.hash;
  const a = await api<{ jobs: any[]; next_page_token?: string }>('GET', `/jobs?${params}`);
  if (location.hash !== here) return; // the reader went on (New job, a filter) while the list loaded
  if (needsSignIn(a)) return;
  if (a.status !== 200) return render('Jobs', filters(listing), h('p', { class: 'error', role: 'alert' }, errorText(a)));
  render('Jobs', newJob(), filters(listing), jobsTable(a.body.jobs ?? [], listing.status), pager(listing, a.body.next_page_token));
}
