// Phase 1, waiting for storage: the job opens to data owners once its buckets exist on every cloud, or
// ends Fail. The API starts the workflow (with a start delay, so that it does not run yet) while it creates
// the buckets, then sends their report by signal-with-start, which runs it at once.
//
// Compatibility paths (each a `patched` branch; a branch goes only when no history that took its old side
// can be replayed any more: a running job, or a closed one the dev server still keeps, 24 h, since the API's
// status query replays closed jobs too). An unsubmitted job stays open QS_JOB_TTL (7 days by default) in a
// dev server that keeps its state in SQLite, so every storage path any API version ever took may be running.
import { CancellationScope, condition, patched } from '@temporalio/workflow';
import { storage, storageInWorkflowTask } from './activities.js';
import { failJob, messageOf, openJob, type JobRun } from './state.js';

/** Opens the job (true) or ends it Fail with the storage error (false). */
export async function storagePhase(run: JobRun): Promise<boolean> {
  const timeoutMs = run.input.options.storageReportTimeoutMs;
  const report = timeoutMs === undefined ? await makeStorageForOlderApi(run) : await awaitStorageReport(run, timeoutMs);
  if (report.ok) {
    openJob(run);
    return true;
  }
  run.storageError = report.error;
  failJob(run, report.error);
  return false;
}

/** The API's report, or, when none came in time, the workflow's own making sure of the buckets. */
async function awaitStorageReport(run: JobRun, timeoutMs: number) {
  const { job } = run.input;
  if (await condition(() => run.storageReport !== undefined, timeoutMs)) return run.storageReport!;
  // Kept for now. The old side ran only in workflows started without a report, by hand (the API of the
  // time sent its report with the start), and each closed within minutes of taking it; the dev server
  // forgets them 24 h after they closed. So 24 h after the last worker without this patch stopped (at the
  // earliest 2026-11-30 10:00 UTC: the patch is of 2026-11-29 09:53) this becomes `deprecatePatch` with
  // the new side only, and before-report-fallback-storage-report-missing.json goes (checked: every other
  // committed history replays that way).
  if (patched('storage-report-fallback')) {
    // The API answers create_job before its report arrives, so a job whose report was lost (the API
    // died, or lost Temporal, in between) has an owner who knows its id: make sure of the buckets
    // here (idempotent; an activity of its own, which operators see in the Web UI) and open the job.
    run.storageReport = await tryCreateStorage(() => storage.createJobStorage(job));
  } else {
    await CancellationScope.nonCancellable(() => storage.deleteJobStorage(job, 'all'));
    run.storageReport = { ok: false, error: 'Buckets creation error: the API did not report the job storage in time; any bucket it made was removed' };
  }
  return run.storageReport;
}

/** A job of an older API (no storageReportTimeoutMs): the workflow makes the buckets, and the API waits
 *  for them through the storageReady update. Kept: such a job may still be open (created before
 *  2026-11-29 09:53, open up to QS_JOB_TTL). The patch too: jobs created before it (2026-11-28 18:44) made
 *  their buckets in an activity of their own and may be open as well (before-rerun-stage-loses-worker.json
 *  took that side; the before-api-storage-* histories the local-activity one). */
async function makeStorageForOlderApi(run: JobRun) {
  const { job } = run.input;
  const acts = patched('create-storage-as-local-activity') ? storageInWorkflowTask : storage;
  run.storageReport = await tryCreateStorage(() => acts.createJobStorage(job));
  return run.storageReport;
}

async function tryCreateStorage(create: () => Promise<void>) {
  try {
    await create();
    return { ok: true } as const;
  } catch (err) {
    return { ok: false, error: messageOf(err) } as const;
  }
}
