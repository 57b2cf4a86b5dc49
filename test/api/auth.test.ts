// Bearer tokens with roles, rate limits and security headers, through real HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { JobStorage } from '../../infra/storage/index.js';
import { buildApi } from '../../api/app.js';
import { hashToken } from '../../api/auth.js';
import { testConfig } from '../helpers/env.js';
import { loadConfig, ConfigError } from '../../infra/config.js';
import { fakeStages } from '../helpers/fake-stages.js';
import { jobBody } from '../helpers/jobs.js';
import { startStack, type Stack } from '../helpers/stack.js';

const ANALYST = 'qs_analyst_token_for_tests_0123456789';
const OWNER = 'qs_owner_token_for_tests_0123456789';
const auth = (t: string) => ({ authorization: `Bearer ${t}` });

describe('authentication', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ activities: fakeStages(), env: { QS_API_TOKEN_HASHES: `analyst:${hashToken(ANALYST)},data_owner:${hashToken(OWNER)}` } });
  });
  afterAll(async () => stack?.close());

  it('when no token is sent, then every job route answers 401 JSON; /healthz and /docs stay public', async () => {
    for (const [m, p] of [['POST', '/create_job'], ['POST', '/register_data_owner'], ['POST', '/submit_job'], ['GET', '/get_status?job_id=x'], ['GET', '/jobs'], ['POST', '/cancel-job']] as const) {
      const res = await stack.call(m, p, m === 'POST' ? {} : undefined);
      expect(res.status, p).toBe(401);
      expect(res.body.code).toBe('QS_UNAUTHENTICATED');
    }
    expect((await stack.call('GET', '/healthz')).status).toBe(200);
    expect((await fetch(`${stack.url}/docs/json`)).status).toBe(200);
  });

  it('when HEAD is sent without a token, then it is authorized as GET: 401, and no handler runs', async () => {
    const created = await stack.call('POST', '/create_job', jobBody(), auth(ANALYST));
    const jobId = created.body.job_id as string;
    for (const p of [`/get_status?job_id=${jobId}`, '/get-status?job_id=x', '/jobs', `/jobs/${jobId}`]) {
      const res = await fetch(`${stack.url}${p}`, { method: 'HEAD' });
      expect(res.status, p).toBe(401);
    }
    expect((await fetch(`${stack.url}/jobs`, { method: 'HEAD', headers: auth(ANALYST) })).status).toBe(200);
    expect((await fetch(`${stack.url}/jobs`, { method: 'HEAD', headers: auth(OWNER) })).status).toBe(403);
    expect((await fetch(`${stack.url}/healthz`, { method: 'HEAD' })).status).toBe(200);
  });

  it('when /healthz answers, then its body holds no internals (no address, task queue or error text)', async () => {
    const res = await stack.call('GET', '/healthz');
    expect(Object.keys(res.body).sort()).toEqual(['network', 'temporal', 'worker']);
    expect(['namespaces', 'loopback']).toContain(res.body.network);
  });

  it('when a token is wrong or malformed, then 401', async () => {
    expect((await stack.call('POST', '/create_job', jobBody(), auth('nope'))).status).toBe(401);
    expect((await stack.call('POST', '/create_job', jobBody(), { authorization: 'Basic abc' })).status).toBe(401);
  });

  it('when each role calls, then analysts run jobs and data owners without an owner name or invitation do nothing', async () => {
    expect((await stack.call('POST', '/create_job', jobBody(), auth(OWNER))).status).toBe(403);
    const created = await stack.call('POST', '/create_job', jobBody(), auth(ANALYST));
    expect(created.status).toBe(200);
    const jobId = created.body.job_id;
    // A data_owner token the configuration gives no owner name may act as no owner (invitations: invitations.test.ts).
    expect((await stack.call('POST', '/register_data_owner', { job_id: jobId, data_owner: 'alice' }, auth(OWNER))).status).toBe(403);
    expect((await stack.call('GET', `/jobs/${jobId}`, undefined, auth(OWNER))).status).toBe(403);
    // Analysts do not register owners: they invite them.
    expect((await stack.call('POST', '/register_data_owner', { job_id: jobId, data_owner: 'alice' }, auth(ANALYST))).status).toBe(403);
    expect((await stack.call('GET', `/jobs/${jobId}`, undefined, auth(ANALYST))).status).toBe(200);
    expect((await stack.call('GET', `/get_status?job_id=${jobId}`, undefined, auth(OWNER))).status).toBe(403);
    expect((await stack.call('POST', '/submit-job', { job_id: jobId }, auth(OWNER))).status).toBe(403);
    expect((await stack.call('GET', `/get_status?job_id=${jobId}`, undefined, auth(ANALYST))).status).toBe(409);
  });

  it('when answering, then security headers are set', async () => {
    const res = await fetch(`${stack.url}/healthz`);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBeTruthy();
  });
});

