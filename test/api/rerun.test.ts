// A failed job can be run again without new uploads (issue 18): POST /jobs/{job_id}/rerun starts a new job
// with the failed job's configuration, owners and kept share files (copied into the new job's buckets) and
// submits it. Through real HTTP, Temporal and the three storage emulators; the stages are stand-ins that
// fail at runExperiment until told otherwise.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { hashToken } from '../../api/auth.js';
import { jobParties } from '../../domain/names.js';
import { main } from '../../client/qs.js';
import { fakeStages } from '../helpers/fake-stages.js';
import { createJob, jobBody, registerAndUpload } from '../helpers/jobs.js';
import { startStack, waitForStatus, type Stack } from '../helpers/stack.js';

describe('rerun of a failed job', () => {
  let stack: Stack;
  let failing = true;
  /** What each job's input buckets held when its (stand-in) computation ran: a succeeded job's inputs go at its end. */
  const inputsAtRun = new Map<string, Record<string, string | undefined>>();
  beforeAll(async () => {
    const stages = fakeStages();
    stack = await startStack({
      activities: {
        ...stages,
        runExperiment: async (...args: Parameters<typeof stages.runExperiment>) => {
          if (failing) throw ApplicationFailure.nonRetryable('runExperiment failed: a passing infrastructure fault', 'Simulated');
          const [job, , owners] = args;
          const seen: Record<string, string | undefined> = {};
          for (const p of jobParties(job)) for (const o of owners) seen[`${o}/${p.index}`] = await stack.storage.readInputHead(p, o, 1 << 20);
          inputsAtRun.set(job.jobId, seen);
          return stages.runExperiment(...args);
        },
      },
    });
  });
  afterAll(async () => stack?.close());

  it('when a job failed, then rerun answers a new job id that runs on copies of the kept inputs and succeeds; a rerun of a succeeded or running job is 409', { timeout: 240_000 }, async () => {
    const jobId = await createJob(stack);
    await registerAndUpload(stack, jobId, 'alice', [[30, 100], [40, 200]]);
    await registerAndUpload(stack, jobId, 'bob', [[50, 300]]);
    expect((await stack.call('POST', `/jobs/${jobId}/rerun`)).status).toBe(409); // open, not yet failed
    expect((await stack.call('POST', '/submit_job', { job_id: jobId })).status).toBe(200);
    await waitForStatus(stack, jobId, (s) => s === 'Fail' || s === 'Success', 120_000);

    failing = false;
    const rerun = await stack.call('POST', `/jobs/${jobId}/rerun`);
    expect(rerun.status, JSON.stringify(rerun.body)).toBe(200);
    const newId = rerun.body.job_id as string;
    expect(newId).toMatch(/^[0-9a-f-]{36}$/);
    expect(newId).not.toBe(jobId);
    const { last } = await waitForStatus(stack, newId, (s) => s === 'Fail' || s === 'Success', 120_000);
    expect(last!.body.status).toBe('Success');

    // The same configuration, and every owner's share file, byte for byte, in the new job's own buckets.
    const [oldJob, newJob] = await Promise.all([stack.call('GET', `/jobs/${jobId}`), stack.call('GET', `/jobs/${newId}`)]);
    const strip = ({ job_id: _a, created_at: _b, status: _c, ...rest }: Record<string, unknown>) => rest;
    expect(strip(newJob.body)).toEqual(strip(oldJob.body));
    // (the failed job kept its inputs; the new job had copies when it ran, and lost them when it succeeded)
    const oldParties = jobParties({ jobId, securityLevel: 'semi', cloudProviders: ['aws', 'gcp', 'azure'] });
    const seen = inputsAtRun.get(newId)!;
    expect(Object.keys(seen).sort()).toEqual(['alice/0', 'alice/1', 'alice/2', 'bob/0', 'bob/1', 'bob/2']);
    for (const [i, p] of oldParties.entries()) {
      for (const owner of ['alice', 'bob']) {
        const kept = await stack.storage.readInputHead(p, owner, 1 << 20);
        expect(kept, `${owner} party ${i}`).toBeDefined();
        expect(seen[`${owner}/${i}`]).toBe(kept);
      }
    }

    // The new job succeeded: no rerun of it. The old one may be rerun again (its inputs are still kept).
    const again = await stack.call('POST', `/jobs/${newId}/rerun`);
    expect(again.status).toBe(409);
    expect(again.body.message ?? JSON.stringify(again.body)).toMatch(/succeeded/);
    expect((await stack.call('POST', `/jobs/00000000-0000-4000-8000-000000000000/rerun`)).status).toBe(404);
  });

  it("when a failed job's kept inputs are no longer all there, then rerun is 409 naming what is missing and starts no job", { timeout: 240_000 }, async () => {
    failing = true;
    const jobId = await createJob(stack);
    await registerAndUpload(stack, jobId, 'dave', [[1, 2]]);
    expect((await stack.call('POST', '/submit_job', { job_id: jobId })).status).toBe(200);
    await waitForStatus(stack, jobId, (s) => s === 'Fail' || s === 'Success', 120_000);
    const [, party1] = jobParties({ jobId, securityLevel: 'semi', cloudProviders: ['aws', 'gcp', 'azure'] });
    await stack.storage.delete([party1], 'inputs');
    const before = inputsAtRun.size;
    const res = await stack.call('POST', `/jobs/${jobId}/rerun`);
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'QS_RERUN_REFUSED' });
    expect(JSON.stringify(res.body)).toContain('data owner dave, party 1');
    expect(inputsAtRun.size).toBe(before);
  });

  it('when qs rerun --job names a failed job, then it prints the new job id', { timeout: 240_000 }, async () => {
    failing = true;
    const jobId = await createJob(stack);
    await registerAndUpload(stack, jobId, 'carol', [[1, 2]]);
    expect((await stack.call('POST', '/submit_job', { job_id: jobId })).status).toBe(200);
    await waitForStatus(stack, jobId, (s) => s === 'Fail' || s === 'Success', 120_000);
    failing = false;
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(['rerun', '--job', jobId], { ...process.env, QS_URL: stack.url }, { stdout: (l) => out.push(l), stderr: (l) => err.push(l) });
    expect(code, err.join('\n')).toBe(0);
    const newId = out.join('\n').match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/)?.[0];
    expect(newId).toBeDefined();
    expect(newId).not.toBe(jobId);
    const { last } = await waitForStatus(stack, newId!, (s) => s === 'Fail' || s === 'Success', 120_000);
    expect(last!.body.status).toBe('Success');
  });
});

