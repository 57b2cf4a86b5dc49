// GET /jobs and GET /jobs/<id>: the list of jobs (from visibility) and a job's public configuration.
import { partyCount } from '../../domain/job.js';
import { TOKEN_NAME_PATTERN } from '../auth.js';
import { qsError } from '../errors.js';
import { checkOwnerMayRead, seesAllJobs, type Caller } from '../ownership.js';
import type { ApiContext } from './context.js';

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

/** Newest first, from visibility (the QueryShieldStatus search attribute); page_token is opaque. An
 *  analyst sees only the jobs it created. */
export async function listJobs(ctx: ApiContext, status: string | undefined, limit: number, pageToken?: string, caller?: Caller): Promise<{ jobs: JobSummary[]; next_page_token?: string }> {
  let analyst: string | undefined;
  if (!seesAllJobs(caller)) {
    // a name the tokens file allowed (no quotes), checked again since it goes into a query
    if (caller!.role !== 'analyst' || !TOKEN_NAME_PATTERN.test(caller!.name)) throw qsError('QS_FORBIDDEN', [caller!.role]);
    analyst = caller!.name;
  }
  const page = await ctx.gateway.list({ status, analyst }, limit, pageToken);
  const jobs = page.jobs.map(({ jobId, memo, recordedStatus, createdAt, closedAt }): JobSummary => ({
    job_id: jobId,
    analysis_name: memo.analysis_name,
    security_level: memo.security_level,
    cloud_providers: memo.cloud_providers,
    party_count: memo.party_count,
    status: recordedStatus ?? 'unknown',
    created_at: createdAt,
    closed_at: closedAt,
  }));
  return { jobs, next_page_token: page.nextPageToken };
}

/** What a data owner needs to prepare share files: schema (in order), level, parties, query. */
export async function getJob(ctx: ApiContext, jobId: string, caller?: Caller) {
  await ctx.ownership.check(jobId, caller);
  await ctx.gateway.describe(jobId);
  const state = await ctx.gateway.state(jobId);
  if (!state) throw qsError('QS_TEMPORAL_UNAVAILABLE', ['no worker answered']);
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
