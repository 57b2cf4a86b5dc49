// `npm run dev`: the whole embedded default on this machine, each part started in order and waited for
// until it answers: Temporal dev server, moto (S3 + EC2), fake-gcs-server, Azurite, the worker, the API.
// Ctrl-C (SIGINT/SIGTERM) stops everything it started, by process group, in reverse order.
import path from 'node:path';
import { loadConfigOrExit } from '../infra/config.js';
import { startNodeEntry } from './node-entry.js';
import { httpAnswers, startAzurite, startGcs, startMoto, startTemporal, stopAll, waitFor, type Service } from './services.js';

const config = loadConfigOrExit();
const services: Service[] = [];
const logDir = path.join(config.dataDir, 'logs');
let stopping = false;

async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    console.log('\ndev: stopping everything it started…');
    await stopAll(services);
    console.log('dev: stopped');
  }
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

/** The worker and the API: their own process groups, so that stopAll's group kill reaches their children.
 *  Readiness is checked through /healthz below (with timeouts), not the ready line. */
function node(name: string, script: string, readyLine: string): Service {
  const { child } = startNodeEntry({ name, script, env: process.env, readyLine, logFile: path.join(logDir, `${name}.log`), detached: true, appendLog: true });
  return { name, child, url: '', port: 0 };
}

async function main(): Promise<void> {
  const [host, port] = config.temporal.address.split(':');
  if (host !== '127.0.0.1' && host !== 'localhost') {
    console.log(`dev: TEMPORAL_ADDRESS is ${config.temporal.address}: using that cluster, not starting a dev server`);
  } else {
    console.log('dev: starting the Temporal dev server…');
    services.push(await startTemporal({ port: Number(port), uiPort: config.devPorts.temporalUi, dbFile: path.join(config.dataDir, 'temporal', 'temporal.db'), logDir }));
  }
  if (config.embedded) {
    console.log('dev: starting the S3 emulator (moto)…');
    services.push(await startMoto(config.devPorts.moto, logDir));
    console.log('dev: starting the GCS emulator (fake-gcs-server)…');
    services.push(await startGcs(config.devPorts.gcs, path.join(config.dataDir, 'gcs'), logDir));
    console.log('dev: starting the Azure Blob emulator (Azurite)…');
    services.push(await startAzurite(config.devPorts.azurite, path.join(config.dataDir, 'azurite'), logDir));
  }
  const api = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${config.port}`;
  console.log('dev: starting the worker…');
  const worker = node('worker', 'worker/main.ts', 'serving task queue');
  services.push(worker);
  console.log('dev: starting the API…');
  const apiSvc = node('api', 'api/server.ts', 'api: listening');
  services.push(apiSvc);
  await waitFor('API', httpAnswers(`${api}/healthz`), apiSvc.child, 60_000);
  await waitFor('worker (polling the task queue)', async () => {
    const res = await fetch(`${api}/healthz`);
    return ((await res.json()) as { worker?: string }).worker === 'ok';
  }, worker.child, 120_000);
  for (const s of services) {
    s.child.once('exit', (code) => {
      if (!stopping) {
        console.error(`dev: ${s.name} exited (${code}); see ${path.join(logDir, `${s.name}.log`)}`);
        void shutdown(1);
      }
    });
  }
  console.log(`
QueryShield is up (logs in ${logDir}):
  API               ${api}        (health: ${api}/healthz)
  API docs          ${api}/docs
  Temporal Web UI   http://127.0.0.1:${config.devPorts.temporalUi}
  Temporal gRPC     ${config.temporal.address}
  S3 (moto)         http://127.0.0.1:${config.devPorts.moto}
  GCS emulator      http://127.0.0.1:${config.devPorts.gcs}
  Azurite (blob)    http://127.0.0.1:${config.devPorts.azurite}
Press Ctrl-C to stop everything.`);
}

main().catch(async (err) => {
  console.error(`dev: ${err instanceof Error ? err.message : err} (logs in ${logDir})`);
  await shutdown(1);
});