describe('rerun and job ownership', () => {
  const ALICE = 'qs_alice_analyst_token_0123456789';
  const BOB = 'qs_bob_analyst_token_0123456789';
  const auth = (t: string) => ({ authorization: `Bearer ${t}` });
  let stack: Stack;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'qs-rerun-tokens-'));
    const file = path.join(dir, 'tokens.json');
    writeFileSync(file, JSON.stringify({ tokens: [{ name: 'alice', role: 'analyst', sha256: hashToken(ALICE) }, { name: 'bob', role: 'analyst', sha256: hashToken(BOB) }] }));
    stack = await startStack({ activities: fakeStages(), env: { QS_API_TOKENS_FILE: file } });
  });
  afterAll(async () => {
    await stack?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("when another analyst or no token names a job, then rerun answers 404 or 401; its analyst gets 409 for a running job", { timeout: 60_000 }, async () => {
    const created = await stack.call('POST', '/create_job', jobBody(), auth(ALICE));
    expect(created.status).toBe(200);
    const jobId = created.body.job_id as string;
    expect((await stack.call('POST', `/jobs/${jobId}/rerun`, undefined, auth(BOB))).status).toBe(404);
    expect((await stack.call('POST', `/jobs/${jobId}/rerun`)).status).toBe(401);
    expect((await stack.call('POST', `/jobs/${jobId}/rerun`, undefined, auth(ALICE))).status).toBe(409);
    await stack.client.workflow.getHandle(jobId).terminate('test done');
  });
});
