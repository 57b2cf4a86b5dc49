// The bench's way of driving the API: JSON calls, jobs created, uploaded, submitted and waited for, load
// from autocannon in another process, and what /proc says about the workers' process.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { shareTable } from '../domain/shares.js';
import { jobParties } from '../domain/names.js';
import type { JobStorage } from '../infra/storage/index.js';
import { ROOT } from '../scripts/services.js';

const run = promisify(execFile);

export async function json(url: string, method = 'GET', body?: unknown) {
  const res = await fetch(url, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
  return { status: res.status, body: (await res.json()) as any };
}

export async function autocannon(url: string, seconds: number) {
  const bin = path.join(ROOT, 'node_modules', 'autocannon', 'autocannon.js');
  const { stdout } = await run(process.execPath, [bin, '-c', '64', '-d', String(seconds), '-j', url], { maxBuffer: 64 * 1024 * 1024 });
  const r = JSON.parse(stdout) as { requests: { average: number }; latency: { p50: number; p99: number }; non2xx: number; errors: number };
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors };
}

/** A process's resident memory now, from /proc (the workers run in a process of their own). */
export function rssMb(pid: number): number {
  const kb = Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  return Math.round(kb / 1024);
}

export async function waitFor(api: string, jobId: string, done: (s: string) => boolean, timeoutMs = 900_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const st = await json(`${api}/get_status?job_id=${jobId}`);
    if (st.body.status && done(st.body.status)) return st.body;
    if (Date.now() > deadline) throw new Error(`job ${jobId} did not finish: ${JSON.stringify(st.body)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function newJob(api: string, over: Record<string, unknown> = {}) {
  const res = await json(`${api}/create_job`, 'POST', { analysis_name: 'bench', query_sql: 'SELECT SUM(x) AS total, COUNT(*) AS n FROM t', security_level: 'semi', cloud_providers: ['aws', 'gcp', 'azure'], schema: { x: 'u' }, ...over });
  if (res.status !== 200) throw new Error(`create_job: ${JSON.stringify(res.body)}`);
  return res.body.job_id as string;
}

export async function upload(api: string, storage: JobStorage, jobId: string, owners: number, level: 'semi' | 'mal') {
  const parties = jobParties({ jobId, securityLevel: level, cloudProviders: ['aws', 'gcp', 'azure'] });
  for (let o = 0; o < owners; o++) {
    const reg = await json(`${api}/register_data_owner`, 'POST', { job_id: jobId, data_owner: `owner${o}` });
    const files = shareTable(['x'], Array.from({ length: 20 }, (_, i) => [i + o]), parties.length);
    await Promise.all(parties.map((p, i) => fetch(reg.body.presigned_urls[i], { method: 'PUT', headers: storage.uploadHeaders(p), body: files[i] })));
  }
}

/**
 * CPU seconds of everything a process has waited for (/proc's cutime + cstime): for the workers' process, every
 * ansible-playbook run and what its tasks ran (modules, shells, the engines), once each has exited. Unlike wall
 * times, it hardly depends on what else loads the machine.
 */
export function childrenCpuS(pid: number): number {
  // the fields after the command name (which may hold spaces): cutime and cstime are fields 16 and 17
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100; // clock ticks (USER_HZ, 100 on Linux)
}

/** A real job through the real playbooks and engine: wall time from submit vs. the playbooks' own time, and
 *  (given the workers' pid) the CPU seconds of its playbooks. */
export async function realJob(api: string, storage: JobStorage, owners: number, level: 'semi' | 'mal', workerPid?: number) {
  const jobId = await newJob(api, { security_level: level });
  await upload(api, storage, jobId, owners, level);
  const t0 = Date.now();
  const cpu0 = workerPid ? childrenCpuS(workerPid) : 0;
  const sub = await json(`${api}/submit_job`, 'POST', { job_id: jobId });
  if (sub.status !== 200) throw new Error(`submit: ${JSON.stringify(sub.body)}`);
  const end = await waitFor(api, jobId, (s) => s === 'Success' || s === 'Fail');
  const wall = (Date.now() - t0) / 1000;
  const cpu = workerPid ? { playbooks_cpu_s: +(childrenCpuS(workerPid) - cpu0).toFixed(2) } : {};
  if (end.status !== 'Success') throw new Error(`job failed: ${JSON.stringify(end)}`);
  const stages = end.stages as { name: string; duration_ms?: number }[];
  const stage = stages.reduce((s, x) => s + (x.duration_ms ?? 0), 0) / 1000;
  // Each stage playbook's own seconds: what the job's time is made of.
  const stages_s = Object.fromEntries(stages.map((x) => [x.name, +((x.duration_ms ?? 0) / 1000).toFixed(2)]));
  return { owners, parties: level === 'mal' ? 4 : 3, job_wall_s: +wall.toFixed(2), stage_time_s: +stage.toFixed(2), stages_s, ...cpu };
}
