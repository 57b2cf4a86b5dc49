// Jobs belong to the analyst who created them. The creator's token name is recorded when the job starts
// (workflow input, memo and the QueryShieldAnalyst search attribute); another analyst is answered 404, as
// if the job did not exist, and does not see it in GET /jobs. The admin role sees and operates every job.
// With no token loaded (the open loopback default) there is no caller and nothing is checked.
import type { JobState, RegisterProof } from '../workflows/messages.js';
import type { TokenEntry } from './auth.js';
import { qsError } from './errors.js';
import type { JobGateway } from './gateway.js';

/** Who calls: the request's token, or undefined when the API runs open. */
export type Caller = TokenEntry | undefined;

/** An open API's caller and an admin see every job. */
export const seesAllJobs = (caller: Caller): boolean => !caller || caller.role === 'admin';

/** Jobs' creators never change: this many are kept per process. */
const CACHE_SIZE = 10_000;

export class JobOwnership {
  /** job id -> the analyst who created it (null: created without one, e.g. by an open API) */
  private readonly analysts = new Map<string, string | null>();

  constructor(private readonly gateway: JobGateway) {}

  remember(jobId: string, analyst: string | null): void {
    this.analysts.delete(jobId);
    this.analysts.set(jobId, analyst);
    if (this.analysts.size > CACHE_SIZE) this.analysts.delete(this.analysts.keys().next().value!);
  }

  /** Throws 404 unless the caller may see and operate the job. Data owners are checked elsewhere
   *  (by their invitation), analysts here: only the job's creator. */
  async check(jobId: string, caller: Caller): Promise<void> {
    if (seesAllJobs(caller) || caller!.role !== 'analyst') return;
    if ((await this.analystOf(jobId)) !== caller!.name) throw qsError('QS_JOB_NOT_FOUND', [], { job_id: jobId });
  }

  private async analystOf(jobId: string): Promise<string | null> {
    const known = this.analysts.get(jobId);
    if (known !== undefined) return known;
    const { memo } = await this.gateway.describe(jobId);
    const analyst = typeof memo.analyst === 'string' ? memo.analyst : null;
    this.remember(jobId, analyst);
    return analyst;
  }
}

/**
 * What a register call must prove to the workflow, or a 403 when the caller may not act as `owner` on
 * `jobId`: an invitation only for its job (the workflow checks that it was issued for that owner), a
 * data_owner token of the tokens file only as the owner the file names. An open API proves nothing.
 */
export function ownerProof(jobId: string, owner: string, caller: Caller): RegisterProof {
  if (!caller) return {};
  if (caller.invitation) {
    if (caller.invitation.jobId !== jobId) throw qsError('QS_NOT_INVITED', [], { job_id: jobId });
    return { invitationSha256: caller.invitation.sha256 };
  }
  if (caller.role !== 'data_owner' || caller.owner !== owner) throw qsError('QS_OWNER_FORBIDDEN', [owner], { job_id: jobId });
  return {};
}

/** Whether the job's state accepts the proof for the owner (the workflow's own check, read from a query). */
export function proofHolds(state: JobState, owner: string, proof: RegisterProof): boolean {
  return proof.invitationSha256 === undefined || (state.invitations ?? []).some((i) => i.owner === owner && i.sha256 === proof.invitationSha256);
}

/** A data owner may read a job's configuration with an invitation to it, or as a named owner of the
 *  tokens file; 403 otherwise. Analysts and admins are checked by JobOwnership. */
export function checkOwnerMayRead(jobId: string, caller: Caller, state: JobState): void {
  if (!caller || caller.role !== 'data_owner') return;
  if (caller.invitation) {
    if (caller.invitation.jobId === jobId && (state.invitations ?? []).some((i) => i.sha256 === caller.invitation!.sha256)) return;
  } else if (caller.owner) {
    return;
  }
  throw qsError('QS_NOT_INVITED', [], { job_id: jobId });
}
