// The QueryShield web app: the analyst's pages and the data owner's page, one ES module bundled by the API
// (api/routes/web.ts). Sharing and result rebuilding are domain/shares itself (the CLI's module), the
// CSV check is domain/csv-check (also the CLI's). The data owner's plaintext stays in this page: it is checked and
// secret-shared here, and only the share files are uploaded, one per party.
//
// Routes live in the URL fragment: #/ (jobs), #/new, #/job/<id>, #/signin, #/owner/<id> (the invitation
// link is #/owner/<id>?owner=<name>&token=<token>: in the fragment, so it never reaches a server; the page
// moves it to session storage at once and drops it from the address bar and history).
import { cryptoRng, resultTable, shareTable } from '../../domain/shares.js';
import { checkDataCsv, CsvCheckError } from '../../domain/csv-check.js';

// ---------- small DOM helpers (textContent only: nothing from the API is parsed as HTML) ----------
type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | EventListener | undefined | null>;
function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = String(v);
    else if (v === true) el.setAttribute(k, '');
    else if (k === 'value' && 'value' in el) (el as HTMLInputElement).value = String(v);
    else el.setAttribute(k, String(v));
  }
  append(el, ...children);
  return el;
}
function append(el: Element, ...children: Child[]) {
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
}
let uid = 0;
const nextId = (p: string) => `${p}-${++uid}`;
const main = () => document.getElementById('main') as HTMLElement;

/** A page: a title (document title and h1), content; focus moves to the main region for screen readers. */
function render(title: string, ...children: Child[]) {
  document.title = `${title} · QueryShield`;
  const m = main();
  m.replaceChildren(h('h1', {}, title));
  append(m, ...children);
  renderNav();
  m.focus({ preventScroll: true });
}

// ---------- the API ----------
const TOKEN_KEY = 'qs.token';
const inviteKey = (jobId: string) => `qs.invite.${jobId}`;
const getToken = () => sessionStorage.getItem(TOKEN_KEY) ?? '';

interface ApiAnswer<T = any> {
  status: number;
  body: T;
}
async function api<T = any>(method: string, path: string, body?: unknown, token = getToken()): Promise<ApiAnswer<T>> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
  } catch {
    return { status: 0, body: { error: 'the API did not answer (network error): check your connection and try again', code: 'QS_NETWORK' } as T };
  }
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, body: parsed as T };
}
const errorText = (a: ApiAnswer) => (a.body && typeof a.body === 'object' && typeof a.body.error === 'string' ? a.body.error : `HTTP ${a.status}`);

/** An analyst page's answer that needs a token: go to sign-in, and back here after. */
function needsSignIn(a: ApiAnswer): boolean {
  if (a.status !== 401) return false;
  sessionStorage.setItem('qs.after', location.hash || '#/');
  location.hash = '#/signin';
  return true;
}

// ---------- navigation ----------
function renderNav() {
  const nav = document.getElementById('nav')!;
  const route = location.hash.split('?')[0];
  if (route.startsWith('#/owner/')) {
    nav.replaceChildren(h('ul', {}, h('li', {}, 'Data owner upload')));
    return;
  }
  const link = (href: string, text: string) => h('li', {}, h('a', { href, 'aria-current': route === href || (href === '#/' && route === '') ? 'page' : undefined }, text));
  const items = [link('#/', 'Jobs'), link('#/new', 'New job')];
  if (getToken()) {
    items.push(h('li', {}, h('button', { type: 'button', class: 'secondary', onclick: () => { sessionStorage.removeItem(TOKEN_KEY); location.hash = '#/signin'; } }, 'Sign out')));
  } else items.push(link('#/signin', 'Sign in'));
  nav.replaceChildren(h('ul', {}, ...items));
}

let stopPolling: (() => void) | undefined;
async function route() {
  stopPolling?.();
  stopPolling = undefined;
  const hash = location.hash || '#/';
  const [path, query] = hash.slice(1).split('?');
  const parts = path.split('/').filter(Boolean);
  if (parts[0] === 'owner' && parts[1]) return ownerPage(decodeURIComponent(parts[1]), new URLSearchParams(query ?? ''));
  if (parts[0] === 'signin') return signInPage();
  if (parts[0] === 'new') return newJobPage();
  if (parts[0] === 'job' && parts[1]) return jobPage(decodeURIComponent(parts[1]));
  return jobsPage(new URLSearchParams(query ?? ''));
}

