// Starts the HTTP server on the configured address. Stateless: every fact lives in the job workflows,
// so any number of these can run behind a load balancer and restart at will.
import type { Config } from '../infra/config.js';
import { buildApi, type ApiOverrides } from './app.js';

export async function startApi(config: Config, opts: { logger?: boolean | { level: string; name?: string } } = {}) {
  const app = await buildApi(config, { logger: opts.logger });
  await app.listen({ port: config.port, host: config.host });
  return app;
}
