// `temporal workflow reset` to before a stage re-runs the job from there: a job that failed in
// Deploying TVA Core, reset to just before that stage, ends Success once the stage can succeed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeStages } from '../helpers/fake-stages.js';
import { createJob, registerAndUpload } from '../helpers/jobs.js';
import { startStack, waitForStatus, type Stack } from '../helpers/stack.js';
import { temporalCli } from '../helpers/temporal-cli.js';

let stack: Stack;
beforeAll(async () => {
  // deployTvaCore fails twice (one job's automatic retries), then works.
  stack = await startStack({ activities: fakeStages({ failAt: 'deployTvaCore', failTimes: 2 }), env: { QS_STAGE_RETRIES: '2' } });
});
afterAll(async () => stack?.close());

describe('reset to before a stage', () => {
  it('when a failed job is reset to before the failing stage, then the new run ends Success', async () => {
    const jobId = await createJob(stack);
    await registerAndUpload(stack, jobId, 'alice', [[1, 2]]);
    expect((await stack.call('POST', '/submit_job', { job_id: jobId })).status).toBe(200);
    const failed = await waitForStatus(stack, jobId, (s) => s === 'Fail' || s === 'Success');
    expect(failed.last!.body.error).toBe('Failed. Last status is Deploying TVA Core.');

    const history = await stack.client.workflow.getHandle(jobId).fetchHistory();
    const events = history.events ?? [];
    const scheduled = events.findIndex((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'deployTvaCore');
    const before = events.slice(0, scheduled).reverse().find((e) => e.workflowTaskCompletedEventAttributes);
    expect(before).toBeDefined();
    await temporalCli(stack.config.temporal.address, ['workflow', 'reset', '--workflow-id', jobId, '--event-id', String(before!.eventId), '--reason', 'test: re-run the stage']);

    await new Promise((r) => setTimeout(r, 500)); // past the API's 250 ms shared status answer
    const { last } = await waitForStatus(stack, jobId, (s) => s === 'Success' || s === 'Fail', 60_000);
    expect(last!.body.status).toBe('Success');
    expect(last!.body.result).toHaveLength(3);
  });
});
