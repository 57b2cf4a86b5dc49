// Jobs belong to the analyst who created them: through real HTTP, Temporal and its visibility store.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hashToken } from '../../api/auth.js';
import { fakeStages } from '../helpers/fake-stages.js';
import { jobBody } from '../helpers/jobs.js';
import { startStack, type Stack } from '../helpers/stack.js';

const ALICE = 'qs_alice_analyst_token_0123456789';
const BOB = 'qs_bob_analyst_token_0123456789';
const ADMIN = 'qs_admin_token_0123456789abcdef';
const auth = (t: string) => ({ authorization: `Bearer ${t}` });

/** Visibility is eventually consistent: list until the predicate holds (or 10 s pass). */
async function listUntil(stack: Stack, token: string, done: (ids: string[]) => boolean): Promise<string[]> {
  let ids: string[] = [];
  for (const end = Date.now() + 10_000; Date.now() < end; await new Promise((r) => setTimeout(r, 200))) {
    const res = await stack.call('GET', '/jobs?limit=100', undefined, auth(token));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    ids = (res.body.jobs as { job_id: string }[]).map((j) => j.job_id);
    if (done(ids)) break;
  }
  return ids;
}

describe('jobs belong to their analyst', () => {
  let stack: Stack;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'qs-owner-tokens-'));
    const file = path.join(dir, 'tokens.json');
    writeFileSync(file, JSON.stringify({ tokens: [
      { name: 'alice', role: 'analyst', sha256: hashToken(ALICE) },
      { name: 'bob', role: 'analyst', sha256: hashToken(BOB) },
      { name: 'ops', role: 'admin', sha256: hashToken(ADMIN) },
    ] }));
    stack = await startStack({ activities: fakeStages(), env: { QS_API_TOKENS_FILE: file } });
  });
  afterAll(async () => {
    await stack?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("when another analyst names a job, then every route answers 404 (not 403) and the list does not show it; its creator and an admin do", { timeout: 60_000 }, async () => {
    const created = await stack.call('POST', '/create_job', jobBody(), auth(ALICE));
    expect(created.status).toBe(200);
    const jobId = created.body.job_id as string;
    const own = await stack.call('POST', '/create_job', jobBody(), auth(BOB));
    const bobsJob = own.body.job_id as string;

    const attempts: [string, string, unknown][] = [
      ['GET', `/get_status?job_id=${jobId}`, undefined],
      ['GET', `/jobs/${jobId}`, undefined],
      ['POST', '/submit_job', { job_id: jobId }],
      ['POST', `/jobs/${jobId}/owners`, { data_owner: 'mallory' }],
      ['DELETE', `/jobs/${jobId}/owners/mallory`, undefined],
      ['POST', '/cancel_job', { job_id: jobId }],
      ['DELETE', `/jobs/${jobId}`, undefined],
    ];
    for (const [m, p, body] of attempts) {
      const res = await stack.call(m, p, body, auth(BOB));
      expect(res.status, `${m} ${p}: ${JSON.stringify(res.body)}`).toBe(404);
      expect(res.body.code).toBe('QS_JOB_NOT_FOUND');
    }
    expect((await stack.call('GET', `/jobs/${jobId}`, undefined, auth(ALICE))).status).toBe(200);
    expect((await stack.call('GET', `/get_status?job_id=${jobId}`, undefined, auth(ALICE))).status).toBe(409); // not submitted: hers to see

    const alices = await listUntil(stack, ALICE, (ids) => ids.includes(jobId));
    expect(alices).toContain(jobId);
    expect(alices).not.toContain(bobsJob);
    const admins = await listUntil(stack, ADMIN, (ids) => ids.includes(jobId) && ids.includes(bobsJob));
    expect(admins).toEqual(expect.arrayContaining([jobId, bobsJob]));
    const bobs = await listUntil(stack, BOB, (ids) => ids.includes(bobsJob));
    expect(bobs).toContain(bobsJob);
    expect(bobs).not.toContain(jobId);

    // The admin operates any job.
    expect((await stack.call('GET', `/jobs/${bobsJob}`, undefined, auth(ADMIN))).status).toBe(200);
    expect((await stack.call('POST', '/cancel_job', { job_id: jobId }, auth(ADMIN))).status).toBe(200);
    expect((await stack.call('POST', '/cancel_job', { job_id: bobsJob }, auth(BOB))).status).toBe(200);
  });
});
