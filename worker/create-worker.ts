// Builds a worker serving the job task queue (workflows + activities) from the configuration, and
// makes sure the sweep schedule exists.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Client, Connection, ScheduleAlreadyRunning, ScheduleOverlapPolicy } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Config } from '../infra/config.js';
import { createActivities, type AllActivities } from './activities.js';
import { connectionSettings } from '../infra/temporal-connection.js';
import { SWEEP_SCHEDULE_ID, SWEEP_WORKFLOW_TYPE } from '../workflows/messages.js';

/** The workflow entry, as source under tsx and as compiled JS under dist/. */
export function workflowsPath(): string {
  const ts = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));
  return existsSync(ts) ? ts : fileURLToPath(new URL('../workflows/index.js', import.meta.url));
}

/** Creates the sweep schedule once; a worker that finds it already there leaves it alone. */
export async function ensureSweepSchedule(client: Client, config: Config): Promise<void> {
  if (config.sweepIntervalSeconds <= 0) return;
  try {
    await client.schedule.create({
      scheduleId: SWEEP_SCHEDULE_ID,
      spec: { intervals: [{ every: config.sweepIntervalSeconds * 1000 }] },
      action: { type: 'startWorkflow', workflowType: SWEEP_WORKFLOW_TYPE, taskQueue: config.temporal.taskQueue, args: [] },
      policies: { overlap: ScheduleOverlapPolicy.SKIP },
      state: { note: 'QueryShield: removes hosts, VMs and buckets of closed or unknown jobs' },
    });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
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
    workflowsPath: workflowsPath(),
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
