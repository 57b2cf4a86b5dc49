// The processes of a deployment, each one its own OS process so a fault run can crash or restart it:
// the Temporal dev server (on a db file, so a restart keeps every job), the emulators, the API
// (`npm run api`'s entry) and any number of workers (`npm run worker`'s entry).
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { startNodeEntry } from '../node-entry.js';
import { freePort, httpAnswers, startEmbeddedOnFreePorts, startTemporal, stopAll, waitFor, type Service } from '../services.js';

export interface NodeProcess {
  name: string;
  child: ChildProcess;
  /** resolves once the process printed its "ready" line */
  ready: Promise<void>;
}

export class Cluster {
  env: Record<string, string> = {};
  readonly apiUrl: string;
  private readonly services: Service[] = [];
  private readonly nodes = new Set<NodeProcess>();
  private api?: NodeProcess;
  private count = 0;

  private constructor(readonly dir: string, private readonly apiPort: number) {
    this.apiUrl = `http://127.0.0.1:${apiPort}`;
  }

  /** Starts Temporal (db file under `dir`) and the emulators; workers and the API start on demand. */
  static async start(dir: string, extraEnv: Record<string, string>): Promise<Cluster> {
    const cluster = new Cluster(dir, await freePort());
    try {
      const embedded = await startEmbeddedOnFreePorts(dir, cluster.services, cluster.dbFile);
      cluster.env = { ...embedded, HOST: '127.0.0.1', PORT: String(cluster.apiPort), ...extraEnv };
    } catch (err) {
      await stopAll(cluster.services);
      throw err;
    }
    return cluster;
  }

  private get dbFile(): string {
    return path.join(this.dir, 'temporal.db');
  }

  private get temporal(): Service {
    return this.services.find((s) => s.name === 'temporal')!;
  }

  private get logDir(): string {
    return path.join(this.dir, 'logs');
  }

  /** Crashes the dev server (SIGKILL to its process group), then starts it again on the same port and db. */
  async restartTemporal(downMs: number): Promise<void> {
    const old = this.temporal;
    const exited = new Promise((r) => old.child.once('exit', r));
    process.kill(-old.child.pid!, 'SIGKILL');
    await exited;
    await new Promise((r) => setTimeout(r, downMs));
    this.services.splice(this.services.indexOf(old), 1, await startTemporal({ port: old.port, dbFile: this.dbFile, logDir: this.logDir }));
  }

  private launch(name: string, script: string, readyLine: string): NodeProcess {
    const logFile = path.join(this.logDir, `${name}-${++this.count}.log`);
    const proc = { name, ...startNodeEntry({ name, script, env: { ...process.env, ...this.env }, readyLine, logFile, detached: true }) };
    this.nodes.add(proc);
    proc.child.once('exit', () => this.nodes.delete(proc));
    return proc;
  }

  async startWorker(): Promise<NodeProcess> {
    const w = this.launch('worker', 'worker/main.ts', 'serving task queue');
    await w.ready;
    return w;
  }

  async startApi(): Promise<void> {
    this.api = this.launch('api', 'api/server.ts', 'api: listening');
    await this.api.ready;
    await waitFor('API', httpAnswers(`${this.apiUrl}/healthz`), this.api.child);
  }

  /** kill -9 of the API, then a new one on the same port. */
  async restartApi(downMs: number): Promise<void> {
    if (this.api) await killProcess(this.api, 'SIGKILL');
    await new Promise((r) => setTimeout(r, downMs));
    await this.startApi();
  }

  async stop(): Promise<void> {
    await Promise.all([...this.nodes].map((n) => killProcess(n, 'SIGTERM')));
    await stopAll(this.services);
  }
}

/** kill -9 of the process alone, as when it crashes: what it started (ansible-playbook runs in process
 *  groups of their own) lives on as orphans, and the next attempt of the stage has to cope with them. */
export async function crash(p: NodeProcess): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  const exited = new Promise((r) => p.child.once('exit', r));
  p.child.kill('SIGKILL');
  await exited;
}

/** Sends `signal` to the process's group and waits for it to exit (SIGKILL after 10 s). */
export async function killProcess(p: NodeProcess, signal: NodeJS.Signals): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  const exited = new Promise((r) => p.child.once('exit', r));
  const kill = (s: NodeJS.Signals) => {
    try {
      process.kill(-p.child.pid!, s);
    } catch {
      /* already gone */
    }
  };
  kill(signal);
  const timer = setTimeout(() => kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
