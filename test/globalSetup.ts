// Starts what the whole suite needs once: a Temporal dev server with a temporary db (headless), moto,
// fake-gcs-server and Azurite, each on a free port (tried again on a new one if it dies at start-up).
// Stops them afterwards, also when a test or the start-up itself fails; on SIGINT/SIGTERM the
// process-group kill in stopAll still runs through the handlers below.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedOnFreePorts, stopAll, type Service } from '../scripts/services.js';

const services: Service[] = [];
let tmp = '';

export async function setup(project: TestProject): Promise<void> {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'qs-test-'));
  const logDir = path.join(tmp, 'logs');
  const onSignal = () => void stopAll(services).finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const started = await startEmbeddedOnFreePorts(tmp, services, path.join(tmp, 'temporal.db')).catch(async (err) => {
    await stopAll(services);
    throw new Error(`${(err as Error).message} (logs in ${logDir})`);
  });
  const env: Record<string, string> = { ...started, QS_TEST_LOG_DIR: logDir };
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
