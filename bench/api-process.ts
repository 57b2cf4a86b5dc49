// The benchmarks' API, in a process of its own as in production: the workers and the load generator
// run elsewhere and do not share its event loop. Configured by the environment like `npm run api`, plus
// one route, /bench/plain: a plain Fastify JSON answer from the same process, to compare get_status with.
// Prints "bench-api: ready" once it listens.
import { Client, Connection } from '@temporalio/client';
import { loadConfigOrExit } from '../infra/config.js';
import { JobStorage, cloudStorages } from '../infra/storage/index.js';
import { connectionSettings } from '../infra/temporal-connection.js';
import { buildApp } from '../api/app.js';

const config = loadConfigOrExit();
const connection = await Connection.connect(connectionSettings(config));
const client = new Client({ connection, namespace: config.temporal.namespace });
const storage = new JobStorage(cloudStorages(config), { uploadSeconds: config.uploadUrlTtlSeconds, readSeconds: config.readUrlTtlSeconds });
const app = await buildApp({ config, client, storage, logger: { level: 'error' } });
app.get('/bench/plain', { config: { access: 'public' } }, async () => ({ ok: true, job_id: '00000000-0000-0000-0000-000000000000', status: 'Running Experiment' }));
await app.listen({ port: config.port, host: '127.0.0.1' });
console.log('bench-api: ready');
process.once('SIGTERM', () => void app.close().then(() => connection.close()).finally(() => process.exit(0)));
