// qs invite: the job's analyst invites a data owner. The token is printed once (the server keeps only its
// hash); the owner runs `qs upload` with it as QS_TOKEN. Text mode prints the token alone on stdout (so
// it can be captured) and how to use it on stderr.
import { enc, printJson, str, type Command } from '../context.js';

export const invite: Command = async (ctx) => {
  const jobId = str(ctx, 'job');
  const owner = str(ctx, 'owner');
  const res = await ctx.api.request<{ job_id: string; data_owner: string; token: string }>('POST', `/jobs/${enc(jobId)}/owners`, { data_owner: owner });
  if (ctx.json) {
    printJson(ctx, res);
    return;
  }
  ctx.stdout(res.token);
  ctx.stderr(`give this token to ${owner} (it is shown once): QS_TOKEN=<token> qs upload --job ${enc(jobId)} --owner ${enc(owner)} data.csv`);
};
