// The activities the job workflow calls, as signatures only. The implementations live in activities/
// and are checked against these types where the worker registers them.
import type { JobConfig, PartyHost, StageResult, ValidationResult } from '../domain/job.js';

export type StorageScope = 'all' | 'inputs' | 'results';

export interface StorageActivities {
  /** Creates every party's input and output bucket; on failure removes what it created and throws
   *  a non-retryable StorageCreationError "Buckets creation error: <provider>: <reason>". */
  createJobStorage(job: JobConfig): Promise<void>;
  /** Checks that every owner's share file exists, is non-empty and has the right header on every party. */
  validateUploads(job: JobConfig, owners: string[]): Promise<ValidationResult>;
  deleteJobStorage(job: JobConfig, scope: StorageScope): Promise<void>;
}

/** One activity per stage, named after it (the Web UI shows these names). */
export interface StageActivities {
  createVMs(job: JobConfig): Promise<StageResult>;
  setupAuthentication(job: JobConfig, hosts: PartyHost[]): Promise<StageResult>;
  deployTvaCore(job: JobConfig, hosts: PartyHost[]): Promise<StageResult>;
  runExperiment(job: JobConfig, hosts: PartyHost[], owners: string[]): Promise<StageResult>;
  deleteVMs(job: JobConfig): Promise<StageResult>;
}

export interface SweepReport {
  jobsChecked: number;
  hostsRemoved: number;
  vmsRemoved: number;
  bucketsRemoved: number;
  inputBucketsEmptied: number;
  skippedOpen: number;
  /** VMs with a QueryShield job tag that names no job (not a job id, or no party number): terminated */
  malformedVmsRemoved?: number;
  /** jobs Temporal no longer knows whose results are kept until QS_RESULT_TTL after they were written */
  resultsKept?: number;
}

/** Which jobs a sweep looks at: all (the schedule), or the given ones (an operator, by hand). */
export interface SweepScope {
  jobIds?: string[];
  /** also remove VMs whose QueryShield tags name no job (a full sweep always does) */
  malformed?: boolean;
}

export interface SweepActivities {
  /** Finds hosts, VMs and buckets of jobs whose workflows are closed or unknown, and removes them. */
  sweepOrphans(scope?: SweepScope): Promise<SweepReport>;
}
