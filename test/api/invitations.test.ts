// Owner invitations and owners bound to their tokens, through real HTTP, Temporal and the emulators.
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
const CAROL_FILE = 'qs_carol_owner_token_0123456789'; // a data_owner token the file names "carol"
const NAMELESS = 'qs_nameless_owner_token_0123456789'; // a data_owner token without an owner name
const auth = (t: string) => ({ authorization: `Bearer ${t}` });

async function history(stack: Stack, jobId: string): Promise<string[]> {
  const events = (await stack.client.workflow.getHandle(jobId).fetchHistory()).events ?? [];
  return events.map((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name ?? '').filter(Boolean);
}

describe('owner invitations', () => {
  let stack: Stack;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'qs-invite-tokens-'));
    const file = path.join(dir, 'tokens.json');
    writeFileSync(file, JSON.stringify({ tokens: [
      { name: 'alice', role: 'analyst', sha256: hashToken(ALICE) },
      { name: 'bob', role: 'analyst', sha256: hashToken(BOB) },
      { name: 'carol-token', role: 'data_owner', owner: 'carol', sha256: hashToken(CAROL_FILE) },
      { name: 'nameless', role: 'data_owner', sha256: hashToken(NAMELESS) },
    ] }));
    stack = await startStack({ activities: fakeStages(), env: { QS_API_TOKENS_FILE: file, QS_MAX_OWNERS: '3' } });
  });
  afterAll(async () => {
    await stack?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const create = async (token = ALICE) => {
    const res = await stack.call('POST', '/create_job', jobBody(), auth(token));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.job_id as string;
  };
  const invite = (jobId: string, owner: string, token = ALICE) => stack.call('POST', `/jobs/${jobId}/owners`, { data_owner: owner }, auth(token));
  const register = (jobId: string, owner: string, token: string) => stack.call('POST', '/register_data_owner', { job_id: jobId, data_owner: owner }, auth(token));

  it('when the analyst invites an owner, then the token registers that owner on that job only, and reads that job', { timeout: 60_000 }, async () => {
    const jobId = await create();
    const other = await create();
    const inv = await invite(jobId, 'dave');
    expect(inv.status, JSON.stringify(inv.body)).toBe(200);
    expect(inv.body).toEqual({ job_id: jobId, data_owner: 'dave', token: expect.stringMatching(/^qsi_/) });
    const token = inv.body.token as string;

    // Only its hash is kept: the token appears nowhere in the job's history.
    const events = JSON.stringify((await stack.client.workflow.getHandle(jobId).fetchHistory()).events);
    expect(events).not.toContain(token.slice(-43));

    const ok = await register(jobId, 'dave', token);
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.presigned_urls).toHaveLength(3);
    expect((await register(jobId, 'alice', token)).status).toBe(403); // another owner
    expect((await register(other, 'dave', token)).status).toBe(403); // another job
    expect((await stack.call('GET', `/jobs/${jobId}`, undefined, auth(token))).status).toBe(200);
    expect((await stack.call('GET', `/jobs/${other}`, undefined, auth(token))).status).toBe(403);
    expect((await stack.call('GET', `/get_status?job_id=${jobId}`, undefined, auth(token))).status).toBe(403);
    expect((await stack.call('POST', '/submit_job', { job_id: jobId }, auth(token))).status).toBe(403);
    // A made-up invitation for the job is refused too.
    const forged = `qsi_${jobId.replace(/-/g, '')}_${'A'.repeat(43)}`;
    expect((await register(jobId, 'dave', forged)).status).toBe(403);
    expect((await stack.call('GET', `/jobs/${jobId}`, undefined, auth(forged))).status).toBe(403);
  });

  it('when analysts or tokens-file owners register, then only a file owner as its own name may', { timeout: 60_000 }, async () => {
    const jobId = await create();
    expect((await register(jobId, 'alice', ALICE)).status).toBe(403); // analysts invite, they do not register
    expect((await register(jobId, 'carol', NAMELESS)).status).toBe(403); // the file gives it no owner name
    expect((await register(jobId, 'erin', CAROL_FILE)).status).toBe(403); // not its name
    expect((await register(jobId, 'carol', CAROL_FILE)).status).toBe(200);
    expect((await stack.call('GET', `/jobs/${jobId}`, undefined, auth(CAROL_FILE))).status).toBe(200);
    expect((await stack.call('GET', `/jobs/${jobId}`, undefined, auth(NAMELESS))).status).toBe(403);
    expect((await invite(jobId, 'zed', BOB)).status).toBe(404); // not bob's job
  });

  it('when an owner registers again, then new URLs come without a new workflow update; owners are capped and one without uploads can be removed', { timeout: 60_000 }, async () => {
    const jobId = await create();
    const token = (await invite(jobId, 'dave')).body.token as string;
    const first = await register(jobId, 'dave', token);
    expect(first.status).toBe(200);
    const updatesBefore = await history(stack, jobId);
    expect(updatesBefore).toEqual(['inviteOwner', 'registerDataOwner']);
    for (let i = 0; i < 5; i++) {
      const again = await register(jobId, 'dave', token);
      expect(again.status).toBe(200);
      expect(again.body.presigned_urls).toHaveLength(3);
    }
    expect(await history(stack, jobId)).toEqual(updatesBefore);

    // QS_MAX_OWNERS=3: dave plus two more, registered or invited; a fourth is refused.
    expect((await invite(jobId, 'erin')).status).toBe(200);
    expect((await invite(jobId, 'frank')).status).toBe(200);
    const full = await invite(jobId, 'gina');
    expect(full.status).toBe(409);
    expect(full.body.code).toBe('QS_TOO_MANY_OWNERS');
    expect((await invite(jobId, 'erin')).status).toBe(200); // a new invitation for a known owner is no new owner

    // Remove an invited owner who uploaded nothing: room for another.
    expect((await stack.call('DELETE', `/jobs/${jobId}/owners/frank`, undefined, auth(BOB))).status).toBe(404);
    const removed = await stack.call('DELETE', `/jobs/${jobId}/owners/frank`, undefined, auth(ALICE));
    expect(removed.status, JSON.stringify(removed.body)).toBe(200);
    expect((await stack.call('DELETE', `/jobs/${jobId}/owners/frank`, undefined, auth(ALICE))).body.code).toBe('QS_OWNER_NOT_FOUND');
    expect((await invite(jobId, 'gina')).status).toBe(200);

    // dave uploads a share file: he stays.
    const url = first.body.presigned_urls[0] as string;
    const put = await fetch(url, { method: 'PUT', body: 'x\n', headers: url.includes('blob.core') || url.includes('10000') ? { 'x-ms-blob-type': 'BlockBlob' } : {} });
    expect(put.ok, await put.text()).toBe(true);
    const kept = await stack.call('DELETE', `/jobs/${jobId}/owners/dave`, undefined, auth(ALICE));
    expect(kept.status).toBe(409);
    expect(kept.body.code).toBe('QS_OWNER_UPLOADED');
  });
});
