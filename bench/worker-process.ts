// The benchmarks' workers, in a process of their own as in production: the real one (Ansible, the
// reference engine) on the configured task queue, and a light one (bench/light-stages.ts) on
// BENCH_LIGHT_QUEUE for the load and concurrency figures. Keeping them out of the process that times the
// requests keeps their work out of its event loop. Prints "bench-worker: ready" once both poll.
import { loadConfigOrExit } from '../infra/config.js';
import { createWorker } from '../worker/create-worker.js';
import { lightStages } from './light-stages.js';

const config = loadConfigOrExit();
const light = loadConfigOrExit({ ...process.env, TEMPORAL_TASK_QUEUE: process.env.BENCH_LIGHT_QUEUE ?? 'bench-light' });
const holdMs = Number(process.env.BENCH_LIGHT_HOLD_MS ?? 1000);

const workers = await Promise.all([createWorker(config), createWorker(light, { activities: lightStages(holdMs) })]);
const runs = workers.map(({ worker }) => worker.run());
console.log('bench-worker: ready');
process.once('SIGTERM', () => {
  for (const { worker } of workers) worker.shutdown();
  void Promise.allSettled(runs)
    .then(() => Promise.allSettled(workers.map(({ close }) => close())))
    .finally(() => process.exit(0));
});
