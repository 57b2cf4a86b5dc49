// /metrics after a real job (fake stages, real Temporal, API and emulators): the API's request metrics
// and jobs by status in Prometheus format, the worker's stage durations on the SDK's endpoint, and
// request ids taken from `x-request-id` and returned.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { Runtime } from '@temporalio/worker';
import { startStack, waitForStatus, type Stack } from '../helpers/stack.js';
import { fakeStages } from '../helpers/fake-stages.js';
import { createJob, registerAndUpload } from '../helpers/jobs.js';
import { freePort } from '../../scripts/services.js';
import { runtimeOptions } from '../../worker/runtime.js';
import { withAttempts } from '../../worker/activities.js';
import { createLogger } from '../../infra/logger.js';
import { testConfig } from '../helpers/env.js';

let stack: Stack;
let workerMetrics: string;

beforeAll(async () => {
  // The worker runs in this process: its runtime (and so its Prometheus endpoint) goes in before it connects.
  workerMetrics = `127.0.0.1:${await freePort()}`;
  const config = testConfig({ QS_WORKER_METRICS: workerMetrics, QS_LOG_LEVEL: 'warn' });
  Runtime.install(runtimeOptions(config, createLogger(config, 'worker')));
  // The fake stages go through the same wrapper as the real ones: it records each attempt's seconds.
  stack = await startStack({ activities: withAttempts(fakeStages({ delayMs: 20 })) });
});
afterAll(async () => {
  await stack?.close();
});

/** The value of one sample line, `name{labels} value`, or undefined. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && want.every((w) => l.includes(w)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

async function scrape(url: string): Promise<string> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  return res.text();
}

describe('/metrics after a job', () => {
  it('when a job has run, then the API reports its requests and jobs by status, the worker its stages', { timeout: 180_000 }, async () => {
    const jobId = await createJob(stack);
    await registerAndUpload(stack, jobId, 'alice', [[30, 1000], [41, 2500]]);
    expect((await stack.call('POST', '/submit_job', { job_id: jobId })).status).toBe(200);
    await waitForStatus(stack, jobId, (s) => s === 'Success');

    // Visibility follows the workflow a moment later: scrape until the job is counted.
    let text = '';
    for (let i = 0; i < 100 && !((sample(text, 'queryshield_jobs', { status: 'Success' }) ?? 0) >= 1); i++) {
      text = await scrape(`${stack.url}/metrics`);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(sample(text, 'queryshield_jobs', { status: 'Success' })).toBeGreaterThanOrEqual(1);
    expect(/^queryshield_temporal_up (\d+)$/m.exec(text)?.[1]).toBe('1');
    expect(sample(text, 'http_requests_total', { method: 'POST', route: '/create_job', status_code: '200' })).toBe(1);
    expect(sample(text, 'http_requests_total', { method: 'POST', route: '/submit_job', status_code: '200' })).toBe(1);
    expect(sample(text, 'http_requests_total', { method: 'GET', route: '/get_status', status_code: '200' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'http_request_duration_seconds_count', { method: 'POST', route: '/create_job' })).toBe(1);
    expect(text).toMatch(/^# TYPE http_request_duration_seconds histogram$/m);
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);

    const worker = await scrape(`http://${workerMetrics}/metrics`);
    for (const stage of ['createVMs', 'setupAuthentication', 'deployTvaCore', 'runExperiment', 'deleteVMs']) {
      expect(worker, stage).toMatch(new RegExp(`^queryshield_stage_duration_seconds_count\\{[^}]*stage="${stage}"[^}]*\\} [1-9]`, 'm'));
    }
    expect(worker).toMatch(/^temporal_activity_execution_latency\w*_count\{/m);
  });

  it('when a request carries x-request-id, then the answer returns it; otherwise (or when it is not a plain token) a new one', async () => {
    const given = await fetch(`${stack.url}/healthz`, { headers: { 'x-request-id': 'trace-4bf92f3577b34da6' } });
    expect(given.headers.get('x-request-id')).toBe('trace-4bf92f3577b34da6');
    const unknownRoute = await fetch(`${stack.url}/nowhere`, { headers: { 'x-request-id': 'abc-123' } });
    expect(unknownRoute.status).toBe(404);
    expect(unknownRoute.headers.get('x-request-id')).toBe('abc-123');
    const made = await fetch(`${stack.url}/healthz`);
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const refused = await fetch(`${stack.url}/healthz`, { headers: { 'x-request-id': 'a b"c' } });
    expect(refused.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(sample(await scrape(`${stack.url}/metrics`), 'http_requests_total', { route: '(unmatched)', status_code: '404' })).toBeGreaterThanOrEqual(1);
  });

  it('when tokens are on, then only an admin may scrape', async () => {
    const hash = (t: string) => createHash('sha256').update(t).digest('hex');
    const guarded = await startStack({ worker: false, env: { QS_API_TOKEN_HASHES: `admin:${hash('admin-token')},analyst:${hash('analyst-token')}` } });
    try {
      const as = (token?: string) => fetch(`${guarded.url}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} }).then((r) => r.status);
      expect(await as()).toBe(401);
      expect(await as('analyst-token')).toBe(403);
      expect(await as('admin-token')).toBe(200);
    } finally {
      await guarded.close();
    }
  });
});
