// qs rerun: a failed job run again on the share files it kept: the server makes a new job with the same
// configuration and owners, copies their files and submits it. Prints the new job's id.
import { enc, printJson, str, type Command } from '../context.js';

export const rerun: Command = async (ctx) => {
  const jobId = str(ctx, 'job');
  const res = await ctx.api.request<{ job_id: string; rerun_of: string }>('POST', `/jobs/${encodeURIComponent(jobId)}/rerun`);
  if (ctx.json) printJson(ctx, res);
  else {
    ctx.stdout(res.job_id);
    ctx.stdout(`a rerun of ${jobId}, submitted; follow it with: qs status --job ${enc(res.job_id)} --watch`);
  }
};
