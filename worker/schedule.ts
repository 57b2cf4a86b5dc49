// The sweep schedule: created by the first worker, and brought in line with the configuration by every
// worker that starts after its settings (the interval, the task queue) changed.
import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, type Client, type ScheduleDescription } from '@temporalio/client';
import type { Config } from '../infra/config.js';
import { SWEEP_SCHEDULE_ID, SWEEP_WORKFLOW_TYPE } from '../workflows/messages.js';

export type ScheduleOutcome = 'created' | 'updated' | 'unchanged' | 'disabled';

function wanted(config: Config) {
  return {
    spec: { intervals: [{ every: config.sweepIntervalSeconds * 1000 }] },
    action: { type: 'startWorkflow' as const, workflowType: SWEEP_WORKFLOW_TYPE, taskQueue: config.temporal.taskQueue, args: [] },
  };
}

function matches(d: ScheduleDescription, config: Config): boolean {
  const intervals = d.spec.intervals ?? [];
  const every = intervals.length === 1 ? Number(intervals[0].every) : NaN;
  return (
    every === config.sweepIntervalSeconds * 1000 &&
    (d.spec.calendars ?? []).length === 0 &&
    d.action.type === 'startWorkflow' &&
    d.action.workflowType === SWEEP_WORKFLOW_TYPE &&
    d.action.taskQueue === config.temporal.taskQueue
  );
}

/**
 * Creates the sweep schedule, or updates it when its interval or task queue differs from the
 * configuration. QS_SWEEP_INTERVAL=0 creates none and leaves an existing one alone (another
 * deployment of the namespace may rely on it; `temporal schedule delete` removes it).
 */
export async function ensureSweepSchedule(client: Client, config: Config, scheduleId = SWEEP_SCHEDULE_ID): Promise<ScheduleOutcome> {
  if (config.sweepIntervalSeconds <= 0) return 'disabled';
  const handle = client.schedule.getHandle(scheduleId);
  let current: ScheduleDescription;
  try {
    current = await handle.describe();
  } catch (err) {
    if (!(err instanceof ScheduleNotFoundError)) throw err;
    try {
      await client.schedule.create({
        scheduleId,
        ...wanted(config),
        policies: { overlap: ScheduleOverlapPolicy.SKIP },
        state: { note: 'QueryShield: removes hosts, VMs and buckets of closed or unknown jobs' },
      });
      return 'created';
    } catch (e) {
      // Two workers starting at once: the other one made it, from the same configuration or not.
      if (!(e instanceof ScheduleAlreadyRunning)) throw e;
      return ensureSweepSchedule(client, config, scheduleId);
    }
  }
  if (matches(current, config)) return 'unchanged';
  await handle.update((prev) => ({ ...prev, ...wanted(config) }));
  return 'updated';
}
