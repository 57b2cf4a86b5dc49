// submit_job, cancel_job and DELETE /jobs/<id>: a job's moves after its owners are in.
import type { Provider, SecurityLevel } from '../../domain/job.js';
import { jobParties } from '../../domain/names.js';
import { submitUpdate } from '../../workflows/messages.js';
import { qsError } from '../errors.js';
import type { Caller } from '../ownership.js';
import type { ApiContext } from './context.js';

export async function submitJob(ctx: ApiContext, jobId: string, caller?: Caller): Promise<{ status: 'success'; job_id: string }> {
  await ctx.ownership.check(jobId, caller);
  let outcome;
  try {
    outcome = await ctx.gateway.update(jobId, submitUpdate, [], { alreadySubmitted: () => qsError('QS_DUPLICATED_SUBMISSION', [], { job_id: jobId }) });
  } finally {
    // A change made through this API shows in this process's next status answer.
    ctx.statuses.forget(jobId);
  }
  if (!outcome.ok) throw qsError('QS_VALIDATION_FAILED', [], { job_id: jobId, details: outcome.details });
  return { status: 'success', job_id: jobId };
}

export async function cancelJob(ctx: ApiContext, jobId: string, caller?: Caller): Promise<{ status: 'cancelling'; job_id: string }> {
  await ctx.ownership.check(jobId, caller);
  const desc = await ctx.gateway.describe(jobId);
  if (desc.execution !== 'RUNNING') throw qsError('QS_JOB_FINISHED', [], { job_id: jobId });
  await ctx.gateway.cancel(jobId);
  ctx.statuses.forget(jobId);
  return { status: 'cancelling', job_id: jobId };
}

/** Removes all of a finished job's storage (buckets and blobs on every party cloud). */
export async function deleteStorage(ctx: ApiContext, jobId: string, caller?: Caller): Promise<{ deleted: true; job_id: string }> {
  await ctx.ownership.check(jobId, caller);
  const desc = await ctx.gateway.describe(jobId);
  if (desc.execution === 'RUNNING') throw qsError('QS_JOB_NOT_OPEN', ['it is still running; cancel it first'], { job_id: jobId });
  const { cloud_providers: cloudProviders, security_level: securityLevel } = desc.memo;
  if (!cloudProviders || !securityLevel) throw qsError('QS_INTERNAL');
  await ctx.storage.delete(jobParties({ jobId, cloudProviders: cloudProviders as Provider[], securityLevel: securityLevel as SecurityLevel }), 'all');
  return { deleted: true, job_id: jobId };
}
