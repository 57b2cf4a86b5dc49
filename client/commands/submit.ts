// qs submit: the server checks every owner's uploads here; a validation failure comes back as an
// ApiError whose message carries the server's details (which owner/party/file).
import { enc, printJson, str, type Command } from '../context.js';

export const submit: Command = async (ctx) => {
  const jobId = str(ctx, 'job');
  const res = await ctx.api.request<{ status: string; job_id: string }>('POST', '/submit_job', { job_id: jobId });
  if (ctx.json) printJson(ctx, res);
  else ctx.stdout(`submitted ${res.job_id ?? jobId}; follow it with: qs status --job ${enc(jobId)} --watch`);
};
