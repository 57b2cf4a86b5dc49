// `npm run chaos`: 10,000+ generated hostile requests across every route against a real stack (dev
// server, emulators, worker, API, all started here on free ports and stopped afterwards). Prints the
// figures for the README's reliability section: responses by status, 5xx count, crashes, memory.
//   --requests N   how many (default 10000)      --seed S   generator seed (default 1)
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../activities/config.js';
import { createWorker } from '../activities/create-worker.js';
import { JobStorage, cloudStorages } from '../activities/storage/index.js';
import { buildApp } from '../api/app.js';
import { fire, hostileRequests } from './chaos/hostile-requests.js';
import { startEmbeddedOnFreePorts, stopAll, type Service } from './services.js';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '10000' }, seed: { type: 'string', default: '1' } } });
const gc = (globalThis as { gc?: () => void }).gc;
const heapMb = () => {
  gc?.();
  return process.memoryUsage().heapUsed / 1024 / 1024;
};

const services: Service[] = [];
const tmp = mkdtempSync(path.join(os.tmpdir(), 'qs-chaos-'));
try {
  const config = loadConfig(await startEmbeddedOnFreePorts(tmp, services));
  const { worker, close } = await createWorker(config);
  const running = worker.run();
  const connection = await Connection.connect({ address: config.temporal.address });
  const client = new Client({ connection });
  const app = await buildApp({ config, client, storage: new JobStorage(cloudStorages(config), { uploadSeconds: 3600, readSeconds: 3600 }) });
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
  await connection.close();
  process.exitCode = result.serverErrors.length || !alive ? 1 : 0;
} finally {
  await stopAll(services);
  rmSync(tmp, { recursive: true, force: true });
}
