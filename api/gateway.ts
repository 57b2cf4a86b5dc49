// The API's one way in to Temporal. The use cases speak in jobs (describe, query, update, start, list);
// this turns that into client calls with their deadlines, and Temporal's failures into the catalogue's
// answers by what they are (an error class, a gRPC status code), never by their message text. Tests put
// a fake in its place (test/helpers/fake-gateway.ts) to check the HTTP contract without a server.
import type { UpdateDefinition } from '@temporalio/common';
import type { JobConfig } from '../domain/job.js';
import type { JobMemo, JobOptions, JobState, StorageReport } from '../workflows/messages.js';
import type { QsError } from './errors.js';

/** How a job's workflow execution stands: running, or how it closed. */
export type ExecutionStatus = 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELLED' | 'TERMINATED' | 'TIMED_OUT' | 'CONTINUED_AS_NEW' | 'UNKNOWN';

/** The running stage's live facts, from the server's view of its pending activity. */
export interface PendingStage {
  name: string;
  attempt?: number;
  /** the Ansible task of its last heartbeat */
  task?: string;
  lastFailure?: string;
}

export interface JobDescription {
  jobId: string;
  execution: ExecutionStatus;
  /** the status the job last recorded in its search attribute */
  recordedStatus?: string;
  /** the memo the API wrote at start; jobs of an older API may lack fields */
  memo: Partial<JobMemo>;
  pending: PendingStage[];
}

/** A job's workflow as create_job starts it. */
export interface JobStart {
  job: JobConfig;
  options: JobOptions;
  analyst?: string;
  /** the workflow waits this long before it runs, unless the storage report ends the wait */
  startDelayMs: number;
}

export interface JobListing {
  jobs: { jobId: string; memo: Partial<JobMemo>; recordedStatus?: string; createdAt?: string; closedAt?: string }[];
  nextPageToken?: string;
}

/** What an update's caller answers when the workflow refuses it: submitted already (each update means
 *  something else by it), and an invitation that does not hold. */
export interface Rejections {
  alreadySubmitted: () => QsError;
  notInvited?: () => QsError;
}

export interface JobGateway {
  /** The job's workflow; QS_JOB_NOT_FOUND when there is none (or it is not a job). */
  describe(jobId: string): Promise<JobDescription>;
  /** The job's own record, by query; undefined when no worker answered within the status deadline. */
  state(jobId: string): Promise<JobState | undefined>;
  /** The job's record by query, waiting for a worker as long as an update does (QS_NO_WORKER after). */
  stateWithWorker(jobId: string): Promise<JobState>;
  /** Sends an update and waits for its answer (QS_NO_WORKER past the deadline). The workflow's
   *  rejections become the caller's answers (`rejected`) or the catalogue's; an ended job is
   *  QS_JOB_FINISHED, an unknown one QS_JOB_NOT_FOUND. */
  update<Ret, Args extends unknown[]>(jobId: string, update: UpdateDefinition<Ret, Args>, args: Args, rejected: Rejections): Promise<Ret>;
  /** Starts the job's workflow (delayed; QS_TEMPORAL_UNAVAILABLE when Temporal does not take it). */
  start(start: JobStart): Promise<void>;
  /** Reports the job's storage by signal-with-start, ending its start delay. Never throws. */
  reportStorage(start: JobStart, report: StorageReport): Promise<void>;
  cancel(jobId: string): Promise<void>;
  /** How many of an analyst's jobs are running, from visibility. */
  countRunning(analyst: string): Promise<number>;
  /** Jobs newest first from visibility; an unknown page token is a 400 naming page_token. */
  list(filter: { status?: string; analyst?: string }, pageSize: number, pageToken?: string): Promise<JobListing>;
  /** Whether a worker polls the job task queue (throws when Temporal does not answer). */
  workerPolls(): Promise<boolean>;
}
