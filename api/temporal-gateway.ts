// JobGateway over a Temporal client (see api/gateway.ts).
import {
  isGrpcServiceError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  type Client,
  type WorkflowExecutionDescription,
  type WorkflowStartOptions,
} from '@temporalio/client';
import { ApplicationFailure, defaultPayloadConverter, defineSearchAttributeKey, SearchAttributeType, type UpdateDefinition } from '@temporalio/common';
import proto from '@temporalio/proto';
import type { Config } from '../infra/config.js';
import { partyCount } from '../domain/job.js';
import { ANALYST_SEARCH_ATTRIBUTE, FAILURE, JOB_WORKFLOW_TYPE, OPEN_STATUS, STATUS_SEARCH_ATTRIBUTE, statusQuery, storageCreatedSignal, type JobMemo, type JobState, type StorageReport } from '../workflows/messages.js';
import type { jobWorkflow } from '../workflows/job.js';
import { qsError, QsError } from './errors.js';
import type { ExecutionStatus, JobDescription, JobGateway, JobListing, JobStart, PendingStage, Rejections } from './gateway.js';

/** How long register/submit wait for a worker before answering 503. */
const UPDATE_DEADLINE_MS = 120_000;
/** How long create_job waits for Temporal to start the workflow. The sweep's grace for buckets of an
 *  unknown job (UNKNOWN_JOB_GRACE_MS) must stay above it. */
export const START_DEADLINE_MS = 10_000;
/** How long the health probe waits for Temporal. */
const PROBE_MS = 3000;

const statusKey = defineSearchAttributeKey(STATUS_SEARCH_ATTRIBUTE, SearchAttributeType.KEYWORD);
const analystKey = defineSearchAttributeKey(ANALYST_SEARCH_ATTRIBUTE, SearchAttributeType.KEYWORD);
// A CommonJS package: a default import works under both node and the test runner.
const { TaskQueueKind, TaskQueueType } = proto.temporal.api.enums.v1;
const GRPC = { INVALID_ARGUMENT: 3, DEADLINE_EXCEEDED: 4 } as const;

export class TemporalGateway implements JobGateway {
  constructor(
    private readonly client: Client,
    private readonly config: Config,
  ) {}

  private handle(jobId: string) {
    return this.client.workflow.getHandle(jobId);
  }

  async describe(jobId: string): Promise<JobDescription> {
    let desc: WorkflowExecutionDescription;
    try {
      desc = await this.handle(jobId).describe();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw notFound(jobId);
      throw unavailable(err);
    }
    if (desc.type !== JOB_WORKFLOW_TYPE) throw notFound(jobId);
    return {
      jobId,
      execution: desc.status.name as ExecutionStatus,
      recordedStatus: desc.typedSearchAttributes.get(statusKey),
      memo: (desc.memo ?? {}) as Partial<JobMemo>,
      pending: (desc.raw.pendingActivities ?? []).map(pendingStage),
    };
  }

  async state(jobId: string): Promise<JobState | undefined> {
    try {
      return await this.client.connection.withDeadline(Date.now() + this.config.statusQueryTimeoutMs, () => this.handle(jobId).query(statusQuery));
    } catch {
      return undefined;
    }
  }

  async stateWithWorker(jobId: string): Promise<JobState> {
    try {
      return await this.withWorker(() => this.handle(jobId).query(statusQuery));
    } catch (err) {
      throw unavailable(err);
    }
  }

  async update<Ret, Args extends unknown[]>(jobId: string, update: UpdateDefinition<Ret, Args>, args: Args, rejected: Rejections): Promise<Ret> {
    try {
      return await this.withWorker(() => this.handle(jobId).executeUpdate(update as unknown as UpdateDefinition<Ret, [unknown]>, { args: args as unknown as [unknown] }));
    } catch (err) {
      throw await this.updateError(err, jobId, rejected);
    }
  }

