// Every activity the worker registers, built from the configuration. Stage activities report which
// attempt produced their result, so the job's stage records count retries, and each attempt's seconds
// go to the worker's metrics (queryshield_stage_duration_seconds, by stage and outcome).
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { StorageActivities, StageActivities, SweepActivities } from '../workflows/activity-types.js';
import type { Config } from '../infra/config.js';
import { createStorageActivities } from '../activities/storage.js';
import { JobStorage, cloudStorages } from '../infra/storage/index.js';
import { createStageActivities } from '../activities/stages/index.js';
import { createSweepActivities } from '../activities/sweep.js';
import { STAGE_SECONDS } from './runtime.js';

export type AllActivities = StorageActivities & StageActivities & SweepActivities;

export function createActivities(config: Config, client: Client): AllActivities {
  const clouds = cloudStorages(config);
  const storage = new JobStorage(clouds, {
    uploadSeconds: config.uploadUrlTtlSeconds,
    readSeconds: config.readUrlTtlSeconds,
  });
  const stages: StageActivities = createStageActivities({ config, storage });
  return { ...createStorageActivities(storage, { maxShareBytes: config.maxShareBytes }), ...withAttempts(stages), ...createSweepActivities({ config, client, clouds }) };
}

/** The SDK's meter (the runtime's Prometheus endpoint when QS_WORKER_METRICS is set; nothing otherwise);
 *  activity type, namespace and task queue are added as labels by the SDK. */
function stageSeconds() {
  return Context.current().metricMeter.createHistogram(STAGE_SECONDS, 'float', 'seconds', 'Seconds each stage attempt ran, by stage and outcome');
}

export function withAttempts(stages: StageActivities): StageActivities {
  const wrapped = {} as Record<string, unknown>;
  for (const [name, fn] of Object.entries(stages) as [keyof StageActivities, (...a: unknown[]) => Promise<{ attempt?: number }>][]) {
    // Keep the function's name: it is the activity type the Web UI shows.
    wrapped[name] = {
      async [name](...args: unknown[]) {
        const started = performance.now();
        let outcome = 'failed';
        try {
          const result = await fn(...args);
          outcome = 'completed';
          return { ...result, attempt: Context.current().info.attempt };
        } finally {
          stageSeconds().record((performance.now() - started) / 1000, { stage: name, outcome });
        }
      },
    }[name];
  }
  return wrapped as unknown as StageActivities;
}
