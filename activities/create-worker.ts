// Builds a worker serving the job task queue (workflows + activities) from the configuration.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Config } from './config.js';
import { createActivities, type AllActivities } from './index.js';
import { connectionSettings } from './temporal-connection.js';

/** The workflow entry, as source under tsx and as compiled JS under dist/. */
export function workflowsPath(): string {
  const ts = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));
  return existsSync(ts) ? ts : fileURLToPath(new URL('../workflows/index.js', import.meta.url));
}

export async function createWorker(
  config: Config,
  overrides: Partial<WorkerOptions> & { activities?: Partial<AllActivities> } = {},
): Promise<{ worker: Worker; connection: NativeConnection }> {
  const connection = await NativeConnection.connect(connectionSettings(config));
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    workflowsPath: workflowsPath(),
    ...overrides,
    activities: { ...createActivities(config), ...overrides.activities },
  });
  return { worker, connection };
}
