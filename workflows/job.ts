// One workflow per job (workflow id = job id). It owns every fact about the job: configuration,
// owners, status, stage records. Deterministic: no I/O, no clock or randomness but the SDK's.
import {
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  log,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  allHandlersFinished,
  upsertMemo,
  upsertSearchAttributes,
  ActivityFailure,
  TimeoutFailure,
  ActivityCancellationType,
  patched,
  proxyLocalActivities,
} from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType, TimeoutType } from '@temporalio/common';
import type { StorageActivities, StageActivities } from './activity-types.js';
import {
  FAILURE,
  OPEN_STATUS,
  STATUS_SEARCH_ATTRIBUTE,
  abortSignal,
  inviteOwnerUpdate,
  registerDataOwnerUpdate,
  removeOwnerUpdate,
  retrySignal,
  statusQuery,
  storageCreatedSignal,
  storageReadyUpdate,
  submitUpdate,
  type JobInput,
  type JobRef,
  type JobState,
  type RegisterProof,
  type StorageReport,
  type SubmitOutcome,
} from './messages.js';
import { OWNER_ID_PATTERN, partyCount, type JobStatus, type PartyHost, type StageName, type StageRecord, type StageResult } from '../domain/job.js';

const statusKey = defineSearchAttributeKey(STATUS_SEARCH_ATTRIBUTE, SearchAttributeType.KEYWORD);

interface StageDef {
  name: Exclude<StageName, 'deleteVMs'>;
  running: JobStatus;
  done?: JobStatus;
}

/** The stages in order, with the seed status shown while each runs and after it ends. */
const STAGES: StageDef[] = [
  { name: 'createVMs', running: 'Creating VMs', done: 'VMs Created' },
  { name: 'setupAuthentication', running: 'Setting Up Authentication', done: 'Finished Authentication Setup' },
  { name: 'deployTvaCore', running: 'Deploying TVA Core', done: 'Finished TVA Core Deployment' },
  { name: 'runExperiment', running: 'Running Experiment' },
];

const STORAGE_CALLS = { startToCloseTimeout: '2 minutes', retry: { maximumAttempts: 2, initialInterval: '1 second' } } as const;
const storage = proxyActivities<StorageActivities>(STORAGE_CALLS);
// Creating the buckets takes one round trip per cloud (in parallel): as a local activity it runs inside the
// workflow task, which spares create_job, which waits for it, two task round trips through Temporal.
const localStorage = proxyLocalActivities<StorageActivities>(STORAGE_CALLS);

