// runPlaybook inside a Temporal activity: heartbeats `{ task }` on every progress (and every 10 s
// regardless, so a long quiet task is not taken for a dead worker), and hands the activity's cancellation
// signal to the runner, so a cancel or a heartbeat timeout (both reach the activity through a heartbeat's
// answer) kills the Ansible process group. The runner's PlaybookAbortedError is named 'AbortError', which
// the worker reports as a cancelled activity rather than a failure.
import { Context } from '@temporalio/activity';
import { runPlaybook, type PlaybookResult, type PlaybookRun } from './runner.js';

export const HEARTBEAT_EVERY_MS = 10_000;

export interface HeartbeatOptions {
  /** heartbeat this often while no task starts (the worker's throttle still applies); default 10 s */
  everyMs?: number;
}

export async function heartbeatingRun(run: PlaybookRun, { everyMs = HEARTBEAT_EVERY_MS }: HeartbeatOptions = {}): Promise<PlaybookResult> {
  const ctx = Context.current();
  let task = 'starting';
  ctx.heartbeat({ task });
  const beat = setInterval(() => ctx.heartbeat({ task }), everyMs);
  try {
    return await runPlaybook({
      ...run,
      signal: run.signal ? AbortSignal.any([ctx.cancellationSignal, run.signal]) : ctx.cancellationSignal,
      onProgress: (t) => {
        task = t;
        ctx.heartbeat({ task });
        run.onProgress?.(t);
      },
    });
  } finally {
    clearInterval(beat);
  }
}
