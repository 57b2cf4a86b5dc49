// A worker in a child process (`npm run worker`'s entry), so a test can kill -9 it like a crash.
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { startNodeEntry, stopNodeEntry } from '../../scripts/node-entry.js';
import { ROOT } from '../../scripts/services.js';
import { testEnv } from './env.js';

export interface WorkerProcess {
  child: ChildProcess;
  ready: Promise<void>;
  /** its stdout and stderr */
  logFile: string;
  kill9(): void;
  stop(): Promise<void>;
}

export function startWorkerProcess(env: Record<string, string>, name = 'worker'): WorkerProcess {
  const logDir = process.env.QS_TEST_LOG_DIR ?? path.join(ROOT, '.data', 'logs');
  const logFile = path.join(logDir, `${name}-${Date.now()}.log`);
  const { child, ready } = startNodeEntry({ name, script: 'worker/main.ts', env: testEnv(env), readyLine: 'serving task queue', logFile });
  return {
    child,
    ready,
    logFile,
    kill9: () => child.kill('SIGKILL'),
    stop: () => stopNodeEntry(child),
  };
}