export async function jobWorkflow(input: JobInput): Promise<JobState> {
  const { job, options } = input;
  const ref: JobRef = { jobId: job.jobId, cloudProviders: job.cloudProviders, securityLevel: job.securityLevel };
  const state: JobState = {
    phase: 'Creating Storage',
    owners: [],
    job,
    stages: [...STAGES.map((s) => s.name), 'deleteVMs' as const].map(
      (name): StageRecord => ({ name, status: STAGES.find((s) => s.name === name)?.running ?? 'Teardown', state: 'pending', attempts: 0 }),
    ),
  };
  let storageError: string | undefined;
  let storageReport: StorageReport | undefined;
  let submitting = false;
  let operatorChoice: 'retry' | 'abort' | undefined;

  const stages = proxyActivities<StageActivities>({
    startToCloseTimeout: options.stage.timeoutSeconds * 1000,
    heartbeatTimeout: options.stage.heartbeatTimeoutSeconds * 1000,
    // Wait for the stage to acknowledge cancellation (its Ansible process group killed) before teardown.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: { maximumAttempts: options.stage.retries, initialInterval: '2 seconds', backoffCoefficient: 2 },
  });
  const teardownActivities = proxyActivities<StageActivities>({
    startToCloseTimeout: options.stage.timeoutSeconds * 1000,
    heartbeatTimeout: options.stage.heartbeatTimeoutSeconds * 1000,
    retry: { maximumAttempts: 10, initialInterval: '2 seconds', maximumInterval: '1 minute' },
  });

  const record = (name: StageName) => state.stages.find((s) => s.name === name)!;
  const setStatus = (status: JobStatus | typeof OPEN_STATUS) => {
    if (status !== OPEN_STATUS) {
      state.status = status;
      if (status !== 'Success' && status !== 'Fail') state.lastStatus = status;
    }
    upsertSearchAttributes([{ key: statusKey, value: status }]);
    upsertMemo({ status });
    setCurrentDetails(details(input, status, state.owners.length));
  };
  const alreadySubmitted = () => ApplicationFailure.create({ type: FAILURE.alreadySubmitted, message: 'the job was already submitted' });
  // Register and submit wait for the storage report. From create_job it follows the answer by milliseconds
  // and the workflow does not run before it (unless its start delay ends); a workflow started another way
  // (by hand, an older API) may get them first.
  const refuseUnlessOpen = () => {
    if (submitting || (state.phase !== 'Open' && state.phase !== 'Creating Storage')) throw alreadySubmitted();
  };
  const storageSettled = async () => {
    await condition(() => state.phase !== 'Creating Storage');
    if (storageError !== undefined) throw ApplicationFailure.create({ type: FAILURE.notOpen, message: storageError });
  };

  setHandler(statusQuery, () => state);
  setHandler(storageReadyUpdate, async () => {
    await condition(() => state.phase !== 'Creating Storage');
    if (storageError) throw ApplicationFailure.create({ type: FAILURE.storageCreation, message: storageError, nonRetryable: true });
    return ref;
  });
  // Owners count once whether registered, invited or both. (Jobs of an older API have no maxOwners and
  // no invitations, so their histories replay through these handlers unchanged.)
  const knownOwner = (owner: string) => state.owners.includes(owner) || (state.invitations ?? []).some((i) => i.owner === owner);
  const ownerCount = () => new Set([...state.owners, ...(state.invitations ?? []).map((i) => i.owner)]).size;
  const refuseIfFull = (owner: string) => {
    if (options.maxOwners !== undefined && !knownOwner(owner) && ownerCount() >= options.maxOwners) {
      throw ApplicationFailure.create({ type: FAILURE.tooManyOwners, message: `the job has ${options.maxOwners} data owners, its limit` });
    }
  };
  const checkOwnerId = (owner: unknown) => {
    if (typeof owner !== 'string' || !OWNER_ID_PATTERN.test(owner)) {
      throw ApplicationFailure.create({ type: FAILURE.invalidOwner, message: `data_owner must match ${OWNER_ID_PATTERN.source}` });
    }
  };
  setHandler(
    registerDataOwnerUpdate,
    async (owner, proof) => {
      await storageSettled();
      if (submitting || state.phase !== 'Open') throw alreadySubmitted();
      if (proof?.invitationSha256 !== undefined && !(state.invitations ?? []).some((i) => i.owner === owner && i.sha256 === proof.invitationSha256)) {
        throw ApplicationFailure.create({ type: FAILURE.notInvited, message: 'the invitation is not for this data owner of this job' });
      }
      if (!state.owners.includes(owner)) {
        refuseIfFull(owner);
        state.owners.push(owner);
      }
      return ref;
    },
    {
      validator: (owner: string, _proof?: RegisterProof) => {
        checkOwnerId(owner);
        refuseUnlessOpen();
      },
    },
  );
  setHandler(
    inviteOwnerUpdate,
    async (owner, sha256) => {
      await storageSettled();
      if (submitting || state.phase !== 'Open') throw alreadySubmitted();
      refuseIfFull(owner);
      state.invitations = [...(state.invitations ?? []).filter((i) => i.owner !== owner), { owner, sha256 }];
      return ref;
    },
    {
      validator: (owner, sha256) => {
        checkOwnerId(owner);
        if (typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(sha256)) throw ApplicationFailure.create({ type: FAILURE.invalidOwner, message: 'an invitation is recorded by its SHA-256' });
        refuseUnlessOpen();
      },
    },
  );
  setHandler(
    removeOwnerUpdate,
    async (owner) => {
      await storageSettled();
      if (submitting || state.phase !== 'Open') throw alreadySubmitted();
      state.owners = state.owners.filter((o) => o !== owner);
      if (state.invitations) state.invitations = state.invitations.filter((i) => i.owner !== owner);
      setCurrentDetails(details(input, OPEN_STATUS, state.owners.length));
    },
    {
      validator: (owner) => {
        checkOwnerId(owner);
        refuseUnlessOpen();
      },
    },
  );
  setHandler(
    submitUpdate,
    async (): Promise<SubmitOutcome> => {
      submitting = true;
      try {
        await storageSettled();
      } catch (err) {
        submitting = false;
        throw err;
      }
      try {
        const outcome = state.owners.length === 0
          ? { ok: false, details: ['no data owner is registered for this job'] }
          : await storage.validateUploads(job, state.owners);
        if (outcome.ok) {
          state.phase = 'Submitted';
          setStatus('Submitted');
        }
        return outcome;
      } catch (err) {
        return { ok: false, details: [`validation could not run: ${messageOf(err)}`] };
      } finally {
        submitting = false;
      }
    },
    { validator: refuseUnlessOpen },
  );
  setHandler(storageCreatedSignal, (report) => void (storageReport ??= report));
  setHandler(retrySignal, () => void (operatorChoice = 'retry'));
  setHandler(abortSignal, () => void (operatorChoice = 'abort'));

  // 1. Storage. The API starts this workflow (with a start delay, so that it does not run yet) while it
  // creates the buckets, then sends their report by signal-with-start, which runs it at once.
  if (options.storageReportTimeoutMs !== undefined) {
    if (!(await condition(() => storageReport !== undefined, options.storageReportTimeoutMs))) {
      if (patched('storage-report-fallback')) {
        // The API answers create_job before its report arrives, so a job whose report was lost (the API
        // died, or lost Temporal, in between) has an owner who knows its id: make sure of the buckets
        // here (idempotent; an activity of its own, which operators see in the Web UI) and open the job.
        try {
          await storage.createJobStorage(job);
          storageReport = { ok: true };
        } catch (err) {
          storageReport = { ok: false, error: messageOf(err) };
        }
      } else {
        await CancellationScope.nonCancellable(() => storage.deleteJobStorage(job, 'all'));
        storageReport = { ok: false, error: 'Buckets creation error: the API did not report the job storage in time; any bucket it made was removed' };
      }
    }
  } else {
    // A job of an older API: the workflow makes the buckets, answered through the storageReady update.
    try {
      await (patched('create-storage-as-local-activity') ? localStorage : storage).createJobStorage(job);
      storageReport = { ok: true };
    } catch (err) {
      storageReport = { ok: false, error: messageOf(err) };
    }
  }
  const report: StorageReport = storageReport!;
  if (report.ok) {
    state.phase = 'Open';
    setStatus(OPEN_STATUS);
  } else {
    storageError = report.error;
    state.phase = 'Fail';
    state.status = 'Fail';
    state.error = storageError;
    setStatus('Fail');
    await condition(allHandlersFinished);
    return state;
  }

  // 2. Open for owners until submitted, or expire and remove the storage.
  const submitted = await condition(() => state.phase === 'Submitted', options.jobTtlMs);
  if (!submitted) {
    log.info('job expired before submission; removing its storage', { jobId: job.jobId });
    await CancellationScope.nonCancellable(() => storage.deleteJobStorage(job, 'all'));
    state.phase = 'Fail';
    state.error = 'Expired: the job was not submitted in time; its storage was removed.';
    setStatus('Fail');
    await condition(allHandlersFinished);
    return state;
  }

  // 3. The stages, then teardown whatever happened.
  let hosts: PartyHost[] = [];
  let failure: 'failed' | 'cancelled' | undefined;
  let cancellation: unknown;
  try {
    for (const def of STAGES) {
      const rec = record(def.name);
      setStatus(def.running);
      let workerLosses = 0;
      let lostAttempts = 0;
      for (;;) {
        rec.state = 'running';
        rec.startedAt = new Date().toISOString();
        rec.endedAt = undefined;
        try {
          const result = await runStage(stages, def.name, job, hosts, state.owners);
          finishRecord(rec, 'succeeded', result);
          rec.attempts += lostAttempts;
          if (def.name === 'createVMs') hosts = ((result.facts?.hosts as PartyHost[] | undefined) ?? []);
          break;
        } catch (err) {
          if (isCancellation(err)) throw err;
          // Every attempt ended by a lost worker (kill -9, a machine gone) says nothing about the stage
          // itself: run it again rather than fail the job, a bounded number of times.
          if (isWorkerLoss(err) && workerLosses < MAX_WORKER_LOSSES_PER_STAGE && patched('rerun-stage-after-worker-loss')) {
            workerLosses++;
            lostAttempts += options.stage.retries;
            log.warn('every attempt of the stage lost its worker; running it again', { stage: def.name, times: workerLosses });
            continue;
          }
          failRecord(rec, err, options.stage.retries);
          rec.attempts += lostAttempts;
          if (options.failedStageHoldMs <= 0) throw err;
          // Hold with resources intact: an operator may signal `retry` (run the stage again) or `abort`.
          operatorChoice = undefined;
          setCurrentDetails(`${details(input, def.running, state.owners.length)}\n\nHeld after a failure: signal "retry" or "abort".`);
          await condition(() => operatorChoice !== undefined, options.failedStageHoldMs);
          if (operatorChoice !== 'retry') throw err;
          log.info('operator asked to retry the stage', { stage: def.name });
        }
      }
      if (def.done) setStatus(def.done);
    }
  } catch (err) {
    failure = isCancellation(err) ? 'cancelled' : 'failed';
    if (failure === 'cancelled') {
      cancellation = err;
      for (const rec of state.stages) if (rec.state === 'running') rec.state = 'cancelled';
    }
  }

  const teardown = record('deleteVMs');
  teardown.state = 'running';
  teardown.startedAt = new Date().toISOString();
  try {
    const result = await CancellationScope.nonCancellable(async () => {
      const r = await teardownActivities.deleteVMs(job);
      // Retention: the owners' input shares are not needed once the job has succeeded. A failed or
      // cancelled job keeps them (a passing fault must not cost every owner's upload) until its
      // retention ends and the sweep removes its buckets. (Older histories deleted them on any end.)
      if (options.deleteInputsOnEnd && (!failure || !patched('keep-inputs-unless-success'))) await storage.deleteJobStorage(job, 'inputs');
      return r;
    });
    finishRecord(teardown, 'succeeded', result);
  } catch (err) {
    failRecord(teardown, err, 10);
    failure ??= 'failed';
  }

  if (!failure) {
    state.phase = 'Success';
    setStatus('Success');
  } else {
    state.phase = 'Fail';
    state.error = `${failure === 'cancelled' ? 'Cancelled' : 'Failed'}. Last status is ${state.lastStatus}.`;
    setStatus('Fail');
  }
  await condition(allHandlersFinished);
  if (cancellation) throw cancellation; // the execution shows as Cancelled in the Web UI
  return state;
}

