// The SQL benchmark for bench/results.json (`queries`, issue 17): the credit score query and the first wage gap
// query, compiled with domain/sql, on random tables of the right shape secret-shared with domain/shares, run
// as n real `qs-engine run --plan` processes (one per party, each with its own openssl X25519 key, peers file and
// folder) over the engine's real encrypted links on loopback, 3PC and 4PC. Every run's result is rebuilt and
// checked against the plaintext reference (evaluatePlan).
//
// Per run: wall seconds (first process started → last process exited: start-up, key agreement, reading the
// shares, the computation and writing the result), payload bytes each party sent (the engine's own link
// counters, printed on stdout), and each party's peak resident memory (/usr/bin/time's maximum RSS of that
// process). Per query and protocol: the growth exponent of time against rows (least squares on log–log).
//
// `npx tsx bench/queries.ts [--quick]` runs it alone and writes `queries` into bench/results.json (other keys
// kept); bench/run.ts calls benchQueries() as its `queries` step.
import { execFile, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { reconstructResult, shareTable } from '../domain/shares.js';
import { compileSql, evaluatePlan, type Plan } from '../domain/sql/index.js';
import { renderPlanText } from '../domain/sql/plan-text.js';
import { preparePartyDirs, runPlanArgs, sentCounters } from '../test/engine/plan-engine.js';
import { makeKey } from '../test/helpers/engine.js';
import { benchBuildDir } from './engine.js';

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const int = (lo: number, hi: number) => lo + Math.floor(Math.random() * (hi - lo + 1));

/** The two queries of issue 17, with random rows of their tables' shape (uids: about four rows each). */
export const QUERIES = {
  credit_score: {
    sql: 'SELECT uid FROM credit WHERE year = 2023 GROUP BY uid HAVING MAX(cs) - MIN(cs) > 150',
    schema: ['uid', 'year', 'cs'],
    row: (n: number) => [int(0, Math.max(1, n >> 2)), int(2022, 2023), int(300, 850)],
  },
  wage_gap: {
    sql: 'SELECT academia, degree, AVG(salary) FROM emp GROUP BY academia, degree',
    schema: ['salary', 'degree', 'years_exp', 'region', 'academia'],
    row: () => [int(30_000, 250_000), int(0, 2), int(0, 40), int(0, 4), int(0, 1)],
  },
} as const;
type QueryName = keyof typeof QUERIES;

/** ORQ built and run on this machine kind (shared/ENGINE.md): 2 cores, MPI over loopback, one thread per party. */
export const ORQ_QUERIES = {
  credit_score: { '3pc': { '16384': 1.03, '65536': 3.92 }, '4pc': { '16384': 3.42, '65536': 15.7 } },
  wage_gap: { '3pc': { '16384': 7.79 }, '4pc': { '16384': 13.0 } },
  bytes_per_party_3pc: { credit_score: { '16384': 96 * 2 ** 20, '65536': 444 * 2 ** 20 }, wage_gap: { '16384': 240 * 2 ** 20 } },
};

export interface QueryRun {
  query: QueryName;
  parties: number;
  rows: number;
  wall_s: number;
  /** payload bytes sent by each party (sum over its links), the engine's counters */
  bytes_sent_per_party: number[];
  /** the busiest party's */
  max_bytes_per_party: number;
  messages_per_party: number[];
  /** bytes on the wire (Noise framing and tags included), per party */
  wire_bytes_per_party: number[];
  /** each party process's maximum resident set (/usr/bin/time %M), MB; null when /usr/bin/time is missing */
  peak_rss_mb_per_party: number[] | null;
  valid_rows: number;
}

/** Builds the qs-engine target (Release) in `buildDir` (bench/engine.ts configures the same folder). */
export async function buildQsEngine(buildDir: string): Promise<string> {
  await run('cmake', ['-S', path.join(ROOT, 'engine'), '-B', buildDir, '-DCMAKE_BUILD_TYPE=Release', '-DQS_ENGINE_BENCH=ON'], { maxBuffer: 16 << 20 });
  await run('cmake', ['--build', buildDir, '-j', String(os.cpus().length), '--target', 'qs-engine'], { maxBuffer: 64 << 20 });
  return path.join(buildDir, 'qs-engine');
}

const TIME = '/usr/bin/time';
const RSS_MARK = 'qs-bench-maxrss-kb ';

/** One run: n processes, fresh ports and folders, keys made once per party count (`keyDir`). */
async function runOnce(binary: string, shares: string[], planText: string, keyDir: string, pub: string[], timeoutMs: number) {
  const n = shares.length;
  const root = mkdtempSync(path.join(os.tmpdir(), 'qs-bench-q-'));
  try {
    const { ports, dirs } = await preparePartyDirs(root, shares, planText, keyDir, pub);
    const timed = existsSync(TIME);
    const started = performance.now();
    let timedOut = false;
    const procs = dirs.map((d, i) => {
      const args = [...runPlanArgs(i, n, ports[i]), '--link-timeout', String(Math.ceil(timeoutMs / 1000))];
      return timed ? spawn(TIME, ['-f', `${RSS_MARK}%M`, binary, ...args], { cwd: d, stdio: ['ignore', 'pipe', 'pipe'] })
        : spawn(binary, args, { cwd: d, stdio: ['ignore', 'pipe', 'pipe'] });
    });
    const timer = setTimeout(() => {
      timedOut = true;
      for (const p of procs) p.kill('SIGKILL');
    }, timeoutMs);
    const runs = await Promise.all(procs.map((child) => new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (x) => { stdout += x; });
      child.stderr!.on('data', (x) => { stderr += x; });
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    }))).finally(() => clearTimeout(timer));
    const wall = (performance.now() - started) / 1000;
    if (timedOut) return { timedOut: true as const, wall };
    if (runs.some((r) => r.code !== 0)) throw new Error(`the engine failed:\n${runs.map((r, i) => `party ${i} exited ${r.code}:\n${r.stderr}`).join('')}`);
    const sent = runs.map((r) => sentCounters(r.stdout));
    const rss = timed ? runs.map((r) => Math.round(Number(new RegExp(`${RSS_MARK}(\\d+)`).exec(r.stderr)?.[1]) / 1024)) : null;
    return { timedOut: false as const, wall, sent, rss, results: dirs.map((d) => readFileSync(path.join(d, 'result.csv'), 'utf8')) };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** Least-squares slope of log(y) on log(x): time ∝ rows^slope. */
