// GET /jobs/{job_id}/owners through real HTTP, Temporal and the emulators: the owners invited or registered
// and, per party, whether each one's share file is on that party's bucket (read from the storage itself).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hashToken } from '../../api/auth.js';
import { jobParties } from '../../domain/names.js';
import { shareTable } from '../../domain/shares.js';
import { fakeStages } from '../helpers/fake-stages.js';
import { jobBody, SCHEMA } from '../helpers/jobs.js';
import { startStack, type Stack } from '../helpers/stack.js';

const ALICE = 'qs_alice_owners_token_0123456789';
const BOB = 'qs_bob_owners_token_0123456789';
const ADMIN = 'qs_admin_owners_token_0123456789';
const CAROL = 'qs_carol_owners_token_0123456789'; // a data_owner token the file names "carol"
const auth = (t: string) => ({ authorization: `Bearer ${t}` });
const ROWS = [[30, 1000], [41, 2500]];

describe('GET /jobs/{job_id}/owners', () => {
  let stack: Stack;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'qs-owners-tokens-'));
    const file = path.join(dir, 'tokens.json');
    writeFileSync(file, JSON.stringify({ tokens: [
      { name: 'alice', role: 'analyst', sha256: hashToken(ALICE) },
      { name: 'bob', role: 'analyst', sha256: hashToken(BOB) },
      { name: 'root', role: 'admin', sha256: hashToken(ADMIN) },
      { name: 'carol-token', role: 'data_owner', owner: 'carol', sha256: hashToken(CAROL) },
    ] }));
    stack = await startStack({ activities: fakeStages(), env: { QS_API_TOKENS_FILE: file } });
  });
  afterAll(async () => {
    await stack?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Registers the owner with the token and PUTs its share file to the parties listed (all by default). */
  async function upload(jobId: string, owner: string, token: string, only?: number[]) {
    const reg = await stack.call('POST', '/register_data_owner', { job_id: jobId, data_owner: owner }, auth(token));
    expect(reg.status, JSON.stringify(reg.body)).toBe(200);
    const parties = jobParties({ jobId, securityLevel: 'semi', cloudProviders: ['aws', 'gcp', 'azure'] });
    const files = shareTable(Object.keys(SCHEMA), ROWS, parties.length);
    for (const p of parties.filter((p) => !only || only.includes(p.index))) {
      const res = await fetch(reg.body.presigned_urls[p.index], { method: 'PUT', headers: stack.storage.uploadHeaders(p), body: files[p.index] });
      expect(res.status, await res.text()).toBeLessThan(300);
    }
  }
  const parties = (present: (boolean | null)[]) => present.map((p, i) => ({ party: i, provider: ['aws', 'gcp', 'azure'][i], present: p }));

  it('when owners are invited, registered and uploaded in part, then the analyst sees each one and which parties hold its file, and no URL', { timeout: 90_000 }, async () => {
    const created = await stack.call('POST', '/create_job', jobBody(), auth(ALICE));
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const jobId = created.body.job_id as string;
    expect(await stack.call('GET', `/jobs/${jobId}/owners`, undefined, auth(ALICE))).toEqual({ status: 200, body: { job_id: jobId, owners: [] } });

    const uni = await stack.call('POST', `/jobs/${jobId}/owners`, { data_owner: 'uni' }, auth(ALICE));
    expect((await stack.call('POST', `/jobs/${jobId}/owners`, { data_owner: 'corp' }, auth(ALICE))).status).toBe(200);
    await upload(jobId, 'uni', uni.body.token);
    await upload(jobId, 'carol', CAROL, [0, 2]); // a tokens-file owner, no invitation; party 1 never got its file

    const res = await stack.call('GET', `/jobs/${jobId}/owners`, undefined, auth(ALICE));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({
      job_id: jobId,
      owners: [
        { data_owner: 'uni', invited: true, registered: true, uploaded: true, parties: parties([true, true, true]) },
        { data_owner: 'corp', invited: true, registered: false, uploaded: false, parties: parties([false, false, false]) },
        { data_owner: 'carol', invited: false, registered: true, uploaded: false, parties: parties([true, false, true]) },
      ],
    });
    expect(JSON.stringify(res.body)).not.toMatch(/https?:|sig=|X-Amz|token/i);
    // An admin sees it too.
    expect((await stack.call('GET', `/jobs/${jobId}/owners`, undefined, auth(ADMIN))).body).toEqual(res.body);

    // Once cancelled, the answer still comes (from the ended workflow) and says what the storage holds now.
    expect((await stack.call('POST', '/cancel_job', { job_id: jobId }, auth(ALICE))).status).toBe(200);
    await expect.poll(async () => (await stack.call('GET', `/jobs/${jobId}/owners`, undefined, auth(ALICE))).status, { timeout: 30_000 }).toBe(200);
  });

  it('when another analyst, a data owner, no token or an unknown job asks, then 404, 403, 401 and 404', { timeout: 60_000 }, async () => {
    const jobId = (await stack.call('POST', '/create_job', jobBody(), auth(ALICE))).body.job_id as string;
    const inv = await stack.call('POST', `/jobs/${jobId}/owners`, { data_owner: 'uni' }, auth(ALICE));
    expect((await stack.call('GET', `/jobs/${jobId}/owners`, undefined, auth(BOB))).body).toMatchObject({ code: 'QS_JOB_NOT_FOUND' });
    expect((await stack.call('GET', `/jobs/${jobId}/owners`, undefined, auth(BOB))).status).toBe(404);
    expect((await stack.call('GET', `/jobs/${jobId}/owners`, undefined, auth(inv.body.token))).status).toBe(403);
    expect((await stack.call('GET', `/jobs/${jobId}/owners`, undefined, auth(CAROL))).status).toBe(403);
    expect((await stack.call('GET', `/jobs/${jobId}/owners`)).status).toBe(401);
    const unknown = await stack.call('GET', '/jobs/0b6f2a0e-5d1c-4f7e-9a51-1f2d3c4b5a69/owners', undefined, auth(ADMIN));
    expect(unknown).toMatchObject({ status: 404, body: { code: 'QS_JOB_NOT_FOUND' } });
    expect((await stack.call('GET', '/jobs/not-a-job/owners', undefined, auth(ADMIN))).status).toBe(404);
    await stack.call('POST', '/cancel_job', { job_id: jobId }, auth(ALICE));
  });

  it('when no worker answers the query, then 503 naming the job service, not a 500', { timeout: 60_000 }, async () => {
    const jobId = (await stack.call('POST', '/create_job', jobBody(), auth(ALICE))).body.job_id as string;
    await stack.stopWorker();
    try {
      const res = await stack.call('GET', `/jobs/${jobId}/owners`, undefined, auth(ALICE));
      expect(res).toMatchObject({ status: 503, body: { code: 'QS_TEMPORAL_UNAVAILABLE' } });
    } finally {
      await stack.startWorker();
    }
    await stack.call('POST', '/cancel_job', { job_id: jobId }, auth(ALICE));
  });
});
