// An in-memory JobGateway and JobStorage for contract tests: the API's HTTP answers through app.inject,
// without Temporal or the emulators. The fake keeps the jobs a test makes or plants, and plays the
// job workflow's part in the updates just far enough for the API's answers (open → submitted); the
// real workflow's behaviour is tested against the real dev server elsewhere.
import type { UpdateDefinition } from '@temporalio/common';
import { QsError, qsError } from '../../api/errors.js';
import type { JobDescription, JobGateway, JobListing, JobStart, Rejections } from '../../api/gateway.js';
import type { JobConfig, PartyInfo } from '../../domain/job.js';
import { partyCount } from '../../domain/job.js';
import type { JobStorage } from '../../infra/storage/index.js';
import { OPEN_STATUS, type JobMemo, type JobRef, type JobState, type StorageReport } from '../../workflows/messages.js';

export interface FakeJob {
  desc: JobDescription;
  /** undefined: no worker answers its queries */
  state?: JobState;
}

export class FakeGateway implements JobGateway {
  readonly jobs = new Map<string, FakeJob>();
  readonly started: JobStart[] = [];
  readonly reports: StorageReport[] = [];
  readonly updates: { jobId: string; name: string; args: unknown[] }[] = [];
  /** Temporal down: every call answers 503 */
  down = false;
  workerPolling = true;

  /** A job as create_job leaves it (open for owners), or as the test shapes it. */
  plant(job: JobConfig, shape: { execution?: JobDescription['execution']; recordedStatus?: string; state?: Partial<JobState> | null } = {}): FakeJob {
    const memo: Partial<JobMemo> = { analysis_name: job.analysisName, security_level: job.securityLevel, cloud_providers: job.cloudProviders, party_count: partyCount(job.securityLevel), status: OPEN_STATUS };
    const desc: JobDescription = { jobId: job.jobId, execution: shape.execution ?? 'RUNNING', recordedStatus: shape.recordedStatus ?? OPEN_STATUS, memo, pending: [] };
    const state = shape.state === null ? undefined : { phase: 'Open' as const, owners: [], invitations: [], stages: [], job, ...shape.state };
    const fake = { desc, state };
    this.jobs.set(job.jobId, fake);
    return fake;
  }

  private job(jobId: string): FakeJob {
    if (this.down) throw qsError('QS_TEMPORAL_UNAVAILABLE', ['connect ECONNREFUSED']);
    const job = this.jobs.get(jobId);
    if (!job) throw qsError('QS_JOB_NOT_FOUND', [], { job_id: jobId });
    return job;
  }

  async describe(jobId: string): Promise<JobDescription> {
    return structuredClone(this.job(jobId).desc);
  }

  async state(jobId: string): Promise<JobState | undefined> {
    const state = this.job(jobId).state;
    return state && structuredClone(state);
  }

  async stateWithWorker(jobId: string): Promise<JobState> {
    const state = await this.state(jobId);
    if (!state) throw qsError('QS_NO_WORKER', [120]);
    return state;
  }

  async update<Ret, Args extends unknown[]>(jobId: string, update: UpdateDefinition<Ret, Args>, args: Args, rejected: Rejections): Promise<Ret> {
    const job = this.job(jobId);
    this.updates.push({ jobId, name: update.name, args });
    if (job.desc.execution !== 'RUNNING') throw qsError('QS_JOB_FINISHED', [], { job_id: jobId });
    if (!job.state) throw qsError('QS_NO_WORKER', [120]);
    const state = job.state;
    if (state.phase !== 'Open') throw rejected.alreadySubmitted();
    const ref: JobRef = { jobId, cloudProviders: state.job.cloudProviders, securityLevel: state.job.securityLevel };
    const [owner, second] = args as unknown as [string, unknown];
    switch (update.name) {
      case 'registerDataOwner':
        if (!state.owners.includes(owner)) state.owners.push(owner);
        return ref as Ret;
      case 'inviteOwner':
        state.invitations = [...(state.invitations ?? []).filter((i) => i.owner !== owner), { owner, sha256: second as string }];
        return ref as Ret;
      case 'removeOwner':
        state.owners = state.owners.filter((o) => o !== owner);
        state.invitations = (state.invitations ?? []).filter((i) => i.owner !== owner);
        return undefined as Ret;
      case 'submit':
        if (state.owners.length === 0) return { ok: false, details: ['no data owner registered'] } as Ret;
        Object.assign(state, { phase: 'Submitted', status: 'Submitted', lastStatus: 'Submitted' });
        job.desc.recordedStatus = 'Submitted';
        return { ok: true, details: [] } as Ret;
    }
    throw new Error(`the fake gateway does not play update ${update.name}`);
  }

