// heartbeatingRun inside a real Temporal activity on the suite's dev server: the heartbeat carries the
// current task, and cancelling the workflow kills the playbook's processes, the activity ending cancelled.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure, defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { heartbeatingRun } from '../../../activities/ansible/heartbeat.js';
import { connectionSettings } from '../../../infra/temporal-connection.js';
import { testConfig } from '../../helpers/env.js';
import { fixture, localInventory, running, runMarker, runProcesses, until } from './fixtures/processes.js';
import type { FixtureActivities } from './fixtures/workflows.js';

const config = testConfig();
const taskQueue = `ansible-heartbeat-${randomUUID()}`;
let tmp: string;
let worker: Worker;
let workerDone: Promise<void>;
let nativeConnection: NativeConnection;
let clientConnection: Connection;
let client: Client;

const activities: FixtureActivities = {
  async runFixturePlaybook(playbook, extraVars) {
    // a short beat so the cancel is heard within seconds even while the task prints nothing
    const result = await heartbeatingRun({ playbook: fixture(playbook), inventory: localInventory(), extraVars }, { everyMs: 1000 });
    return result.reported;
  },
};

beforeAll(async () => {
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') }); // the worker's state changes are noise here
  } catch {
    /* a runtime is already installed in this process: keep it */
  }
  tmp = mkdtempSync(path.join(os.tmpdir(), 'qs-heartbeat-test-'));
  nativeConnection = await NativeConnection.connect(connectionSettings(config));
  worker = await Worker.create({
    connection: nativeConnection,
    namespace: config.temporal.namespace,
    taskQueue,
    workflowsPath: fileURLToPath(new URL('./fixtures/workflows.ts', import.meta.url)),
    activities,
    maxHeartbeatThrottleInterval: '1 second',
    defaultHeartbeatThrottleInterval: '1 second',
  });
  workerDone = worker.run();
  clientConnection = await Connection.connect(connectionSettings(config));
  client = new Client({ connection: clientConnection, namespace: config.temporal.namespace });
});

afterAll(async () => {
  if (worker?.getState() === 'RUNNING') worker.shutdown();
  await workerDone?.catch(() => undefined);
  await clientConnection?.close();
  await nativeConnection?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('heartbeatingRun', () => {
  it('when the playbook runs in an activity, then its result comes back through the workflow', async () => {
    const reported = await client.workflow.execute('fixturePlaybookWorkflow', {
      taskQueue,
      workflowId: `ansible-ok-${randomUUID()}`,
      args: ['three_tasks.yml', { qs_name: 'temporal' }],
    });
    expect(reported).toEqual({ greeting: 'hello temporal', answer: 42 });
  });

  it('when the workflow is cancelled during a `sleep 300` task, then the heartbeat named the task, the activity ends cancelled and no process is left', async () => {
    const pidFile = path.join(tmp, 'sleeps.pids');
    const handle = await client.workflow.start('fixturePlaybookWorkflow', {
      taskQueue,
      workflowId: `ansible-cancel-${randomUUID()}`,
      args: ['sleeps.yml', { qs_pid_file: pidFile }],
    });
    const [shell, background, ownSession] = await until(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim().split(/\s+/).map(Number));
    const marker = runMarker(shell)!;
    const members = runProcesses(marker);
    expect(members).toEqual(expect.arrayContaining([shell, background, ownSession]));

    // what the server holds as the pending activity's last heartbeat
    for (;;) {
      const pending = (await handle.describe()).raw.pendingActivities ?? [];
      const payload = pending[0]?.heartbeatDetails?.payloads?.[0];
      const details = payload ? defaultPayloadConverter.fromPayload<{ task: string }>(payload) : undefined;
      if (details?.task === 'sleep, with a background child') break;
      await sleep(200);
    }

    await handle.cancel();
    const failure = await handle.result().catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect((failure as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    // WAIT_CANCELLATION_COMPLETED: the workflow ended only after the activity did, processes and all
    expect(members.filter(running)).toEqual([]);
    expect(runProcesses(marker)).toEqual([]);
    const events = (await handle.fetchHistory()).events ?? [];
    expect(events.some((e) => e.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED)).toBe(true);
    expect(events.some((e) => e.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED)).toBe(false);
  });
});
