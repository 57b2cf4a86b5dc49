// `npm run worker`: one worker process serving the job task queue. Start as many as needed against one
// Temporal cluster; they share the queue. The configuration is checked before anything heavy loads.
import { loadConfigOrExit } from '../infra/config.js';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const { createWorker, ensureSweepSchedule } = await import('./create-worker.js');
  const { worker, client, close } = await createWorker(config);
  await ensureSweepSchedule(client, config);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => worker.shutdown());
  console.log(`worker: serving task queue "${config.temporal.taskQueue}" on ${config.temporal.address} (namespace ${config.temporal.namespace})`);
  if (config.compute === 'local') console.log(`worker: local parties on ${(await import('../infra/local-network.js')).localNetworkMode()} (namespaces: each party its own address on bridge qsbr0; loopback: a port per party)`);
  await worker.run();
  await close();
}

main().catch((err) => {
  console.error(`worker: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});
