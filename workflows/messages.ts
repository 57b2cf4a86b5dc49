// The job workflow's messages, shared by the API (client side) and the workflow. Names are what the
// Temporal Web UI and the `temporal` CLI show, so they are part of the operator's interface.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { JobConfig, JobPhase, JobStatus, Provider, SecurityLevel, StageRecord } from '../domain/job.js';

/** Tunables the API hands the workflow at start (never secrets: they are in history). */
export interface JobOptions {
  /** how long an unsubmitted job waits before it removes its storage (ms) */
  jobTtlMs: number;
  stage: { timeoutSeconds: number; heartbeatTimeoutSeconds: number; retries: number };
  /** how long a failed stage holds its resources for `retry`/`abort` (ms, 0 = tear down at once) */
  failedStageHoldMs: number;
  /** remove the owners' input shares when the job ends */
  deleteInputsOnEnd: boolean;
  /** The API creates the buckets and reports them (`storageCreated`, by signal-with-start); once running,
   *  the workflow waits this long (ms) for the report before it makes sure of the buckets itself. Absent
   *  in jobs of an older API, which left the buckets to the workflow. */
  storageReportTimeoutMs?: number;
  /** at most this many data owners (registered or invited) per job; absent in jobs of an older API */
  maxOwners?: number;
}

/** What the API reports once it has tried to create a job's buckets (a failed try removed its buckets). */
export type StorageReport = { ok: true } | { ok: false; error: string };

export interface JobInput {
  job: JobConfig;
  options: JobOptions;
  /** the name of the analyst token that created the job (absent when the API runs without tokens, and
   *  in jobs of an older API); the API answers 404 to any other analyst. Not read by the workflow. */
  analyst?: string;
}

/** The part of a job's configuration a caller needs to sign URLs for its parties. */
export interface JobRef {
  jobId: string;
  cloudProviders: Provider[];
  securityLevel: SecurityLevel;
}

export interface SubmitOutcome {
  ok: boolean;
  details: string[];
}

export interface JobState {
  phase: JobPhase;
  /** the seed status, once submitted */
  status?: JobStatus;
  lastStatus?: string;
  error?: string;
  owners: string[];
  /** owners invited by the analyst, with the SHA-256 of the invitation token (the token itself is only
   *  ever shown to the analyst); a new invitation for an owner replaces the previous one */
  invitations?: Invitation[];
  stages: StageRecord[];
  job: JobConfig;
}

export interface Invitation {
  owner: string;
  sha256: string;
}

/** How a register call proves it may register the owner: the hash of its invitation token (absent for
 *  an API without tokens, or a data_owner token the tokens file binds to the owner's name). */
export interface RegisterProof {
  invitationSha256?: string;
}

/** The job workflow's type name (what the Web UI lists). */
export const JOB_WORKFLOW_TYPE = 'jobWorkflow';
export const SWEEP_WORKFLOW_TYPE = 'sweepWorkflow';
/** The Temporal Schedule that runs the sweep. */
export const SWEEP_SCHEDULE_ID = 'queryshield-sweep';

/** The API's report on the job's buckets: opens the job to data owners, or ends it as Fail. */
export const storageCreatedSignal = defineSignal<[StorageReport]>('storageCreated');
/** Waits until the job's storage exists on every cloud; fails with the storage error. An older API
 *  used it with update-with-start; kept so its jobs still answer. */
export const storageReadyUpdate = defineUpdate<JobRef, []>('storageReady');
/** Records a data owner (once); refused after submit. Returns the job's party layout so the API can sign URLs. */
export const registerDataOwnerUpdate = defineUpdate<JobRef, [string, RegisterProof?]>('registerDataOwner');
/** Records an invitation (owner, SHA-256 of its token) while the job is open; counts toward maxOwners. */
export const inviteOwnerUpdate = defineUpdate<JobRef, [string, string]>('inviteOwner');
/** Removes an owner (registered or invited) while the job is open. The API checks first that the owner
 *  has uploaded nothing. */
export const removeOwnerUpdate = defineUpdate<void, [string]>('removeOwner');
/** Validates the uploads and, when they are complete, starts the stages. Refused when already submitted. */
export const submitUpdate = defineUpdate<SubmitOutcome, []>('submit');
export const statusQuery = defineQuery<JobState>('status');
/** Operator signals for a failed stage that is being held. */
export const retrySignal = defineSignal('retry');
export const abortSignal = defineSignal('abort');

/** ApplicationFailure types the API maps to HTTP answers. */
export const FAILURE = {
  storageCreation: 'StorageCreationError',
  alreadySubmitted: 'JobAlreadySubmitted',
  notOpen: 'JobNotOpen',
  invalidOwner: 'InvalidOwnerId',
  notInvited: 'OwnerNotInvited',
  tooManyOwners: 'TooManyOwners',
} as const;

/** The search attribute that carries a job's status (a Keyword registered by temporal-dev.sh). */
export const STATUS_SEARCH_ATTRIBUTE = 'QueryShieldStatus';
/** The search attribute that carries the name of the analyst who created a job (a Keyword registered by
 *  temporal-dev.sh; a cluster that runs the API with tokens must have it). Set only when there is one. */
export const ANALYST_SEARCH_ATTRIBUTE = 'QueryShieldAnalyst';
/** Value of the search attribute before submit (not one of the seed statuses: get_status answers 409 then). */
export const OPEN_STATUS = 'Created';

/** A job's memo: the API writes it at start (the list of jobs reads it without asking the workflow) and
 *  the workflow keeps `status` current. Jobs of an older API have no `analyst`. */
export interface JobMemo {
  analyst?: string;
  analysis_name: string;
  security_level: SecurityLevel;
  cloud_providers: Provider[];
  party_count: number;
  status: JobStatus | typeof OPEN_STATUS;
}

/** The error of a job that ended without success, naming the last status it showed: the workflow writes
 *  it when it ends a job, and the API builds the same words for a job closed from outside (terminated,
 *  timed out, cancelled) whose workflow could not. */
export function lastStatusError(how: 'cancelled' | 'failed', lastStatus: string): string {
  return `${how === 'cancelled' ? 'Cancelled' : 'Failed'}. Last status is ${lastStatus}.`;
}
