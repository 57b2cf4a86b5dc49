// The job page's live timeline: one item per stage with its state, attempts, duration, current Ansible
// task, error and log tail (a log tail the reader opened stays open across refreshes).
import type { StageView } from '../../domain/job.js';
import { h } from './dom.js';

export const fmtMs = (ms: number) => (ms < 1000 ? `${ms} ms` : ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`);

export type { StageView };

function timing(st: StageView): string[] {
  const bits: string[] = [];
  if (st.attempts > 1) bits.push(`${st.attempts} attempts`);
  else if (st.attempts === 1) bits.push('1 attempt');
  if (typeof st.duration_ms === 'number') bits.push(fmtMs(st.duration_ms));
  else if (st.started_at && st.ended_at) bits.push(fmtMs(Date.parse(st.ended_at) - Date.parse(st.started_at)));
  else if (st.started_at && st.state === 'running') bits.push(`running for ${fmtMs(Date.now() - Date.parse(st.started_at))}`);
  return bits;
}

function stageItem(st: StageView, tailOpen: boolean): HTMLElement {
  const bits = timing(st);
  const tail = st.log_tail ?? [];
  return h(
    'li',
    { class: st.state, 'data-stage': st.name },
    h('strong', {}, st.status || st.name), ' ',
    h('span', { class: `state ${st.state}` }, st.state),
    bits.length ? h('span', { class: 'hint' }, ` · ${bits.join(' · ')}`) : null,
    h('div', { class: 'hint' }, h('code', {}, st.name), st.started_at ? ` · started ${new Date(st.started_at).toLocaleTimeString()}` : ''),
    st.progress && st.state === 'running' ? h('div', { class: 'hint' }, `Now: ${st.progress}`) : null,
    st.error ? h('div', { class: 'error' }, st.error) : null,
    tail.length ? h('details', { 'data-stage': st.name, open: tailOpen }, h('summary', {}, 'Log tail'), h('pre', {}, tail.join('\n'))) : null,
  );
}

export function renderStages(ol: HTMLElement, stages: StageView[]): void {
  const open = new Set([...ol.querySelectorAll('details[open]')].map((d) => d.getAttribute('data-stage')));
  ol.replaceChildren(...stages.map((st) => stageItem(st, open.has(st.name))));
}