// ---------- sign in ----------
function signInPage() {
  const id = nextId('token');
  const err = h('p', { class: 'error', id: `${id}-err`, role: 'alert' });
  const input = h('input', { id, type: 'password', name: 'token', autocomplete: 'off', spellcheck: 'false', 'aria-describedby': `${id}-hint ${id}-err` });
  const form = h(
    'form',
    {
      onsubmit: async (e: Event) => {
        e.preventDefault();
        const token = input.value.trim();
        err.textContent = '';
        const a = await api('GET', '/jobs?limit=1', undefined, token);
        if (a.status === 200) {
          if (token) sessionStorage.setItem(TOKEN_KEY, token);
          else sessionStorage.removeItem(TOKEN_KEY);
          const after = sessionStorage.getItem('qs.after') ?? '#/';
          sessionStorage.removeItem('qs.after');
          location.hash = after === '#/signin' ? '#/' : after;
        } else if (a.status === 401) {
          input.setAttribute('aria-invalid', 'true');
          err.textContent = token ? 'This token is not valid here. Check it and try again.' : 'This API needs a token: paste yours above.';
        } else if (a.status === 403) {
          err.textContent = 'This token may not list jobs (a data owner token?). Data owners open the invitation link they were sent instead.';
        } else err.textContent = errorText(a);
      },
    },
    h('div', { class: 'field' }, h('label', { for: id }, 'API token'), input, h('p', { class: 'hint', id: `${id}-hint` }, 'An analyst or admin token (npm run token). It is kept in this tab only (session storage) and never put in an address.')),
    err,
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Sign in')),
  );
  render('Sign in', form);
  input.focus();
}

// ---------- jobs list ----------
const STATUSES = ['Created', 'Submitted', 'Creating VMs', 'VMs Created', 'Setting Up Authentication', 'Finished Authentication Setup', 'Deploying TVA Core', 'Finished TVA Core Deployment', 'Running Experiment', 'Success', 'Fail'];
const pageTokens: string[] = []; // tokens of the pages before this one (Previous)

async function jobsPage(q: URLSearchParams) {
  const status = q.get('status') ?? '';
  const limit = q.get('limit') ?? '20';
  const pageToken = q.get('page') ?? '';
  const params = new URLSearchParams({ limit });
  if (status) params.set('status', status);
  if (pageToken) params.set('page_token', pageToken);
  const a = await api<{ jobs: any[]; next_page_token?: string }>('GET', `/jobs?${params}`);
  if (needsSignIn(a)) return;
  const go = (s: string, l: string, p?: string) => {
    const n = new URLSearchParams();
    if (s) n.set('status', s);
    if (l !== '20') n.set('limit', l);
    if (p) n.set('page', p);
    location.hash = `#/${n.toString() ? `?${n}` : ''}`;
  };
  const sid = nextId('status');
  const lid = nextId('limit');
  const filters = h(
    'form',
    { class: 'filters', 'aria-label': 'Filter jobs', onsubmit: (e: Event) => e.preventDefault() },
    h('div', { class: 'field' }, h('label', { for: sid }, 'Status'), h('select', { id: sid, onchange: (e: Event) => { pageTokens.length = 0; go((e.target as HTMLSelectElement).value, limit); } }, h('option', { value: '' }, 'All'), ...STATUSES.map((s) => h('option', { value: s, selected: s === status }, s)))),
    h('div', { class: 'field' }, h('label', { for: lid }, 'Per page'), h('select', { id: lid, onchange: (e: Event) => { pageTokens.length = 0; go(status, (e.target as HTMLSelectElement).value); } }, ...['10', '20', '50', '100'].map((l) => h('option', { value: l, selected: l === limit }, l)))),
  );
  if (a.status !== 200) return render('Jobs', filters, h('p', { class: 'error', role: 'alert' }, errorText(a)));
  const jobs = a.body.jobs ?? [];
  const table = jobs.length
    ? h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'jobs' },
          h('caption', {}, status ? `Jobs with status ${status}` : 'All jobs, newest first'),
          h('thead', {}, h('tr', {}, ...['Name', 'Status', 'Level', 'Clouds', 'Created'].map((t) => h('th', { scope: 'col' }, t)))),
          h(
            'tbody',
            {},
            ...jobs.map((j) =>
              h(
                'tr',
                {},
                h('td', { 'data-label': 'Name' }, h('a', { href: `#/job/${encodeURIComponent(j.job_id)}` }, j.analysis_name || j.job_id)),
                h('td', { 'data-label': 'Status' }, j.status),
                h('td', { 'data-label': 'Level' }, j.security_level ?? ''),
                h('td', { 'data-label': 'Clouds' }, (j.cloud_providers ?? []).join(', ')),
                h('td', { 'data-label': 'Created' }, j.created_at ? new Date(j.created_at).toLocaleString() : ''),
              ),
            ),
          ),
        ),
      )
    : h('p', {}, status ? `No job has status ${status}.` : 'No jobs yet. ', status ? null : h('a', { href: '#/new' }, 'Create one'));
  const pager = h(
    'div',
    { class: 'pager', role: 'navigation', 'aria-label': 'Pages' },
    h('button', { type: 'button', class: 'secondary', disabled: !pageToken, onclick: () => go(status, limit, pageTokens.pop()) }, 'Previous page'),
    h('button', { type: 'button', class: 'secondary', disabled: !a.body.next_page_token, onclick: () => { pageTokens.push(pageToken); go(status, limit, a.body.next_page_token); } }, 'Next page'),
  );
  render('Jobs', h('div', { class: 'actions' }, h('a', { class: 'button', href: '#/new' }, 'New job')), filters, table, pager);
}

