// `npm run worker`: one worker process serving the job task queue. Start as many as needed against one
// Temporal cluster; they share the queue. The configuration is checked before anything heavy loads.
import { loadConfigOrExit } from './config.js';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const { createWorker, ensureSweepSchedule } = await import('./create-worker.js');
  const { worker, client, close } = await createWorker(config);
  await ensureSweepSchedule(client, config);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => worker.shutdown());
  console.log(`worker: serving task queue "${config.temporal.taskQueue}" on ${config.temporal.address} (namespace ${config.temporal.namespace})`);
  await worker.run();
  await close();
}

main().catch((err) => {
  console.error(`worker: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});
