// `npm run worker` (or `npm run start:worker` from dist/): one worker process serving the job task queue.
// Start as many as needed against one Temporal cluster; they share the queue. The configuration is
// checked before anything heavy loads. SIGTERM/SIGINT stop polling at once and give running stages
// QS_SHUTDOWN_GRACE seconds to finish before they are cancelled (and retried on another worker).
import { loadConfigOrExit } from '../infra/config.js';
import { createLogger } from '../infra/logger.js';

const config = loadConfigOrExit();
const log = createLogger(config, 'worker');

async function main(): Promise<void> {
  // The runtime goes in before anything connects: the SDK's logs and metrics are set up there.
  const { installRuntime } = await import('./runtime.js');
  installRuntime(config, log);
  const { createWorker, gracefulStop } = await import('./create-worker.js');
  const { ensureSweepSchedule } = await import('./schedule.js');
  const { workflowSource } = await import('./bundle.js');
  const { worker, client, close } = await createWorker(config, { ...workflowSource(log), ...gracefulStop(config) });
  const schedule = await ensureSweepSchedule(client, config);
  log.info({ schedule, intervalSeconds: config.sweepIntervalSeconds }, `worker: sweep schedule ${schedule}`);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      log.info({ signal: sig, graceSeconds: config.worker.shutdownGraceSeconds }, 'worker: stopping; running stages may finish within the grace');
      // The SDK's runtime reacts to these signals too; whichever comes first starts the stop.
      if (worker.getState() === 'RUNNING') worker.shutdown();
    });
  }
  const t = config.temporal;
  if (config.worker.metricsAddress) log.info({ metrics: `http://${config.worker.metricsAddress}/metrics` }, 'worker: Temporal SDK metrics served');
  log.info({ taskQueue: t.taskQueue, address: t.address, namespace: t.namespace }, `worker: serving task queue "${t.taskQueue}" on ${t.address} (namespace ${t.namespace})`);
  if (config.compute === 'local') {
    const mode = (await import('../infra/local-network.js')).localNetworkMode();
    log.info({ localNetwork: mode }, `worker: local parties on ${mode} (namespaces: each party its own address on bridge qsbr0; loopback: a port per party)`);
  }
  await worker.run();
  await close();
  log.info('worker: stopped');
}

main().catch((err) => {
  log.fatal({ err }, `worker: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});
