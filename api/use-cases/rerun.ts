// POST /jobs/<id>/rerun: a failed job run again on the inputs it kept.
import { jobParties } from '../../domain/names.js';
import { registerDataOwnerUpdate } from '../../workflows/messages.js';
import { qsError, QsError } from '../errors.js';
import type { Caller } from '../ownership.js';
import type { ApiContext } from './context.js';
import { createJob } from './create.js';
import { submitJob } from './lifecycle.js';

/**
 * A failed (or cancelled, or terminated) job run again on the inputs it kept (a Fail keeps them until
 * its retention ends): a new job, with a new id, the same configuration and the same data owners, whose
 * input buckets get a copy of each owner's share files (party i's blob to the new party i, which is on
 * the same cloud), then submitted as any job is. Copied rather than pointed at: the new job is then a job
 * like any other (its buckets, its retention, its submit-time checksums, its sweep), and it does not
 * depend on the old job's buckets, which the old job's retention or a DELETE may remove at any time.
 * The copy goes through signed URLs (read on the old bucket, write on the new), streamed, so the API
 * holds no credential it does not already have and no file in memory. 409 for a job that succeeded or is
 * still running, or whose inputs are no longer all there.
 */
export async function rerunJob(ctx: ApiContext, jobId: string, caller?: Caller): Promise<{ job_id: string; rerun_of: string }> {
  await ctx.ownership.check(jobId, caller);
  const desc = await ctx.gateway.describe(jobId);
  if (desc.execution === 'RUNNING') throw qsError('QS_RERUN_REFUSED', ['the job is still running'], { job_id: jobId });
  if (desc.recordedStatus === 'Success') throw qsError('QS_RERUN_REFUSED', ['the job succeeded'], { job_id: jobId });
  const { job: old, owners: registered } = await ctx.gateway.stateWithWorker(jobId);
  const owners = [...registered].sort();
  const oldParties = jobParties(old);
  if (owners.length === 0) throw qsError('QS_RERUN_REFUSED', ['no data owner registered'], { job_id: jobId });
  const sizes = await ctx.storage.inputSizes(oldParties, owners);
  const missing = sizes.filter((s) => s.size === undefined);
  if (missing.length) throw qsError('QS_RERUN_REFUSED', [`its inputs are no longer all kept (data owner ${missing[0].owner}, party ${missing[0].party})`], { job_id: jobId });

  const { analysisName, querySql, securityLevel, cloudProviders, schema } = old;
  const { job_id: newId } = await createJob(ctx, { analysisName, querySql, securityLevel, cloudProviders: [...cloudProviders], schema: { ...schema } }, caller);
  const newParties = jobParties({ ...old, jobId: newId });
  let submitting = false;
  try {
    for (const owner of owners) {
      await ctx.gateway.update(newId, registerDataOwnerUpdate, [owner], { alreadySubmitted: () => qsError('QS_JOB_SUBMITTED', [], { job_id: newId }) });
    }
    await Promise.all(
      oldParties.map(async (from, i) => {
        const to = newParties[i];
        for (const { owner, url } of await ctx.storage.inputReadUrls(from, owners)) {
          const [write] = await ctx.storage.uploadUrls([to], owner);
          await copyBlob(url, write, ctx.storage.uploadHeaders(to), `${owner}'s share file for party ${i}`);
        }
      }),
    );
    submitting = true;
    await submitJob(ctx, newId, caller);
  } catch (err) {
    // A half-made rerun is not left open until it expires: it is cancelled (it ends Fail; its buckets
    // follow the retention of any failed job). The old job is untouched and may be rerun again. Not when
    // the submit's fate is unknown (no worker answered yet: the job continues when one does).
    const unknownFate = submitting && err instanceof QsError && err.statusCode === 503;
    if (!unknownFate) await ctx.gateway.cancel(newId).catch(() => undefined);
    throw err;
  }
  return { job_id: newId, rerun_of: jobId };
}

/** One blob from a signed read URL to a signed write URL, streamed (the length is passed on: S3 and GCS
 *  refuse a chunked PUT). Throws QS_STORAGE_CREATION naming what could not be copied. */
async function copyBlob(readUrl: string, writeUrl: string, headers: Record<string, string>, what: string): Promise<void> {
  const got = await fetch(readUrl);
  const length = got.headers.get('content-length');
  if (!got.ok || !got.body || length === null) throw qsError('QS_STORAGE_CREATION', [`copying ${what}: reading it answered ${got.status}`]);
  const put = await fetch(writeUrl, { method: 'PUT', headers: { ...headers, 'content-length': length }, body: got.body, duplex: 'half' } as RequestInit);
  if (!put.ok) throw qsError('QS_STORAGE_CREATION', [`copying ${what}: writing it answered ${put.status}`]);
  await put.body?.cancel();
}
