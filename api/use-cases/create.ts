// create_job: the job's buckets on every cloud and its workflow, at once.
import { randomUUID } from 'node:crypto';
import { jobParties } from '../../domain/names.js';
import type { JobConfig, Provider } from '../../domain/job.js';
import { StorageCreationError } from '../../infra/storage/index.js';
import { qsError } from '../errors.js';
import type { JobStart } from '../gateway.js';
import type { Caller } from '../ownership.js';
import { compileForEngine } from '../query-check.js';
import type { ApiContext } from './context.js';

/** A new job's workflow starts delayed by this much: its report ends the delay, normally milliseconds
 *  after the start. Well above what creating a job's buckets takes on a real cloud (seconds), so that the
 *  workflow never makes sure of the buckets while the API is still making them. */
const STORAGE_REPORT_DELAY_MS = 60_000;
/** Once running without a report (it was lost), the workflow waits this much more before it makes sure
 *  of the buckets itself. */
const STORAGE_REPORT_TIMEOUT_MS = 5_000;

/** What create_job accepted: the schema's checks passed. */
export type CreateJobInput = Pick<JobConfig, 'analysisName' | 'querySql' | 'securityLevel' | 'cloudProviders' | 'schema'>;

/** The checks no schema can make: a provider this deployment has, a query the engine runs. */
export function checkCreatable(ctx: ApiContext, input: CreateJobInput): void {
  const enabled: readonly Provider[] = ctx.config.providers;
  input.cloudProviders.forEach((p, i) => {
    if (!enabled.includes(p)) throw qsError('QS_INVALID_FIELD', [`cloud_providers[${i}]: "${p}" is not enabled on this server (enabled: ${enabled.join(', ')})`]);
  });
  compileForEngine(ctx.config, input.querySql, Object.keys(input.schema));
}

/**
 * Creates the job's buckets on every cloud while it starts the job's workflow, so create_job costs the
 * slower of the two, not their sum. The workflow is started with a delay: it does not run (its first task
 * would compete with the buckets for the CPU) until the buckets' report reaches it by signal-with-start,
 * which ends the delay. That report is on its way while the answer leaves; should it never arrive, the
 * workflow runs when the delay ends and makes sure of the buckets itself. No bucket stays behind: a
 * failed try removes its own, the API removes them when Temporal refuses the job, and the sweep when the
 * API dies before the workflow exists.
 */
export async function createJob(ctx: ApiContext, input: CreateJobInput, caller?: Caller): Promise<{ job_id: string }> {
  const job: JobConfig = { jobId: randomUUID(), ...input, createdAt: new Date().toISOString() };
  const analyst = caller?.name;
  // An analyst's running jobs are capped (QS_MAX_OPEN_JOBS), counted in visibility (which may lag a
  // start by a moment: the cap is approximate by the jobs created in that moment).
  if (caller && caller.role !== 'admin') {
    const running = await ctx.gateway.countRunning(caller.name);
    if (running >= ctx.config.maxOpenJobs) throw qsError('QS_TOO_MANY_JOBS', [running]);
  }
  const start: JobStart = { job, options: jobOptions(ctx), startDelayMs: STORAGE_REPORT_DELAY_MS, ...(analyst ? { analyst } : {}) };
  const parties = jobParties(job);
  const [started, made] = await Promise.allSettled([ctx.gateway.start(start), ctx.storage.create(parties, { fresh: true })]);
  if (started.status === 'rejected') {
    if (made.status === 'fulfilled') await ctx.storage.delete(parties, 'all').catch(() => undefined);
    throw started.reason;
  }
  if (made.status === 'rejected') {
    // The job is recorded as Fail, with the reason. Should this report be lost too, the workflow makes
    // the buckets itself when its delay ends, and the job, whose id nobody was given, expires.
    const error = storageErrorOf(made.reason);
    await ctx.gateway.reportStorage(start, { ok: false, error });
    throw qsError('QS_STORAGE_CREATION', [error]);
  }
  // After the answer has been written: building the signal's request is CPU work on this thread.
  ctx.background.track(new Promise<void>((resolve) => setImmediate(resolve)).then(() => ctx.gateway.reportStorage(start, { ok: true })));
  ctx.layouts.remember(job);
  ctx.ownership.remember(job.jobId, analyst ?? null);
  return { job_id: job.jobId };
}

function jobOptions({ config }: ApiContext): JobStart['options'] {
  return {
    jobTtlMs: config.jobTtlSeconds * 1000,
    stage: config.stage,
    failedStageHoldMs: config.failedStageHoldSeconds * 1000,
    deleteInputsOnEnd: config.deleteInputsOnEnd,
    storageReportTimeoutMs: STORAGE_REPORT_TIMEOUT_MS,
    maxOwners: config.maxOwners,
  };
}

/** The storage error as create_job answers it: "Buckets creation error: <provider>: <reason>". */
function storageErrorOf(err: unknown): string {
  if (err instanceof StorageCreationError) return err.message;
  return `Buckets creation error: ${err instanceof Error ? err.message.split('\n')[0].slice(0, 300) : String(err)}`;
}