// ---------- create a job ----------
const CLOUDS = [['aws', 'AWS'], ['gcp', 'Google Cloud'], ['azure', 'Azure']] as const;

function newJobPage() {
  const errs: Record<string, HTMLElement> = {};
  const fieldErr = (name: string) => (errs[name] = h('p', { class: 'error', id: `err-${name}`, 'aria-live': 'polite' }));
  const nameIn = h('input', { id: 'f-name', name: 'analysis_name', required: true, maxlength: 200, 'aria-describedby': 'err-analysis_name' });
  const sqlIn = h('textarea', { id: 'f-sql', name: 'query_sql', required: true, rows: 4, spellcheck: 'false', 'aria-describedby': 'hint-sql err-query_sql' });
  const levels = h(
    'fieldset',
    { 'aria-describedby': 'err-security_level' },
    h('legend', {}, 'Security level'),
    h('label', {}, h('input', { type: 'radio', name: 'level', value: 'semi', checked: true }), 'Semi-honest (3 parties)'),
    h('label', {}, h('input', { type: 'radio', name: 'level', value: 'mal' }), 'Malicious (4 parties)'),
    fieldErr('security_level'),
  );
  const clouds = h(
    'fieldset',
    { 'aria-describedby': 'hint-clouds err-cloud_providers' },
    h('legend', {}, 'Clouds'),
    ...CLOUDS.map(([v, t]) => h('label', {}, h('input', { type: 'checkbox', name: 'cloud', value: v, checked: true }), t)),
    h('p', { class: 'hint', id: 'hint-clouds' }, 'Party i runs on the i-th cloud, round robin.'),
    fieldErr('cloud_providers'),
  );
  const rows = h('div', { id: 'schema-rows' });
  const addRow = (name = '', unit = '') => {
    const n = rows.children.length + 1;
    const cid = nextId('col');
    const uidv = nextId('unit');
    const row = h(
      'div',
      { class: 'schema-row' },
      h('div', { class: 'field' }, h('label', { for: cid }, `Column ${n} name`), h('input', { id: cid, class: 'col-name', value: name, autocomplete: 'off', spellcheck: 'false' })),
      h('div', { class: 'field' }, h('label', { for: uidv }, `Column ${n} unit`), h('input', { id: uidv, class: 'col-unit', value: unit, autocomplete: 'off' })),
    );
    row.append(h('button', { type: 'button', class: 'secondary', 'aria-label': `Remove column ${n}`, onclick: () => { row.remove(); renumber(); } }, 'Remove'));
    rows.append(row);
    return row;
  };
  const renumber = () => {
    [...rows.children].forEach((row, i) => {
      const labels = row.querySelectorAll('label');
      labels[0].textContent = `Column ${i + 1} name`;
      labels[1].textContent = `Column ${i + 1} unit`;
      row.querySelector('button')!.setAttribute('aria-label', `Remove column ${i + 1}`);
    });
  };
  addRow();
  const schema = h(
    'fieldset',
    { 'aria-describedby': 'hint-schema err-schema' },
    h('legend', {}, 'Schema'),
    h('p', { class: 'hint', id: 'hint-schema' }, 'The table’s columns, in the order of the data owners’ CSV files; every value is a 32-bit integer. Names: letters, digits and _.'),
    rows,
    h('button', { type: 'button', class: 'secondary', onclick: () => (addRow().querySelector('input') as HTMLInputElement).focus() }, 'Add column'),
    fieldErr('schema'),
  );
  const general = h('div', { role: 'alert' });
  const submit = h('button', { type: 'submit' }, 'Create job');
  const form = h(
    'form',
    {
      novalidate: true,
      onsubmit: async (e: Event) => {
        e.preventDefault();
        for (const el of Object.values(errs)) el.textContent = '';
        general.replaceChildren();
        for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
        const schemaObj: Record<string, string> = {};
        for (const row of rows.children) {
          const n = (row.querySelector('.col-name') as HTMLInputElement).value.trim();
          const u = (row.querySelector('.col-unit') as HTMLInputElement).value.trim();
          if (n) schemaObj[n] = u || 'value';
        }
        const body = {
          analysis_name: nameIn.value.trim(),
          query_sql: sqlIn.value.trim(),
          security_level: (form.querySelector('input[name=level]:checked') as HTMLInputElement | null)?.value ?? 'semi',
          cloud_providers: [...form.querySelectorAll<HTMLInputElement>('input[name=cloud]:checked')].map((c) => c.value),
          schema: schemaObj,
        };
        submit.disabled = true;
        submit.textContent = 'Creating… (the buckets are made on every cloud)';
        const a = await api<{ job_id: string; missing_fields?: string[]; code?: string }>('POST', '/create_job', body);
        submit.disabled = false;
        submit.textContent = 'Create job';
        if (needsSignIn(a)) return;
        if (a.status === 200) {
          location.hash = `#/job/${encodeURIComponent(a.body.job_id)}`;
          return;
        }
        const msg = errorText(a);
        // The API names the field first ("query_sql: JOIN is not supported (at 1:24)"); show it next to it.
        const field = Object.keys(errs).find((f) => msg.startsWith(`${f}`) || (a.body?.missing_fields ?? []).includes(f)) ?? (a.body?.code === 'QS_INVALID_QUERY' ? 'query_sql' : undefined);
        const target = field ? errs[field] : undefined;
        if (target) {
          target.textContent = msg;
          const input = field === 'analysis_name' ? nameIn : field === 'query_sql' ? sqlIn : undefined;
          input?.setAttribute('aria-invalid', 'true');
          (input ?? (target.closest('fieldset')?.querySelector('input') as HTMLInputElement | null))?.focus();
        } else general.replaceChildren(h('p', { class: 'notice err' }, h('strong', {}, 'Not created: '), msg));
      },
    },
    h('div', { class: 'field' }, h('label', { for: 'f-name' }, 'Analysis name'), nameIn, fieldErr('analysis_name')),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'f-sql' }, 'SQL query'),
      sqlIn,
      h('p', { class: 'hint', id: 'hint-sql' }, 'One SELECT over one table whose columns are the schema below (aggregates, WHERE, GROUP BY, ORDER BY, LIMIT; no joins).'),
      fieldErr('query_sql'),
    ),
    levels,
    clouds,
    schema,
    general,
    h('div', { class: 'actions' }, submit),
  );
  render('New job', form);
  nameIn.focus();
}

