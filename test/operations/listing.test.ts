// GET /jobs lists jobs newest first from visibility (the QueryShieldStatus search attribute), with a
// status filter and page tokens; GET /jobs/:id gives a job's public configuration; DELETE removes a
// finished job's storage.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { jobParties } from '../../domain/names.js';
import { fakeStages } from '../helpers/fake-stages.js';
import { createJob, registerAndUpload, SCHEMA } from '../helpers/jobs.js';
import { startStack, waitForStatus, type Stack } from '../helpers/stack.js';

let stack: Stack;
const name = `listing-${randomUUID().slice(0, 8)}`;
const created: string[] = [];
let finished: string;

beforeAll(async () => {
  stack = await startStack({ activities: fakeStages({ delayMs: 10 }) });
  for (let i = 0; i < 26; i++) created.push(await createJob(stack, { analysis_name: name, cloud_providers: ['aws'] }));
  finished = created[0];
  await registerAndUpload(stack, finished, 'alice', [[1, 2]], { providers: ['aws'] });
  expect((await stack.call('POST', '/submit_job', { job_id: finished })).status).toBe(200);
  await waitForStatus(stack, finished, (s) => s === 'Success');
}, 300_000);
afterAll(async () => stack?.close());

/** Visibility is eventually consistent: wait until the listing shows what the test made. */
async function listAll(status: string, limit: number) {
  const seen: { job_id: string; analysis_name: string; status: string; created_at: string }[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const res = await stack.call('GET', `/jobs?status=${encodeURIComponent(status)}&limit=${limit}${token ? `&page_token=${token}` : ''}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    seen.push(...res.body.jobs);
    token = res.body.next_page_token;
    pages++;
  } while (token && pages < 100);
  return { seen, pages };
}

describe('GET /jobs', () => {
  it('when filtered by status and paged by 10, then every job of that status once, newest first', async () => {
    let mine: { job_id: string; created_at: string; status: string }[] = [];
    let pages = 0;
    for (let i = 0; i < 50; i++) {
      const all = await listAll('Created', 10);
      mine = all.seen.filter((j) => j.analysis_name === name);
      pages = all.pages;
      if (mine.length === 25) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(mine).toHaveLength(25);
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(new Set(mine.map((j) => j.job_id)).size).toBe(25);
    expect(mine.every((j) => j.status === 'Created')).toBe(true);
    const times = mine.map((j) => j.created_at);
    expect([...times].sort().reverse()).toEqual(times);
    expect(mine.map((j) => j.job_id)).not.toContain(finished);
  });

  it('when filtered by Success, then the finished job is there', async () => {
    let found = false;
    for (let i = 0; i < 50 && !found; i++) {
      found = (await listAll('Success', 100)).seen.some((j) => j.job_id === finished);
      if (!found) await new Promise((r) => setTimeout(r, 200));
    }
    expect(found).toBe(true);
  });

  it('when the status, limit or token is bad, then 400', async () => {
    expect((await stack.call('GET', '/jobs?status=Done')).status).toBe(400);
    expect((await stack.call('GET', '/jobs?limit=0')).status).toBe(400);
    expect((await stack.call('GET', '/jobs?limit=abc')).status).toBe(400);
    expect((await stack.call('GET', '/jobs?page_token=%2F..%2F')).status).toBe(400);
  });
});

describe('GET /jobs/:job_id and DELETE /jobs/:job_id', () => {
  it('when a data owner asks, then the job configuration a share file needs', async () => {
    const res = await stack.call('GET', `/jobs/${created[1]}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ job_id: created[1], schema: SCHEMA, columns: Object.keys(SCHEMA), security_level: 'semi', party_count: 3, cloud_providers: ['aws'], status: 'Created' });
    expect((await stack.call('GET', `/jobs/${randomUUID()}`)).status).toBe(404);
    expect((await stack.call('GET', '/jobs/not-a-uuid')).status).toBe(404);
  });

  it('when the job is finished, then DELETE removes its storage; while open, 409', async () => {
    expect((await stack.call('DELETE', `/jobs/${created[2]}`)).status).toBe(409);
    const res = await stack.call('DELETE', `/jobs/${finished}`);
    expect(res.status).toBe(200);
    const [party] = jobParties({ jobId: finished, securityLevel: 'semi', cloudProviders: ['aws'] });
    expect(await stack.storage.listInputs(party).catch(() => 'gone')).toBe('gone');
  });
});
