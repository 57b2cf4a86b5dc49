// A worker in a child process (`npm run worker`'s entry), so a test can kill -9 it like a crash.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../../scripts/services.js';
import { testEnv } from './env.js';

export interface WorkerProcess {
  child: ChildProcess;
  ready: Promise<void>;
  kill9(): void;
  stop(): Promise<void>;
}

export function startWorkerProcess(env: Record<string, string>, name = 'worker'): WorkerProcess {
  const logDir = process.env.QS_TEST_LOG_DIR ?? path.join(ROOT, '.data', 'logs');
  mkdirSync(logDir, { recursive: true });
  const log = createWriteStream(path.join(logDir, `${name}-${Date.now()}.log`));
  const child = spawn(process.execPath, ['--import', 'tsx', 'activities/worker.ts'], { cwd: ROOT, env: testEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr!.pipe(log);
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      log.write(d);
      if (d.toString().includes('serving task queue')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`worker exited early (${code})`)));
  });
  return {
    child,
    ready,
    kill9: () => child.kill('SIGKILL'),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      }),
  };
}
