// Types shared by the API, the workflow and the activities. Pure data: no imports of Node or SDKs,
// so the workflow bundle can take them and the API can `import type` them.

export const PROVIDERS = ['aws', 'gcp', 'azure'] as const;
export type Provider = (typeof PROVIDERS)[number];

export const SECURITY_LEVELS = ['semi', 'mal'] as const;
export type SecurityLevel = (typeof SECURITY_LEVELS)[number];

/** "semi" = replicated 3PC (3 parties), "mal" = Fantastic Four (4 parties). */
export function partyCount(level: SecurityLevel): number {
  return level === 'mal' ? 4 : 3;
}

/** Party i lives on cloud_providers[i % len], in the order the client sent. */
export function partyProviders(providers: readonly Provider[], level: SecurityLevel): Provider[] {
  return Array.from({ length: partyCount(level) }, (_, i) => providers[i % providers.length]);
}

/** What create_job accepted: the whole configuration of a job, the workflow's input. */
export interface JobConfig {
  jobId: string;
  analysisName: string;
  querySql: string;
  securityLevel: SecurityLevel;
  cloudProviders: Provider[];
  /** column name -> unit, in the order the client sent (the share files' column order). */
  schema: Record<string, string>;
  /** ISO time the API accepted the job (stamped by the API, not the workflow). */
  createdAt: string;
}

/** The ten status strings of the seed service, exactly. */
export const JOB_STATUSES = [
  'Submitted',
  'Creating VMs',
  'VMs Created',
  'Setting Up Authentication',
  'Finished Authentication Setup',
  'Deploying TVA Core',
  'Finished TVA Core Deployment',
  'Running Experiment',
  'Success',
  'Fail',
] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** Before submit the job is open for owners; these are not seed statuses and never shown by get_status. */
export type JobPhase = 'Creating Storage' | 'Open' | JobStatus;

/** Stage names are the activity names (what the Temporal Web UI shows). */
export type StageName = 'createVMs' | 'setupAuthentication' | 'deployTvaCore' | 'runExperiment' | 'deleteVMs';

export interface StageRecord {
  name: StageName;
  /** the seed status shown while this stage runs */
  status: string;
  state: 'pending' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'skipped';
  attempts: number;
  startedAt?: string;
  endedAt?: string;
  /** current Ansible task, from heartbeats */
  progress?: string;
  error?: string;
  logTail?: string[];
  /** how long the stage's playbook itself ran (ms), as the activity measured it */
  durationMs?: number;
}

/** A stage as get_status answers it (the API's view of a StageRecord, snake_case): what `qs status` and
 *  the web page read. */
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

/** One party of a job as the stages see it. */
export interface PartyInfo {
  index: number;
  provider: Provider;
  inputBucket: string;
  outputBucket: string;
}

/** What a stage activity returns: never secrets, only what the Web UI may show. */
export interface StageResult {
  durationMs: number;
  /** last lines of the Ansible output, for the stage record */
  logTail: string[];
  /** e.g. party addresses after create_vms */
  facts?: Record<string, unknown>;
  /** which attempt of the activity produced this result (filled in by the worker) */
  attempt?: number;
}

export interface ValidationResult {
  ok: boolean;
  details: string[];
}

/** The owner id's pattern is declared with the other limits (domain/limits.ts). */
export { OWNER_ID_PATTERN } from './limits.js';

/** A party's compute host as create_vms reported it. No secrets: it travels in workflow history. */
export interface PartyHost {
  index: number;
  name: string;
  address: string;
  compute: 'local' | Provider;
  workdir?: string;
}