function runStage(acts: StageActivities, name: StageDef['name'], job: JobInput['job'], hosts: PartyHost[], owners: string[]): Promise<StageResult> {
  switch (name) {
    case 'createVMs':
      return acts.createVMs(job);
    case 'setupAuthentication':
      return acts.setupAuthentication(job, hosts);
    case 'deployTvaCore':
      return acts.deployTvaCore(job, hosts);
    case 'runExperiment':
      return acts.runExperiment(job, hosts, [...owners].sort());
  }
}

function finishRecord(rec: StageRecord, st: StageRecord['state'], result: StageResult): void {
  rec.state = st;
  rec.attempts = result.attempt ?? rec.attempts + 1;
  rec.endedAt = new Date().toISOString();
  rec.logTail = result.logTail?.slice(-10);
  rec.durationMs = result.durationMs;
  rec.error = undefined;
}

/** How many times in a row a stage may lose all its attempts' workers before the job fails. */
const MAX_WORKER_LOSSES_PER_STAGE = 5;

/** The stage's last attempt stopped heartbeating: its worker died or lost Temporal, not a playbook failure. */
function isWorkerLoss(err: unknown): boolean {
  return err instanceof ActivityFailure && err.cause instanceof TimeoutFailure && err.cause.timeoutType === TimeoutType.HEARTBEAT;
}

