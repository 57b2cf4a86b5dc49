// The API's use cases, free of HTTP: each turns a validated request into workflow messages and signs
// URLs locally (so no URL ever enters workflow history). Throws QsError from the catalogue.
import { randomBytes, randomUUID } from 'node:crypto';
import {
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
  type WorkflowExecutionDescription,
  type WorkflowStartOptions,
} from '@temporalio/client';
import { ApplicationFailure, defaultPayloadConverter, defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { Config } from '../infra/config.js';
import { jobParties } from '../domain/names.js';
import { StorageCreationError, type JobStorage } from '../infra/storage/index.js';
import {
  ANALYST_SEARCH_ATTRIBUTE,
  FAILURE,
  JOB_WORKFLOW_TYPE,
  inviteOwnerUpdate,
  removeOwnerUpdate,
  OPEN_STATUS,
  STATUS_SEARCH_ATTRIBUTE,
  registerDataOwnerUpdate,
  statusQuery,
  storageCreatedSignal,
  submitUpdate,
  type JobRef,
  type JobState,
  type RegisterProof,
  type StorageReport,
} from '../workflows/messages.js';
import type { jobWorkflow } from '../workflows/job.js';
import { partyCount, type JobConfig, type StageRecord } from '../domain/job.js';
import { qsError, QsError } from './errors.js';
import { SharedAnswers } from './shared-answers.js';
import { JobOwnership, ownerProof, proofHolds, type Caller } from './ownership.js';
import { hashToken, newInvitationToken } from './auth.js';

const statusKey = defineSearchAttributeKey(STATUS_SEARCH_ATTRIBUTE, SearchAttributeType.KEYWORD);
const analystKey = defineSearchAttributeKey(ANALYST_SEARCH_ATTRIBUTE, SearchAttributeType.KEYWORD);
/** How long one status answer is shared between callers of the same job; for as long again it is
 *  still served while a fresh one loads, so an answer is at most 2 × this old. */
const STATUS_FRESH_MS = 250;
/** How long register/submit wait for a worker before answering 503. */
const UPDATE_DEADLINE_MS = 120_000;
/** How long create_job waits for Temporal to start the workflow. The sweep's grace for buckets of an
 *  unknown job (UNKNOWN_JOB_GRACE_MS) must stay above it. */
export const START_DEADLINE_MS = 10_000;
/** A new job's workflow starts delayed by this much: its report ends the delay, normally milliseconds
 *  after the start. Well above what creating a job's buckets takes on a real cloud (seconds), so that the
 *  workflow never makes sure of the buckets while the API is still making them. */
const STORAGE_REPORT_DELAY_MS = 60_000;
/** Once running without a report (it was lost), the workflow waits this much more before it makes sure
 *  of the buckets itself. */
const STORAGE_REPORT_TIMEOUT_MS = 5_000;
/** Job layouts (clouds, level) this process has seen; they never change, so they are kept to sign
 *  register's URLs while the workflow records the owner. */
const LAYOUT_CACHE_SIZE = 10_000;

/** What create_job accepted (schema-checked, its providers enabled, its query compiled). */
export type CreateJobInput = Pick<JobConfig, 'analysisName' | 'querySql' | 'securityLevel' | 'cloudProviders' | 'schema'>;

export interface StatusAnswer {
  status: string;
  job_id: string;
  stages: StageView[];
  error?: string;
  result?: string[];
  /** "query": answered by the workflow; "search-attribute": by the status it last recorded */
  source: 'query' | 'search-attribute';
}

export interface StageView {
  name: string;
  status: string;
  state: StageRecord['state'];
  attempts: number;
  started_at?: string;
  ended_at?: string;
  progress?: string;
  error?: string;
  log_tail?: string[];
  duration_ms?: number;
}

export class JobService {
  constructor(
    private readonly client: Client,
    private readonly storage: JobStorage,
    private readonly config: Config,
    readonly ownership: JobOwnership = new JobOwnership(client),
  ) {}

  /**
   * Creates the job's buckets on every cloud while it starts the job's workflow, so create_job costs the
   * slower of the two, not their sum. The workflow is started with a delay: it does not run (its first task
   * would compete with the buckets for the CPU) until the buckets' report reaches it by signal-with-start,
   * which ends the delay. That report is on its way while the answer leaves; should it never arrive, the
   * workflow runs when the delay ends and makes sure of the buckets itself. No bucket stays behind: a
   * failed try removes its own, the API removes them when Temporal refuses the job, and the sweep when the
   * API dies before the workflow exists.
   */
  async createJob(input: CreateJobInput, caller?: Caller): Promise<{ job_id: string }> {
    const job: JobConfig = { jobId: randomUUID(), ...input, createdAt: new Date().toISOString() };
    const analyst = caller?.name;
    if (caller && caller.role !== 'admin') await this.checkQuota(caller.name);
    const n = partyCount(job.securityLevel);
    const parties = jobParties(job);
    const start: WorkflowStartOptions<typeof jobWorkflow> = {
      workflowId: job.jobId,
      taskQueue: this.config.temporal.taskQueue,
      args: [
        {
          job,
          options: {
            jobTtlMs: this.config.jobTtlSeconds * 1000,
            stage: this.config.stage,
            failedStageHoldMs: this.config.failedStageHoldSeconds * 1000,
            deleteInputsOnEnd: this.config.deleteInputsOnEnd,
            storageReportTimeoutMs: STORAGE_REPORT_TIMEOUT_MS,
            maxOwners: this.config.maxOwners,
          },
          ...(analyst ? { analyst } : {}),
        },
      ],
      startDelay: STORAGE_REPORT_DELAY_MS,
      // The report's signal-with-start must never start a second run of a job that has ended.
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      // The analyst's attribute only when there is one: an open (tokenless) API needs no registration of it.
      typedSearchAttributes: [{ key: statusKey, value: OPEN_STATUS }, ...(analyst ? [{ key: analystKey, value: analyst }] : [])],
      memo: {
        ...(analyst ? { analyst } : {}),
        analysis_name: job.analysisName,
        security_level: job.securityLevel,
        cloud_providers: job.cloudProviders,
        party_count: n,
        status: OPEN_STATUS,
      },
      staticSummary: `${job.analysisName}: ${n} parties on ${job.cloudProviders.join(', ')}`,
      staticDetails: `QueryShield job ${job.jobId}\nlevel ${job.securityLevel} (${n} parties), clouds ${job.cloudProviders.join(', ')}\nquery: ${job.querySql}`,
    };
    const [started, made] = await Promise.allSettled([
      this.client.connection.withDeadline(Date.now() + START_DEADLINE_MS, () => this.client.workflow.start(JOB_WORKFLOW_TYPE, start)),
      this.storage.create(parties, { fresh: true }),
    ]);
    if (started.status === 'rejected') {
      if (made.status === 'fulfilled') await this.storage.delete(parties, 'all').catch(() => undefined);
      throw this.unavailable(started.reason);
    }
    if (made.status === 'rejected') {
      // The job is recorded as Fail, with the reason. Should this report be lost too, the workflow makes
      // the buckets itself when its delay ends, and the job, whose id nobody was given, expires.
      const error = storageErrorOf(made.reason);
      await this.report(start, { ok: false, error });
      throw qsError('QS_STORAGE_CREATION', [error]);
    }
    // After the answer has been written: building the signal's request is CPU work on this thread.
    this.track(new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.report(start, { ok: true })));
    this.rememberLayout({ jobId: job.jobId, cloudProviders: job.cloudProviders, securityLevel: job.securityLevel });
    this.ownership.remember(job.jobId, analyst ?? null);
    return { job_id: job.jobId };
  }

  /** An analyst's running jobs are capped (QS_MAX_OPEN_JOBS), counted in visibility (which may lag a
   *  start by a moment: the cap is approximate by the jobs created in that moment). */
  private async checkQuota(analyst: string): Promise<void> {
    let running: number;
    try {
      ({ count: running } = await this.client.workflow.count(`WorkflowType = '${JOB_WORKFLOW_TYPE}' AND ExecutionStatus = 'Running' AND ${ANALYST_SEARCH_ATTRIBUTE} = '${analyst}'`));
    } catch (err) {
      throw this.unavailable(err);
    }
    if (running >= this.config.maxOpenJobs) throw qsError('QS_TOO_MANY_JOBS', [running]);
  }

  /** Sends the storage report, which also ends the workflow's start delay. Never throws: a lost report
   *  costs the job STORAGE_REPORT_DELAY_MS + STORAGE_REPORT_TIMEOUT_MS, after which it checks the buckets. */
  private async report(start: WorkflowStartOptions<typeof jobWorkflow>, report: StorageReport): Promise<void> {
    await this.client.connection
      .withDeadline(Date.now() + START_DEADLINE_MS, () =>
        this.client.workflow.signalWithStart<typeof jobWorkflow, [StorageReport]>(JOB_WORKFLOW_TYPE, { ...start, signal: storageCreatedSignal, signalArgs: [report] }),
      )
      .catch(() => undefined);
  }

  /** Reports on their way after create_job answered; the API's graceful stop waits for them. */
  private readonly inFlight = new Set<Promise<void>>();

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  /** Waits for the storage reports still on their way (the API's graceful stop). */
  async drain(): Promise<void> {
    await Promise.all(this.inFlight);
  }

  async registerDataOwner(jobId: string, owner: string, caller?: Caller): Promise<{ presigned_urls: string[]; job_id: string }> {
    const proof = ownerProof(jobId, owner, caller);
    await this.ownership.check(jobId, caller);
    // A repeat is answered from the job's state, with new URLs and no workflow update: repeats cannot
    // fill the workflow's history or its update limit. Whatever the query cannot settle goes through
    // the update, which records the owner atomically with the check that the job is still open.
    const state = await this.openState(jobId);
    if (state?.phase === 'Open' && state.owners.includes(owner) && proofHolds(state, owner, proof)) {
      return { presigned_urls: await this.storage.uploadUrls(jobParties(state.job), owner), job_id: jobId };
    }
    // With the job's layout known here, the URLs are signed while the workflow records the owner; they
    // are only handed out once it has (signing is local and leaves no trace).
    const args: [string, RegisterProof?] = proof.invitationSha256 === undefined ? [owner] : [owner, proof];
    const recorded = this.withWorker(() => this.client.workflow.getHandle(jobId).executeUpdate(registerDataOwnerUpdate, { args }));
    // Signing is CPU work on this thread: it starts once the update is on its way, not before.
    const known = this.layouts.get(jobId) ?? (state ? refOf(state.job) : undefined);
    const early = known ? new Promise((r) => setImmediate(r)).then(() => this.storage.uploadUrls(jobParties(known), owner)) : undefined;
    early?.catch(() => undefined);
    let ref: JobRef;
    try {
      ref = await recorded;
    } catch (err) {
      if (updateFailure(err)?.type === FAILURE.notInvited) throw qsError('QS_OWNER_FORBIDDEN', [owner], { job_id: jobId });
      throw this.messageError(err, jobId, () => qsError('QS_JOB_SUBMITTED', [], { job_id: jobId }));
    }
    const sameLayout = known && sameParties(known, ref);
    if (!sameLayout) this.rememberLayout(ref);
    // Signed here, after the workflow accepted the owner: the URLs never enter history.
    const urls = await (sameLayout ? early! : this.storage.uploadUrls(jobParties(ref), owner));
    return { presigned_urls: urls, job_id: jobId };
  }

  /** An invitation for one data owner of one job: the token is answered once; the workflow keeps its hash. */
  async inviteOwner(jobId: string, owner: string, caller?: Caller): Promise<{ job_id: string; data_owner: string; token: string }> {
    await this.ownership.check(jobId, caller);
    const token = newInvitationToken(jobId, randomBytes(32));
    try {
      await this.withWorker(() => this.client.workflow.getHandle(jobId).executeUpdate(inviteOwnerUpdate, { args: [owner, hashToken(token)] }));
    } catch (err) {
      throw this.messageError(err, jobId, () => qsError('QS_JOB_SUBMITTED', [], { job_id: jobId }));
    }
    return { job_id: jobId, data_owner: owner, token };
  }

  /** Removes a data owner (registered or invited) who has uploaded nothing, before submit. */
  async removeOwner(jobId: string, owner: string, caller?: Caller): Promise<{ job_id: string; data_owner: string; removed: true }> {
    await this.ownership.check(jobId, caller);
    const state = await this.openState(jobId);
    if (!state) throw qsError('QS_NO_WORKER', [this.config.statusQueryTimeoutMs / 1000]);
    if (state.phase !== 'Open') throw qsError('QS_JOB_SUBMITTED', [], { job_id: jobId });
    if (!state.owners.includes(owner) && !(state.invitations ?? []).some((i) => i.owner === owner)) throw qsError('QS_OWNER_NOT_FOUND', [owner], { job_id: jobId });
    const sizes = await this.storage.inputSizes(jobParties(state.job), [owner]);
    if (sizes.some((s) => s.size !== undefined)) throw qsError('QS_OWNER_UPLOADED', [owner], { job_id: jobId });
    try {
      await this.withWorker(() => this.client.workflow.getHandle(jobId).executeUpdate(removeOwnerUpdate, { args: [owner] }));
    } catch (err) {
      throw this.messageError(err, jobId, () => qsError('QS_JOB_SUBMITTED', [], { job_id: jobId }));
    }
    return { job_id: jobId, data_owner: owner, removed: true };
  }

  /**
   * The job's state from a query, made with a describe beside it (one round trip): a job that has ended
   * (a cancelled open job's last state still says Open) is answered 409 QS_JOB_FINISHED, an unknown one
   * 404. Undefined when the query could not answer (no worker): the caller's update settles it.
   */
  private async openState(jobId: string): Promise<JobState | undefined> {
    const [described, queried] = await Promise.allSettled([this.client.workflow.getHandle(jobId).describe(), this.queryState(jobId)]);
    if (described.status === 'rejected') {
      if (described.reason instanceof WorkflowNotFoundError) throw qsError('QS_JOB_NOT_FOUND', [], { job_id: jobId });
      throw this.unavailable(described.reason);
    }
    if (described.value.type !== JOB_WORKFLOW_TYPE) throw qsError('QS_JOB_NOT_FOUND', [], { job_id: jobId });
    if (described.value.status.name !== 'RUNNING') throw qsError('QS_JOB_FINISHED', [], { job_id: jobId });
    return queried.status === 'fulfilled' ? queried.value : undefined;
  }

  private queryState(jobId: string): Promise<JobState> {
    return this.client.connection.withDeadline(Date.now() + this.config.statusQueryTimeoutMs, () => this.client.workflow.getHandle(jobId).query(statusQuery));
  }

  private readonly layouts = new Map<string, JobRef>();

  private rememberLayout(ref: JobRef): void {
    this.layouts.delete(ref.jobId);
    this.layouts.set(ref.jobId, { jobId: ref.jobId, cloudProviders: [...ref.cloudProviders], securityLevel: ref.securityLevel });
    if (this.layouts.size > LAYOUT_CACHE_SIZE) this.layouts.delete(this.layouts.keys().next().value!);
  }

  /**
   * A failed (or cancelled, or terminated) job run again on the inputs it kept (a Fail keeps them until
   * its retention ends): a new job, with a new id, the same configuration and the same data owners, whose
   * input buckets get a copy of each owner's share files (party i's blob to the new party i, which is on
   * the same cloud), then submitted as any job is. Copied rather than pointed at: the new job is then a job
   * like any other (its buckets, its retention, its submit-time checksums, its sweep), and it does not
   * depend on the old job's buckets, which the old job's retention or a DELETE may remove at any time.
   * The copy goes through signed URLs (read on the old bucket, write on the new), streamed, so the API
   * holds no credential it does not already have and no file in memory. 409 for a job that succeeded or is
   * still running, or whose inputs are no longer all there.
   */
  async rerunJob(jobId: string, caller?: Caller): Promise<{ job_id: string; rerun_of: string }> {
    await this.ownership.check(jobId, caller);
    let desc: WorkflowExecutionDescription;
    try {
      desc = await this.client.workflow.getHandle(jobId).describe();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw qsError('QS_JOB_NOT_FOUND', [], { job_id: jobId });
      throw this.unavailable(err);
    }
    if (desc.type !== JOB_WORKFLOW_TYPE) throw qsError('QS_JOB_NOT_FOUND', [], { job_id: jobId });
    if (desc.status.name === 'RUNNING') throw qsError('QS_RERUN_REFUSED', ['the job is still running'], { job_id: jobId });
    if (desc.typedSearchAttributes.get(statusKey) === 'Success') throw qsError('QS_RERUN_REFUSED', ['the job succeeded'], { job_id: jobId });
    let state: JobState;
    try {
      state = await this.withWorker(() => this.client.workflow.getHandle(jobId).query(statusQuery));
    } catch (err) {
      throw this.unavailable(err);
    }
    const old = state.job;
    const owners = [...state.owners].sort();
    const oldParties = jobParties(old);
    if (owners.length === 0) throw qsError('QS_RERUN_REFUSED', ['no data owner registered'], { job_id: jobId });
    const sizes = await this.storage.inputSizes(oldParties, owners);
    const missing = sizes.filter((s) => s.size === undefined);
    if (missing.length) throw qsError('QS_RERUN_REFUSED', [`its inputs are no longer all kept (data owner ${missing[0].owner}, party ${missing[0].party})`], { job_id: jobId });

    const { job_id: newId } = await this.createJob(
      { analysisName: old.analysisName, querySql: old.querySql, securityLevel: old.securityLevel, cloudProviders: [...old.cloudProviders], schema: { ...old.schema } },
      caller,
    );
    const newParties = jobParties({ ...old, jobId: newId });
    const handle = this.client.workflow.getHandle(newId);
    let submitting = false;
    try {
      for (const owner of owners) {
        try {
          await this.withWorker(() => handle.executeUpdate(registerDataOwnerUpdate, { args: [owner] }));
        } catch (err) {
          throw this.messageError(err, newId, () => qsError('QS_JOB_SUBMITTED', [], { job_id: newId }));
        }
      }
      await Promise.all(
        oldParties.map(async (from, i) => {
          const to = newParties[i];
          const reads = await this.storage.inputReadUrls(from, owners);
          for (const { owner, url } of reads) {
            const [write] = await this.storage.uploadUrls([to], owner);
            await copyBlob(url, write, this.storage.uploadHeaders(to), `${owner}'s share file for party ${i}`);
          }
        }),
      );
      submitting = true;
      await this.submitJob(newId, caller);
    } catch (err) {
      // A half-made rerun is not left open until it expires: it is cancelled (it ends Fail; its buckets
      // follow the retention of any failed job). The old job is untouched and may be rerun again. Not when
      // the submit's fate is unknown (no worker answered yet: the job continues when one does).
      const unknownFate = submitting && err instanceof QsError && err.statusCode === 503;
      if (!unknownFate) await handle.cancel().catch(() => undefined);
      throw err;
    }
    return { job_id: newId, rerun_of: jobId };
  }

  async submitJob(jobId: string, caller?: Caller): Promise<{ status: 'success'; job_id: string }> {
    await this.ownership.check(jobId, caller);
    let outcome;
    try {
      outcome = await this.withWorker(() => this.client.workflow.getHandle(jobId).executeUpdate(submitUpdate));
    } catch (err) {
      throw this.messageError(err, jobId, () => qsError('QS_DUPLICATED_SUBMISSION', [], { job_id: jobId }));
    } finally {
      this.forgetStatus(jobId);
    }
    if (!outcome.ok) throw qsError('QS_VALIDATION_FAILED', [], { job_id: jobId, details: outcome.details });
    return { status: 'success', job_id: jobId };
  }

  /** Status calls for one job share one answer (see SharedAnswers): a poller, or 64 of them, costs
   *  Temporal one describe + one query per job every STATUS_FRESH_MS, and none of them waits for it. */
  private readonly statuses = new SharedAnswers<StatusAnswer>((jobId) => this.loadStatus(jobId), {
    freshMs: STATUS_FRESH_MS,
    staleMs: STATUS_FRESH_MS,
    maxKeys: 10_000,
  });

  async getStatus(jobId: string, caller?: Caller): Promise<StatusAnswer> {
    await this.ownership.check(jobId, caller);
    return this.statuses.get(jobId);
  }

  /** A change made through this API (submit, cancel) shows in this process's next status answer. */
  forgetStatus(jobId: string): void {
    this.statuses.forget(jobId);
  }

  private async loadStatus(jobId: string): Promise<StatusAnswer> {
    const handle = this.client.workflow.getHandle(jobId);
    // Both at once: describe gives the execution's state and the running stage's live facts, the
    // query the job's own record. A query needs a worker; never hang when none answers.
    const [described, queried] = await Promise.allSettled([
      handle.describe(),
      this.client.connection.withDeadline(Date.now() + this.config.statusQueryTimeoutMs, () => handle.query(statusQuery)),
    ]);
    if (described.status === 'rejected') {
      if (described.reason instanceof WorkflowNotFoundError) throw qsError('QS_JOB_NOT_FOUND', [], { job_id: jobId });
      throw this.unavailable(described.reason);
    }
    const desc: WorkflowExecutionDescription = described.value;
    if (desc.type !== JOB_WORKFLOW_TYPE) throw qsError('QS_JOB_NOT_FOUND', [], { job_id: jobId });
    const state: JobState | undefined = queried.status === 'fulfilled' ? queried.value : undefined;
    const recorded = desc.typedSearchAttributes.get(statusKey);
    const closedFromOutside = ['TERMINATED', 'TIMED_OUT', 'FAILED', 'CANCELLED'].includes(desc.status.name);

    if (!state) {
      if (!recorded || recorded === OPEN_STATUS) {
        if (closedFromOutside) return { status: 'Fail', job_id: jobId, stages: [], error: `Failed. Last status is ${recorded ?? 'unknown'}.`, source: 'search-attribute' };
        throw qsError('QS_NOT_SUBMITTED', [], { job_id: jobId });
      }
      const terminal = recorded === 'Success' || recorded === 'Fail';
      if (closedFromOutside && !terminal) {
        return { status: 'Fail', job_id: jobId, stages: [], error: `${desc.status.name === 'CANCELLED' ? 'Cancelled' : 'Failed'}. Last status is ${recorded}.`, source: 'search-attribute' };
      }
      return { status: recorded, job_id: jobId, stages: [], source: 'search-attribute' };
    }

    if (state.phase === 'Creating Storage' || state.phase === 'Open') {
      if (!closedFromOutside) throw qsError('QS_NOT_SUBMITTED', [], { job_id: jobId });
      return { status: 'Fail', job_id: jobId, stages: [], error: 'Failed. Last status is Created.', source: 'query' };
    }
    const stages = mergePending(state.stages, desc);
    const status = state.status ?? 'Submitted';
    if (closedFromOutside && status !== 'Success' && status !== 'Fail') {
      const how = desc.status.name === 'CANCELLED' ? 'Cancelled' : 'Failed';
      return { status: 'Fail', job_id: jobId, stages, error: `${how}. Last status is ${state.lastStatus ?? status}.`, source: 'query' };
    }
    if (status === 'Fail') return { status, job_id: jobId, stages, error: state.error ?? `Failed. Last status is ${state.lastStatus}.`, source: 'query' };
    if (status === 'Success') {
      return { status, job_id: jobId, stages, result: await this.storage.resultReadUrls(jobParties(state.job)), source: 'query' };
    }
    return { status, job_id: jobId, stages, source: 'query' };
  }

  private async withWorker<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await this.client.connection.withDeadline(Date.now() + UPDATE_DEADLINE_MS, fn);
    } catch (err) {
      if (isDeadline(err)) throw qsError('QS_NO_WORKER', [UPDATE_DEADLINE_MS / 1000]);
      throw err;
    }
  }

  /** Maps a failed update to the catalogue: rejected by the validator, unknown job, finished job. */
  private messageError(err: unknown, jobId: string, whenRejected: () => QsError): QsError {
    if (err instanceof QsError) return err;
    if (err instanceof WorkflowNotFoundError) return qsError('QS_JOB_NOT_FOUND', [], { job_id: jobId });
    const failure = updateFailure(err);
    if (failure?.type === FAILURE.alreadySubmitted) return whenRejected();
    if (failure?.type === FAILURE.notOpen) return qsError('QS_JOB_NOT_OPEN', [failure.message], { job_id: jobId });
    if (failure?.type === FAILURE.invalidOwner) return qsError('QS_INVALID_FIELD', [failure.message]);
    if (failure?.type === FAILURE.tooManyOwners) return qsError('QS_TOO_MANY_OWNERS', [failure.message], { job_id: jobId });
    const msg = err instanceof Error ? err.message : String(err);
    if (/already completed|workflow execution.*(completed|closed)/i.test(msg)) return qsError('QS_JOB_FINISHED', [], { job_id: jobId });
    if (/not found/i.test(msg)) return qsError('QS_JOB_NOT_FOUND', [], { job_id: jobId });
    return this.unavailable(err);
  }

  private unavailable(err: unknown): QsError {
    if (err instanceof QsError) return err;
    return qsError('QS_TEMPORAL_UNAVAILABLE', [err instanceof Error ? err.message.split('\n')[0].slice(0, 200) : 'unknown error']);
  }
}

