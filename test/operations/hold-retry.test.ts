// A stage that fails after its automatic retries holds the job with its resources intact for
// QS_FAILED_STAGE_HOLD; `temporal workflow signal --name retry` runs it again, `--name abort` tears down.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeStages } from '../helpers/fake-stages.js';
import { createJob, registerAndUpload } from '../helpers/jobs.js';
import { startStack, waitForStatus, type Stack } from '../helpers/stack.js';
import { temporalCli } from '../helpers/temporal-cli.js';

const calls: string[] = [];
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ activities: fakeStages({ failAt: 'runExperiment', failTimes: 1, calls }), env: { QS_STAGE_RETRIES: '1', QS_FAILED_STAGE_HOLD: '300' } });
});
afterAll(async () => stack?.close());

async function heldJob(): Promise<string> {
  const jobId = await createJob(stack);
  await registerAndUpload(stack, jobId, 'alice', [[1, 2]]);
  expect((await stack.call('POST', '/submit_job', { job_id: jobId })).status).toBe(200);
  // Held: the status stays at the failing stage's while its record says failed.
  for (let i = 0; i < 200; i++) {
    const st = await stack.call('GET', `/get_status?job_id=${jobId}`);
    const run = st.body.stages?.find((s: { name: string }) => s.name === 'runExperiment');
    if (run?.state === 'failed') {
      expect(st.body.status).toBe('Running Experiment');
      expect(st.body.stages.find((s: { name: string }) => s.name === 'deleteVMs').state).toBe('pending');
      return jobId;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the job never held');
}

describe('a failed stage held for the operator', () => {
  it('when signalled retry, then the stage runs again and the job ends Success', async () => {
    const jobId = await heldJob();
    await temporalCli(stack.config.temporal.address, ['workflow', 'signal', '--workflow-id', jobId, '--name', 'retry']);
    const { last } = await waitForStatus(stack, jobId, (s) => s === 'Success' || s === 'Fail');
    expect(last!.body.status).toBe('Success');
    const run = last!.body.stages.find((s: { name: string }) => s.name === 'runExperiment');
    expect(run).toMatchObject({ state: 'succeeded' });
    expect(calls.filter((c) => c === 'runExperiment')).toHaveLength(2);
  });

  it('when signalled abort, then it tears down and ends Fail', async () => {
    calls.length = 0;
    // failTimes was used up by the first test: make this job fail again.
    const { fakeStages: make } = await import('../helpers/fake-stages.js');
    await stack.stopWorker();
    await stack.startWorker(make({ failAt: 'runExperiment', calls }));
    const jobId = await heldJob();
    await temporalCli(stack.config.temporal.address, ['workflow', 'signal', '--workflow-id', jobId, '--name', 'abort']);
    const { last } = await waitForStatus(stack, jobId, (s) => s === 'Success' || s === 'Fail');
    expect(last!.body).toMatchObject({ status: 'Fail', error: 'Failed. Last status is Running Experiment.' });
    expect(last!.body.stages.find((s: { name: string }) => s.name === 'deleteVMs').state).toBe('succeeded');
    expect(calls).toContain('deleteVMs');
  });
});