function failRecord(rec: StageRecord, err: unknown, maxAttempts: number): void {
  rec.state = 'failed';
  rec.endedAt = new Date().toISOString();
  rec.attempts = Math.max(rec.attempts + 1, maxAttempts);
  rec.error = messageOf(err);
  const cause = err instanceof ActivityFailure ? err.cause : undefined;
  const tail = cause instanceof ApplicationFailure ? (cause.details?.[0] as { logTail?: string[] } | undefined)?.logTail : undefined;
  if (tail) rec.logTail = tail.slice(-20);
}

/** The innermost message: an ActivityFailure wraps the activity's own error. */
function messageOf(err: unknown): string {
  let e = err as { message?: string; cause?: unknown } | undefined;
  while (e && (e instanceof ActivityFailure || (e.cause && !(e instanceof TimeoutFailure) && e.message === 'Activity task failed'))) {
    e = e.cause as typeof e;
  }
  if (e instanceof TimeoutFailure) return `timed out (${e.timeoutType})`;
  return e?.message ?? String(err);
}

/** The Web UI's "current details": what this job is, in words. */
function details(input: JobInput, status: string, owners: number): string {
  const { job } = input;
  return [
    `**${job.analysisName}** — ${status}`,
    `${partyCount(job.securityLevel)} parties (${job.securityLevel === 'mal' ? 'malicious, Fantastic Four' : 'semi-honest, replicated 3PC'}) on ${job.cloudProviders.join(', ')}`,
    `${owners} data owner(s); query: \`${job.querySql}\``,
  ].join('\n');
}
