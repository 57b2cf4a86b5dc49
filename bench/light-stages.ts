// Stage activities that do no Ansible work: they only wait (heartbeating) for a fixed time. Used to
// measure the orchestration alone (100 concurrent jobs) and to hold a job in a stage while get_status
// is loaded.
import { Context } from '@temporalio/activity';
import type { StageActivities } from '../workflows/activity-types.js';
import type { StageResult } from '../workflows/types.js';

export function lightStages(holdMs: number): StageActivities {
  const hold = async (): Promise<StageResult> => {
    const ctx = Context.current();
    const t0 = Date.now();
    for (let left = holdMs; left > 0; left -= 1000) {
      ctx.heartbeat({ task: 'light stage' });
      await ctx.sleep(Math.min(1000, left));
    }
    return { durationMs: Date.now() - t0, logTail: [] };
  };
  return {
    createVMs: async () => ({ ...(await hold()), facts: { hosts: [] } }),
    setupAuthentication: hold,
    deployTvaCore: hold,
    runExperiment: hold,
    deleteVMs: hold,
  };
}
