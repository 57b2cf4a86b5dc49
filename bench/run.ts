// `npm run bench [-- --quick]`: measures the API and the orchestration against the embedded default
// (everything started here on free ports and stopped afterwards), the MPC engine's protocols and operators
// (`engine`, bench/engine.ts) and the SQL queries over the real links (`queries`, bench/queries.ts), prints a
// table and writes bench/results.json. Every ratio compares two figures measured in this same run.
// The engine and queries steps run first, before the embedded services start, so neither loads the other.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { loadConfig, type Config } from '../infra/config.js';
import { shareTable } from '../domain/shares.js';
import { JobStorage, cloudStorages } from '../infra/storage/index.js';
import { bucketName, jobParties } from '../domain/names.js';
import { registerDataOwnerUpdate } from '../workflows/messages.js';
import { LOAD_SCRIPT_ENV, ROOT, freePort, startEmbeddedOnFreePorts, stopAll, type Service } from '../scripts/services.js';
import { startNodeEntry, stopNodeEntry } from '../scripts/node-entry.js';
import { HELD_JOB_NAME } from './light-stages.js';
import { benchBuildDir, benchEngine } from './engine.js';
import { benchQueries } from './queries.js';

const run = promisify(execFile);
const STEPS = ['status', 'register', 'create', 'jobs', 'concurrent', 'engine', 'queries'] as const;
/** The steps that need the embedded services (Temporal, the emulated clouds, the API and the workers). */
const SERVICE_STEPS = ['status', 'register', 'create', 'jobs', 'concurrent'] as const;
const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, only: { type: 'string' } } });
const quick = values.quick!;
/** `--only create,register`: run just those steps (while working on one figure); results.json is then partial. */
const only = values.only?.split(',').map((s) => s.trim());
for (const s of only ?? []) if (!(STEPS as readonly string[]).includes(s)) throw new Error(`--only: unknown step ${s}; steps are ${STEPS.join(', ')}`);
const want = (step: (typeof STEPS)[number]) => !only || only.includes(step);
const results: Record<string, unknown> = { quick, ...(only ? { only } : {}), machine: `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB`, started_at: new Date().toISOString() };
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const median = (xs: number[]) => pct(xs, 50);
const progress = (step: number, what: string) => console.error(`bench: ${step}/${STEPS.length} ${what}…`);

const services: Service[] = [];
const tmp = mkdtempSync(path.join(os.tmpdir(), 'qs-bench-'));
const stops: (() => Promise<void>)[] = [];

async function json(url: string, method = 'GET', body?: unknown) {
  const res = await fetch(url, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
  return { status: res.status, body: (await res.json()) as any };
}

async function autocannon(url: string, seconds: number) {
  const bin = path.join(ROOT, 'node_modules', 'autocannon', 'autocannon.js');
  const { stdout } = await run(process.execPath, [bin, '-c', '64', '-d', String(seconds), '-j', url], { maxBuffer: 64 * 1024 * 1024 });
  const r = JSON.parse(stdout) as { requests: { average: number }; latency: { p50: number; p99: number }; non2xx: number; errors: number };
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors };
}

/** A process's resident memory now, from /proc (the workers run in a process of their own). */
function rssMb(pid: number): number {
  const kb = Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  return Math.round(kb / 1024);
}

