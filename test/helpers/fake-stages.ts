// A test-only stage activity set: each stage "runs" briefly and succeeds, or fails where told. Used to
// exercise the workflow's paths quickly; the end-to-end tests run the real playbooks instead.
import { ApplicationFailure } from '@temporalio/common';
import type { StageActivities } from '../../workflows/activity-types.js';
import type { StageResult } from '../../domain/job.js';

const ok = (stage: string): StageResult => ({ durationMs: 50, logTail: [`${stage}: ok`] });
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function fakeStages(opts: { failAt?: keyof StageActivities; failTimes?: number; delayMs?: number; calls?: string[]; stallAt?: keyof StageActivities; stallTimes?: number; stallMs?: number } = {}): StageActivities {
  let failures = 0;
  let stalls = 0;
  const run = async (name: keyof StageActivities, extra: Partial<StageResult> = {}) => {
    opts.calls?.push(name);
    // A stall never heartbeats: to Temporal it looks like a worker that died mid-stage.
    if (opts.stallAt === name && stalls++ < (opts.stallTimes ?? 0)) await pause(opts.stallMs ?? 3000);
    await pause(opts.delayMs ?? 100);
    if (opts.failAt === name && (opts.failTimes === undefined || failures++ < opts.failTimes)) {
      throw ApplicationFailure.create({ message: `${name} failed at task 'simulated failure'`, details: [{ logTail: ['TASK [simulated failure]', 'fatal: boom'] }] });
    }
    return { ...ok(name), ...extra };
  };
  return {
    createVMs: (job) => run('createVMs', { facts: { hosts: [0, 1, 2].map((index) => ({ index, name: `party${index}`, address: '127.0.0.1', compute: 'local' as const })) } }).then((r) => (void job, r)),
    setupAuthentication: () => run('setupAuthentication'),
    deployTvaCore: () => run('deployTvaCore'),
    runExperiment: () => run('runExperiment'),
    deleteVMs: () => run('deleteVMs'),
  };
}
