// A worker stopped while a stage runs (a redeploy's SIGTERM): the stage finishes within the shutdown grace
// instead of being cancelled, and the next worker carries the job on without running it again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Context } from '@temporalio/activity';
import { createWorker, gracefulStop } from '../../worker/create-worker.js';
import { withAttempts } from '../../worker/activities.js';
import { fakeStages } from '../helpers/fake-stages.js';
import { createJob, registerAndUpload } from '../helpers/jobs.js';
import { startStack, waitForStatus, workflowBundle, type Stack } from '../helpers/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ worker: false, env: { QS_SHUTDOWN_GRACE: '60' } });
});
afterAll(async () => {
  await stack?.close();
});

describe('a worker stopped mid-stage', () => {
  it('when shutdown comes while createVMs runs, then it completes within the grace and is not run again', { timeout: 180_000 }, async () => {
    expect(gracefulStop(stack.config)).toEqual({ shutdownGraceTime: 60_000 });
    const calls: string[] = [];
    let started = 0;
    let finished = 0;
    const base = fakeStages({ delayMs: 20, calls });
    // Held in a cancellable sleep: with no grace the worker's cancellation would end it here.
    const held = { ...base, createVMs: async (...a: Parameters<typeof base.createVMs>) => {
      started++;
      await Context.current().sleep(4000);
      finished++;
      return base.createVMs(...a);
    } };
    const first = await createWorker(stack.config, { workflowBundle: await workflowBundle(), activities: withAttempts(held), ...gracefulStop(stack.config) });
    const running = first.worker.run();

    const jobId = await createJob(stack);
    await registerAndUpload(stack, jobId, 'alice', [[30, 1000]]);
    expect((await stack.call('POST', '/submit_job', { job_id: jobId })).status).toBe(200);
    await waitForStatus(stack, jobId, (s) => s === 'Creating VMs');
    while (started === 0) await new Promise((r) => setTimeout(r, 50));
    first.worker.shutdown(); // what SIGTERM does in worker/main.ts
    await running;
    await first.close();
    expect(finished).toBe(1); // the stage ran to its end during the grace

    await stack.startWorker(withAttempts(fakeStages({ delayMs: 20, calls })));
    const { last } = await waitForStatus(stack, jobId, (s) => s === 'Success' || s === 'Fail');
    expect(last.body.status).toBe('Success');
    expect([started, calls.filter((c) => c === 'createVMs').length]).toEqual([1, 1]);
    expect(last.body.stages.find((st: { name: string }) => st.name === 'createVMs')).toMatchObject({ attempts: 1 });
  });
});
