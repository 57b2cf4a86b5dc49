// Operator and listing use cases: list jobs from visibility, read a job's public configuration,
// cancel a job, delete a finished job's storage. Free of HTTP; throws QsError from the catalogue.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { Config } from '../infra/config.js';
import type { JobStorage } from '../infra/storage/index.js';
import { jobParties } from '../domain/names.js';
import { ANALYST_SEARCH_ATTRIBUTE, JOB_WORKFLOW_TYPE, STATUS_SEARCH_ATTRIBUTE, statusQuery } from '../workflows/messages.js';
import { JobOwnership, checkOwnerMayRead, seesAllJobs, type Caller } from './ownership.js';
import { TOKEN_NAME_PATTERN } from './auth.js';
import { partyCount, type JOB_STATUSES } from '../domain/job.js';
import { qsError } from './errors.js';

export interface JobSummary {
  job_id: string;
  analysis_name?: string;
  security_level?: string;
  cloud_providers?: string[];
  party_count?: number;
  status: string;
  created_at?: string;
  closed_at?: string;
}

type Status = (typeof JOB_STATUSES)[number] | 'Created';

export class JobAdmin {
  constructor(
    private readonly client: Client,
    private readonly storage: JobStorage,
    private readonly config: Config,
    /** Told of a job this process changed (cancel), so that its next status answer is not an older one. */
    private readonly changed: (jobId: string) => void = () => undefined,
    private readonly ownership: JobOwnership = new JobOwnership(client),
  ) {}

  /** The job's workflow, or a 404 when there is none (or it is not a job). */
  private async describeJob(jobId: string) {
    const handle = this.client.workflow.getHandle(jobId);
    try {
      const desc = await handle.describe();
      if (desc.type === JOB_WORKFLOW_TYPE) return { handle, desc };
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
    throw qsError('QS_JOB_NOT_FOUND', [], { job_id: jobId });
  }

  /** Newest first, from visibility (the QueryShieldStatus search attribute); page_token is opaque. */
  async list(status: Status | undefined, limit: number, pageToken?: string, caller?: Caller): Promise<{ jobs: JobSummary[]; next_page_token?: string }> {
    let mine = '';
    if (!seesAllJobs(caller)) {
      // a name the tokens file allowed (no quotes), checked again since it goes into a query
      if (caller!.role !== 'analyst' || !TOKEN_NAME_PATTERN.test(caller!.name)) throw qsError('QS_FORBIDDEN', [caller!.role]);
      mine = `${ANALYST_SEARCH_ATTRIBUTE} = '${caller!.name}'`;
    }
    const query = [`WorkflowType = '${JOB_WORKFLOW_TYPE}'`, status ? `${STATUS_SEARCH_ATTRIBUTE} = '${status}'` : '', mine].filter(Boolean).join(' AND ');
    let token: Uint8Array | undefined;
    if (pageToken) {
      token = Buffer.from(pageToken, 'base64url');
      if (token.length === 0) throw qsError('QS_INVALID_FIELD', ['page_token is not a token this API returned']);
    }
    let res;
    try {
      res = await this.client.workflowService.listWorkflowExecutions({ namespace: this.config.temporal.namespace, query, pageSize: limit, nextPageToken: token });
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      if (pageToken && /token|argument/i.test(msg)) throw qsError('QS_INVALID_FIELD', ['page_token is not a token this API returned']);
      throw qsError('QS_TEMPORAL_UNAVAILABLE', [msg.split('\n')[0].slice(0, 200)]);
    }
    const jobs = (res.executions ?? []).map((e): JobSummary => {
      const memo = Object.fromEntries(Object.entries(e.memo?.fields ?? {}).map(([k, p]) => [k, safeDecode(p)])) as Record<string, unknown>;
      const sa = e.searchAttributes?.indexedFields?.[STATUS_SEARCH_ATTRIBUTE];
      return {
        job_id: e.execution?.workflowId ?? '',
        analysis_name: memo.analysis_name as string | undefined,
        security_level: memo.security_level as string | undefined,
        cloud_providers: memo.cloud_providers as string[] | undefined,
        party_count: memo.party_count as number | undefined,
        status: (sa ? (safeDecode(sa) as string) : undefined) ?? 'unknown',
        created_at: tsToIso(e.startTime),
        closed_at: tsToIso(e.closeTime),
      };
    });
    const next = res.nextPageToken && res.nextPageToken.length ? Buffer.from(res.nextPageToken).toString('base64url') : undefined;
    return { jobs, next_page_token: next };
  }

  /** What a data owner needs to prepare share files: schema (in order), level, parties, query. */
  async get(jobId: string, caller?: Caller) {
    await this.ownership.check(jobId, caller);
    const { handle } = await this.describeJob(jobId);
    let state;
    try {
      state = await this.client.connection.withDeadline(Date.now() + this.config.statusQueryTimeoutMs, () => handle.query(statusQuery));
    } catch (err) {
      throw qsError('QS_TEMPORAL_UNAVAILABLE', [`no worker answered: ${err instanceof Error ? err.message.split('\n')[0] : err}`]);
    }
    checkOwnerMayRead(jobId, caller, state);
    const { job } = state;
    return {
      job_id: job.jobId,
      analysis_name: job.analysisName,
      query_sql: job.querySql,
      security_level: job.securityLevel,
      cloud_providers: job.cloudProviders,
      party_count: partyCount(job.securityLevel),
      schema: job.schema,
      columns: Object.keys(job.schema),
      status: state.status ?? (state.phase === 'Open' ? 'Created' : state.phase),
      data_owners: state.owners.length,
      created_at: job.createdAt,
    };
  }

  async cancel(jobId: string, caller?: Caller): Promise<{ status: 'cancelling'; job_id: string }> {
    await this.ownership.check(jobId, caller);
    const { handle, desc } = await this.describeJob(jobId);
    if (desc.status.name !== 'RUNNING') throw qsError('QS_JOB_FINISHED', [], { job_id: jobId });
    await handle.cancel();
    this.changed(jobId);
    return { status: 'cancelling', job_id: jobId };
  }

  /** Removes all of a finished job's storage (buckets and blobs on every party cloud). */
  async deleteStorage(jobId: string, caller?: Caller): Promise<{ deleted: true; job_id: string }> {
    await this.ownership.check(jobId, caller);
    const { handle, desc } = await this.describeJob(jobId);
    if (desc.status.name === 'RUNNING') throw qsError('QS_JOB_NOT_OPEN', ['it is still running; cancel it first'], { job_id: jobId });
    const memo = (desc.memo ?? {}) as { cloud_providers?: string[]; security_level?: string };
    if (!memo.cloud_providers || !memo.security_level) throw qsError('QS_INTERNAL');
    await this.storage.delete(
      jobParties({ jobId, cloudProviders: memo.cloud_providers as never, securityLevel: memo.security_level as never }),
      'all',
    );
    return { deleted: true, job_id: jobId };
  }
}

function safeDecode(p: unknown): unknown {
  try {
    const v = defaultPayloadConverter.fromPayload(p as never);
    return Array.isArray(v) && v.length === 1 && typeof v[0] === 'string' ? v[0] : v;
  } catch {
    return undefined;
  }
}

function tsToIso(ts: { seconds?: unknown; nanos?: number | null } | null | undefined): string | undefined {
  if (!ts?.seconds) return undefined;
  const seconds = Number(ts.seconds.toString());
  return new Date(seconds * 1000 + Math.floor((ts.nanos ?? 0) / 1e6)).toISOString();
}