export function growthExponent(xs: number[], ys: number[]): number | null {
  if (xs.length < 2) return null;
  const lx = xs.map(Math.log), ly = ys.map(Math.log);
  const mx = lx.reduce((a, b) => a + b, 0) / lx.length, my = ly.reduce((a, b) => a + b, 0) / ly.length;
  let sxy = 0, sxx = 0;
  for (let i = 0; i < lx.length; i++) {
    sxy += (lx[i] - mx) * (ly[i] - my);
    sxx += (lx[i] - mx) ** 2;
  }
  return Math.round((sxy / sxx) * 1000) / 1000;
}

export interface QueriesOptions {
  quick?: boolean;
  buildDir?: string;
  /** row counts as powers of two; default [10, 14, 16] ([8, 10] with quick) */
  exponents?: number[];
  /** a run that takes longer is killed and reported under `capped` (default 900 s; QS_BENCH_QUERY_TIMEOUT_S) */
  timeoutSeconds?: number;
  log?: (line: string) => void;
}

/** One X25519 key per party for 3 and 4 parties, each in its own folder as the engine reads it; the public keys. */
async function partyKeys(keyRoot: string): Promise<Map<number, string[]>> {
  const keys = new Map<number, string[]>();
  for (const n of [3, 4]) {
    const pub: string[] = [];
    for (let i = 0; i < n; i++) pub.push(await makeKey(path.join(keyRoot, `k${n}-party${i}.key`)));
    keys.set(n, pub);
    mkdirSync(path.join(keyRoot, String(n)));
    for (let i = 0; i < n; i++) copyFileSync(path.join(keyRoot, `k${n}-party${i}.key`), path.join(keyRoot, String(n), `party${i}.key`));
  }
  return keys;
}