describe('rate limits', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ activities: fakeStages(), env: { QS_RATE_LIMIT: '5' } });
  });
  afterAll(async () => stack?.close());

  it('when a client exceeds the limit, then 429 JSON from the catalogue', async () => {
    const statuses: number[] = [];
    let last: { status: number; body: any } | undefined;
    for (let i = 0; i < 7; i++) {
      last = await stack.call('GET', '/jobs?limit=1');
      statuses.push(last.status);
    }
    expect(statuses.slice(0, 5).every((s) => s === 200)).toBe(true);
    expect(statuses[6]).toBe(429);
    expect(last!.body.code).toBe('QS_RATE_LIMITED');
  });
});

describe("the API's own CORS origins", () => {
  const preflight = (stack: Stack, origin: string) =>
    fetch(`${stack.url}/create_job`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' } });

  it('when QS_API_CORS_ORIGINS is unset (the buckets allow *), then no web origin may call the API', async () => {
    const stack = await startStack({ worker: false });
    try {
      expect(stack.config.corsOrigins).toEqual(['*']); // the buckets' setting, not the API's
      const pre = await preflight(stack, 'https://evil.example');
      expect(pre.headers.get('access-control-allow-origin')).toBeNull();
      const get = await fetch(`${stack.url}/jobs`, { headers: { origin: 'https://evil.example' } });
      expect(get.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await stack.close();
    }
  });

  it('when QS_API_CORS_ORIGINS names an origin, then that origin may call and another may not', async () => {
    const stack = await startStack({ worker: false, env: { QS_API_CORS_ORIGINS: 'https://app.example' } });
    try {
      expect((await preflight(stack, 'https://app.example')).headers.get('access-control-allow-origin')).toBe('https://app.example');
      expect((await preflight(stack, 'https://evil.example')).headers.get('access-control-allow-origin')).not.toBe('https://evil.example');
      const get = await fetch(`${stack.url}/jobs`, { headers: { origin: 'https://app.example' } });
      expect(get.headers.get('access-control-allow-origin')).toBe('https://app.example');
    } finally {
      await stack.close();
    }
    expect(() => loadConfig({ QS_API_CORS_ORIGINS: 'app.example' })).toThrow(/QS_API_CORS_ORIGINS/);
  });
});

describe('routes declare who may call them', () => {
  it('when a route declares nothing, then the app refuses to start', async () => {
    const stack = await startStack({ worker: false, env: { QS_API_TOKEN_HASHES: `analyst:${hashToken(ANALYST)}` } });
    try {
      const app = await buildApi(stack.config, { client: stack.client, storage: stack.storage });
      app.get('/forgotten', async () => ({ secret: 'yes' }));
      await expect(app.ready()).rejects.toThrow(/GET \/forgotten/);
      await app.close().catch(() => undefined);
    } finally {
      await stack.close();
    }
  });

  it('when tokens are configured, then only /healthz, /docs and the web app\'s static files (/, /app.js, /style.css) are public', async () => {
    const stack = await startStack({ worker: false, env: { QS_API_TOKEN_HASHES: `analyst:${hashToken(ANALYST)}` } });
    try {
      const routes = stack.app.routeAccess;
      expect(routes.filter((r) => !r.access)).toEqual([]);
      expect(routes.filter((r) => r.method === 'HEAD').length).toBeGreaterThanOrEqual(5); // Fastify's copies of GET routes are checked too
      const publicRoutes = routes.filter((r) => r.access === 'public').map((r) => `${r.method} ${r.url}`);
      // The web app's page, script and stylesheet hold no data: every call they make is authorized as usual.
      for (const r of publicRoutes) expect(r).toMatch(/^(GET|HEAD|HEAD,GET) \/(healthz$|docs)|^(GET|HEAD|HEAD,GET) \/(app\.js|style\.css)?$|^OPTIONS \*$/);
      expect(publicRoutes).toContain('GET /healthz');
    } finally {
      await stack.close();
    }
  });
});

describe('binding to a network address', () => {
  it('when HOST is not loopback and the tokens file has no entries, then the API refuses to start', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'qs-tokens-'));
    try {
      const file = path.join(dir, 'tokens.json');
      writeFileSync(file, JSON.stringify({ tokens: [] }));
      const config = testConfig({ HOST: '0.0.0.0', QS_API_TOKENS_FILE: file });
      await expect(buildApi(config, { client: {} as Client, storage: {} as JobStorage })).rejects.toThrow(/not a loopback address/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('when HOST is not loopback and no token is configured, then start-up is refused naming HOST', () => {
    expect(() => loadConfig({ HOST: '0.0.0.0' })).toThrow(ConfigError);
    expect(() => loadConfig({ HOST: '0.0.0.0', QS_API_TOKEN_HASHES: `analyst:${hashToken('x')}` })).not.toThrow();
    expect(() => loadConfig({ HOST: '127.0.0.1' })).not.toThrow();
  });
});
