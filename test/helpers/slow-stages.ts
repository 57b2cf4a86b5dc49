// The real stage activities, each held for a moment first (heartbeating, cancellable), so a test can
// act while a given stage is running.
import { Context } from '@temporalio/activity';
import type { Config } from '../../infra/config.js';
import { createStageActivities } from '../../activities/stages/index.js';
import { JobStorage, cloudStorages } from '../../infra/storage/index.js';
import type { StageActivities } from '../../workflows/activity-types.js';

export function slowStages(config: Config, holdMs: number): StageActivities {
  const real = createStageActivities({ config, storage: new JobStorage(cloudStorages(config), { uploadSeconds: 600, readSeconds: 600 }) }) as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(real)) {
    out[name] = async (...args: unknown[]) => {
      if (name !== 'deleteVMs') {
        const ctx = Context.current();
        for (let held = 0; held < holdMs; held += 500) {
          ctx.heartbeat({ task: 'held by the test' });
          await ctx.sleep(500);
        }
      }
      return real[name](...args);
    };
  }
  return out as unknown as StageActivities;
}