async function waitFor(api: string, jobId: string, done: (s: string) => boolean, timeoutMs = 900_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const st = await json(`${api}/get_status?job_id=${jobId}`);
    if (st.body.status && done(st.body.status)) return st.body;
    if (Date.now() > deadline) throw new Error(`job ${jobId} did not finish: ${JSON.stringify(st.body)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function newJob(api: string, over: Record<string, unknown> = {}) {
  const res = await json(`${api}/create_job`, 'POST', { analysis_name: 'bench', query_sql: 'SELECT SUM(x) AS total, COUNT(*) AS n FROM t', security_level: 'semi', cloud_providers: ['aws', 'gcp', 'azure'], schema: { x: 'u' }, ...over });
  if (res.status !== 200) throw new Error(`create_job: ${JSON.stringify(res.body)}`);
  return res.body.job_id as string;
}

async function upload(api: string, storage: JobStorage, jobId: string, owners: number, level: 'semi' | 'mal') {
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
function childrenCpuS(pid: number): number {
  // the fields after the command name (which may hold spaces): cutime and cstime are fields 16 and 17
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100; // clock ticks (USER_HZ, 100 on Linux)
}

/** A real job through the real playbooks and engine: wall time from submit vs. the playbooks' own time, and
 *  (given the workers' pid) the CPU seconds of its playbooks. */
async function realJob(api: string, storage: JobStorage, owners: number, level: 'semi' | 'mal', workerPid?: number) {
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

// Interrupted (Ctrl-C, or a test's timeout): stop what it started (the API and worker processes, the
// emulators, the dev server) instead of leaving them running.
const onSignal = () => {
  const stopped = Promise.all(stops.map((stop) => stop().catch(() => undefined)));
  void Promise.race([stopped, new Promise((r) => setTimeout(r, 10_000))])
    .then(() => stopAll(services))
    .finally(() => process.exit(130));
};
process.once('SIGINT', onSignal);
process.once('SIGTERM', onSignal);

try {
  // The engine's own figures (one process, parties as threads over in-memory links) and the SQL queries (n
  // qs-engine processes over the real links), before the services start. Both build engine/ (Release, with
  // its bench programs) in one folder outside the tree, reused by later runs.
  const engineBuild = benchBuildDir();
  if (want('engine')) {
    progress(6, `the engine: protocols and operators, 3PC and 4PC${quick ? ' (quick: 2^16 elements, no 2^18 sort)' : ''}`);
    const t0 = Date.now();
    results.engine = { ...(await benchEngine({ quick, buildDir: engineBuild })), step_s: +((Date.now() - t0) / 1000).toFixed(1) };
  }
  if (want('queries')) {
    progress(7, `SQL queries over the real links (credit score, wage gap; 3PC and 4PC)${quick ? ' (quick: 2^8 and 2^10 rows)' : ''}`);
    const t0 = Date.now();
    results.queries = { ...(await benchQueries({ quick, buildDir: engineBuild })), step_s: +((Date.now() - t0) / 1000).toFixed(1) };
  }
  if (SERVICE_STEPS.some(want)) await serviceSteps();
  results.finished_at = new Date().toISOString();
  writeFileSync(path.join(ROOT, 'bench', 'results.json'), JSON.stringify(results, null, 2) + '\n');
  printTable();
} finally {
  for (const stop of stops) await stop().catch(() => undefined);
  await stopAll(services);
  rmSync(tmp, { recursive: true, force: true });
}

function printTable() {
  const rows = Object.entries(results).filter(([k]) => !['scaling', 'engine', 'queries'].includes(k));
  console.log('\nQueryShield benchmarks' + (quick ? ' (quick)' : ''));
  for (const [k, v] of rows) console.log(`  ${k.padEnd(32)} ${typeof v === 'object' ? JSON.stringify(v) : v}`);
  if (results.scaling) {
    console.log('  scaling (owners, parties → wall s / playbook s):');
    for (const s of results.scaling as { owners: number; parties: number; job_wall_s: number; stage_time_s: number }[]) {
      console.log(`    ${String(s.owners).padStart(3)} owners, ${s.parties} parties → ${s.job_wall_s} / ${s.stage_time_s}`);
    }
  }
  const engine = results.engine as Record<string, any> | undefined;
  if (engine) {
    console.log('  engine (seconds; bytes sent per party / theory; ORQ seconds / ours):');
    for (const proto of ['3pc', '4pc']) {
      const e = engine[proto] ?? {};
      const keys = ['and', 'mult', 'eq', 'lt', 'a2b', 'sort_2p16', 'sort_2p18'].filter((k) => typeof e[`${k}_s`] === 'number');
      console.log(`    ${proto} (n = ${e.n}): ` + keys.map((k) => `${k} ${e[`${k}_s`]} s [${e.bytes_over_theory?.[k] ?? '-'}; ×${e.speedup_vs_orq?.[`${k}_s`] ?? '-'}]`).join(', '));
    }
    console.log(`    peak memory per party (n = ${engine.peak_memory?.n}): 3pc ${engine.peak_memory?.['3pc']?.per_party_mb} MB, 4pc ${engine.peak_memory?.['4pc']?.per_party_mb} MB`);
  }
  const queries = results.queries as Record<string, any> | undefined;
  if (queries) {
    console.log('  queries (wall s, MiB sent by the busiest party; growth exponent):');
    for (const q of ['credit_score', 'wage_gap']) {
      for (const proto of ['3pc', '4pc']) {
        const e = queries[q]?.[proto];
        if (!e) continue;
        const sizes = Object.entries(e.by_rows as Record<string, { wall_s: number; bytes_per_party: number }>).map(([n, r]) => `${n}: ${r.wall_s} s ${(r.bytes_per_party / 2 ** 20).toFixed(1)} MiB`);
        console.log(`    ${q} ${proto}: ${sizes.join(', ')}; exponent ${e.growth_exponent}`);
      }
    }
    if ((queries.capped as unknown[])?.length) console.log(`    capped: ${JSON.stringify(queries.capped)}`);
  }
}

async function serviceSteps() {
  const env = { ...(await startEmbeddedOnFreePorts(tmp, services)), ...LOAD_SCRIPT_ENV };
  const config = loadConfig(env);
  const light: Config = loadConfig({ ...env, TEMPORAL_TASK_QUEUE: 'bench-light' });

  // Workers: the real one, and a light one (no Ansible) for load and concurrency figures, in a process of
  // their own (bench/worker-process.ts).
  const workerProcess = startNodeEntry({
    name: 'the bench workers',
    script: 'bench/worker-process.ts',
    env: { ...process.env, ...env, BENCH_LIGHT_QUEUE: light.temporal.taskQueue, BENCH_LIGHT_HOLD_MS: String(quick ? 300 : 1000) },
    readyLine: 'bench-worker: ready',
    logFile: path.join(tmp, 'logs', 'workers.log'),
  });
  stops.push(() => stopNodeEntry(workerProcess.child, 30_000));
  await workerProcess.ready;
  const connection = await Connection.connect({ address: config.temporal.address });
  const client = new Client({ connection });
  const storage = new JobStorage(cloudStorages(config), { uploadSeconds: 3600, readSeconds: 3600 });
  // The API runs in a process of its own (bench/api-process.ts), as in production.
  const startApp = async (queue: string) => {
    const port = await freePort();
    const { child, ready } = startNodeEntry({
      name: 'the bench API',
      script: 'bench/api-process.ts',
      env: { ...process.env, ...env, TEMPORAL_TASK_QUEUE: queue, PORT: String(port) },
      readyLine: 'bench-api: ready',
      logFile: path.join(tmp, 'logs', `api-${queue}.log`),
    });
    await ready;
    stops.unshift(() => stopNodeEntry(child, 30_000));
    return `http://127.0.0.1:${port}`;
  };
  const api = await startApp(config.temporal.taskQueue);
  const lightApi = await startApp(light.temporal.taskQueue);

  const scaling: Awaited<ReturnType<typeof realJob>>[] = [];
  if (want('status')) {
    progress(1, 'get_status vs. a plain route (autocannon, 64 connections)');
    // 1. get_status on a running job vs. a plain Fastify JSON route in the same process, load from another process.
    const held = await newJob(lightApi, { analysis_name: HELD_JOB_NAME });
    await upload(lightApi, storage, held, 1, 'semi');
    await json(`${lightApi}/submit_job`, 'POST', { job_id: held });
    await waitFor(lightApi, held, (s) => s === 'Creating VMs'); // and there it stays until cancelled
    const seconds = quick ? 2 : 10;
    const status = await autocannon(`${lightApi}/get_status?job_id=${held}`, seconds);
    const plain = await autocannon(`${lightApi}/bench/plain`, seconds);
    Object.assign(results, {
      get_status_rps: Math.round(status.rps), plain_route_rps: Math.round(plain.rps), get_status_vs_fastify_ratio: +(status.rps / plain.rps).toFixed(3),
      get_status_p50_ms: status.p50, get_status_p99_ms: status.p99, get_status_non2xx: status.non2xx,
      // The floor for get_status's tail: the same load on a route that does nothing.
      plain_route_p50_ms: plain.p50, plain_route_p99_ms: plain.p99,
    });
    await json(`${lightApi}/cancel_job`, 'POST', { job_id: held });
    // Its clean-up (the stages' compensations) must not run into the next step's timings.
    await waitFor(lightApi, held, (s) => s === 'Fail', 120_000);
  }

  if (want('register')) {
    progress(2, 'register_data_owner latency, and the bare update round trip');
    // 2. register_data_owner latency (three clouds, local signing).
    const regJob = await newJob(api);
    const lat: number[] = [];
    for (let i = 0; i < (quick ? 50 : 300); i++) {
      const t0 = performance.now();
      const r = await json(`${api}/register_data_owner`, 'POST', { job_id: regJob, data_owner: `o${i % 10}` });
      lat.push(performance.now() - t0);
      if (r.status !== 200) throw new Error(`register: ${JSON.stringify(r.body)}`);
    }
    // What bounds it: the workflow update alone (client -> Temporal -> worker -> back), no HTTP, no signing.
    const upd: number[] = [];
    for (let i = 0; i < lat.length; i++) {
      const t0 = performance.now();
      await client.workflow.getHandle(regJob).executeUpdate(registerDataOwnerUpdate, { args: [`o${i % 10}`] });
      upd.push(performance.now() - t0);
    }
    Object.assign(results, {
      register_p50_ms: +median(lat).toFixed(2), register_p99_ms: +pct(lat, 99).toFixed(2),
      update_roundtrip_p50_ms: +median(upd).toFixed(2), update_roundtrip_p99_ms: +pct(upd, 99).toFixed(2),
    });
  }

  if (want('create')) {
    progress(3, 'create_job vs. the slowest single cloud buckets');
    // 3. create_job on three clouds vs. the slowest single cloud's storage creation (one party's two
    // buckets, made the way create_job makes them).
    // Interleaved, so that both figures see the same machine (other work, caches) at the same moments.
    const creates: number[] = [];
    const clouds = cloudStorages(config);
    const perCloud: Record<string, number[]> = { aws: [], gcp: [], azure: [] };
    // Back to back: after a pause of even 50 ms every figure here came out slower (gcp's and azure's by
    // half), the create most.
    for (let i = 0; i < (quick ? 3 : 40); i++) {
      const t0 = performance.now();
      await newJob(api);
      creates.push(performance.now() - t0);
      for (const p of ['aws', 'gcp', 'azure'] as const) {
        const id = crypto.randomUUID();
        const t1 = performance.now();
        await Promise.all([clouds[p].createNewBucket(bucketName(id, 0, 'in')), clouds[p].createNewBucket(bucketName(id, 0, 'out'))]);
        perCloud[p].push(performance.now() - t1);
      }
    }
    const single = Object.fromEntries(Object.entries(perCloud).map(([p, xs]) => [p, +median(xs).toFixed(1)]));
    const slowest = Math.max(...Object.values(single));
    Object.assign(results, {
      create_ms: +median(creates).toFixed(1), single_cloud_bucket_ms: single, slowest_single_bucket_ms: +slowest.toFixed(1), create_vs_slowest_bucket_ratio: +(median(creates) / slowest).toFixed(3),
      // What create_job adds to the slowest cloud (HTTP, one Temporal start, the other clouds' share of
      // 2 cores): fixed, so the ratio depends on how fast the emulated clouds are.
      create_overhead_ms: +(median(creates) - slowest).toFixed(1),
    });
  }

  if (want('jobs')) {
    progress(4, 'real jobs through the playbooks (1 owner twice: engine built, then reused; 10, 50 owners; 3 and 4 parties)');
    // 4. A whole real job (reference engine, real playbooks), and how cost grows.
    const first = await realJob(api, storage, 1, 'semi', workerProcess.child.pid);
    scaling.push(first);
    Object.assign(results, { stage_time_s: first.stage_time_s, job_wall_s: first.job_wall_s, orchestration_overhead_ratio: +((first.job_wall_s - first.stage_time_s) / first.stage_time_s).toFixed(3) });
    // Issue 16: a small job (1 owner, 3 parties, 20 rows) on the embedded default, end to end (submit → Success
    // seen by get_status polled every 200 ms); target under 20 s. The bench's data dir is new, so the first job
    // builds the engine (deploy_engine.yml keeps one build per source hash in <data dir>/engine-builds): that one
    // is small_job_cold_s; a second job, which finds the build in place, is small_job_s.
    // The machine's load average (1 min) before and after it: the figure is only comparable at similar load.
    const loadBefore = os.loadavg()[0];
    const warm = await realJob(api, storage, 1, 'semi', workerProcess.child.pid);
    Object.assign(results, {
      small_job_s: warm.job_wall_s, small_job_stage_s: warm.stage_time_s, small_job_stages_s: warm.stages_s, small_job_cold_s: first.job_wall_s, small_job_cold_stages_s: first.stages_s,
      small_job_load_avg: [+loadBefore.toFixed(2), +os.loadavg()[0].toFixed(2)],
      small_job_cpu_s: warm.playbooks_cpu_s, small_job_cold_cpu_s: first.playbooks_cpu_s,
    });
    for (const [owners, level] of (quick ? [] : [[10, 'semi'], [50, 'semi'], [1, 'mal']]) as [number, 'semi' | 'mal'][]) scaling.push(await realJob(api, storage, owners, level, workerProcess.child.pid));
    results.scaling = scaling;
  }

  if (want('concurrent')) {
    progress(5, 'many jobs at once on one worker');
    // 5. Many jobs at once on one worker (light stages: orchestration only).
    const n = quick ? 10 : 100;
    const ids = await Promise.all(Array.from({ length: n }, () => newJob(lightApi, { cloud_providers: ['aws'] })));
    await Promise.all(ids.map((id) => upload(lightApi, storage, id, 1, 'semi')));
    const t0 = Date.now();
    await Promise.all(ids.map((id) => json(`${lightApi}/submit_job`, 'POST', { job_id: id })));
    const ends = await Promise.all(ids.map((id) => waitFor(lightApi, id, (s) => s === 'Success' || s === 'Fail')));
    Object.assign(results, {
      concurrent_jobs_total: n,
      concurrent_jobs_completed: ends.filter((e) => e.status === 'Success').length,
      concurrent_jobs_wall_s: +((Date.now() - t0) / 1000).toFixed(2),
      worker_rss_mb: rssMb(workerProcess.child.pid!),
    });
  }

  await connection.close();
}