  /** A failed update in the catalogue's words: rejected by the workflow's validator (by the failure's
   *  type), or the job unknown or ended (NOT_FOUND covers both: a describe tells which). */
  private async updateError(err: unknown, jobId: string, rejected: Rejections): Promise<QsError> {
    if (err instanceof QsError) return err;
    const failure = err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure ? err.cause : undefined;
    if (failure?.type === FAILURE.alreadySubmitted) return rejected.alreadySubmitted();
    if (failure?.type === FAILURE.notInvited && rejected.notInvited) return rejected.notInvited();
    if (failure?.type === FAILURE.notOpen) return qsError('QS_JOB_NOT_OPEN', [failure.message], { job_id: jobId });
    if (failure?.type === FAILURE.invalidOwner) return qsError('QS_INVALID_FIELD', [failure.message]);
    if (failure?.type === FAILURE.tooManyOwners) return qsError('QS_TOO_MANY_OWNERS', [failure.message], { job_id: jobId });
    if (err instanceof WorkflowNotFoundError) {
      const desc = await this.describe(jobId);
      return desc.execution === 'RUNNING' ? notFound(jobId) : qsError('QS_JOB_FINISHED', [], { job_id: jobId });
    }
    return unavailable(err);
  }

  async start(start: JobStart): Promise<void> {
    try {
      await this.client.connection.withDeadline(Date.now() + START_DEADLINE_MS, () => this.client.workflow.start(JOB_WORKFLOW_TYPE, this.startOptions(start)));
    } catch (err) {
      throw unavailable(err);
    }
  }

  async reportStorage(start: JobStart, report: StorageReport): Promise<void> {
    await this.client.connection
      .withDeadline(Date.now() + START_DEADLINE_MS, () =>
        this.client.workflow.signalWithStart<typeof jobWorkflow, [StorageReport]>(JOB_WORKFLOW_TYPE, { ...this.startOptions(start), signal: storageCreatedSignal, signalArgs: [report] }),
      )
      .catch(() => undefined);
  }

  private startOptions({ job, options, analyst, startDelayMs }: JobStart): WorkflowStartOptions<typeof jobWorkflow> {
    const n = partyCount(job.securityLevel);
    const memo: JobMemo = { ...(analyst ? { analyst } : {}), analysis_name: job.analysisName, security_level: job.securityLevel, cloud_providers: job.cloudProviders, party_count: n, status: OPEN_STATUS };
    return {
      workflowId: job.jobId,
      taskQueue: this.config.temporal.taskQueue,
      args: [{ job, options, ...(analyst ? { analyst } : {}) }],
      startDelay: startDelayMs,
      // The report's signal-with-start must never start a second run of a job that has ended.
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      // The analyst's attribute only when there is one: an open (tokenless) API needs no registration of it.
      typedSearchAttributes: [{ key: statusKey, value: OPEN_STATUS }, ...(analyst ? [{ key: analystKey, value: analyst }] : [])],
      memo: { ...memo },
      staticSummary: `${job.analysisName}: ${n} parties on ${job.cloudProviders.join(', ')}`,
      staticDetails: `QueryShield job ${job.jobId}\nlevel ${job.securityLevel} (${n} parties), clouds ${job.cloudProviders.join(', ')}\nquery: ${job.querySql}`,
    };
  }

  async cancel(jobId: string): Promise<void> {
    try {
      await this.handle(jobId).cancel();
    } catch (err) {
      throw await this.updateError(err, jobId, { alreadySubmitted: () => qsError('QS_JOB_FINISHED', [], { job_id: jobId }) });
    }
  }

  async countRunning(analyst: string): Promise<number> {
    try {
      const { count } = await this.client.workflow.count(`WorkflowType = '${JOB_WORKFLOW_TYPE}' AND ExecutionStatus = 'Running' AND ${ANALYST_SEARCH_ATTRIBUTE} = '${analyst}'`);
      return count;
    } catch (err) {
      throw unavailable(err);
    }
  }

