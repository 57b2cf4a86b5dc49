// runPlaybook inside a Temporal activity: heartbeats the current task (and every 10 s regardless, so a
// long quiet task is not taken for a dead worker), and hands the activity's cancellation signal to the
// runner so a cancel or a heartbeat timeout kills the Ansible process group.
import { Context } from '@temporalio/activity';
import { runPlaybook, type PlaybookResult, type PlaybookRun } from './runner.js';

export async function heartbeatingRun(run: PlaybookRun): Promise<PlaybookResult> {
  const ctx = Context.current();
  let task = 'starting';
  ctx.heartbeat({ task });
  const beat = setInterval(() => ctx.heartbeat({ task }), 10_000);
  try {
    return await runPlaybook({
      ...run,
      signal: ctx.cancellationSignal,
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
