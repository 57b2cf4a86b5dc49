// `npm run api` (or `npm start` from dist/). The configuration is checked before anything heavy loads, so
// a bad variable stops start-up with one line naming it. Everything after goes through the app's pino
// logger (JSON lines, QS_LOG_LEVEL; every request at info unless QS_LOG_REQUESTS=false).
import { loadConfigOrExit } from '../infra/config.js';

const config = loadConfigOrExit();

async function main(): Promise<void> {
  const { startApi } = await import('./start.js');
  const app = await startApi(config, { logger: { level: config.logLevel, name: 'api' } });
  // what is loaded counts, not what is configured: a tokens file with no entries leaves the API open
  const { loadTokens } = await import('./auth.js');
  if (loadTokens(config).size === 0) {
    app.log.warn('api: WARNING: no API tokens configured, the API is open to anyone who can reach it (allowed on a loopback address only; see `npm run token`)');
  }
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  app.log.info({ temporal: config.temporal.address, taskQueue: config.temporal.taskQueue }, `api: listening on http://${config.host}:${port} (Temporal ${config.temporal.address}, task queue ${config.temporal.taskQueue})`);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      app.log.info({ signal: sig }, 'api: stopping');
      app.close().then(() => process.exit(0), () => process.exit(1));
    });
  }
}

main().catch(async (err) => {
  const { createLogger } = await import('../infra/logger.js');
  createLogger(config, 'api').fatal({ err }, `api: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});
