// The short pass of `npm run chaos`: generated hostile requests across every route through real HTTP.
// No answer may be a 5xx (503 "no worker/Temporal" aside, which these never cause), every answer is
// JSON, the server survives and still answers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fire, hostileRequests } from '../../scripts/chaos/hostile-requests.js';
import { fakeStages } from '../helpers/fake-stages.js';
import { createJob } from '../helpers/jobs.js';
import { startStack, type Stack } from '../helpers/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ activities: fakeStages(), env: { QS_RATE_LIMIT: '100000' } });
});
afterAll(async () => stack?.close());

describe('hostile input', () => {
  it('when 1,500 malformed requests hit every route, then no 5xx, only JSON answers, and the API still works', { timeout: 300_000 }, async () => {
    const jobs = [await createJob(stack), await createJob(stack)];
    const result = await fire(stack.url, hostileRequests(1500, 42, jobs), 16);
    expect(result.serverErrors).toEqual([]);
    expect(result.transportSamples).toEqual([]);
    expect(result.nonJson).toEqual([]);
    expect((await stack.call('GET', '/healthz')).status).toBe(200);
    expect((await stack.call('GET', `/jobs/${jobs[0]}`)).status).toBe(200);
  });
});
