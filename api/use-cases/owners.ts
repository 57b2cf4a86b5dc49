// A job's data owners before submit: register (upload URLs), invite, remove.
import { randomBytes } from 'node:crypto';
import { jobParties } from '../../domain/names.js';
import type { JobConfig } from '../../domain/job.js';
import { inviteOwnerUpdate, registerDataOwnerUpdate, removeOwnerUpdate, type JobRef, type JobState, type RegisterProof } from '../../workflows/messages.js';
import { hashToken, newInvitationToken } from '../auth.js';
import { qsError } from '../errors.js';
import { ownerProof, proofHolds, type Caller } from '../ownership.js';
import type { ApiContext } from './context.js';

const submitted = (jobId: string) => () => qsError('QS_JOB_SUBMITTED', [], { job_id: jobId });

export async function registerDataOwner(ctx: ApiContext, jobId: string, owner: string, caller?: Caller): Promise<{ presigned_urls: string[]; upload_headers: Record<string, string>[]; job_id: string }> {
  const proof = ownerProof(jobId, owner, caller);
  await ctx.ownership.check(jobId, caller);
  // A repeat is answered from the job's state, with new URLs and no workflow update: repeats cannot
  // fill the workflow's history or its update limit. Whatever the query cannot settle goes through
  // the update, which records the owner atomically with the check that the job is still open.
  const state = await openState(ctx, jobId);
  if (state?.phase === 'Open' && state.owners.includes(owner) && proofHolds(state, owner, proof)) {
    const parties = jobParties(state.job);
    return { presigned_urls: await ctx.storage.uploadUrls(parties, owner), upload_headers: parties.map((p) => ctx.storage.uploadHeaders(p)), job_id: jobId };
  }
  // With the job's layout known here, the URLs are signed while the workflow records the owner; they
  // are only handed out once it has (signing is local and leaves no trace).
  const args: [string, RegisterProof?] = proof.invitationSha256 === undefined ? [owner] : [owner, proof];
  const recorded = ctx.gateway.update(jobId, registerDataOwnerUpdate, args, {
    alreadySubmitted: submitted(jobId),
    notInvited: () => qsError('QS_OWNER_FORBIDDEN', [owner], { job_id: jobId }),
  });
  // Signing is CPU work on this thread: it starts once the update is on its way, not before.
  const known = ctx.layouts.get(jobId) ?? (state ? refOf(state.job) : undefined);
  const early = known ? new Promise((r) => setImmediate(r)).then(() => ctx.storage.uploadUrls(jobParties(known), owner)) : undefined;
  early?.catch(() => undefined);
  const ref = await recorded;
  const sameLayout = known && sameParties(known, ref);
  if (!sameLayout) ctx.layouts.remember(ref);
  // Signed here, after the workflow accepted the owner: the URLs never enter history.
  const urls = await (sameLayout ? early! : ctx.storage.uploadUrls(jobParties(ref), owner));
  return { presigned_urls: urls, upload_headers: jobParties(ref).map((p) => ctx.storage.uploadHeaders(p)), job_id: jobId };
}

/** An invitation for one data owner of one job: the token is answered once; the workflow keeps its hash. */
export async function inviteOwner(ctx: ApiContext, jobId: string, owner: string, caller?: Caller): Promise<{ job_id: string; data_owner: string; token: string }> {
  await ctx.ownership.check(jobId, caller);
  const token = newInvitationToken(jobId, randomBytes(32));
  await ctx.gateway.update(jobId, inviteOwnerUpdate, [owner, hashToken(token)], { alreadySubmitted: submitted(jobId) });
  return { job_id: jobId, data_owner: owner, token };
}

/** Removes a data owner (registered or invited) who has uploaded nothing, before submit. */
export async function removeOwner(ctx: ApiContext, jobId: string, owner: string, caller?: Caller): Promise<{ job_id: string; data_owner: string; removed: true }> {
  await ctx.ownership.check(jobId, caller);
  const state = await openState(ctx, jobId);
  if (!state) throw qsError('QS_NO_WORKER', [ctx.config.statusQueryTimeoutMs / 1000]);
  if (state.phase !== 'Open') throw qsError('QS_JOB_SUBMITTED', [], { job_id: jobId });
  if (!state.owners.includes(owner) && !(state.invitations ?? []).some((i) => i.owner === owner)) throw qsError('QS_OWNER_NOT_FOUND', [owner], { job_id: jobId });
  const sizes = await ctx.storage.inputSizes(jobParties(state.job), [owner]);
  if (sizes.some((s) => s.size !== undefined)) throw qsError('QS_OWNER_UPLOADED', [owner], { job_id: jobId });
  await ctx.gateway.update(jobId, removeOwnerUpdate, [owner], { alreadySubmitted: submitted(jobId) });
  return { job_id: jobId, data_owner: owner, removed: true };
}

/**
 * The job's state from a query, made with a describe beside it (one round trip): a job that has ended
 * (a cancelled open job's last state still says Open) is answered 409 QS_JOB_FINISHED, an unknown one
 * 404. Undefined when the query could not answer (no worker): the caller's update settles it.
 */
async function openState(ctx: ApiContext, jobId: string): Promise<JobState | undefined> {
  const [desc, state] = await Promise.all([ctx.gateway.describe(jobId), ctx.gateway.state(jobId)]);
  if (desc.execution !== 'RUNNING') throw qsError('QS_JOB_FINISHED', [], { job_id: jobId });
  return state;
}

function refOf(job: JobConfig): JobRef {
  return { jobId: job.jobId, cloudProviders: job.cloudProviders, securityLevel: job.securityLevel };
}

function sameParties(a: JobRef, b: JobRef): boolean {
  return a.securityLevel === b.securityLevel && a.cloudProviders.join() === b.cloudProviders.join();
}
