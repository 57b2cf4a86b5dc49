// A real stack for one test file: a worker (in this process) on a task queue of its own, and the API
// listening on a free port, both against the suite's dev server and emulators. Real HTTP throughout.
import { randomUUID } from 'node:crypto';
import { bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { createWorker, workflowsPath } from '../../worker/create-worker.js';
import type { AllActivities } from '../../worker/activities.js';
import { JobStorage, cloudStorages } from '../../infra/storage/index.js';
import type { Config } from '../../infra/config.js';
import { buildApi } from '../../api/app.js';
import { testConfig } from './env.js';

let bundle: Promise<WorkflowBundle> | undefined;
/** The workflow bundle is built once per test file (a few seconds), then shared by its workers. */
export function workflowBundle(): Promise<WorkflowBundle> {
  bundle ??= bundleWorkflowCode({ workflowsPath: workflowsPath(), logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: console.error } });
  return bundle;
}

export interface Stack {
  config: Config;
  client: Client;
  storage: JobStorage;
  app: FastifyInstance;
  url: string;
  /** fetch JSON from the API: returns status and parsed body */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any }>;
  stopWorker(): Promise<void>;
  startWorker(activities?: Partial<AllActivities>): Promise<void>;
  close(): Promise<void>;
}

export async function startStack(opts: { activities?: Partial<AllActivities>; env?: Record<string, string>; worker?: boolean } = {}): Promise<Stack> {
  const config = testConfig({ TEMPORAL_TASK_QUEUE: `test-${randomUUID()}`, QS_STAGE_HEARTBEAT_TIMEOUT: '30', ...opts.env });
  const connection = await Connection.connect({ address: config.temporal.address });
  const client = new Client({ connection, namespace: config.temporal.namespace });
  const storage = new JobStorage(cloudStorages(config), { uploadSeconds: config.uploadUrlTtlSeconds, readSeconds: config.readUrlTtlSeconds });
  const app = await buildApi(config, { client, storage });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;

  let running: { stop: () => Promise<void> } | undefined;
  const startWorker = async (activities = opts.activities) => {
    const { worker, close } = await createWorker(config, { workflowBundle: await workflowBundle(), activities });
    const done = worker.run();
    running = {
      stop: async () => {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await done.catch(() => undefined);
        await close();
      },
    };
  };
  if (opts.worker !== false) await startWorker();

  return {
    config,
    client,
    storage,
    app,
    url,
    async call(method, path, body, headers = {}) {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        /* not JSON: the test will see the text */
      }
      return { status: res.status, body: parsed };
    },
    async stopWorker() {
      await running?.stop();
      running = undefined;
    },
    startWorker,
    async close() {
      await running?.stop();
      await app.close();
      await connection.close();
    },
  };
}

/** Polls get_status until the predicate holds (or the deadline passes); returns every distinct status seen. */
export async function waitForStatus(stack: Stack, jobId: string, done: (s: string) => boolean, timeoutMs = 240_000) {
  const seen: string[] = [];
  const deadline = Date.now() + timeoutMs;
  let last: { status: number; body: any } | undefined;
  while (Date.now() < deadline) {
    last = await stack.call('GET', `/get_status?job_id=${jobId}`);
    const s = last.body?.status as string | undefined;
    if (s && seen[seen.length - 1] !== s) seen.push(s);
    if (s && done(s)) return { seen, last };
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`timed out waiting; statuses seen: ${seen.join(' → ')}; last: ${JSON.stringify(last?.body)}`);
}
