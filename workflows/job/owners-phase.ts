// Phase 2, open for owners: data owners are registered, invited and removed, and the analyst submits,
// until the job is submitted or its time to live ends. The update handlers' bodies are here; handlers.ts
// registers them.
import { ApplicationFailure, CancellationScope, condition, log, setCurrentDetails } from '@temporalio/workflow';
import { OWNER_ID_PATTERN } from '../../domain/job.js';
import { FAILURE, OPEN_STATUS, type JobRef, type RegisterProof, type SubmitOutcome } from '../messages.js';
import { storage } from './activities.js';
import { details, failJob, messageOf, submitJob, type JobRun } from './state.js';

/** Waits for the submit (true), or ends the job Fail when its time to live ends first (false). */
export async function ownersPhase(run: JobRun): Promise<boolean> {
  const { job, options } = run.input;
  if (await condition(() => run.state.phase === 'Submitted', options.jobTtlMs)) return true;
  log.info('job expired before submission; removing its storage', { jobId: job.jobId });
  await CancellationScope.nonCancellable(() => storage.deleteJobStorage(job, 'all'));
  failJob(run, 'Expired: the job was not submitted in time; its storage was removed.');
  return false;
}

function alreadySubmitted() {
  return ApplicationFailure.create({ type: FAILURE.alreadySubmitted, message: 'the job was already submitted' });
}

/** The validators' check: an owner change or submit is refused once the job is past open. Register and
 *  submit may come before the storage report (from create_job it follows the answer by milliseconds and
 *  the workflow does not run before it, unless its start delay ends; a workflow started another way, by
 *  hand or by an older API, may get them first), so "Creating Storage" passes too, and the handler waits. */
export function refuseUnlessOpen(run: JobRun): void {
  if (run.submitting || (run.state.phase !== 'Open' && run.state.phase !== 'Creating Storage')) throw alreadySubmitted();
}

/** Waits until the storage phase has ended; refuses when it failed. */
async function storageSettled(run: JobRun): Promise<void> {
  await condition(() => run.state.phase !== 'Creating Storage');
  if (run.storageError !== undefined) throw ApplicationFailure.create({ type: FAILURE.notOpen, message: run.storageError });
}

/** The handlers' check, once storage has settled: the job must still be open. */
async function openForChanges(run: JobRun): Promise<void> {
  await storageSettled(run);
  if (run.submitting || run.state.phase !== 'Open') throw alreadySubmitted();
}

export function checkOwnerId(owner: unknown): void {
  if (typeof owner !== 'string' || !OWNER_ID_PATTERN.test(owner)) {
    throw ApplicationFailure.create({ type: FAILURE.invalidOwner, message: `data_owner must match ${OWNER_ID_PATTERN.source}` });
  }
}

export function checkInvitationHash(sha256: unknown): void {
  if (typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(sha256)) throw ApplicationFailure.create({ type: FAILURE.invalidOwner, message: 'an invitation is recorded by its SHA-256' });
}

// Owners count once whether registered, invited or both. (Jobs of an older API have no maxOwners and
// no invitations, so their histories replay through these handlers unchanged.)
function knownOwner(run: JobRun, owner: string): boolean {
  return run.state.owners.includes(owner) || (run.state.invitations ?? []).some((i) => i.owner === owner);
}

function refuseIfFull(run: JobRun, owner: string): void {
  const { maxOwners } = run.input.options;
  const count = new Set([...run.state.owners, ...(run.state.invitations ?? []).map((i) => i.owner)]).size;
  if (maxOwners !== undefined && !knownOwner(run, owner) && count >= maxOwners) {
    throw ApplicationFailure.create({ type: FAILURE.tooManyOwners, message: `the job has ${maxOwners} data owners, its limit` });
  }
}

export async function registerOwner(run: JobRun, owner: string, proof?: RegisterProof): Promise<JobRef> {
  await openForChanges(run);
  const { state } = run;
  if (proof?.invitationSha256 !== undefined && !(state.invitations ?? []).some((i) => i.owner === owner && i.sha256 === proof.invitationSha256)) {
    throw ApplicationFailure.create({ type: FAILURE.notInvited, message: 'the invitation is not for this data owner of this job' });
  }
  if (!state.owners.includes(owner)) {
    refuseIfFull(run, owner);
    state.owners.push(owner);
  }
  return run.ref;
}

export async function inviteOwner(run: JobRun, owner: string, sha256: string): Promise<JobRef> {
  await openForChanges(run);
  refuseIfFull(run, owner);
  run.state.invitations = [...(run.state.invitations ?? []).filter((i) => i.owner !== owner), { owner, sha256 }];
  return run.ref;
}

export async function removeOwner(run: JobRun, owner: string): Promise<void> {
  await openForChanges(run);
  const { state } = run;
  state.owners = state.owners.filter((o) => o !== owner);
  if (state.invitations) state.invitations = state.invitations.filter((i) => i.owner !== owner);
  setCurrentDetails(details(run.input, OPEN_STATUS, state.owners.length));
}

/** Validates the uploads; when they are complete, the job is submitted and the stages start. */
export async function submit(run: JobRun): Promise<SubmitOutcome> {
  run.submitting = true;
  try {
    await storageSettled(run);
  } catch (err) {
    run.submitting = false;
    throw err;
  }
  try {
    const outcome = run.state.owners.length === 0
      ? { ok: false, details: ['no data owner is registered for this job'] }
      : await storage.validateUploads(run.input.job, run.state.owners);
    if (outcome.ok) submitJob(run);
    return outcome;
  } catch (err) {
    return { ok: false, details: [`validation could not run: ${messageOf(err)}`] };
  } finally {
    run.submitting = false;
  }
}