// ---------- a job ----------
const TERMINAL = new Set(['Success', 'Fail']);
const fmtMs = (ms: number) => (ms < 1000 ? `${ms} ms` : ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`);

function toCsv(t: { columns: string[]; rows: number[][] }) {
  return [t.columns.join(','), ...t.rows.map((r) => r.join(','))].join('\n') + '\n';
}

async function jobPage(jobId: string) {
  const a = await api('GET', `/jobs/${encodeURIComponent(jobId)}`);
  if (needsSignIn(a)) return;
  if (a.status !== 200) return render('Job', h('p', { class: 'error', role: 'alert' }, errorText(a)), h('p', {}, h('a', { href: '#/' }, 'Back to the jobs')));
  const job = a.body;
  const facts = h(
    'dl',
    { class: 'facts' },
    h('dt', {}, 'Job id'), h('dd', {}, h('code', {}, job.job_id)),
    h('dt', {}, 'Level'), h('dd', {}, `${job.security_level} (${job.party_count} parties)`),
    h('dt', {}, 'Clouds'), h('dd', {}, (job.cloud_providers ?? []).join(', ')),
    h('dt', {}, 'Schema'), h('dd', {}, Object.entries(job.schema ?? {}).map(([c, u]) => `${c} (${u})`).join(', ')),
    h('dt', {}, 'Data owners'), h('dd', { id: 'owner-count' }, String(job.data_owners ?? 0)),
  );
  const statusLine = h('p', { class: 'status-line', role: 'status', 'aria-live': 'polite' }, 'Status: ', h('strong', { id: 'job-status' }, job.status));
  const actionMsg = h('div', { role: 'alert' });
  const submitBtn = h('button', { type: 'button', id: 'submit-job' }, 'Submit job');
  const cancelBtn = h('button', { type: 'button', class: 'danger', id: 'cancel-job' }, 'Cancel job');
  const timeline = h('ol', { class: 'timeline', 'aria-label': 'Stages' });
  const timelineSection = h('section', { 'aria-labelledby': 'h-stages' }, h('h2', { id: 'h-stages' }, 'Stages'), timeline);
  const resultSection = h('section', { 'aria-labelledby': 'h-result', hidden: true }, h('h2', { id: 'h-result' }, 'Result'));
  const owners = ownersSection(jobId, job);

  const setStatus = (s: string) => {
    (document.getElementById('job-status') as HTMLElement).textContent = s;
    submitBtn.hidden = s !== 'Created';
    owners.hidden = s !== 'Created';
    cancelBtn.hidden = TERMINAL.has(s);
  };
  submitBtn.addEventListener('click', async () => {
    submitBtn.disabled = true;
    actionMsg.replaceChildren(h('p', {}, 'Submitting: every upload is checked first…'));
    const r = await api('POST', '/submit_job', { job_id: jobId });
    submitBtn.disabled = false;
    if (r.status === 200) {
      actionMsg.replaceChildren(h('p', { class: 'ok' }, 'Submitted. The stages start now.'));
      setStatus('Submitted');
      poll();
    } else {
      const details: string[] = r.body?.details ?? [];
      actionMsg.replaceChildren(h('div', { class: 'notice err' }, h('p', {}, h('strong', {}, 'Not submitted: '), errorText(r)), details.length ? h('ul', {}, ...details.map((d) => h('li', {}, d))) : null));
    }
  });
  cancelBtn.addEventListener('click', async () => {
    if (!confirm('Cancel this job? Everything it created is torn down and it ends as Fail.')) return;
    cancelBtn.disabled = true;
    const r = await api('POST', '/cancel_job', { job_id: jobId });
    cancelBtn.disabled = false;
    actionMsg.replaceChildren(r.status === 200 ? h('p', { class: 'ok' }, 'Cancelling: the running stage stops and everything is torn down.') : h('p', { class: 'error' }, errorText(r)));
    poll();
  });

  render(
    job.analysis_name || 'Job',
    statusLine,
    h('h2', {}, 'Query'),
    h('pre', {}, job.query_sql),
    facts,
    h('div', { class: 'actions' }, submitBtn, cancelBtn),
    actionMsg,
    owners,
    timelineSection,
    resultSection,
  );
  setStatus(job.status);
  timelineSection.hidden = job.status === 'Created';

  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  let resultShown = false;
  stopPolling = () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
  const poll = async () => {
    if (timer) clearTimeout(timer);
    if (stopped) return;
    const s = await api('GET', `/get_status?job_id=${encodeURIComponent(jobId)}`);
    if (stopped) return;
    if (s.status === 409) {
      setStatus('Created');
      timelineSection.hidden = true;
      return; // not submitted: nothing to poll until the analyst submits
    }
    if (s.status !== 200) {
      actionMsg.replaceChildren(h('p', { class: 'error' }, `Status unavailable: ${errorText(s)} (retrying)`));
      timer = setTimeout(poll, 5000);
      return;
    }
    timelineSection.hidden = false;
    setStatus(s.body.status);
    renderStages(timeline, s.body.stages ?? []);
    if (s.body.status === 'Fail') actionMsg.replaceChildren(h('p', { class: 'notice err' }, h('strong', {}, 'The job failed. '), s.body.error ?? ''));
    if (s.body.status === 'Success' && !resultShown) {
      resultShown = true;
      resultSection.hidden = false;
      showResult(resultSection, jobId, s.body.result ?? []);
    }
    if (!TERMINAL.has(s.body.status)) timer = setTimeout(poll, 1500);
  };
  if (job.status !== 'Created') poll();
}

function renderStages(ol: HTMLElement, stages: any[]) {
  const open = new Set([...ol.querySelectorAll('details[open]')].map((d) => d.getAttribute('data-stage')));
  ol.replaceChildren(
    ...stages.map((st) => {
      const bits: string[] = [];
      if (st.attempts > 1) bits.push(`${st.attempts} attempts`);
      else if (st.attempts === 1) bits.push('1 attempt');
      if (typeof st.duration_ms === 'number') bits.push(fmtMs(st.duration_ms));
      else if (st.started_at && st.ended_at) bits.push(fmtMs(Date.parse(st.ended_at) - Date.parse(st.started_at)));
      else if (st.started_at && st.state === 'running') bits.push(`running for ${fmtMs(Date.now() - Date.parse(st.started_at))}`);
      const tail: string[] = st.log_tail ?? [];
      return h(
        'li',
        { class: st.state, 'data-stage': st.name },
        h('strong', {}, st.status || st.name), ' ',
        h('span', { class: `state ${st.state}` }, st.state),
        bits.length ? h('span', { class: 'hint' }, ` · ${bits.join(' · ')}`) : null,
        h('div', { class: 'hint' }, h('code', {}, st.name), st.started_at ? ` · started ${new Date(st.started_at).toLocaleTimeString()}` : ''),
        st.progress && st.state === 'running' ? h('div', { class: 'hint' }, `Now: ${st.progress}`) : null,
        st.error ? h('div', { class: 'error' }, st.error) : null,
        tail.length ? h('details', { 'data-stage': st.name, open: open.has(st.name) }, h('summary', {}, 'Log tail'), h('pre', {}, tail.join('\n'))) : null,
      );
    }),
  );
}

async function showResult(section: HTMLElement, jobId: string, urls: string[]) {
  const msg = h('p', { role: 'status' }, `Downloading ${urls.length} result shares and rebuilding the result in this page…`);
  section.append(msg);
  let files: string[];
  try {
    files = await Promise.all(
      urls.map(async (u, i) => {
        const r = await fetch(u, { cache: 'no-store', referrerPolicy: 'no-referrer' }).catch(() => undefined);
        if (!r || !r.ok) throw new Error(`party ${i + 1}/${urls.length}: download failed${r ? ` (HTTP ${r.status})` : ' (network or CORS error)'}; the read link may have expired: reload this page`);
        return r.text();
      }),
    );
  } catch (err) {
    msg.replaceWith(h('p', { class: 'notice err', role: 'alert' }, (err as Error).message));
    return;
  }
  let table: { columns: string[]; rows: number[][] };
  try {
    const t = resultTable(files);
    table = { columns: t.columns, rows: t.rows };
  } catch (err) {
    msg.replaceWith(h('p', { class: 'notice err', role: 'alert' }, `Cannot rebuild the result: ${(err as Error).message}`));
    return;
  }
  const count = `${table.rows.length} row${table.rows.length === 1 ? '' : 's'}`;
  const download = h('button', {
    type: 'button',
    onclick: () => {
      const url = URL.createObjectURL(new Blob([toCsv(table)], { type: 'text/csv' }));
      const link = h('a', { href: url, download: `result-${jobId}.csv` });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    },
  }, 'Download CSV');
  msg.replaceWith(
    h('p', { class: 'hint' }, `Rebuilt here from the ${urls.length} parties’ shares: the valid rows, in the order the parties wrote them (ORDER BY order when the query has one).`),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { id: 'result-table' },
        h('caption', {}, `Result (${count})`),
        h('thead', {}, h('tr', {}, ...table.columns.map((c) => h('th', { scope: 'col', class: 'num' }, c)))),
        h('tbody', {}, ...table.rows.map((r) => h('tr', {}, ...r.map((v) => h('td', { class: 'num' }, v))))),
      ),
    ),
    h('div', { class: 'actions' }, download),
  );
}

function ownersSection(jobId: string, job: any) {
  const id = nextId('owner');
  const input = h('input', { id, name: 'data_owner', autocomplete: 'off', spellcheck: 'false', 'aria-describedby': `${id}-hint ${id}-err` });
  const err = h('p', { class: 'error', id: `${id}-err`, 'aria-live': 'polite' });
  const out = h('div', { id: 'invitations' });
  const form = h(
    'form',
    {
      onsubmit: async (e: Event) => {
        e.preventDefault();
        err.textContent = '';
        input.removeAttribute('aria-invalid');
        const owner = input.value.trim();
        const a = await api<{ token: string; data_owner: string }>('POST', `/jobs/${encodeURIComponent(jobId)}/owners`, { data_owner: owner });
        if (needsSignIn(a)) return;
        if (a.status !== 200) {
          input.setAttribute('aria-invalid', 'true');
          err.textContent = errorText(a);
          return;
        }
        // The token goes in the fragment (#…): browsers never send it to a server, so it is in no log.
        const link = `${location.origin}${location.pathname}#/owner/${encodeURIComponent(jobId)}?${new URLSearchParams({ owner: a.body.data_owner, token: a.body.token })}`;
        const lid = nextId('link');
        const linkIn = h('input', { id: lid, readonly: true, value: link, class: 'invite-url', 'data-owner': a.body.data_owner });
        const copied = h('span', { role: 'status', class: 'hint' });
        out.prepend(
          h(
            'div',
            { class: 'notice ok' },
            h('label', { for: lid }, `Invitation link for ${a.body.data_owner}`),
            h('div', { class: 'invite-link' }, linkIn, h('button', { type: 'button', class: 'secondary', onclick: async () => { linkIn.select(); try { await navigator.clipboard.writeText(link); copied.textContent = 'Copied.'; } catch { copied.textContent = 'Select the link and copy it.'; } } }, 'Copy link'), copied),
            h('p', { class: 'hint' }, 'Shown once: the server keeps only a hash of it. Send it to this owner privately; a new invitation for the same owner replaces it.'),
          ),
        );
        const count = document.getElementById('owner-count');
        if (count) count.textContent = String(Number(count.textContent || 0) + 1);
        input.value = '';
        linkIn.focus();
        linkIn.select();
      },
    },
    h('div', { class: 'field' }, h('label', { for: id }, 'Data owner name'), input, h('p', { class: 'hint', id: `${id}-hint` }, 'Letters, digits and . _ @ - (e.g. uni or carol@example.org).'), err),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Invite owner')),
  );
  void job;
  return h('section', { 'aria-labelledby': 'h-owners' }, h('h2', { id: 'h-owners' }, 'Invite data owners'), form, out);
}

