// get_status: the job's status, stage by stage, read from its workflow (a query) and the execution
// (a describe); what each says when the other cannot.
import type { JobStatus, StageRecord, StageView } from '../../domain/job.js';

export type { StageView };
import { jobParties } from '../../domain/names.js';
import { OPEN_STATUS, lastStatusError, type JobState } from '../../workflows/messages.js';
import { qsError } from '../errors.js';
import type { JobDescription } from '../gateway.js';
import type { Caller } from '../ownership.js';
import type { ApiContext } from './context.js';

export interface StatusAnswer {
  status: JobStatus;
  job_id: string;
  stages: StageView[];
  error?: string;
  result?: string[];
  /** "query": answered by the workflow; "search-attribute": by the status it last recorded */
  source: 'query' | 'search-attribute';
}

const CLOSED_FROM_OUTSIDE = ['TERMINATED', 'TIMED_OUT', 'FAILED', 'CANCELLED'];

/** Status calls for one job share one answer (ctx.statuses). */
export async function getStatus(ctx: ApiContext, jobId: string, caller?: Caller): Promise<StatusAnswer> {
  await ctx.ownership.check(jobId, caller);
  return ctx.statuses.get(jobId);
}

/** Both at once: describe gives the execution's state and the running stage's live facts, the query
 *  the job's own record. A query needs a worker; it never hangs when none answers. */
export async function loadStatus(ctx: ApiContext, jobId: string): Promise<StatusAnswer> {
  const [desc, state] = await Promise.all([ctx.gateway.describe(jobId), ctx.gateway.state(jobId)]);
  if (!state) return fromSearchAttribute(ctx, desc);
  const closedFromOutside = CLOSED_FROM_OUTSIDE.includes(desc.execution);
  if (state.phase === 'Creating Storage' || state.phase === 'Open') {
    if (!closedFromOutside) throw qsError('QS_NOT_SUBMITTED', [], { job_id: jobId });
    return { status: 'Fail', job_id: jobId, stages: [], error: lastStatusError('failed', OPEN_STATUS), source: 'query' };
  }
  const stages = mergePending(state.stages, desc);
  const status = state.status ?? 'Submitted';
  if (closedFromOutside && status !== 'Success' && status !== 'Fail') {
    return { status: 'Fail', job_id: jobId, stages, error: lastStatusError(how(desc), state.lastStatus ?? status), source: 'query' };
  }
  if (status === 'Fail') return { status, job_id: jobId, stages, error: state.error ?? lastStatusError('failed', state.lastStatus ?? 'unknown'), source: 'query' };
  if (status === 'Success') return { status, job_id: jobId, stages, result: await ctx.storage.resultReadUrls(jobParties(state.job)), source: 'query' };
  return { status, job_id: jobId, stages, source: 'query' };
}

/** No worker answered: the status the job last recorded in its search attribute. A job recorded as Success
 *  still gets its result URLs, from the memo's providers and level (the parties' buckets are named by them):
 *  a Success without them would leave `qs result` and the web page with nothing to read. */
async function fromSearchAttribute(ctx: ApiContext, desc: JobDescription): Promise<StatusAnswer> {
  const { jobId, recordedStatus: recorded, memo } = desc;
  const closedFromOutside = CLOSED_FROM_OUTSIDE.includes(desc.execution);
  if (!recorded || recorded === OPEN_STATUS) {
    if (closedFromOutside) return { status: 'Fail', job_id: jobId, stages: [], error: lastStatusError('failed', recorded ?? 'unknown'), source: 'search-attribute' };
    throw qsError('QS_NOT_SUBMITTED', [], { job_id: jobId });
  }
  const status = recorded as JobStatus;
  const terminal = status === 'Success' || status === 'Fail';
  if (closedFromOutside && !terminal) return { status: 'Fail', job_id: jobId, stages: [], error: lastStatusError(how(desc), recorded), source: 'search-attribute' };
  if (status === 'Success' && memo.cloud_providers && memo.security_level) {
    const parties = jobParties({ jobId, cloudProviders: memo.cloud_providers, securityLevel: memo.security_level });
    return { status, job_id: jobId, stages: [], result: await ctx.storage.resultReadUrls(parties), source: 'search-attribute' };
  }
  return { status, job_id: jobId, stages: [], source: 'search-attribute' };
}

/** How a job closed from outside ended, for lastStatusError (the workflow's own rule for its error). */
const how = (desc: JobDescription): 'cancelled' | 'failed' => (desc.execution === 'CANCELLED' ? 'cancelled' : 'failed');

/** The running stage's live facts come from the server's pending-activity view: attempt, heartbeat, last error. */
function mergePending(stages: StageRecord[], desc: JobDescription): StageView[] {
  return stages.map((s) => {
    const view: StageView = {
      name: s.name,
      status: s.status,
      state: s.state,
      attempts: s.attempts,
      started_at: s.startedAt,
      ended_at: s.endedAt,
      progress: s.progress,
      error: s.error,
      log_tail: s.logTail,
      duration_ms: s.durationMs,
    };
    const p = desc.pending.find((a) => a.name === s.name);
    if (p && s.state === 'running') {
      view.attempts = p.attempt ?? view.attempts;
      if (p.task) view.progress = p.task;
      if (p.lastFailure) view.error = `attempt ${(p.attempt ?? 2) - 1} failed: ${p.lastFailure}`;
    }
    return view;
  });
}