  async list(filter: { status?: string; analyst?: string }, pageSize: number, pageToken?: string): Promise<JobListing> {
    const query = [`WorkflowType = '${JOB_WORKFLOW_TYPE}'`, filter.status ? `${STATUS_SEARCH_ATTRIBUTE} = '${filter.status}'` : '', filter.analyst ? `${ANALYST_SEARCH_ATTRIBUTE} = '${filter.analyst}'` : '']
      .filter(Boolean)
      .join(' AND ');
    const token = pageToken ? Buffer.from(pageToken, 'base64url') : undefined;
    if (token?.length === 0) throw badPageToken();
    let res;
    try {
      res = await this.client.workflowService.listWorkflowExecutions({ namespace: this.config.temporal.namespace, query, pageSize, nextPageToken: token });
    } catch (err) {
      if (token && grpcCode(err) === GRPC.INVALID_ARGUMENT) throw badPageToken();
      throw unavailable(err);
    }
    const jobs = (res.executions ?? []).map((e) => {
      const memo = Object.fromEntries(Object.entries(e.memo?.fields ?? {}).map(([k, p]) => [k, decode(p)])) as Partial<JobMemo>;
      const sa = e.searchAttributes?.indexedFields?.[STATUS_SEARCH_ATTRIBUTE];
      return { jobId: e.execution?.workflowId ?? '', memo, recordedStatus: sa ? (decode(sa) as string | undefined) : undefined, createdAt: tsToIso(e.startTime), closedAt: tsToIso(e.closeTime) };
    });
    const next = res.nextPageToken?.length ? Buffer.from(res.nextPageToken).toString('base64url') : undefined;
    return { jobs, nextPageToken: next };
  }

  async workerPolls(): Promise<boolean> {
    const res = await this.client.connection.withDeadline(Date.now() + PROBE_MS, () =>
      this.client.workflowService.describeTaskQueue({
        namespace: this.config.temporal.namespace,
        taskQueue: { name: this.config.temporal.taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
        taskQueueType: TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
      }),
    );
    return (res.pollers?.length ?? 0) > 0;
  }

  private async withWorker<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await this.client.connection.withDeadline(Date.now() + UPDATE_DEADLINE_MS, fn);
    } catch (err) {
      if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError || grpcCode(err) === GRPC.DEADLINE_EXCEEDED) throw qsError('QS_NO_WORKER', [UPDATE_DEADLINE_MS / 1000]);
      throw err;
    }
  }
}

const notFound = (jobId: string) => qsError('QS_JOB_NOT_FOUND', [], { job_id: jobId });
const badPageToken = () => qsError('QS_INVALID_FIELD', ['page_token is not a token this API returned']);

function unavailable(err: unknown): QsError {
  if (err instanceof QsError) return err;
  return qsError('QS_TEMPORAL_UNAVAILABLE', [err instanceof Error ? err.message.split('\n')[0].slice(0, 200) : 'unknown error']);
}

/** The gRPC status of a failed call, on the error itself or on the ServiceError wrapping it. */
function grpcCode(err: unknown): number | undefined {
  if (isGrpcServiceError(err)) return err.code;
  const cause = (err as { cause?: unknown })?.cause;
  return isGrpcServiceError(cause) ? cause.code : undefined;
}

function pendingStage(p: proto.temporal.api.workflow.v1.IPendingActivityInfo): PendingStage {
  let task: string | undefined;
  const beat = p.heartbeatDetails?.payloads?.[0];
  if (beat) task = (decode(beat) as { task?: string } | undefined)?.task;
  return { name: p.activityType?.name ?? '', attempt: p.attempt ?? undefined, task, lastFailure: p.lastFailure?.message ?? undefined };
}

/** A payload we cannot read is no reason to fail a call: undefined. A keyword list of one is its value. */
function decode(p: unknown): unknown {
  try {
    const v = defaultPayloadConverter.fromPayload(p as never);
    return Array.isArray(v) && v.length === 1 && typeof v[0] === 'string' ? v[0] : v;
  } catch {
    return undefined;
  }
}

function tsToIso(ts: { seconds?: unknown; nanos?: number | null } | null | undefined): string | undefined {
  if (!ts?.seconds) return undefined;
  const seconds = Number(ts.seconds.toString());
  return new Date(seconds * 1000 + Math.floor((ts.nanos ?? 0) / 1e6)).toISOString();
}
