// Starts the HTTP server on the configured address. Stateless: every fact lives in the job workflows,
// so any number of these can run behind a load balancer and restart at will.
import { Client, Connection } from '@temporalio/client';
import type { Config } from '../infra/config.js';
import { JobStorage, cloudStorages } from '../infra/storage/index.js';
import { connectionSettings } from '../infra/temporal-connection.js';
import { buildApp } from './app.js';

export async function startApi(config: Config, opts: { logger?: boolean | { level: 'error' } } = {}) {
  // Connect lazily so the API answers /healthz with 503 (not a crash) while Temporal is down.
  const connection = Connection.lazy(connectionSettings(config));
  const client = new Client({ connection, namespace: config.temporal.namespace });
  const storage = new JobStorage(cloudStorages(config), { uploadSeconds: config.uploadUrlTtlSeconds, readSeconds: config.readUrlTtlSeconds });
  const app = await buildApp({ config, client, storage, logger: opts.logger, release: () => connection.close() });
  await app.listen({ port: config.port, host: config.host });
  return app;
}
