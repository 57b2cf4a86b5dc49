// `temporal workflow cancel` during each stage stops the stage (its Ansible process group killed),
// tears down, and ends the job Fail with the cancel message; nothing is left of its parties, and its
// input shares are gone. Also POST /cancel_job for REST clients.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { jobParties } from '../../domain/names.js';
import { testConfig } from '../helpers/env.js';
import { createJob, registerAndUpload } from '../helpers/jobs.js';
import { slowStages } from '../helpers/slow-stages.js';
import { startStack, waitForStatus, type Stack } from '../helpers/stack.js';
import { temporalCli } from '../helpers/temporal-cli.js';

let stack: Stack;
beforeAll(async () => {
  const queue = `test-${randomUUID()}`;
  const config = testConfig({ TEMPORAL_TASK_QUEUE: queue });
  stack = await startStack({ activities: slowStages(config, 4000), env: { TEMPORAL_TASK_QUEUE: queue } });
});
afterAll(async () => stack?.close());

function leftovers(jobId: string): { dirs: string[]; processes: string[] } {
  const dir = path.join(stack.config.dataDir, 'jobs', jobId);
  const dirs = existsSync(dir) ? readdirSync(dir).filter((f) => f.startsWith('party') || f === 'ssh') : [];
  let processes: string[] = [];
  try {
    processes = execFileSync('pgrep', ['-af', `[a]nsible-playbook.*|[q]s-engine.*${jobId}`], { encoding: 'utf8' }).split('\n').filter((l) => l.includes(jobId));
  } catch {
    /* none */
  }
  return { dirs, processes };
}

async function submittedJob(): Promise<string> {
  const jobId = await createJob(stack);
  await registerAndUpload(stack, jobId, 'alice', [[1, 2]]);
  expect((await stack.call('POST', '/submit_job', { job_id: jobId })).status).toBe(200);
  return jobId;
}

describe('cancel from the temporal CLI', () => {
  it.each(['Creating VMs', 'Setting Up Authentication', 'Deploying TVA Core', 'Running Experiment'])(
    'when cancelled during %s, then Fail with the cancel message and nothing left',
    { timeout: 300_000 },
    async (stage) => {
      const jobId = await submittedJob();
      await waitForStatus(stack, jobId, (s) => s === stage || s === 'Success' || s === 'Fail', 240_000);
      await temporalCli(stack.config.temporal.address, ['workflow', 'cancel', '--workflow-id', jobId]);
      const { last } = await waitForStatus(stack, jobId, (s) => s === 'Fail' || s === 'Success', 240_000);
      expect(last!.body).toMatchObject({ status: 'Fail', error: `Cancelled. Last status is ${stage}.` });
      const stages = Object.fromEntries((last!.body.stages as { name: string; state: string }[]).map((s) => [s.name, s.state]));
      expect(stages.deleteVMs).toBe('succeeded');
      expect(Object.values(stages)).toContain('cancelled');
      expect(leftovers(jobId)).toEqual({ dirs: [], processes: [] });
      const desc = await stack.client.workflow.getHandle(jobId).describe();
      expect(desc.status.name).toBe('CANCELLED');
      // A cancelled job keeps the owners' inputs until its retention ends (only Success removes them).
      for (const party of jobParties({ jobId, securityLevel: 'semi', cloudProviders: ['aws', 'gcp', 'azure'] })) {
        expect((await stack.storage.listInputs(party)).map((b) => b.name)).toEqual(['alice']);
      }
    },
  );
});

describe('POST /cancel_job', () => {
  it('when the job runs, then it is cancelled; unknown → 404; finished → 409', { timeout: 300_000 }, async () => {
    const jobId = await submittedJob();
    await waitForStatus(stack, jobId, (s) => s === 'Creating VMs' || s === 'Fail' || s === 'Success');
    const res = await stack.call('POST', '/cancel_job', { job_id: jobId });
    expect(res.status).toBe(200);
    const { last } = await waitForStatus(stack, jobId, (s) => s === 'Fail' || s === 'Success');
    expect(last!.body.error).toMatch(/^Cancelled\. Last status is /);
    expect((await stack.call('POST', '/cancel_job', { job_id: jobId })).status).toBe(409);
    expect((await stack.call('POST', '/cancel-job', { job_id: randomUUID() })).status).toBe(404);
  });
});
