// The worker process (`npm run worker`'s entry): pino's JSON lines, the Temporal SDK's metrics on
// QS_WORKER_METRICS, and a stop on SIGTERM.
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process.js';
import { freePort } from '../../scripts/services.js';

let worker: WorkerProcess | undefined;
afterAll(async () => {
  await worker?.stop();
});

describe('the worker process', () => {
  it('when QS_WORKER_METRICS is set, then the SDK serves Prometheus metrics there and the log is JSON lines', { timeout: 120_000 }, async () => {
    const port = await freePort();
    worker = startWorkerProcess({ QS_WORKER_METRICS: `127.0.0.1:${port}`, TEMPORAL_TASK_QUEUE: `test-${randomUUID()}`, QS_SWEEP_INTERVAL: '0' }, 'worker-metrics');
    await worker.ready;
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    // the core's worker metrics, labelled with the task queue
    expect(text).toMatch(/^temporal_\w+/m);
    expect(text).toContain('task_queue=');
    const lines = readFileSync(worker.logFile, 'utf8').trim().split('\n').filter((l) => l.startsWith('{'));
    const records = lines.map((l) => JSON.parse(l) as { level: number; name: string; msg: string });
    expect(records.some((r) => r.name === 'worker' && r.level === 30 && r.msg.includes('serving task queue'))).toBe(true);
    expect(records.some((r) => r.msg.includes('Temporal SDK metrics served'))).toBe(true);
  });

  it('when sent SIGTERM with nothing running, then it stops at once and says so', { timeout: 60_000 }, async () => {
    const w = worker!;
    worker = undefined;
    await w.stop();
    expect(w.child.exitCode).toBe(0);
    expect(readFileSync(w.logFile, 'utf8')).toContain('worker: stopped');
  });
});
