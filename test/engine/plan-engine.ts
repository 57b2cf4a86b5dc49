// Runs a compiled plan on the real engine: one `qs-engine run --plan` process per party, each in its own
// folder with its own X25519 key (openssl, as the "Setting Up Authentication" stage makes them), peers on free
// loopback ports, the engine's own Noise KK links. Keys are made once per party count and reused by later
// runs (a run takes fresh ports and folders). Used by plan-differential.test.ts and plan-performance.test.ts.
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../infra/config.js';
import { freePorts, makeKey, peersText, type PeerLine } from '../helpers/engine.js';

const run = promisify(execFile);

/** Builds only the qs-engine target (Release) into a new temp dir; returns the binary. */
export async function buildEngineBinary(): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'qs-plan-engine-'));
  await run('cmake', ['-S', path.join(REPO_ROOT, 'engine'), '-B', dir, '-DCMAKE_BUILD_TYPE=Release']);
  await run('cmake', ['--build', dir, '-j', String(Math.max(1, os.cpus().length)), '--target', 'qs-engine'], { maxBuffer: 64 << 20 });
  return path.join(dir, 'qs-engine');
}

const keys = new Map<number, Promise<{ dir: string; pub: string[] }>>();
function keysFor(n: number) {
  if (!keys.has(n)) {
    keys.set(n, (async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), `qs-plan-keys${n}-`));
      const pub: string[] = [];
      for (let i = 0; i < n; i++) pub.push(await makeKey(path.join(dir, `party${i}.key`)));
      return { dir, pub };
    })());
  }
  return keys.get(n)!;
}

export interface PlanRun {
  /** each party's result CSV, in party order */
  results: string[];
  /** wall time of the whole run (the slowest party), ms */
  ms: number;
  /** per party: payload bytes and messages it sent (sum over its links), as the engine reports them */
  sent: { bytes: number; messages: number; wireBytes: number }[];
  stdout: string[];
}

/**
 * A run's folders under `root`, one per party: its share (input.csv), the plan (plan.txt; one per party when
 * given a list), the peers file
 * (peers.txt, fresh free loopback ports) and its key (party.key, copied from `keyDir`/party<i>.key).
 * Shared with bench/queries.ts.
 */
export async function preparePartyDirs(root: string, shares: string[], planText: string | string[], keyDir: string, pub: string[]): Promise<{ ports: number[]; dirs: string[] }> {
  const ports = await freePorts(shares.length);
  const peers: PeerLine[] = pub.map((pubkey, i) => ({ index: i, address: '127.0.0.1', port: ports[i], pubkey }));
  const dirs = shares.map((s, i) => {
    const d = path.join(root, `party${i}`);
    mkdirSync(d);
    writeFileSync(path.join(d, 'input.csv'), s);
    writeFileSync(path.join(d, 'plan.txt'), typeof planText === 'string' ? planText : planText[i]);
    writeFileSync(path.join(d, 'peers.txt'), peersText(peers));
    copyFileSync(path.join(keyDir, `party${i}.key`), path.join(d, 'party.key'));
    return d;
  });
  return { ports, dirs };
}

/** `qs-engine run --plan` arguments of party `i` of `n`, in its folder as preparePartyDirs makes it. */
export function runPlanArgs(i: number, n: number, port: number): string[] {
  return ['run', '--party', String(i), '--parties', String(n), '--key', 'party.key', '--peers', 'peers.txt', '--plan', 'plan.txt',
    '--input', 'input.csv', '--output', 'result.csv', '--listen', `127.0.0.1:${port}`];
}

/** What a party sent (sum over its links), from the engine's own counters on its stdout. */
export function sentCounters(stdout: string): { bytes: number; messages: number; wireBytes: number } {
  let bytes = 0;
  let messages = 0;
  let wireBytes = 0;
  for (const m of stdout.matchAll(/payload sent (\d+) B in (\d+) messages.*on the wire sent (\d+) B/g)) {
    bytes += Number(m[1]);
    messages += Number(m[2]);
    wireBytes += Number(m[3]);
  }
  return { bytes, messages, wireBytes };
}

/** Runs `planText` (or one plan per party, for tests of a mix-up) on `shares` (one share file per party) with `shares.length` parties. */
export async function runPlan(binary: string, shares: string[], planText: string | string[], extra: string[] = []): Promise<PlanRun> {
  const n = shares.length;
  const { dir: keyDir, pub } = await keysFor(n);
  const root = mkdtempSync(path.join(os.tmpdir(), 'qs-plan-run-'));
  const { ports, dirs } = await preparePartyDirs(root, shares, planText, keyDir, pub);
  const started = Date.now();
  const runs = await Promise.all(dirs.map((d, i) => new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(binary, [...runPlanArgs(i, n, ports[i]), ...extra], { cwd: d, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 600_000);
    child.stdout.on('data', (x) => { stdout += x; });
    child.stderr.on('data', (x) => { stderr += x; });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  })));
  const ms = Date.now() - started;
  if (runs.some((r) => r.code !== 0)) throw new Error(`the engine failed:\n${runs.map((r, i) => `party ${i} exited ${r.code}:\n${r.stderr}`).join('')}`);
  const sent = runs.map((r) => sentCounters(r.stdout));
  return { results: dirs.map((d) => readFileSync(path.join(d, 'result.csv'), 'utf8')), ms, sent, stdout: runs.map((r) => r.stdout) };
}