function refOf(job: JobConfig): JobRef {
  return { jobId: job.jobId, cloudProviders: job.cloudProviders, securityLevel: job.securityLevel };
}

function sameParties(a: JobRef, b: JobRef): boolean {
  return a.securityLevel === b.securityLevel && a.cloudProviders.join() === b.cloudProviders.join();
}

/** The storage error as create_job answers it: "Buckets creation error: <provider>: <reason>". */
function storageErrorOf(err: unknown): string {
  if (err instanceof StorageCreationError) return err.message;
  return `Buckets creation error: ${err instanceof Error ? err.message.split('\n')[0].slice(0, 300) : String(err)}`;
}

/** One blob from a signed read URL to a signed write URL, streamed (the length is passed on: S3 and GCS
 *  refuse a chunked PUT). Throws QS_STORAGE_CREATION naming what could not be copied. */
async function copyBlob(readUrl: string, writeUrl: string, headers: Record<string, string>, what: string): Promise<void> {
  const got = await fetch(readUrl);
  const length = got.headers.get('content-length');
  if (!got.ok || !got.body || length === null) throw qsError('QS_STORAGE_CREATION', [`copying ${what}: reading it answered ${got.status}`]);
  const put = await fetch(writeUrl, { method: 'PUT', headers: { ...headers, 'content-length': length }, body: got.body, duplex: 'half' } as RequestInit);
  if (!put.ok) throw qsError('QS_STORAGE_CREATION', [`copying ${what}: writing it answered ${put.status}`]);
  await put.body?.cancel();
}

