// Bearer tokens with roles, rate limits and security headers, through real HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../api/auth.js';
import { loadConfig, ConfigError } from '../../activities/config.js';
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

  it('when a token is wrong or malformed, then 401', async () => {
    expect((await stack.call('POST', '/create_job', jobBody(), auth('nope'))).status).toBe(401);
    expect((await stack.call('POST', '/create_job', jobBody(), { authorization: 'Basic abc' })).status).toBe(401);
  });

  it('when each role calls, then analysts run jobs and data owners only register and read a job', async () => {
    expect((await stack.call('POST', '/create_job', jobBody(), auth(OWNER))).status).toBe(403);
    const created = await stack.call('POST', '/create_job', jobBody(), auth(ANALYST));
    expect(created.status).toBe(200);
    const jobId = created.body.job_id;
    expect((await stack.call('POST', '/register_data_owner', { job_id: jobId, data_owner: 'alice' }, auth(OWNER))).status).toBe(200);
    expect((await stack.call('GET', `/jobs/${jobId}`, undefined, auth(OWNER))).status).toBe(200);
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

describe('binding to a network address', () => {
  it('when HOST is not loopback and no token is configured, then start-up is refused naming HOST', () => {
    expect(() => loadConfig({ HOST: '0.0.0.0' })).toThrow(ConfigError);
    expect(() => loadConfig({ HOST: '0.0.0.0', QS_API_TOKEN_HASHES: `analyst:${hashToken('x')}` })).not.toThrow();
    expect(() => loadConfig({ HOST: '127.0.0.1' })).not.toThrow();
  });
});
