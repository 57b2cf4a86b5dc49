// Phase 4, teardown: whatever the stages did, the VMs go (and, after a success, the owners' inputs), then
// the job ends Success or Fail.
import { CancellationScope, patched } from '@temporalio/workflow';
import { lastStatusError } from '../messages.js';
import { storage, teardownActivities, TEARDOWN_ATTEMPTS } from './activities.js';
import { failJob, failRecord, finishRecord, stageRecord, succeedJob, type JobRun } from './state.js';
import type { StagesOutcome } from './stages-phase.js';

/** Tears down and ends the job; a teardown that fails makes the job fail. */
export async function teardownPhase(run: JobRun, outcome: StagesOutcome): Promise<void> {
  const { job, options } = run.input;
  let failure = outcome.failure;
  const rec = stageRecord(run, 'deleteVMs');
  rec.state = 'running';
  rec.startedAt = new Date().toISOString();
  try {
    const result = await CancellationScope.nonCancellable(async () => {
      const r = await teardownActivities(options).deleteVMs(job);
      // Retention: the owners' input shares are not needed once the job has succeeded. A failed or
      // cancelled job keeps them (a passing fault must not cost every owner's upload) until its
      // retention ends and the sweep removes its buckets. Workers from before the patch (2026-11-29 23:20)
      // deleted them on any end (before-api-storage-stage-fails.json, before-rerun-stage-loses-worker.json);
      // such a job closed minutes later but a status query replays it for 24 h after, so the patch stays
      // until 24 h after the last such worker stopped (at the earliest 2026-12-01 00:00 UTC).
      if (options.deleteInputsOnEnd && (!failure || !patched('keep-inputs-unless-success'))) await storage.deleteJobStorage(job, 'inputs');
      return r;
    });
    finishRecord(rec, result);
  } catch (err) {
    failRecord(rec, err, TEARDOWN_ATTEMPTS);
    failure ??= 'failed';
  }
  if (!failure) succeedJob(run);
  else failJob(run, lastStatusError(failure, run.state.lastStatus!));
}
