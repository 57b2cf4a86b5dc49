// Builds the engine once per test file into a temp dir (with its C++ test programs) and runs one engine
// process per party the way run_experiment.yml does: each party in its own folder with its own X25519 key
// (made with openssl, as the "Setting Up Authentication" stage does), a peers file on free loopback ports,
// `qs-engine run --plan plan.txt ...`. Parties can be given their own peers file or key (a proxy in between, a wrong key).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../infra/config.js';

const run = promisify(execFile);

/** Configures and builds engine/ with QS_ENGINE_TESTS=ON into a new temp dir; returns the qs-engine path
 *  (its folder is the build dir, where ctest runs the C++ test programs). */
export async function buildEngine(): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'qs-engine-'));
  await run('cmake', ['-S', path.join(REPO_ROOT, 'engine'), '-B', dir, '-DCMAKE_BUILD_TYPE=Release', '-DQS_ENGINE_TESTS=ON']);
  await run('cmake', ['--build', dir, '-j', String(Math.max(1, os.cpus().length))], { maxBuffer: 64 << 20 });
  return path.join(dir, 'qs-engine');
}

/** A new X25519 key file made with openssl, and its public key in hex computed with openssl, exactly as the
 *  Ansible stage does (`openssl pkey ... | tail -c 32 | od -An -tx1 | tr -d ' \n'`). */
export async function makeKey(file: string): Promise<string> {
  await run('openssl', ['genpkey', '-algorithm', 'X25519', '-outform', 'DER', '-out', file]);
  const { stdout } = await run('sh', ['-c', `openssl pkey -inform DER -in '${file}' -pubout -outform DER | tail -c 32 | od -An -tx1 | tr -d ' \\n'`]);
  return stdout;
}

/** Ports free on 127.0.0.1 right now (held together while picking, so they differ). */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, () => new Promise<net.Server>((resolve, reject) => {
      const s = net.createServer();
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => resolve(s));
    })),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

export interface PeerLine { index: number; address: string; port: number; pubkey: string }
export const peersText = (peers: PeerLine[]): string => peers.map((p) => `${p.index} ${p.address} ${p.port} ${p.pubkey}\n`).join('');

export interface PartyResult { party: number; code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; ms: number }

export interface RunOptions {
  linkTimeout?: number;
  connectTimeout?: number;
  /** --round-timeout (the engine's default, 600 s, when not given). */
  roundTimeout?: number;
  /** Start only these parties (the others get their folder and peers line, but no process). */
  only?: number[];
  /** Extra arguments for one party (e.g. the hidden --debug-pause-ms). */
  extraArgs?: (party: number) => string[];
  /** A party's own view of the peers (e.g. a proxy's port in place of a peer's). */
  peersFor?: (party: number, peers: PeerLine[]) => PeerLine[];
  /** Party indices that run with a fresh key the others do not know (their own peers line says it). */
  wrongKey?: number[];
}

export interface Parties {
  dirs: string[];
  peers: PeerLine[];
  /** Indexed by party (a party left out by `only` has none). */
  procs: ChildProcess[];
  /** Every started party's exit, stdout and stderr, in party order. */
  done: Promise<PartyResult[]>;
  /** Resolves when party p has written `text` on stderr. */
  stderrHas(p: number, text: string): Promise<void>;
}

/** Lays out one folder per party (input, plan, key, peers file) and starts every party's engine.
 *  `planText` is a rendered plan (domain/job-query.ts planFile, as the stages write plan.txt). */
export async function startParties(binary: string, shares: string[], planText: string, opts: RunOptions = {}): Promise<Parties> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'qs-run-'));
  const n = shares.length;
  const ports = await freePorts(n);
  const dirs = shares.map((_, i) => path.join(root, `party${i}`));
  const peers: PeerLine[] = [];
  for (let i = 0; i < n; i++) {
    mkdirSync(dirs[i]);
    writeFileSync(path.join(dirs[i], 'input.csv'), shares[i]);
    writeFileSync(path.join(dirs[i], 'plan.txt'), planText);
    peers.push({ index: i, address: '127.0.0.1', port: ports[i], pubkey: await makeKey(path.join(dirs[i], 'party.key')) });
  }
  for (let i = 0; i < n; i++) {
    let own = opts.peersFor ? opts.peersFor(i, peers.map((p) => ({ ...p }))) : peers;
    if (opts.wrongKey?.includes(i)) {
      const pubkey = await makeKey(path.join(dirs[i], 'party.key'));
      own = own.map((p) => (p.index === i ? { ...p, pubkey } : p));
    }
    writeFileSync(path.join(dirs[i], 'peers.txt'), peersText(own));
  }
  const started = Date.now();
  const procs: ChildProcess[] = [];
  const out: { stdout: string; stderr: string }[] = [];
  const waiters: { p: number; text: string; resolve: () => void }[] = [];
  const running = dirs.map((_, i) => i).filter((i) => !opts.only || opts.only.includes(i));
  const done = Promise.all(
    running.map((i) => new Promise<PartyResult>((resolve) => {
      const dir = dirs[i];
      const args = ['run', '--party', String(i), '--parties', String(n), '--key', 'party.key', '--peers', 'peers.txt', '--plan', 'plan.txt',
        '--input', 'input.csv', '--output', 'result.csv', '--listen', `127.0.0.1:${ports[i]}`,
        '--link-timeout', String(opts.linkTimeout ?? 30), '--connect-timeout', String(opts.connectTimeout ?? 60),
        ...(opts.roundTimeout !== undefined ? ['--round-timeout', String(opts.roundTimeout)] : []), ...(opts.extraArgs?.(i) ?? [])];
      const child = spawn(binary, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
      procs[i] = child;
      out[i] = { stdout: '', stderr: '' };
      child.stdout!.on('data', (d) => { out[i].stdout += d; });
      child.stderr!.on('data', (d) => {
        out[i].stderr += d;
        for (const w of waiters) if (w.p === i && out[i].stderr.includes(w.text)) w.resolve();
      });
      child.on('close', (code, signal) => resolve({ party: i, code, signal, ...out[i], ms: Date.now() - started }));
    })),
  );
  const stderrHas = (p: number, text: string) => new Promise<void>((resolve) => {
    if (out[p].stderr.includes(text)) resolve();
    else waiters.push({ p, text, resolve });
  });
  return { dirs, peers, procs, done, stderrHas };
}

/** Runs every party to the end; returns each party's result CSV, or throws with every party's stderr. */
export async function runEngine(binary: string, shares: string[], planText: string, opts: RunOptions = {}): Promise<{ results: string[]; dirs: string[]; runs: PartyResult[] }> {
  const parties = await startParties(binary, shares, planText, opts);
  const timer = setTimeout(() => parties.procs.forEach((p) => p.kill('SIGKILL')), 120_000);
  const runs = await parties.done.finally(() => clearTimeout(timer));
  if (runs.some((r) => r.code !== 0)) {
    throw new Error(`the engine failed:\n${runs.map((r) => `party ${r.party} exited ${r.code ?? r.signal}:\n${r.stderr}`).join('')}`);
  }
  return { results: parties.dirs.map((d) => readFileSync(path.join(d, 'result.csv'), 'utf8')), dirs: parties.dirs, runs };
}
