// `npm run chaos`: the figures of the README's reliability section, in two parts, each against real
// processes started here on free ports and stopped afterwards.
//   1. Hostile input: 10,000+ generated malformed requests across every route (dev server, emulators,
//      worker and API in this process): responses by status, 5xx count, crashes, memory.
//   2. Faults (scripts/chaos/faults.ts): real jobs while the worker, the API and the Temporal dev
//      server are killed and restarted: how each job ended, hosts created and left, jobs lost.
//   --requests N   hostile requests (default 10000; 0 skips part 1)   --seed S   their seed (default 1)
//   --kills N      kill -9 trials of the worker (default 20; 0 skips part 2)
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../infra/config.js';
import { createWorker } from '../worker/create-worker.js';
import { buildApi } from '../api/app.js';
import { faultSummary, runFaults } from './chaos/faults.js';
import { fire, hostileRequests } from './chaos/hostile-requests.js';
import { LOAD_SCRIPT_ENV, startEmbeddedOnFreePorts, stopAll, type Service } from './services.js';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '10000' }, seed: { type: 'string', default: '1' }, kills: { type: 'string', default: '20' } } });
const gc = (globalThis as { gc?: () => void }).gc;
const heapMb = () => {
  gc?.();
  return process.memoryUsage().heapUsed / 1024 / 1024;
};

async function hostileInput(): Promise<boolean> {
  const services: Service[] = [];
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'qs-chaos-'));
  try {
    const config = loadConfig({ ...(await startEmbeddedOnFreePorts(tmp, services)), ...LOAD_SCRIPT_ENV });
    const { worker, close } = await createWorker(config);
    const running = worker.run();
    const app = await buildApi(config);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;

    const jobs: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${url}/create_job`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ analysis_name: 'chaos', query_sql: 'SELECT COUNT(*) FROM t', security_level: 'semi', cloud_providers: ['aws', 'gcp', 'azure'], schema: { a: 'u' } }) });
      jobs.push(((await res.json()) as { job_id: string }).job_id);
    }
    // Warm up, then measure the baseline.
    await fire(url, hostileRequests(300, 999, jobs), 16);
    const before = heapMb();
    const n = Number(values.requests);
    const t0 = Date.now();
    const result = await fire(url, hostileRequests(n, Number(values.seed), jobs), 32);
    const seconds = (Date.now() - t0) / 1000;
    const after = heapMb();
    const alive = (await fetch(`${url}/healthz`)).status === 200;

    console.log(`\nQueryShield chaos: ${n} hostile requests (seed ${values.seed}) in ${seconds.toFixed(1)} s`);
    console.log(`  responses by status:        ${JSON.stringify(result.statuses)}`);
    console.log(`  responses >= 500 (faults):  ${result.serverErrors.length}`);
    console.log(`  500 Data validation failed: ${result.contractValidation} (the seed contract's answer for a job without uploads)`);
    console.log(`  non-JSON responses:         ${result.nonJson.length}`);
    console.log(`  connection errors:          ${result.transportErrors}`);
    console.log(`  refused by the client:      ${result.refusedByClient} (fetch will not send them)`);
    console.log(`  API alive afterwards:       ${alive}`);
    console.log(`  API heap before/after (GC): ${before.toFixed(1)} MB / ${after.toFixed(1)} MB${gc ? '' : ' (run with --expose-gc for exact figures)'}`);
    for (const e of result.serverErrors.slice(0, 5)) console.log(`  fault: ${e.status} ${e.req.method} ${e.req.path} ${e.body}`);
    await app.close();
    worker.shutdown();
    await running;
    await close();
    return result.serverErrors.length === 0 && alive;
  } finally {
    await stopAll(services);
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function faults(): Promise<boolean> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'qs-faults-'));
  try {
    const report = await runFaults({ dir, kills: Number(values.kills), concurrency: 4, twoWorkers: true, log: (l) => console.log(l) });
    const { lines, ok } = faultSummary(report);
    console.log(`\n${lines.join('\n')}`);
    return ok;
  } finally {
    if (!process.env.QS_KEEP_CHAOS_DIR) rmSync(dir, { recursive: true, force: true });
  }
}

let ok = true;
if (Number(values.requests) > 0) ok = (await hostileInput()) && ok;
if (Number(values.kills) > 0) ok = (await faults()) && ok;
process.exitCode = ok ? 0 : 1;
