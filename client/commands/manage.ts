// qs info, cancel and delete: one API call each (GET /jobs/<id>, POST /cancel_job, DELETE /jobs/<id>).
import { enc, printJson, str, type Command } from '../context.js';

interface JobInfo {
  job_id: string;
  analysis_name?: string;
  query_sql?: string;
  security_level?: string;
  cloud_providers?: string[];
  party_count?: number;
  schema?: Record<string, string>;
  status?: string;
  data_owners?: number;
  created_at?: string;
}

export const info: Command = async (ctx) => {
  const job = await ctx.api.request<JobInfo>('GET', `/jobs/${enc(str(ctx, 'job'))}`);
  if (ctx.json) return void printJson(ctx, job);
  const rows: [string, unknown][] = [
    ['job', job.job_id],
    ['name', job.analysis_name],
    ['status', job.status],
    ['created', job.created_at],
    ['query', job.query_sql],
    ['level', job.security_level && `${job.security_level} (${job.party_count ?? '?'} parties)`],
    ['clouds', job.cloud_providers?.join(',')],
    ['schema', job.schema && Object.entries(job.schema).map(([c, u]) => `${c}=${u}`).join(',')],
    ['owners', job.data_owners],
  ];
  for (const [k, v] of rows) if (v !== undefined && v !== '') ctx.stdout(`${k.padEnd(8)} ${v}`);
};

export const cancel: Command = async (ctx) => {
  const jobId = str(ctx, 'job');
  const res = await ctx.api.request<{ status: string; job_id: string }>('POST', '/cancel_job', { job_id: jobId });
  if (ctx.json) printJson(ctx, res);
  else ctx.stdout(`cancelling ${jobId}: the running stage stops and everything is torn down (qs status --job ${enc(jobId)} --watch)`);
};

export const remove: Command = async (ctx) => {
  const jobId = str(ctx, 'job');
  const res = await ctx.api.request<{ deleted: boolean; job_id: string }>('DELETE', `/jobs/${enc(jobId)}`);
  if (ctx.json) printJson(ctx, res);
  else ctx.stdout(`deleted the storage of ${jobId} on every party's cloud`);
};
