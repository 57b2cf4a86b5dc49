// The job workflow's failure paths on the real dev server, and a replay of the histories they record
// (a change that breaks determinism fails here, not in production).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { cloudStorages } from '../../infra/storage/index.js';
import { BUCKET_PREFIX, jobParties } from '../../domain/names.js';
import { randomUUID } from 'node:crypto';
import { fakeStages } from '../helpers/fake-stages.js';
import type { jobWorkflow } from '../../workflows/job.js';
import { JOB_WORKFLOW_TYPE, registerDataOwnerUpdate, statusQuery, storageCreatedSignal, submitUpdate } from '../../workflows/messages.js';
import { createJob, jobInput, registerAndUpload } from '../helpers/jobs.js';
import { startStack, waitForStatus, workflowBundle, type Stack } from '../helpers/stack.js';

// Committed histories: one per path a job that may still be running, or still be replayed by a status query
// (the dev server keeps a closed job 24 h), has taken. before-api-storage-*: the workflow made the buckets (an
// older API; local activity side of create-storage-as-local-activity, old side of keep-inputs-unless-success);
// before-rerun-*: recorded with the workflow of 9fa11a3^ (an activity made the buckets; a stage whose every attempt
// lost its worker failed the job; inputs deleted on any end); before-report-fallback-*: the old report timeout,
// which removed the buckets; api-storage-*: the API makes the buckets and reports them (recorded with the
// one-function workflow before its split into phases, so they also show that the split kept its commands).
// QS_RECORD_HISTORIES=1 writes this run's histories there.
const HISTORY_DIR = path.join(path.dirname(new URL(import.meta.url).pathname), 'histories');
const recorded: { id: string; history: unknown }[] = [];

async function record(stack: Stack, jobId: string, name: string) {
  const history = await stack.client.workflow.getHandle(jobId).fetchHistory();
  recorded.push({ id: jobId, history });
  if (process.env.QS_RECORD_HISTORIES === '1') {
    mkdirSync(HISTORY_DIR, { recursive: true });
    // proto3 JSON (what `temporal workflow show --output json` writes), which replay reads back.
    writeFileSync(path.join(HISTORY_DIR, `${name}.json`), historyToJSON(history));
  }
}

describe('a stage that fails after its retries', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ activities: fakeStages({ failAt: 'deployTvaCore' }), env: { QS_STAGE_RETRIES: '2' } });
  });
  afterAll(async () => stack?.close());

  it('then the job ends Fail with the failing stage as last status, after teardown', async () => {
    const jobId = await createJob(stack);
    await registerAndUpload(stack, jobId, 'alice', [[1, 2]]);
    expect((await stack.call('POST', '/submit_job', { job_id: jobId })).status).toBe(200);
    const { seen, last } = await waitForStatus(stack, jobId, (s) => s === 'Fail' || s === 'Success');
    expect(seen).toContain('Deploying TVA Core');
    expect(last!.body).toMatchObject({ status: 'Fail', error: 'Failed. Last status is Deploying TVA Core.', job_id: jobId });
    const stages = Object.fromEntries(last!.body.stages.map((s: { name: string }) => [s.name, s]));
    expect(stages.deployTvaCore).toMatchObject({ state: 'failed', attempts: 2 });
    expect(stages.deployTvaCore.error).toMatch(/simulated failure/);
    expect(stages.deployTvaCore.log_tail.join('\n')).toMatch(/fatal: boom/);
    expect(stages.runExperiment.state).toBe('pending');
    expect(stages.deleteVMs.state).toBe('succeeded');
    await record(stack, jobId, 'stage-fails');
  });
});

describe('a stage whose every attempt loses its worker', () => {
  let stack: Stack;
  beforeAll(async () => {
    // Both attempts of the first run of deployTvaCore stop heartbeating, as when its worker is killed.
    stack = await startStack({ activities: fakeStages({ stallAt: 'deployTvaCore', stallTimes: 2 }), env: { QS_STAGE_RETRIES: '2', QS_STAGE_HEARTBEAT_TIMEOUT: '1' } });
  });
  afterAll(async () => stack?.close());

  it('then the workflow runs the stage again instead of failing the job, and counts the lost attempts', async () => {
    const jobId = await createJob(stack);
    await registerAndUpload(stack, jobId, 'alice', [[1, 2]]);
    expect((await stack.call('POST', '/submit_job', { job_id: jobId })).status).toBe(200);
    const { last } = await waitForStatus(stack, jobId, (s) => s === 'Fail' || s === 'Success');
    expect(last!.body.status, JSON.stringify(last!.body.stages)).toBe('Success');
    const stages = Object.fromEntries(last!.body.stages.map((s: { name: string }) => [s.name, s]));
    expect(stages.deployTvaCore).toMatchObject({ state: 'succeeded', attempts: 3 });
    await record(stack, jobId, 'stage-loses-worker');
  });
});