function updateFailure(err: unknown): ApplicationFailure | undefined {
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) return err.cause;
  return undefined;
}

function isDeadline(err: unknown): boolean {
  const e = err as { code?: number; message?: string };
  return e?.code === 4 || /deadline/i.test(e?.message ?? '');
}

/** The running stage's live facts come from the server's pending-activity view: attempt, heartbeat, last error. */
function mergePending(stages: StageRecord[], desc: WorkflowExecutionDescription): StageView[] {
  const pending = desc.raw.pendingActivities ?? [];
  return stages.map((s) => {
    const view: StageView = {
      name: s.name,
      status: s.status,
      state: s.state,
      attempts: s.attempts,
      started_at: s.startedAt,
      ended_at: s.endedAt,
      progress: s.progress,
      error: s.error,
      log_tail: s.logTail,
      duration_ms: s.durationMs,
    };
    const p = pending.find((a) => a.activityType?.name === s.name);
    if (p && s.state === 'running') {
      view.attempts = p.attempt ?? view.attempts;
      const beat = p.heartbeatDetails?.payloads?.[0];
      if (beat) {
        try {
          const d = defaultPayloadConverter.fromPayload<{ task?: string }>(beat);
          if (d?.task) view.progress = d.task;
        } catch {
          /* a heartbeat we cannot read is no reason to fail a status call */
        }
      }
      if (p.lastFailure?.message) view.error = `attempt ${(p.attempt ?? 2) - 1} failed: ${p.lastFailure.message}`;
    }
    return view;
  });
}