// ---------- the data owner's page ----------
interface Invite {
  owner: string;
  token: string;
}

/** Browser PUT of one share file with upload progress; Azure needs x-ms-blob-type (as client/put-share). */
function putShare(url: string, body: string, azure: boolean, onProgress: (sent: number, total: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    xhr.setRequestHeader('content-type', 'text/csv');
    if (azure) xhr.setRequestHeader('x-ms-blob-type', 'BlockBlob');
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : body.length);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve();
      else {
        const code = /<Code>([^<]*)<\/Code>/.exec(xhr.responseText ?? '')?.[1];
        reject(Object.assign(new Error(`HTTP ${xhr.status}${code ? ` ${code}` : ''}`), { status: xhr.status }));
      }
    };
    xhr.onerror = () => reject(Object.assign(new Error('network error (the storage did not answer, or refused this page’s origin)'), { status: 0 }));
    xhr.ontimeout = () => reject(Object.assign(new Error('timed out'), { status: 0 }));
    xhr.timeout = 600_000;
    xhr.send(body);
  });
}
const isAzure = (url: string, provider?: string) => {
  if (provider === 'azure') return true;
  const u = new URL(url);
  return u.hostname.includes('.blob.') || u.pathname.startsWith('/devstoreaccount1/') || (u.searchParams.get('sr') === 'b' && u.searchParams.has('sig'));
};
const formatBytes = (n: number) => (n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} kB` : `${(n / 1024 / 1024).toFixed(1)} MB`);

async function ownerPage(jobId: string, q: URLSearchParams) {
  // Arrived by the invitation link: keep the invitation in this tab only and take it out of the address.
  if (q.get('token')) {
    sessionStorage.setItem(inviteKey(jobId), JSON.stringify({ owner: q.get('owner') ?? '', token: q.get('token') }));
    history.replaceState(null, '', `${location.pathname}#/owner/${encodeURIComponent(jobId)}`);
  }
  const stored = sessionStorage.getItem(inviteKey(jobId));
  const invite: Invite | undefined = stored ? JSON.parse(stored) : undefined;
  if (!invite?.owner) return render('Upload your data', h('p', { class: 'notice err', role: 'alert' }, 'This page needs the invitation link your analyst sent you. Open that link (in this browser tab) to continue.'));

  const a = await api('GET', `/jobs/${encodeURIComponent(jobId)}`, undefined, invite.token);
  if (a.status !== 200) {
    const why = a.status === 401 || a.status === 403 ? 'This invitation is not valid (it may have been replaced by a newer one): ask the analyst for a new link.' : errorText(a);
    return render('Upload your data', h('p', { class: 'notice err', role: 'alert' }, why));
  }
  const job = a.body;
  const columns: string[] = job.columns ?? Object.keys(job.schema ?? {});
  const n: number = job.party_count;
  const clouds: string[] = job.cloud_providers ?? [];

  const privacy = h(
    'div',
    { class: 'notice', id: 'privacy' },
    h('strong', {}, 'Your data stays in this page. '),
    `Your CSV is read, checked and secret-shared by code running in this page; the plaintext never leaves it. Each of the ${n} parties’ clouds receives one share file, which on its own is uniformly random.`,
  );
  const schemaTable = h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      {},
      h('caption', {}, 'Columns your CSV needs, in this order (header row first)'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, '#'), h('th', { scope: 'col' }, 'Column'), h('th', { scope: 'col' }, 'Unit'))),
      h('tbody', {}, ...columns.map((c, i) => h('tr', {}, h('td', {}, i + 1), h('td', {}, h('code', {}, c)), h('td', {}, job.schema?.[c] ?? '')))),
    ),
  );
  const fid = nextId('file');
  const fileIn = h('input', { id: fid, type: 'file', accept: '.csv,text/csv', 'aria-describedby': `${fid}-hint ${fid}-check` });
  const check = h('div', { id: `${fid}-check`, 'aria-live': 'polite' });
  const uploadBtn = h('button', { type: 'button', id: 'share-upload', disabled: true }, 'Share and upload');
  const progress = h('div', { id: 'progress' });
  const outcome = h('div', { id: 'outcome', role: 'alert' });
  let rows: number[][] | undefined;

  fileIn.addEventListener('change', async () => {
    rows = undefined;
    uploadBtn.disabled = true;
    outcome.replaceChildren();
    progress.replaceChildren();
    const file = fileIn.files?.[0];
    if (!file) return check.replaceChildren();
    const text = await file.text();
    try {
      rows = checkDataCsv(text, columns, file.name);
      check.replaceChildren(h('p', { class: 'ok' }, `${file.name}: ${rows.length} row${rows.length === 1 ? '' : 's'}, every value a 32-bit integer. Ready to share.`));
      fileIn.removeAttribute('aria-invalid');
      uploadBtn.disabled = false;
    } catch (err) {
      fileIn.setAttribute('aria-invalid', 'true');
      const problems = err instanceof CsvCheckError ? err.problems : [(err as Error).message];
      check.replaceChildren(
        h('p', { class: 'error' }, `${file.name} does not match the job’s schema (${problems.length}${problems.length >= 20 ? '+' : ''} problem${problems.length === 1 ? '' : 's'}); fix the file and choose it again. Nothing was sent.`),
        h('ul', { class: 'problems' }, ...problems.map((p) => h('li', {}, p))),
      );
    }
  });

  uploadBtn.addEventListener('click', async () => {
    if (!rows) return;
    uploadBtn.disabled = true;
    fileIn.disabled = true;
    outcome.replaceChildren();
    const done = () => {
      uploadBtn.disabled = false;
      fileIn.disabled = false;
    };
    const reg = await api<{ presigned_urls: string[] }>('POST', '/register_data_owner', { job_id: jobId, data_owner: invite.owner }, invite.token);
    if (reg.status !== 200) {
      const hint = reg.status === 409 ? 'The job no longer takes uploads (submitted or ended): contact the analyst.' : reg.status === 403 || reg.status === 401 ? 'This invitation is not valid for this owner any more: ask the analyst for a new link.' : 'Try again in a moment.';
      outcome.replaceChildren(h('div', { class: 'notice err' }, h('p', {}, h('strong', {}, 'Not uploaded: '), `${errorText(reg)}. ${hint}`)));
      return done();
    }
    const urls = reg.body.presigned_urls ?? [];
    if (urls.length !== n) {
      outcome.replaceChildren(h('p', { class: 'notice err' }, `The server gave ${urls.length} upload links for a ${n}-party job; nothing was uploaded. Contact the analyst.`));
      return done();
    }
    // Secret-share here, with the browser's CSPRNG, by the CLI's own module.
    const shares = shareTable(columns, rows, n, cryptoRng(window.crypto));
    const bars = urls.map((_, i) => {
      const pid = nextId('party');
      const cloud = clouds.length ? clouds[i % clouds.length] : '';
      const label = `Party ${i + 1} of ${n}${cloud ? ` (${cloud})` : ''}`;
      const bar = h('progress', { id: pid, max: 100, value: 0, 'aria-describedby': `${pid}-state` });
      const state = h('span', { id: `${pid}-state`, class: 'hint' }, 'waiting');
      progress.append(h('div', { class: 'party', 'data-party': i + 1 }, h('label', { for: pid }, label), bar, state));
      return { bar, state, label, cloud };
    });
    const failures: string[] = [];
    await Promise.all(
      urls.map(async (url, i) => {
        const b = bars[i];
        const bytes = new TextEncoder().encode(shares[i]).length;
        for (let attempt = 1; attempt <= 3; attempt++) {
          try {
            b.state.textContent = attempt > 1 ? `retrying (attempt ${attempt} of 3)…` : 'uploading…';
            await putShare(url, shares[i], isAzure(url, b.cloud), (sent, total) => {
              b.bar.value = Math.round((100 * sent) / Math.max(1, total));
            });
            b.bar.value = 100;
            b.state.textContent = `uploaded (${formatBytes(bytes)})`;
            return;
          } catch (err) {
            const status = (err as { status?: number }).status ?? 0;
            if ((status >= 400 && status < 500 && status !== 429) || attempt === 3) {
              b.state.textContent = `failed: ${(err as Error).message}`;
              failures.push(`${b.label}: ${(err as Error).message}`);
              return;
            }
            await new Promise((r) => setTimeout(r, 500 * 2 ** (attempt - 1)));
          }
        }
      }),
    );
    if (failures.length) {
      outcome.replaceChildren(
        h(
          'div',
          { class: 'notice err' },
          h('p', {}, h('strong', {}, `Upload failed for ${failures.length} of ${n} parties.`)),
          h('ul', {}, ...failures.map((f) => h('li', {}, f))),
          h('p', {}, 'Nothing is submitted yet. Press “Share and upload” again: it shares your file anew and replaces every party’s file. If it keeps failing, send the analyst this message.'),
        ),
      );
      return done();
    }
    outcome.replaceChildren(
      h('div', { class: 'notice ok', id: 'upload-done' }, h('p', {}, h('strong', {}, 'Done. '), `${rows.length} row${rows.length === 1 ? '' : 's'} uploaded as ${n} share files for ${invite.owner}, one per party. You can close this page; the analyst submits the job when every owner has uploaded.`)),
    );
    fileIn.disabled = false;
  });

  render(
    `Upload your data: ${job.analysis_name}`,
    privacy,
    h('dl', { class: 'facts' }, h('dt', {}, 'You are'), h('dd', {}, invite.owner), h('dt', {}, 'Parties'), h('dd', {}, `${n} (${job.security_level}) on ${clouds.join(', ')}`)),
    h('h2', {}, 'The query your data goes into'),
    h('pre', {}, job.query_sql),
    h('h2', {}, 'Schema'),
    schemaTable,
    h('h2', {}, 'Your CSV'),
    h('div', { class: 'field' }, h('label', { for: fid }, 'CSV file'), fileIn, h('p', { class: 'hint', id: `${fid}-hint` }, `A header row ${columns.join(',')} then one row per record; plain integers.`)),
    check,
    h('div', { class: 'actions' }, uploadBtn),
    progress,
    outcome,
  );
}

window.addEventListener('hashchange', () => void route());
void route();