interface QueryCase {
  name: QueryName;
  parties: number;
  rows: number;
  plan: Plan;
  planText: string;
}

/** Runs one query at one size on random rows and checks the rebuilt result against the plaintext reference. */
async function runCase(c: QueryCase, binary: string, keyRoot: string, keys: string[], timeoutMs: number): Promise<{ run?: QueryRun; wall: number }> {
  const q = QUERIES[c.name];
  const table = Array.from({ length: c.rows }, () => q.row(c.rows) as number[]);
  const shares = shareTable([...q.schema], table, c.parties);
  const r = await runOnce(binary, shares, c.planText, path.join(keyRoot, String(c.parties)), keys, timeoutMs);
  if (r.timedOut) return { wall: r.wall };
  // Correctness: the rebuilt valid rows are the plaintext reference's (as a multiset: no ORDER BY).
  const want = evaluatePlan(c.plan, { columns: [...q.schema], rows: table });
  const got = reconstructResult(r.results, c.parties);
  const valid = (rs: number[][]) => rs.filter((x) => x.at(-1) === 1).map((x) => JSON.stringify(x)).sort();
  const a = valid(got.rows), b = valid(want.rows);
  const label = `${c.name} ${c.parties}PC ${c.rows} rows`;
  if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error(`${label}: the engine's result differs from the plaintext reference (${a.length} vs ${b.length} valid rows)`);
  const run: QueryRun = {
    query: c.name, parties: c.parties, rows: c.rows, wall_s: +r.wall.toFixed(3),
    bytes_sent_per_party: r.sent.map((s) => s.bytes), max_bytes_per_party: Math.max(...r.sent.map((s) => s.bytes)),
    messages_per_party: r.sent.map((s) => s.messages), wire_bytes_per_party: r.sent.map((s) => s.wireBytes),
    peak_rss_mb_per_party: r.rss, valid_rows: b.length,
  };
  return { run, wall: r.wall };
}

/** queries[query][proto] = { by_rows: { "<rows>": {…} }, growth_exponent, vs ORQ } */
function summarize(name: QueryName, runs: QueryRun[]): Record<string, unknown> {
  const perProto: Record<string, unknown> = {};
  for (const parties of [3, 4]) {
    const proto = `${parties}pc` as '3pc' | '4pc';
    const mine = runs.filter((r) => r.query === name && r.parties === parties).sort((a, b) => a.rows - b.rows);
    const byRows: Record<string, unknown> = {};
    for (const r of mine) {
      byRows[String(r.rows)] = {
        wall_s: r.wall_s, bytes_per_party: r.max_bytes_per_party, bytes_sent_per_party: r.bytes_sent_per_party,
        messages_per_party: r.messages_per_party, wire_bytes_per_party: r.wire_bytes_per_party, peak_rss_mb_per_party: r.peak_rss_mb_per_party, valid_rows: r.valid_rows,
      };
    }
    const orq = (ORQ_QUERIES[name] as Record<string, Record<string, number>>)[proto] ?? {};
    const vsOrq: Record<string, number> = {};
    for (const r of mine) if (orq[String(r.rows)]) vsOrq[String(r.rows)] = Math.round((orq[String(r.rows)] / r.wall_s) * 100) / 100;
    const last2 = mine.slice(-2);
    perProto[proto] = {
      by_rows: byRows,
      growth_exponent: growthExponent(mine.map((r) => r.rows), mine.map((r) => r.wall_s)),
      // The two largest sizes only: the smallest is mostly start-up (processes, keys, links).
      growth_exponent_largest_two: growthExponent(last2.map((r) => r.rows), last2.map((r) => r.wall_s)),
      speedup_vs_orq: vsOrq,
    };
  }
  return { sql: QUERIES[name].sql, ...perProto };
}

