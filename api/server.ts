// `npm run api`. The configuration is checked before anything heavy loads, so a bad variable stops
// start-up with one line naming it.
import { loadConfigOrExit } from '../infra/config.js';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  // what is loaded counts, not what is configured: a tokens file with no entries leaves the API open
  const { loadTokens } = await import('./auth.js');
  if (loadTokens(config).size === 0) {
    console.warn('api: WARNING: no API tokens configured, the API is open to anyone who can reach it (allowed on a loopback address only; see `npm run token`)');
  }
  const { startApi } = await import('./start.js');
  // Requests are logged on demand; an unhandled error (a 500) always is.
  const app = await startApi(config, { logger: config.logRequests ? true : { level: 'error' } });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  console.log(`api: listening on http://${config.host}:${port} (Temporal ${config.temporal.address}, task queue ${config.temporal.taskQueue})`);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      app.close().then(() => process.exit(0), () => process.exit(1));
    });
  }
}

main().catch((err) => {
  console.error(`api: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});
