// Retention of the owners' inputs: a job that fails or is cancelled keeps them (until its retention ends),
// through the workflow's end and the sweep; real API, Temporal and emulators, test-only stages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { jobParties } from '../../domain/names.js';
import { cloudStorages } from '../../infra/storage/index.js';
import { fakeStages } from '../helpers/fake-stages.js';
import { createJob, registerAndUpload } from '../helpers/jobs.js';
import { startStack, waitForStatus, type Stack } from '../helpers/stack.js';
import { temporalCli } from '../helpers/temporal-cli.js';

const inputsOf = async (stack: Stack, jobId: string) =>
  (await stack.storage.inputSizes(jobParties({ jobId, securityLevel: 'semi', cloudProviders: ['aws', 'gcp', 'azure'] }), ['alice'])).filter((s) => s.size !== undefined).length;

describe("the owners' inputs when a job does not succeed", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ activities: fakeStages({ failAt: 'runExperiment', delayMs: 1500 }), env: { QS_STAGE_RETRIES: '1', QS_DELETE_INPUTS_ON_END: 'true' } });
  });
  afterAll(async () => stack?.close());

  it('when a job fails, or is cancelled while it runs, then every input stays, also through a sweep', { timeout: 120_000 }, async () => {
    const failing = await createJob(stack);
    const cancelled = await createJob(stack);
    for (const id of [failing, cancelled]) {
      await registerAndUpload(stack, id, 'alice', [[30, 1000]]);
      expect((await stack.call('POST', '/submit_job', { job_id: id })).status).toBe(200);
    }
    await waitForStatus(stack, cancelled, (s) => s === 'Creating VMs', 30_000);
    expect((await stack.call('POST', '/cancel_job', { job_id: cancelled })).status).toBe(200);
    for (const id of [failing, cancelled]) {
      const { last } = await waitForStatus(stack, id, (s) => s === 'Fail' || s === 'Success', 60_000);
      expect(last!.body.status).toBe('Fail');
      await stack.client.workflow.getHandle(id).result().catch(() => undefined);
      expect(await inputsOf(stack, id), id).toBe(3);
    }
    await temporalCli(stack.config.temporal.address, ['workflow', 'execute', '--type', 'sweepWorkflow', '--task-queue', stack.config.temporal.taskQueue, '--workflow-id', `sweep-${randomUUID()}`, '--input', JSON.stringify({ jobIds: [failing, cancelled] })]);
    for (const id of [failing, cancelled]) expect(await inputsOf(stack, id), id).toBe(3);
  });
});

describe('a job Temporal no longer knows', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ activities: fakeStages() });
  });
  afterAll(async () => stack?.close());

  // The dev server forgets a closed workflow after a day: its buckets must still last QS_RESULT_TTL.
  it('when its buckets hold results, then the sweep keeps them for QS_RESULT_TTL from the last write (its inputs go, as a success\'s); empty ones go', { timeout: 120_000 }, async () => {
    const [forgotten, abandoned] = [randomUUID(), randomUUID()];
    const parties = (id: string) => jobParties({ jobId: id, securityLevel: 'semi', cloudProviders: ['aws', 'gcp', 'azure'] });
    await Promise.all([stack.storage.create(parties(forgotten), { fresh: true }), stack.storage.create(parties(abandoned), { fresh: true })]);
    for (const p of parties(forgotten)) {
      const { url, headers } = await stack.storage.resultUploadUrl(p);
      expect((await fetch(url, { method: 'PUT', headers, body: 'total_0\n1\n' })).ok).toBe(true);
    }
    const [urls] = [await stack.storage.uploadUrls(parties(forgotten), 'alice')];
    for (const [i, p] of parties(forgotten).entries()) {
      expect((await fetch(urls[i], { method: 'PUT', headers: stack.storage.uploadHeaders(p), body: 'a_0\n1\n' })).ok).toBe(true);
    }
    const out = await temporalCli(stack.config.temporal.address, ['workflow', 'execute', '--type', 'sweepWorkflow', '--task-queue', stack.config.temporal.taskQueue, '--workflow-id', `sweep-${randomUUID()}`, '--input', JSON.stringify({ jobIds: [forgotten, abandoned] }), '--output', 'json']);
    expect((JSON.parse(out) as { result: Record<string, number> }).result).toMatchObject({ jobsChecked: 2, bucketsRemoved: 6, resultsKept: 1 });
    const clouds = cloudStorages(stack.config);
    for (const p of parties(forgotten)) expect((await clouds[p.provider].listBlobs(p.outputBucket)).map((b) => b.name), p.provider).toEqual(['result']);
    // results mean the job succeeded: its inputs go as a succeeded job's do (QS_DELETE_INPUTS_ON_END)
    expect(await inputsOf(stack, forgotten)).toBe(0);
    expect(await Promise.all(parties(forgotten).map((p) => clouds[p.provider].bucketExists(p.inputBucket)))).toEqual([true, true, true]);
    await stack.storage.delete(parties(forgotten));
  });
});
