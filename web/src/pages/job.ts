// A job: the query and configuration, its data owners (who was invited, who has uploaded) and invitations,
// submit, cancel, a live timeline polling get_status, and on Success the result rebuilt in this page.
import { api, errorText, jobPath, needsSignIn } from '../api.js';
import { h } from '../dom.js';
import { render } from '../layout.js';
import { ownersSection, type OwnersSection } from '../owners.js';
import { showResult } from '../result.js';
import { renderStages } from '../timeline.js';

const TERMINAL = new Set(['Success', 'Fail']);
/** How often the page asks again: while running (the timeline), and while open (owners uploading). */
const RUNNING_POLL_MS = 1500;
const OPEN_POLL_MS = 5000;

interface View {
  jobId: string;
  owners: OwnersSection;
  submitBtn: HTMLButtonElement;
  cancelBtn: HTMLButtonElement;
  actionMsg: HTMLElement;
  timeline: HTMLElement;
  timelineSection: HTMLElement;
  resultSection: HTMLElement;
}

function facts(job: any): HTMLElement {
  return h(
    'dl',
    { class: 'facts' },
    h('dt', {}, 'Job id'), h('dd', {}, h('code', {}, job.job_id)),
    h('dt', {}, 'Level'), h('dd', {}, `${job.security_level} (${job.party_count} parties)`),
    h('dt', {}, 'Clouds'), h('dd', {}, (job.cloud_providers ?? []).join(', ')),
    h('dt', {}, 'Schema'), h('dd', {}, Object.entries(job.schema ?? {}).map(([c, u]) => `${c} (${u})`).join(', ')),
    h('dt', {}, 'Data owners'), h('dd', { id: 'owner-count' }, String(job.data_owners ?? 0)),
  );
}

function setStatus(v: View, s: string): void {
  (document.getElementById('job-status') as HTMLElement).textContent = s;
  v.submitBtn.hidden = s !== 'Created';
  v.owners.setStatus(s);
  v.cancelBtn.hidden = TERMINAL.has(s);
}

/** Polls get_status until the job ends: the timeline, the failure, the result; the owners with each new status. */
function poller(v: View): { poll: () => void; stop: () => void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  let resultShown = false;
  let last = '';
  const later = (ms: number) => (timer = setTimeout(poll, ms));
  const poll = async () => {
    if (timer) clearTimeout(timer);
    if (stopped) return;
    const s = await api('GET', `/get_status?job_id=${encodeURIComponent(v.jobId)}`);
    if (stopped) return;
    if (s.status === 409) {
      // Not submitted: the owners are still uploading; the list follows them.
      setStatus(v, 'Created');
      v.timelineSection.hidden = true;
      void v.owners.refresh();
      return later(OPEN_POLL_MS);
    }
    if (s.status !== 200) {
      v.actionMsg.replaceChildren(h('p', { class: 'error' }, `Status unavailable: ${errorText(s)} (retrying)`));
      return later(OPEN_POLL_MS);
    }
    const status: string = s.body.status;
    v.timelineSection.hidden = false;
    setStatus(v, status);
    if (status !== last && !TERMINAL.has(status)) void v.owners.refresh();
    last = status;
    renderStages(v.timeline, s.body.stages ?? []);
    if (status === 'Fail') v.actionMsg.replaceChildren(h('p', { class: 'notice err', id: 'job-failure' }, h('strong', {}, 'The job ended as Fail: '), s.body.error ?? ''));
    if (status === 'Success' && !resultShown) {
      resultShown = true;
      v.resultSection.hidden = false;
      void showResult(v.resultSection, v.jobId, s.body.result ?? []);
    }
    if (!TERMINAL.has(status)) later(RUNNING_POLL_MS);
  };
  const stop = () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
  return { poll: () => void poll(), stop };
}

function onSubmit(v: View, poll: () => void): () => Promise<void> {
  return async () => {
    v.submitBtn.disabled = true;
    v.actionMsg.replaceChildren(h('p', {}, 'Submitting: every upload is checked first…'));
    const r = await api('POST', '/submit_job', { job_id: v.jobId });
    v.submitBtn.disabled = false;
    if (r.status === 200) {
      v.actionMsg.replaceChildren(h('p', { class: 'ok' }, 'Submitted. The stages start now.'));
      setStatus(v, 'Submitted');
      poll();
      return;
    }
    const details: string[] = r.body?.details ?? [];
    v.actionMsg.replaceChildren(h('div', { class: 'notice err' }, h('p', {}, h('strong', {}, 'Not submitted: '), errorText(r)), details.length ? h('ul', {}, ...details.map((d) => h('li', {}, d))) : null));
  };
}

function onCancel(v: View, poll: () => void): () => Promise<void> {
  return async () => {
    if (!confirm('Cancel this job? Everything it created is torn down and it ends as Fail.')) return;
    v.cancelBtn.disabled = true;
    const r = await api('POST', '/cancel_job', { job_id: v.jobId });
    v.cancelBtn.disabled = false;
    v.actionMsg.replaceChildren(r.status === 200 ? h('p', { class: 'ok' }, 'Cancelling: the running stage stops and everything is torn down.') : h('p', { class: 'error' }, errorText(r)));
    poll();
  };
}

/** Shows the job and starts following it; returns what stops the polling (or nothing when there is no job). */
export async function jobPage(jobId: string): Promise<(() => void) | undefined> {
  const a = await api('GET', jobPath(jobId));
  if (needsSignIn(a)) return;
  if (a.status !== 200) {
    render('Job', h('p', { class: 'error', role: 'alert' }, errorText(a)), h('p', {}, h('a', { href: '#/' }, 'Back to the jobs')));
    return;
  }
  const job = a.body;
  const timeline = h('ol', { class: 'timeline', 'aria-label': 'Stages' });
  const v: View = {
    jobId,
    owners: ownersSection(jobId),
    submitBtn: h('button', { type: 'button', id: 'submit-job' }, 'Submit job'),
    cancelBtn: h('button', { type: 'button', class: 'danger', id: 'cancel-job' }, 'Cancel job'),
    actionMsg: h('div', { role: 'alert' }),
    timeline,
    timelineSection: h('section', { 'aria-labelledby': 'h-stages', hidden: job.status === 'Created' }, h('h2', { id: 'h-stages' }, 'Stages'), timeline),
    resultSection: h('section', { 'aria-labelledby': 'h-result', hidden: true }, h('h2', { id: 'h-result' }, 'Result')),
  };
  const { poll, stop } = poller(v);
  v.submitBtn.addEventListener('click', onSubmit(v, poll));
  v.cancelBtn.addEventListener('click', onCancel(v, poll));
  const statusLine = h('p', { class: 'status-line', role: 'status', 'aria-live': 'polite' }, 'Status: ', h('strong', { id: 'job-status' }, job.status));
  render(job.analysis_name || 'Job', statusLine, h('h2', {}, 'Query'), h('pre', {}, job.query_sql), facts(job), h('div', { class: 'actions' }, v.submitBtn, v.cancelBtn), v.actionMsg, v.owners.section, v.timelineSection, v.resultSection);
  setStatus(v, job.status);
  void v.owners.refresh();
  if (job.status === 'Created') setTimeout(poll, OPEN_POLL_MS);
  else poll();
  return stop;
}
