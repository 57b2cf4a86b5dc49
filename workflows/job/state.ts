// The one state object a job's workflow run works on, and the functions that change it: the job's status
// moves only through setStatus (and the phase transitions built on it), which keeps the status query's answer
// (`JobState`), the status search attribute, the memo's status and the Web UI's current details together,
// so no phase can update one and forget the others; stage records change through startAttempt,
// finishRecord and failRecord. Owners and invitations change in the owners phase's handlers.
import { ApplicationFailure, ActivityFailure, TimeoutFailure, setCurrentDetails, upsertMemo, upsertSearchAttributes } from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { partyCount, type JobStatus, type StageName, type StageRecord, type StageResult } from '../../domain/job.js';
import { OPEN_STATUS, STATUS_SEARCH_ATTRIBUTE, type JobInput, type JobMemo, type JobRef, type JobState, type StorageReport } from '../messages.js';

const statusKey = defineSearchAttributeKey(STATUS_SEARCH_ATTRIBUTE, SearchAttributeType.KEYWORD);

export interface StageDef {
  name: Exclude<StageName, 'deleteVMs'>;
  running: JobStatus;
  done?: JobStatus;
}

/** The stages in order, with the seed status shown while each runs and after it ends. */
export const STAGES: StageDef[] = [
  { name: 'createVMs', running: 'Creating VMs', done: 'VMs Created' },
  { name: 'setupAuthentication', running: 'Setting Up Authentication', done: 'Finished Authentication Setup' },
  { name: 'deployTvaCore', running: 'Deploying TVA Core', done: 'Finished TVA Core Deployment' },
  { name: 'runExperiment', running: 'Running Experiment' },
];

/** Everything one run of the job workflow knows. `state` is what the status query answers; the rest is
 *  the run's own bookkeeping, never shown. */
export interface JobRun {
  readonly input: JobInput;
  readonly ref: JobRef;
  readonly state: JobState;
  /** the API's report on the buckets (or the workflow's own, when it made them) */
  storageReport?: StorageReport;
  /** why the storage phase failed; register and submit answer with it */
  storageError?: string;
  /** a submit is validating the uploads: other owner changes wait their turn by being refused */
  submitting: boolean;
  /** what an operator signalled for a held stage */
  operatorChoice?: 'retry' | 'abort';
}

export function newJobRun(input: JobInput): JobRun {
  const { job } = input;
  return {
    input,
    ref: { jobId: job.jobId, cloudProviders: job.cloudProviders, securityLevel: job.securityLevel },
    state: {
      phase: 'Creating Storage',
      owners: [],
      job,
      stages: [...STAGES.map((s) => s.name), 'deleteVMs' as const].map(
        (name): StageRecord => ({ name, status: STAGES.find((s) => s.name === name)?.running ?? 'Teardown', state: 'pending', attempts: 0 }),
      ),
    },
    submitting: false,
  };
}

/** Shows a status everywhere an operator or the API reads it. A seed status other than the two final
 *  ones becomes the "last status" a failed job's error names. */
export function setStatus(run: JobRun, status: JobStatus | typeof OPEN_STATUS): void {
  const { state } = run;
  if (status !== OPEN_STATUS) {
    state.status = status;
    if (status !== 'Success' && status !== 'Fail') state.lastStatus = status;
  }
  upsertSearchAttributes([{ key: statusKey, value: status }]);
  upsertMemo({ status } satisfies Partial<JobMemo>);
  setCurrentDetails(details(run.input, status, state.owners.length));
}

/** The job is open to data owners. */
export function openJob(run: JobRun): void {
  run.state.phase = 'Open';
  setStatus(run, OPEN_STATUS);
}

/** The uploads are complete: the stages may start. */
export function submitJob(run: JobRun): void {
  run.state.phase = 'Submitted';
  setStatus(run, 'Submitted');
}

/** The job ends Fail with this error (what get_status answers). */
export function failJob(run: JobRun, error: string): void {
  run.state.phase = 'Fail';
  run.state.error = error;
  setStatus(run, 'Fail');
}

export function succeedJob(run: JobRun): void {
  run.state.phase = 'Success';
  setStatus(run, 'Success');
}

export function stageRecord(run: JobRun, name: StageName): StageRecord {
  return run.state.stages.find((s) => s.name === name)!;
}

export function startAttempt(rec: StageRecord): void {
  rec.state = 'running';
  rec.startedAt = new Date().toISOString();
  rec.endedAt = undefined;
}

export function finishRecord(rec: StageRecord, result: StageResult): void {
  rec.state = 'succeeded';
  rec.attempts = result.attempt ?? rec.attempts + 1;
  rec.endedAt = new Date().toISOString();
  rec.logTail = result.logTail?.slice(-10);
  rec.durationMs = result.durationMs;
  rec.error = undefined;
}

export function failRecord(rec: StageRecord, err: unknown, maxAttempts: number): void {
  rec.state = 'failed';
  rec.endedAt = new Date().toISOString();
  rec.attempts = Math.max(rec.attempts + 1, maxAttempts);
  rec.error = messageOf(err);
  const cause = err instanceof ActivityFailure ? err.cause : undefined;
  const tail = cause instanceof ApplicationFailure ? (cause.details?.[0] as { logTail?: string[] } | undefined)?.logTail : undefined;
  if (tail) rec.logTail = tail.slice(-20);
}

/** The innermost message: an ActivityFailure wraps the activity's own error. */
export function messageOf(err: unknown): string {
  let e = err as { message?: string; cause?: unknown } | undefined;
  while (e && (e instanceof ActivityFailure || (e.cause && !(e instanceof TimeoutFailure) && e.message === 'Activity task failed'))) {
    e = e.cause as typeof e;
  }
  if (e instanceof TimeoutFailure) return `timed out (${e.timeoutType})`;
  return e?.message ?? String(err);
}

/** The Web UI's "current details": what this job is, in words. */
export function details(input: JobInput, status: string, owners: number): string {
  const { job } = input;
  return [
    `**${job.analysisName}** — ${status}`,
    `${partyCount(job.securityLevel)} parties (${job.securityLevel === 'mal' ? 'malicious, Fantastic Four' : 'semi-honest, replicated 3PC'}) on ${job.cloudProviders.join(', ')}`,
    `${owners} data owner(s); query: \`${job.querySql}\``,
  ].join('\n');
}
