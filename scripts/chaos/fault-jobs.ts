// The jobs of a fault run, driven as their users would (real HTTP, presigned PUTs), and the checks made
// on each when the run is over: how it ended, whether its answer is right, how many hosts it got and
// whether any of them, or any process of it, is left.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { resultTable, shareTable } from '../../domain/shares.js';
import { jobParties } from '../../domain/names.js';
import { RUN_MARKER_VAR, runningWithMarker } from '../../activities/ansible/process-group.js';
import { uploadHeaders } from '../../client/put-share.js';
import { partyCount, type Provider, type SecurityLevel } from '../../domain/job.js';

const PROVIDERS: Provider[] = ['aws', 'gcp', 'azure'];

export interface FaultJob {
  id: string;
  level: SecurityLevel;
  expected: number[]; // [SUM(salary), COUNT(*)]
}

async function call(api: string, method: string, route: string, body?: unknown): Promise<any> {
  const res = await fetch(`${api}${route}`, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined, signal: AbortSignal.timeout(30_000) });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** Creates a job, has one data owner upload a few rows, and submits it. */
export async function launchJob(api: string, level: SecurityLevel, seed: number): Promise<FaultJob> {
  const { job_id: id } = await call(api, 'POST', '/create_job', {
    analysis_name: `fault-${seed}`,
    query_sql: 'SELECT SUM(salary) AS total, COUNT(*) AS n FROM payroll',
    security_level: level,
    cloud_providers: PROVIDERS,
    schema: { age: 'years', salary: 'usd' },
  });
  const rows = Array.from({ length: 2 + (seed % 4) }, (_, i) => [20 + i, 1000 * (seed + 1) + i]);
  const reg = await call(api, 'POST', '/register_data_owner', { job_id: id, data_owner: `owner${seed}` });
  const parties = jobParties({ jobId: id, securityLevel: level, cloudProviders: PROVIDERS });
  const files = shareTable(['age', 'salary'], rows, parties.length);
  await Promise.all(parties.map(async (p, i) => {
    const url = reg.presigned_urls[i] as string;
    const res = await fetch(url, { method: 'PUT', headers: uploadHeaders(url, p.provider), body: files[i] });
    if (!res.ok) throw new Error(`upload of party ${i} of ${id}: ${res.status} ${await res.text()}`);
  }));
  await call(api, 'POST', '/submit_job', { job_id: id });
  return { id, level, expected: [rows.reduce((s, r) => s + r[1], 0), rows.length] };
}

export interface RunningStage {
  jobId: string;
  stage: string;
  attempt: number;
  worker: string;
}

/** The stage activities that a live worker is running right now, from Temporal (no worker needed). */
export async function runningStages(client: Client, jobIds: string[]): Promise<RunningStage[]> {
  const out: RunningStage[] = [];
  await Promise.all(jobIds.map(async (jobId) => {
    const d = await client.workflow.getHandle(jobId).describe().catch(() => undefined);
    for (const a of d?.raw.pendingActivities ?? []) {
      if (a.state === 2 /* STARTED */) out.push({ jobId, stage: a.activityType?.name ?? '?', attempt: a.attempt ?? 1, worker: a.lastWorkerIdentity ?? '' });
    }
  }));
  return out;
}

export interface JobVerdict {
  id: string;
  status: string;
  answerRight: boolean;
  parties: number;
  hostsCreated: number; // lines in the ledger (a kill between making a host and logging it cuts one)
  hostsRecreated: number; // a party host created more than once: a second set
  hostsLeft: string[]; // party folders still on disk
  processesLeft: string[]; // engine processes of the job still running
  stageAttempts: Record<string, number>;
}

/** One line per host created or removed, written by the local provider (see its create.yml). */
function ledger(dataDir: string): string[][] {
  const file = path.join(dataDir, 'local-hosts.log');
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => l.split(' ')) : [];
}

/** Engine processes of the job (their command lines name its folder). */
function engineProcessesOf(jobId: string): string[] {
  try {
    return execFileSync('pgrep', ['-af', `[q]s-engine.*${jobId}|[m]pirun.*${jobId}`], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

/** Running processes of any playbook run, found by the runner's marker in their environment: once every
 *  job has ended, each one is a leftover (e.g. the orphan of a killed worker's run). */
export function playbookProcessesLeft(): string[] {
  return runningWithMarker(RUN_MARKER_VAR).map((pid) => {
    try {
      return `${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').slice(0, 160)}`;
    } catch {
      return String(pid);
    }
  });
}

export async function verifyJob(api: string, dataDir: string, job: FaultJob): Promise<JobVerdict> {
  const status = await call(api, 'GET', `/get_status?job_id=${job.id}`);
  let answerRight = false;
  if (status.status === 'Success') {
    const files = await Promise.all((status.result as string[]).map(async (u) => (await fetch(u)).text()));
    answerRight = JSON.stringify(resultTable(files).rows) === JSON.stringify([job.expected]);
  }
  const created = ledger(dataDir).filter((l) => l[1] === 'created' && l[2] === job.id).map((l) => l[3]);
  const jobDir = path.join(dataDir, 'jobs', job.id);
  return {
    id: job.id,
    status: status.status,
    answerRight,
    parties: partyCount(job.level),
    hostsCreated: created.length,
    hostsRecreated: created.length - new Set(created).size,
    hostsLeft: existsSync(jobDir) ? readdirSync(jobDir).filter((f) => f.startsWith('party')) : [],
    processesLeft: engineProcessesOf(job.id),
    stageAttempts: Object.fromEntries((status.stages as { name: string; attempts: number }[]).map((s) => [s.name, s.attempts])),
  };
}

export async function statusOf(api: string, jobId: string): Promise<string | undefined> {
  return (await call(api, 'GET', `/get_status?job_id=${jobId}`).catch(() => undefined))?.status;
}

/** Every job id the API lists (all pages). */
export async function listedJobs(api: string): Promise<Set<string>> {
  const ids = new Set<string>();
  let token: string | undefined;
  do {
    const page = await call(api, 'GET', `/jobs?limit=100${token ? `&page_token=${token}` : ''}`);
    for (const j of page.jobs ?? []) ids.add(j.job_id);
    token = page.next_page_token;
  } while (token);
  return ids;
}
