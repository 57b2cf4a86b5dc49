// The sweep schedule against the suite's dev server: made once, updated when its settings change.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { ensureSweepSchedule } from '../../worker/schedule.js';
import { testConfig } from '../helpers/env.js';
import type { Config } from '../../infra/config.js';

let connection: Connection;
let client: Client;
const id = `test-sweep-${randomUUID()}`;
const config = (interval: number, taskQueue = 'queryshield'): Config => testConfig({ QS_SWEEP_INTERVAL: String(interval), TEMPORAL_TASK_QUEUE: taskQueue });

beforeAll(async () => {
  connection = await Connection.connect({ address: testConfig().temporal.address });
  client = new Client({ connection, namespace: 'default' });
});
afterAll(async () => {
  await client.schedule.getHandle(id).delete().catch(() => undefined);
  await connection.close();
});

describe('the sweep schedule', () => {
  it('when a worker starts with new settings, then the schedule follows them; with the same, it is left alone', async () => {
    const handle = client.schedule.getHandle(id);
    expect(await ensureSweepSchedule(client, config(3600), id)).toBe('created');
    expect((await handle.describe()).spec.intervals).toMatchObject([{ every: 3_600_000 }]);
    expect(await ensureSweepSchedule(client, config(3600), id)).toBe('unchanged');
    expect(await ensureSweepSchedule(client, config(600), id)).toBe('updated');
    const after = await handle.describe();
    expect(after.spec.intervals).toMatchObject([{ every: 600_000 }]);
    expect(after.action).toMatchObject({ type: 'startWorkflow', workflowType: 'sweepWorkflow', taskQueue: 'queryshield' });
    expect(after.policies.overlap).toBe('SKIP');
    expect(await ensureSweepSchedule(client, config(600, 'other-queue'), id)).toBe('updated');
    expect((await handle.describe()).action).toMatchObject({ taskQueue: 'other-queue' });
  });

  it('when the interval is 0, then no schedule is made and an existing one is left as it is', async () => {
    const other = `test-sweep-${randomUUID()}`;
    expect(await ensureSweepSchedule(client, config(0), other)).toBe('disabled');
    await expect(client.schedule.getHandle(other).describe()).rejects.toThrow();
    expect(await ensureSweepSchedule(client, config(0), id)).toBe('disabled');
    expect((await client.schedule.getHandle(id).describe()).spec.intervals).toMatchObject([{ every: 600_000 }]);
  });
});
