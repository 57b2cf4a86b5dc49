// Jobs belong to the analyst who created them. The creator's token name is recorded when the job starts
// (workflow input, memo and the QueryShieldAnalyst search attribute); another analyst is answered 404, as
// if the job did not exist, and does not see it in GET /jobs. The admin role sees and operates every job.
// With no token loaded (the open loopback default) there is no caller and nothing is checked.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { JOB_WORKFLOW_TYPE } from '../workflows/messages.js';
import type { TokenEntry } from './auth.js';
import { qsError } from './errors.js';

/** Who calls: the request's token, or undefined when the API runs open. */
export type Caller = TokenEntry | undefined;

/** An open API's caller and an admin see every job. */
export const seesAllJobs = (caller: Caller): boolean => !caller || caller.role === 'admin';

/** Jobs' creators never change: this many are kept per process. */
const CACHE_SIZE = 10_000;

export class JobOwnership {
  /** job id -> the analyst who created it (null: created without one, e.g. by an open API) */
  private readonly analysts = new Map<string, string | null>();

  constructor(private readonly client: Client) {}

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
    let desc;
    try {
      desc = await this.client.workflow.getHandle(jobId).describe();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw qsError('QS_JOB_NOT_FOUND', [], { job_id: jobId });
      throw qsError('QS_TEMPORAL_UNAVAILABLE', [err instanceof Error ? err.message.split('\n')[0].slice(0, 200) : 'unknown error']);
    }
    if (desc.type !== JOB_WORKFLOW_TYPE) throw qsError('QS_JOB_NOT_FOUND', [], { job_id: jobId });
    const analyst = typeof desc.memo?.analyst === 'string' ? desc.memo.analyst : null;
    this.remember(jobId, analyst);
    return analyst;
  }
}
