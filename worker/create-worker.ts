// Builds a worker serving the job task queue (workflows + activities) from the configuration.
// The sweep schedule is worker/schedule.ts's, the workflow code's source worker/bundle.ts's.
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Config } from '../infra/config.js';
import { createActivities, type AllActivities } from './activities.js';
import { connectionSettings } from '../infra/temporal-connection.js';
import { workflowsPath } from './bundle.js';

export { workflowsPath } from './bundle.js';
export { ensureSweepSchedule } from './schedule.js';

/** How a worker process stops (worker/main.ts): on SIGTERM it stops polling at once, and running stages
 *  get QS_SHUTDOWN_GRACE to finish before they are cancelled (then retried on another worker). */
export function gracefulStop(config: Config): Pick<WorkerOptions, 'shutdownGraceTime'> {
  return { shutdownGraceTime: config.worker.shutdownGraceSeconds * 1000 };
}

export async function createWorker(
  config: Config,
  overrides: Partial<WorkerOptions> & { activities?: Partial<AllActivities> } = {},
): Promise<{ worker: Worker; connection: NativeConnection; client: Client; close: () => Promise<void> }> {
  const settings = connectionSettings(config);
  const connection = await NativeConnection.connect(settings);
  const clientConnection = await Connection.connect(settings);
  const client = new Client({ connection: clientConnection, namespace: config.temporal.namespace });
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    // the sources unless a bundle is given (the prebuilt one, or the tests' shared one)
    ...(overrides.workflowBundle ? {} : { workflowsPath: workflowsPath() }),
    // Cancellation reaches an activity only through a heartbeat's answer; the default throttle (0.8 x
    // the heartbeat timeout) would let a cancelled stage run on for most of a minute.
    maxHeartbeatThrottleInterval: '2 seconds',
    defaultHeartbeatThrottleInterval: '2 seconds',
    ...overrides,
    activities: { ...createActivities(config, client), ...overrides.activities },
  });
  return {
    worker,
    connection,
    client,
    close: async () => {
      await clientConnection.close();
      await connection.close();
    },
  };
}
