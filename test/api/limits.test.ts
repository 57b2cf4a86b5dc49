// Sizes and quotas through real HTTP, Temporal (its visibility store) and the emulators: an analyst's
// running jobs are capped, and a share file over the size limit fails validation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hashToken } from '../../api/auth.js';
import { jobParties } from '../../domain/names.js';
import { shareTable } from '../../domain/shares.js';
import { fakeStages } from '../helpers/fake-stages.js';
import { SCHEMA, jobBody } from '../helpers/jobs.js';
import { startStack, type Stack } from '../helpers/stack.js';

const ALICE = 'qs_alice_analyst_token_limits_0123456789';
const OPS = 'qs_ops_admin_token_limits_0123456789';
const OWNER = 'qs_owner_dora_token_limits_0123456789';
const auth = (t: string) => ({ authorization: `Bearer ${t}` });

describe('sizes and quotas', () => {
  let stack: Stack;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'qs-limits-'));
    const file = path.join(dir, 'tokens.json');
    writeFileSync(file, JSON.stringify({ tokens: [
      { name: `alice-${Date.now()}`, role: 'analyst', sha256: hashToken(ALICE) }, // a name of its own: visibility is shared by every test file
      { name: 'ops', role: 'admin', sha256: hashToken(OPS) },
      { name: 'dora', role: 'data_owner', owner: 'dora', sha256: hashToken(OWNER) },
    ] }));
    stack = await startStack({ activities: fakeStages(), env: { QS_API_TOKENS_FILE: file, QS_MAX_OPEN_JOBS: '2', QS_MAX_SHARE_BYTES: '200' } });
  });
  afterAll(async () => {
    await stack?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('when an analyst has QS_MAX_OPEN_JOBS jobs running, then another create_job is refused with 429 until one ends; an admin is not capped', { timeout: 60_000 }, async () => {
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const res = await stack.call('POST', '/create_job', jobBody(), auth(ALICE));
      expect(res.status).toBe(200);
      ids.push(res.body.job_id);
    }
    // visibility shows a new job a moment after its start
    let third: { status: number; body: any } | undefined;
    for (const end = Date.now() + 10_000; Date.now() < end; await new Promise((r) => setTimeout(r, 200))) {
      third = await stack.call('POST', '/create_job', jobBody(), auth(ALICE));
      if (third.status !== 200) break;
      ids.push(third.body.job_id); // visibility lagged: this one got through
    }
    expect(third!.status).toBe(429);
    expect(third!.body.code).toBe('QS_TOO_MANY_JOBS');
    expect((await stack.call('POST', '/create_job', jobBody(), auth(OPS))).status).toBe(200);

    for (const id of ids) await stack.call('POST', '/cancel_job', { job_id: id }, auth(ALICE));
    let again: { status: number } | undefined;
    for (const end = Date.now() + 15_000; Date.now() < end; await new Promise((r) => setTimeout(r, 300))) {
      again = await stack.call('POST', '/create_job', jobBody(), auth(ALICE));
      if (again.status === 200) break;
    }
    expect(again!.status).toBe(200);
  });

  it('when a share file is over QS_MAX_SHARE_BYTES, then submit fails validation naming the limit', { timeout: 60_000 }, async () => {
    const jobId = (await stack.call('POST', '/create_job', jobBody(), auth(OPS))).body.job_id as string;
    const reg = await stack.call('POST', '/register_data_owner', { job_id: jobId, data_owner: 'dora' }, auth(OWNER));
    expect(reg.status).toBe(200);
    const parties = jobParties({ jobId, securityLevel: 'semi', cloudProviders: ['aws', 'gcp', 'azure'] });
    const rows = Array.from({ length: 20 }, (_, i) => [i, i * 1000]);
    const files = shareTable(Object.keys(SCHEMA), rows, parties.length);
    for (const [i, party] of parties.entries()) {
      expect(Buffer.byteLength(files[i])).toBeGreaterThan(200);
      await fetch(reg.body.presigned_urls[i], { method: 'PUT', headers: stack.storage.uploadHeaders(party), body: files[i] });
    }
    const res = await stack.call('POST', '/submit_job', { job_id: jobId }, auth(OPS));
    expect(res.status).toBe(500);
    expect(res.body.details).toHaveLength(3);
    for (const d of res.body.details) expect(d).toMatch(/over the limit of 200 \(QS_MAX_SHARE_BYTES\)/);
  });
});
