// qs status: one snapshot, or with --watch a poll every second that prints only what changed (job
// status, a stage's state, its progress line), each line led by the time since the watch began, until
// Success (exit 0) or Fail (exit 4). A finished stage shows how long it took.
import { enc, formatElapsed, printJson, str, type Command, type Context } from '../context.js';
import { ApiError } from '../http.js';
import { CliError, EXIT } from '../errors.js';
import type { StageView } from '../../domain/job.js';

/** A stage as get_status answers it. */
export type Stage = StageView;
export interface StatusBody {
  status: string;
  job_id: string;
  stages: Stage[];
  result?: string[];
  error?: string;
}

export const getStatus = (ctx: Context, jobId: string) => ctx.api.request<StatusBody>('GET', `/get_status?job_id=${enc(jobId)}`);

const FINAL = new Set(['Success', 'Fail']);

/** How long a finished stage ran, from its start and end times ('' when either is missing). */
function took(s: Stage): string {
  const ms = Date.parse(s.ended_at ?? '') - Date.parse(s.started_at ?? '');
  return Number.isFinite(ms) && ms >= 0 ? `in ${formatElapsed(ms)}` : '';
}

function stageLine(s: Stage): string {
  const extra = [took(s), s.attempts > 1 ? `attempt ${s.attempts}` : '', s.progress ? `— ${s.progress}` : '', s.error ? `error: ${s.error}` : ''].filter(Boolean).join(' ');
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
  return watch(ctx, jobId);
};

async function watch(ctx: Context, jobId: string): Promise<number> {
  const start = Date.now();
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
      if (Date.now() - failingSince > 60_000) throw new CliError(`gave up watching after a minute of errors: ${err.message}`, EXIT.api, 'QS_API_UNREACHABLE');
      ctx.stderr(`(retrying: ${err.message})`);
      await sleep(1000);
      continue;
    }
    // --json --watch prints one JSON object per change (NDJSON) so scripts can follow along.
    const lines = changes(prev, body);
    const elapsed = Date.now() - start;
    if (lines.length) {
      if (ctx.json) ctx.stdout(JSON.stringify({ ...body, elapsed_ms: elapsed }));
      else for (const l of lines) ctx.stdout(`[${formatElapsed(elapsed)}] ${l}`);
    }
    prev = body;
    if (FINAL.has(body.status)) return body.status === 'Success' ? EXIT.ok : EXIT.jobFailed;
    await sleep(1000);
  }
}
