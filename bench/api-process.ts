// The benchmarks' API, in a process of its own as in production: the workers and the load generator
// run elsewhere and do not share its event loop. Configured by the environment like `npm run api`, plus
// one route, /bench/plain: a plain Fastify JSON answer from the same process, to compare get_status with.
// Prints "bench-api: ready" once it listens.
import { loadConfigOrExit } from '../infra/config.js';
import { buildApi } from '../api/app.js';

const config = loadConfigOrExit();
const app = await buildApi(config, { logger: { level: 'error' } });
app.get('/bench/plain', { config: { access: 'public' } }, async () => ({ ok: true, job_id: '00000000-0000-0000-0000-000000000000', status: 'Running Experiment' }));
await app.listen({ port: config.port, host: '127.0.0.1' });
console.log('bench-api: ready');
process.once('SIGTERM', () => void app.close().finally(() => process.exit(0)));
