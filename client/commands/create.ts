// qs create: one POST /create_job; the flags map 1:1 to its body.
import { parseClouds, parseLevel, parseSchema } from '../args.js';
import { printJson, str, type Command } from '../context.js';

export const create: Command = async (ctx) => {
  const body = {
    analysis_name: str(ctx, 'name'),
    query_sql: str(ctx, 'sql'),
    security_level: parseLevel(str(ctx, 'level')),
    cloud_providers: parseClouds(str(ctx, 'clouds')),
    schema: parseSchema(str(ctx, 'schema')),
  };
  const res = await ctx.api.request<{ job_id: string }>('POST', '/create_job', body);
  if (ctx.json) printJson(ctx, res);
  else ctx.stdout(res.job_id);
};
