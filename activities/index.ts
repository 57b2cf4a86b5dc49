// Every activity the worker registers, built from the configuration. Stage activities report which
// attempt produced their result, so the job's stage records count retries.
import { Context } from '@temporalio/activity';
import type { JobActivities, StageActivities } from '../workflows/activity-types.js';
import type { Config } from './config.js';
import { createJobStorageActivities } from './job-storage.js';
import { JobStorage, cloudStorages } from './storage/index.js';
import { createStageActivities } from './stages/index.js';

export type AllActivities = JobActivities & StageActivities;

export function createActivities(config: Config): AllActivities {
  const storage = new JobStorage(cloudStorages(config), {
    uploadSeconds: config.uploadUrlTtlSeconds,
    readSeconds: config.readUrlTtlSeconds,
  });
  const stages: StageActivities = createStageActivities({ config, storage });
  return { ...createJobStorageActivities(storage), ...withAttempts(stages) };
}

function withAttempts(stages: StageActivities): StageActivities {
  const wrapped = {} as Record<string, unknown>;
  for (const [name, fn] of Object.entries(stages) as [keyof StageActivities, (...a: unknown[]) => Promise<{ attempt?: number }>][]) {
    // Keep the function's name: it is the activity type the Web UI shows.
    wrapped[name] = {
      async [name](...args: unknown[]) {
        const result = await fn(...args);
        return { ...result, attempt: Context.current().info.attempt };
      },
    }[name];
  }
  return wrapped as unknown as StageActivities;
}
