// A worker killed with -9 in the middle of "Running Experiment": the stage's heartbeat times out, a
// second worker retries it, the retry stops the first attempt's engine, and the job ends Success with
// one set of parties and the right answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { resultTable } from '../../domain/shares.js';
import { createJob, registerAndUpload } from '../helpers/jobs.js';
import { startStack, waitForStatus, type Stack } from '../helpers/stack.js';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process.js';

let stack: Stack;
const workers: WorkerProcess[] = [];
beforeAll(async () => {
  stack = await startStack({ worker: false, env: { QS_STAGE_HEARTBEAT_TIMEOUT: '8' } });
});
afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await stack?.close();
});

function engineProcesses(jobId: string): string[] {
  try {
    return execFileSync('pgrep', ['-af', `[q]s-engine.*${jobId}|[m]pirun.*${jobId}`], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

describe('a worker crash during Running Experiment', () => {
  it('then another worker finishes the job with one set of parties', { timeout: 600_000 }, async () => {
    const env = { TEMPORAL_TASK_QUEUE: stack.config.temporal.taskQueue, QS_STAGE_HEARTBEAT_TIMEOUT: '8', QS_DATA_DIR: stack.config.dataDir, QS_SWEEP_INTERVAL: '0' };
    const first = startWorkerProcess(env, 'worker-a');
    workers.push(first);
    await first.ready;
    const jobId = await createJob(stack);
    await registerAndUpload(stack, jobId, 'alice', [[30, 1000], [40, 2000]]);
    expect((await stack.call('POST', '/submit_job', { job_id: jobId })).status).toBe(200);
    await waitForStatus(stack, jobId, (s) => s === 'Running Experiment' || s === 'Success' || s === 'Fail', 300_000);
    first.kill9();

    const second = startWorkerProcess(env, 'worker-b');
    workers.push(second);
    await second.ready;
    const { last } = await waitForStatus(stack, jobId, (s) => s === 'Success' || s === 'Fail', 400_000);
    expect(last!.body.status, JSON.stringify(last!.body.stages, null, 1)).toBe('Success');
    const run = (last!.body.stages as { name: string; attempts: number }[]).find((s) => s.name === 'runExperiment')!;
    expect(run.attempts).toBeGreaterThanOrEqual(2); // the crashed attempt, then the retry
    const files = await Promise.all((last!.body.result as string[]).map(async (u) => (await fetch(u)).text()));
    expect(resultTable(files).rows).toEqual([[3000, 2]]);

    const jobDir = path.join(stack.config.dataDir, 'jobs', jobId);
    const parties = existsSync(jobDir) ? readdirSync(jobDir).filter((f) => f.startsWith('party')) : [];
    expect(parties).toEqual([]); // torn down: no second set left behind
    expect(engineProcesses(jobId)).toEqual([]);
  });
});