export async function benchQueries(options: QueriesOptions = {}) {
  const log = options.log ?? ((l: string) => console.error(l));
  const exps = options.exponents ?? (options.quick ? [8, 10] : [10, 14, 16]);
  const timeoutMs = 1000 * (options.timeoutSeconds ?? Number(process.env.QS_BENCH_QUERY_TIMEOUT_S ?? 900));
  const buildDir = options.buildDir ?? benchBuildDir();
  log('bench queries: building qs-engine…');
  const binary = await buildQsEngine(buildDir);
  const keyRoot = mkdtempSync(path.join(os.tmpdir(), 'qs-bench-keys-'));
  const runs: QueryRun[] = [];
  const capped: { query: QueryName; parties: number; rows: number; after_s: number }[] = [];
  try {
    const keys = await partyKeys(keyRoot);
    for (const parties of [3, 4]) {
      for (const name of Object.keys(QUERIES) as QueryName[]) {
        const compiled = compileSql(QUERIES[name].sql, [...QUERIES[name].schema]);
        if (!compiled.ok) throw new Error(`${name}: ${compiled.error}`);
        for (const e of exps) {
          const rows = 2 ** e;
          if (capped.some((c) => c.query === name && c.parties === parties && c.rows < rows)) {
            log(`bench queries: ${name} ${parties}PC 2^${e} skipped (a smaller size already hit the cap)`);
            capped.push({ query: name, parties, rows, after_s: 0 });
            continue;
          }
          log(`bench queries: ${name} ${parties}PC 2^${e} rows…`);
          const c: QueryCase = { name, parties, rows, plan: compiled.plan, planText: renderPlanText(compiled.plan) };
          const { run, wall } = await runCase(c, binary, keyRoot, keys.get(parties)!, timeoutMs);
          if (!run) {
            log(`bench queries: ${name} ${parties}PC 2^${e}: stopped at the cap (${(timeoutMs / 1000).toFixed(0)} s)`);
            capped.push({ query: name, parties, rows, after_s: +wall.toFixed(1) });
            continue;
          }
          runs.push(run);
          log(`bench queries: ${name} ${parties}PC 2^${e}: ${run.wall_s} s, ${(run.max_bytes_per_party / 2 ** 20).toFixed(1)} MiB sent by the busiest party` +
            (run.peak_rss_mb_per_party ? `, peak RSS ${Math.max(...run.peak_rss_mb_per_party)} MB per party` : '') + `, ${run.valid_rows} result rows (checked)`);
        }
      }
    }
  } finally {
    rmSync(keyRoot, { recursive: true, force: true });
  }
  const out = Object.fromEntries((Object.keys(QUERIES) as QueryName[]).map((name) => [name, summarize(name, runs)]));
  return {
    rows: exps.map((e) => 2 ** e),
    ...out,
    capped,
    orq: ORQ_QUERIES,
    note: `one qs-engine process per party over its real Noise-encrypted TCP links on loopback, all on ${os.cpus().length} cores; wall_s from the first process started to the last exited (start-up and links included); bytes_per_party = payload bytes sent by the busiest party (engine counters); peak_rss from /usr/bin/time per process; results checked against evaluatePlan; speedup_vs_orq = ORQ's seconds / ours (>1: faster)`,
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, rows: { type: 'string' } } });
  const queries = await benchQueries({ quick: values.quick, exponents: values.rows?.split(',').map(Number) });
  const file = path.join(ROOT, 'bench', 'results.json');
  const results = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  results.queries = { ...queries, measured_at: new Date().toISOString() };
  writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
  console.log(JSON.stringify(queries, null, 2));
}
