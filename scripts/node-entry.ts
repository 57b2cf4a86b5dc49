// Starts one of the project's node entries (the worker, the API, the bench's API) as a child process,
// its output in a log file, and tells when it has printed its ready line. Shared by `npm run dev`, the
// chaos cluster, the tests' worker processes and the bench, which each had a copy.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './services.js';

export interface NodeEntryOptions {
  /** For messages: "worker", "api". */
  name: string;
  /** The entry, relative to the repository: "worker/main.ts". */
  script: string;
  env: NodeJS.ProcessEnv;
  /** Printed on stdout once the entry serves. */
  readyLine: string;
  /** stdout and stderr both go here. */
  logFile: string;
  /** A process group of its own, so that a group kill reaches its children too. */
  detached?: boolean;
  /** Add to the log file instead of starting it anew (`npm run dev` keeps earlier runs' logs). */
  appendLog?: boolean;
}

export interface NodeEntry {
  child: ChildProcess;
  /** Settles when the ready line is printed; rejects if the entry exits first. */
  ready: Promise<void>;
}

export function startNodeEntry(o: NodeEntryOptions): NodeEntry {
  mkdirSync(path.dirname(o.logFile), { recursive: true });
  const log = createWriteStream(o.logFile, { flags: o.appendLog ? 'a' : 'w' });
  // process.execPath: the Node running this (under npm, node_modules/.bin's Node 24), never a `node` from PATH.
  const child = spawn(process.execPath, ['--import', 'tsx', o.script], { cwd: ROOT, env: o.env, stdio: ['ignore', 'pipe', 'pipe'], detached: o.detached ?? false });
  child.stderr!.pipe(log, { end: false });
  child.once('close', () => log.end());
  const ready = new Promise<void>((resolve, reject) => {
    // The line can arrive split over two chunks: look in what came lately, not in each chunk alone.
    let recent: string | undefined = '';
    child.stdout!.on('data', (d: Buffer) => {
      log.write(d);
      if (recent === undefined) return; // ready already
      recent = (recent + d.toString()).slice(-4096);
      if (recent.includes(o.readyLine)) {
        recent = undefined;
        resolve();
      }
    });
    child.once('exit', (code, signal) => reject(new Error(`${o.name} exited (${code ?? signal}) before it was ready; see ${o.logFile}`)));
  });
  ready.catch(() => undefined); // a crash on purpose (the chaos runs) is not an unhandled rejection
  return { child, ready };
}

/** Stops an entry the way a service manager would: SIGTERM (its graceful stop), SIGKILL after graceMs. */
export async function stopNodeEntry(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
