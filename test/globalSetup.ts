// Starts what the whole suite needs once: a Temporal dev server on a free port with a temporary db
// (headless), moto, fake-gcs-server and Azurite on free ports. Stops them afterwards, also when a test
// fails; on SIGINT/SIGTERM the process-group kill in stopAll still runs through the handlers below.
import { mkdtempSync, rmSync, copyFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { freePort, startAzurite, startGcs, startMoto, startTemporal, stopAll, ROOT, type Service } from '../scripts/services.js';

let services: Service[] = [];
let tmp = '';

export async function setup(project: TestProject): Promise<void> {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'qs-test-'));
  const logDir = path.join(tmp, 'logs');
  const [tPort, mPort, gPort, aPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const onSignal = () => void stopAll(services).finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  services = await Promise.all([
    startTemporal({ port: tPort, dbFile: path.join(tmp, 'temporal.db'), logDir }),
    startMoto(mPort, logDir),
    startGcs(gPort, path.join(tmp, 'gcs'), logDir),
    startAzurite(aPort, path.join(tmp, 'azurite'), logDir),
  ]).catch(async (err) => {
    await stopAll(services);
    throw new Error(`${(err as Error).message} (logs in ${logDir})`);
  });
  const dataDir = path.join(tmp, 'data');
  mkdirSync(dataDir, { recursive: true });
  copyFileSync(path.join(ROOT, '.data', 'gcs-key.json'), path.join(dataDir, 'gcs-key.json'));
  const env: Record<string, string> = {
    TEMPORAL_ADDRESS: `127.0.0.1:${tPort}`,
    QS_MOTO_PORT: String(mPort),
    QS_GCS_PORT: String(gPort),
    QS_AZURITE_PORT: String(aPort),
    QS_DATA_DIR: dataDir,
    QS_TEST_LOG_DIR: logDir,
  };
  Object.assign(process.env, env);
  project.provide('qsEnv', env);
}

export async function teardown(): Promise<void> {
  await stopAll(services);
  if (tmp && !process.env.QS_KEEP_TEST_DIR) rmSync(tmp, { recursive: true, force: true });
}

declare module 'vitest' {
  export interface ProvidedContext {
    qsEnv: Record<string, string>;
  }
}
