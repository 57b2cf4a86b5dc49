// Stage activities that do no Ansible work: they only wait (heartbeating) for a fixed time. Used to
// measure the orchestration alone (100 concurrent jobs) and to hold a job in a stage while get_status
// is loaded.
import { Context } from '@temporalio/activity';
import type { StageActivities } from '../workflows/activity-types.js';
import type { JobConfig, StageResult } from '../domain/job.js';

/** A job of this name stays in each stage for ten minutes (until cancelled; its teardown is as quick as
 *  any job's): the get_status load target. */
export const HELD_JOB_NAME = 'bench-held';

export function lightStages(holdMs: number): StageActivities {
  const hold = async (job: JobConfig, held = job.analysisName === HELD_JOB_NAME): Promise<StageResult> => {
    const ctx = Context.current();
    const t0 = Date.now();
    for (let left = held ? 600_000 : holdMs; left > 0; left -= 1000) {
      ctx.heartbeat({ task: 'light stage' });
      await ctx.sleep(Math.min(1000, left));
    }
    return { durationMs: Date.now() - t0, logTail: [] };
  };
  return {
    createVMs: async (job) => ({ ...(await hold(job)), facts: { hosts: [] } }),
    setupAuthentication: (job) => hold(job),
    deployTvaCore: (job) => hold(job),
    runExperiment: (job) => hold(job),
    deleteVMs: (job) => hold(job, false),
  };
}
