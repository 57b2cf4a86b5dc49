// `npm run bench [-- --quick]`: measures the API and the orchestration against the embedded default
// (everything started here on free ports and stopped afterwards), the MPC engine's protocols and operators
// (`engine`, bench/engine.ts) and the SQL queries over the real links (`queries`, bench/queries.ts), prints a
// table and writes bench/results.json. Every ratio compares two figures measured in this same run.
// The engine and queries steps run first, before the embedded services start, so neither loads the other.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { loadConfig, type Config } from '../infra/config.js';
import { JobStorage, cloudStorages } from '../infra/storage/index.js';
import { LOAD_SCRIPT_ENV, ROOT, freePort, startEmbeddedOnFreePorts, stopAll, type Service } from '../scripts/services.js';
import { startNodeEntry, stopNodeEntry } from '../scripts/node-entry.js';
import { benchBuildDir, benchEngine } from './engine.js';
import { benchQueries } from './queries.js';
import { concurrentStep, createStep, jobsStep, registerStep, statusStep, type StepContext } from './service-steps.js';

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
const progress = (step: number, what: string) => console.error(`bench: ${step}/${STEPS.length} ${what}…`);

const services: Service[] = [];
const tmp = mkdtempSync(path.join(os.tmpdir(), 'qs-bench-'));
const stops: (() => Promise<void>)[] = [];

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

  const ctx: StepContext = { api, lightApi, storage, client, config, workerPid: workerProcess.child.pid, quick, results, progress };
  const steps = { status: statusStep, register: registerStep, create: createStep, jobs: jobsStep, concurrent: concurrentStep };
  for (const step of SERVICE_STEPS) if (want(step)) await steps[step](ctx);
  await connection.close();
}
