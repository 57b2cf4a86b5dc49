// Retention of the owners' inputs: a job that fails or is cancelled keeps them (until its retention ends),
// through the workflow's end and the sweep; real API, Temporal and emulators, test-only stages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { jobParties } from '../../activities/storage/names.js';
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