  async start(start: JobStart): Promise<void> {
    if (this.down) throw qsError('QS_TEMPORAL_UNAVAILABLE', ['connect ECONNREFUSED']);
    this.started.push(start);
    this.plant(start.job, { state: { phase: 'Creating Storage' } });
  }

  async reportStorage(start: JobStart, report: StorageReport): Promise<void> {
    this.reports.push(report);
    const job = this.jobs.get(start.job.jobId);
    if (job?.state) job.state.phase = report.ok ? 'Open' : 'Fail';
  }

  async cancel(jobId: string): Promise<void> {
    const job = this.job(jobId);
    job.desc.execution = 'CANCELLED';
  }

  async countRunning(analyst: string): Promise<number> {
    if (this.down) throw qsError('QS_TEMPORAL_UNAVAILABLE', ['connect ECONNREFUSED']);
    return [...this.jobs.values()].filter((j) => j.desc.execution === 'RUNNING' && j.desc.memo.analyst === analyst).length;
  }

  async list(filter: { status?: string; analyst?: string }, pageSize: number): Promise<JobListing> {
    if (this.down) throw qsError('QS_TEMPORAL_UNAVAILABLE', ['connect ECONNREFUSED']);
    const jobs = [...this.jobs.values()]
      .filter((j) => (!filter.status || j.desc.recordedStatus === filter.status) && (!filter.analyst || j.desc.memo.analyst === filter.analyst))
      .reverse()
      .slice(0, pageSize)
      .map((j) => ({ jobId: j.desc.jobId, memo: j.desc.memo, recordedStatus: j.desc.recordedStatus }));
    return { jobs };
  }

  async workerPolls(): Promise<boolean> {
    if (this.down) throw new QsError('QS_TEMPORAL_UNAVAILABLE', ['connect ECONNREFUSED']);
    return this.workerPolling;
  }
}

/** Storage that signs pretend URLs and remembers what was made and removed. */
export function fakeStorage() {
  const made = new Set<string>();
  const url = (p: PartyInfo, what: string) => `https://${p.provider}.storage.test/${p.inputBucket}/${what}?signature=x`;
  const storage = {
    made,
    failCreate: undefined as Error | undefined,
    async create(parties: PartyInfo[]) {
      if (storage.failCreate) throw storage.failCreate;
      for (const p of parties) made.add(p.inputBucket);
    },
    async delete(parties: PartyInfo[]) {
      for (const p of parties) made.delete(p.inputBucket);
    },
    async uploadUrls(parties: PartyInfo[], owner: string) {
      return parties.map((p) => url(p, owner));
    },
    uploadHeaders(p: PartyInfo): Record<string, string> {
      return p.provider === 'azure' ? { 'content-type': 'text/csv', 'x-ms-blob-type': 'BlockBlob' } : { 'content-type': 'text/csv' };
    },
    async resultReadUrls(parties: PartyInfo[]) {
      return parties.map((p) => url(p, 'result'));
    },
    async inputSizes(parties: PartyInfo[], owners: string[]) {
      return parties.flatMap((p) => owners.map((owner) => ({ owner, party: p.index, size: undefined as number | undefined })));
    },
  };
  return storage as typeof storage & JobStorage;
}
