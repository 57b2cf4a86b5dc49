// qs status: one snapshot, or with --watch a poll every second that prints only what changed (job
// status, a stage's state, its progress line) until Success or Fail.
import { enc, printJson, str, type Command, type Context } from '../context.js';
import { ApiError } from '../http.js';
import { CliError } from '../errors.js';

export interface Stage {
  name: string;
  status: string;
  state: string;
  attempts: number;
  progress?: string;
  error?: string;
  log_tail?: string[];
}
export interface StatusBody {
  status: string;
  job_id: string;
  stages: Stage[];
  result?: string[];
  error?: string;
}

export const getStatus = (ctx: Context, jobId: string) => ctx.api.request<StatusBody>('GET', `/get_status?job_id=${enc(jobId)}`);

const FINAL = new Set(['Success', 'Fail']);

function stageLine(s: Stage): string {
  const extra = [s.attempts > 1 ? `attempt ${s.attempts}` : '', s.progress ? `— ${s.progress}` : '', s.error ? `error: ${s.error}` : ''].filter(Boolean).join(' ');
  return `  ${s.name}: ${s.state}${extra ? ` ${extra}` : ''}`;
}

/** The lines to print for `next`, given what was printed for `prev` (everything when prev is undefined). */
export function changes(prev: StatusBody | undefined, next: StatusBody): string[] {
  const out: string[] = [];
  if (prev?.status !== next.status) out.push(`status: ${next.status}`);
  for (const s of next.stages ?? []) {
    const before = prev?.stages?.find((p) => p.name === s.name);
    if (!before || before.state !== s.state || before.progress !== s.progress || before.attempts !== s.attempts || before.error !== s.error) out.push(stageLine(s));
  }
  if (next.error && next.error !== prev?.error) out.push(`error: ${next.error}`);
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const status: Command = async (ctx) => {
  const jobId = str(ctx, 'job');
  if (!ctx.values.watch) {
    const body = await getStatus(ctx, jobId);
    if (ctx.json) printJson(ctx, body);
    else for (const l of changes(undefined, body)) ctx.stdout(l);
    return;
  }
  let prev: StatusBody | undefined;
  let failingSince: number | undefined;
  for (;;) {
    let body: StatusBody;
    try {
      body = await getStatus(ctx, jobId);
      failingSince = undefined;
    } catch (err) {
      // Ride out a restarting API or a busy Temporal for a minute; anything else (404, 409) is final.
      const transient = err instanceof ApiError && (err.status === 0 || err.status === 503 || err.status === 502);
      if (!transient) throw err;
      failingSince ??= Date.now();
      if (Date.now() - failingSince > 60_000) throw new CliError(`gave up watching after a minute of errors: ${err.message}`);
      ctx.stderr(`(retrying: ${err.message})`);
      await sleep(1000);
      continue;
    }
    // --json --watch prints one JSON object per change (NDJSON) so scripts can follow along.
    const lines = changes(prev, body);
    if (lines.length) {
      if (ctx.json) ctx.stdout(JSON.stringify(body));
      else for (const l of lines) ctx.stdout(l);
    }
    prev = body;
    if (FINAL.has(body.status)) return body.status === 'Success' ? 0 : 1;
    await sleep(1000);
  }
};