describe('storage creation that fails on one cloud', () => {
  let stack: Stack;
  beforeAll(async () => {
    // Azure points at a closed port: creation fails there after S3 and GCS succeeded.
    stack = await startStack({ activities: fakeStages(), env: { QS_AZURE_ENDPOINT: 'http://127.0.0.1:9/devstoreaccount1', QS_CORS_ORIGINS: '*' } });
  });
  afterAll(async () => stack?.close());

  it('then create_job answers 500 Buckets creation error and leaves no bucket anywhere', async () => {
    const clouds = cloudStorages(stack.config);
    const res = await stack.call('POST', '/create_job', {
      analysis_name: 'x', query_sql: 'SELECT COUNT(*) FROM t', security_level: 'semi', cloud_providers: ['aws', 'gcp', 'azure'], schema: { a: 'u' },
    });
    expect(res.status).toBe(500);
    expect(res.body.error).toMatch(/^Buckets creation error: azure: /);
    // The job id was never answered: find the workflow on this stack's own task queue.
    let jobId: string | undefined;
    for (let i = 0; i < 50 && !jobId; i++) {
      for await (const wf of stack.client.workflow.list({ query: `TaskQueue = '${stack.config.temporal.taskQueue}'` })) jobId = wf.workflowId;
      if (!jobId) await new Promise((r) => setTimeout(r, 200));
    }
    expect(jobId).toBeDefined();
    for (const party of jobParties({ jobId: jobId!, securityLevel: 'semi', cloudProviders: ['aws', 'gcp', 'azure'] })) {
      if (party.provider === 'azure') continue; // unreachable in this test
      expect(await clouds[party.provider].bucketExists(party.inputBucket)).toBe(false);
      expect(await clouds[party.provider].bucketExists(party.outputBucket)).toBe(false);
    }
    const all = [...(await clouds.aws.listBuckets(BUCKET_PREFIX)), ...(await clouds.gcp.listBuckets(BUCKET_PREFIX))];
    expect(all.filter((b) => b.includes(jobId!.replace(/-/g, '')))).toEqual([]);
    await stack.client.workflow.getHandle(jobId!).result();
    await record(stack, jobId!, 'storage-fails');
  });
});

describe('the storage report from the API', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ activities: fakeStages() });
  });
  afterAll(async () => stack?.close());

  // Starts a job's workflow as create_job does, but the test plays the API's part by hand.
  async function startJob(reportTimeoutMs: number) {
    const jobId = randomUUID();
    const input = jobInput(stack, jobId, reportTimeoutMs);
    const { job } = input;
    const handle = await stack.client.workflow.start<typeof jobWorkflow>(JOB_WORKFLOW_TYPE, { workflowId: jobId, taskQueue: stack.config.temporal.taskQueue, args: [input] });
    return { job, handle, parties: jobParties(job) };
  }

  it('when register and submit arrive before the report, then they wait for it, and a failed report refuses them', async () => {
    const { job, handle, parties } = await startJob(60_000);
    const register = handle.executeUpdate(registerDataOwnerUpdate, { args: ['alice'] });
    await new Promise((r) => setTimeout(r, 500));
    await stack.storage.create(parties);
    await handle.signal(storageCreatedSignal, { ok: true });
    expect(await register).toMatchObject({ jobId: job.jobId });
    expect((await handle.query(statusQuery)).owners).toEqual(['alice']);
    await handle.cancel();
    await record(stack, job.jobId, 'register-before-report');
    await stack.storage.delete(parties, 'all');

    const failed = await startJob(60_000);
    const early = failed.handle.executeUpdate(submitUpdate).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 500));
    await failed.handle.signal(storageCreatedSignal, { ok: false, error: 'Buckets creation error: gcp: quota' });
    expect(((await early) as Error & { cause?: { message?: string } }).cause?.message).toBe('Buckets creation error: gcp: quota');
    const end = await failed.handle.result();
    expect(end).toMatchObject({ phase: 'Fail', status: 'Fail', error: 'Buckets creation error: gcp: quota' });
    await record(stack, failed.job.jobId, 'storage-report-failed');
  });

  it('when no report comes (the API answered, then died), then the workflow makes sure of the buckets itself and opens the job', async () => {
    const { job, handle, parties } = await startJob(2_000);
    await stack.storage.create([parties[0]]); // the API had made some of them
    const register = handle.executeUpdate(registerDataOwnerUpdate, { args: ['alice'] });
    expect(await register).toMatchObject({ jobId: job.jobId });
    expect(await handle.query(statusQuery)).toMatchObject({ phase: 'Open', owners: ['alice'] });
    const clouds = cloudStorages(stack.config);
    for (const p of parties) {
      expect(await clouds[p.provider].bucketExists(p.inputBucket)).toBe(true);
      expect(await clouds[p.provider].bucketExists(p.outputBucket)).toBe(true);
    }
    await handle.cancel();
    await handle.result().catch(() => undefined);
    await record(stack, job.jobId, 'storage-report-missing');
    await stack.storage.delete(parties, 'all');
  });
});

describe('replay', () => {
  it('when the recorded histories are replayed against the current workflow code, then they are deterministic', async () => {
    const committed = (() => {
      try {
        return readdirSync(HISTORY_DIR).filter((f) => f.endsWith('.json')).map((f) => ({ id: f, history: JSON.parse(readFileSync(path.join(HISTORY_DIR, f), 'utf8')) }));
      } catch {
        return [];
      }
    })();
    const all = [...recorded, ...committed];
    expect(all.length).toBeGreaterThan(0);
    for (const { id, history } of all) {
      await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history as never, id);
    }
  });
});
