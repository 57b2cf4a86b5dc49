// The engine's figures for bench/results.json (`engine`): builds engine/ with its benchmark programs
// (cmake -DQS_ENGINE_BENCH=ON, in a build folder of its own outside the tree) and runs
// bench_primitives (protocols: and, mult, open, shuffle) and bench_operators (eq, lt, a2b, sorts),
// 3PC and 4PC, parties as threads of one process over in-memory links. Both programs print JSON; this
// merges them into one object per protocol:
//   { "3pc": { and_s, mult_s, eq_s, lt_s, a2b_s, sort_2p16_s, sort_2p18_s, …, bytes_per_party: {…},
//              theory_bytes_per_party: {…} }, "4pc": {…}, orq: {…the figures to beat…},
//     peak_memory: { n, "3pc": { process_mb, per_party_mb }, "4pc": {…}, how }, note }
// --quick: 2^16 elements (n in each protocol's object), sorts of 2^16 only, one repetition; ORQ's figures
// are then compared for the sorts only.
//
// `npx tsx bench/engine.ts [--quick]` runs it alone and writes `engine` into bench/results.json (other
// keys kept); bench/run.ts can call benchEngine() as a step.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** ORQ on this machine kind (shared/ENGINE.md): 2^20 × 32-bit, MPI over loopback, one thread per party. */
export const ORQ = {
  '3pc': { and_s: 0.04, mult_s: 0.033, eq_s: 0.175, lt_s: 0.262, sort_2p16_s: 0.81, sort_2p18_s: 4.0 },
  '4pc': { and_s: 0.225, mult_s: 0.206, eq_s: 1.08, lt_s: 1.03, sort_2p16_s: 2.73, sort_2p18_s: 15.8 },
};

type Proto = Record<string, unknown> & { bytes_per_party?: Record<string, number>; theory_bytes_per_party?: Record<string, number> };

async function build(buildDir: string) {
  await run('cmake', ['-S', path.join(ROOT, 'engine'), '-B', buildDir, '-DCMAKE_BUILD_TYPE=Release', '-DQS_ENGINE_BENCH=ON'], { maxBuffer: 16 << 20 });
  const targets = ['bench_primitives', ...(existsSync(path.join(ROOT, 'engine', 'bench', 'operators.cpp')) ? ['bench_operators'] : [])];
  await run('cmake', ['--build', buildDir, '-j', String(os.cpus().length), '--target', ...targets], { maxBuffer: 64 << 20 });
  return targets;
}

async function runJson(bin: string, args: string[]) {
  const { stdout } = await run(bin, args, { maxBuffer: 16 << 20, timeout: 30 * 60_000 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>;
}

/**
 * The bench's engine build folder, outside the tree and reused by later runs: one per checkout (keyed by
 * its path), since cmake refuses a build folder that another source folder configured (a second clone,
 * such as CI's, failed on the first one's cache).
 */
export function benchBuildDir(): string {
  return path.join(os.tmpdir(), `qs-engine-bench-build-${createHash('sha256').update(ROOT).digest('hex').slice(0, 12)}`);
}

/** Peak memory per party at n elements: one process per protocol running only the element-wise operators
 *  (and, eq, lt, a2b) once; its maximum RSS (getrusage, all party threads and the bench's plaintext inputs
 *  included) divided by the number of parties. */
async function peakMemory(buildDir: string, n: number, log: (line: string) => void): Promise<Record<string, unknown>> {
  const memory: Record<string, unknown> = {};
  for (const parties of [3, 4]) {
    log(`bench engine: peak memory, ${parties}PC, n = ${n}…`);
    const m = await runJson(path.join(buildDir, 'bench_operators'), ['--parties', String(parties), '--repeat', '1', '--n', String(n), '--only', 'and,eq,lt,a2b']);
    const all = Number(m.peak_rss_mb_all_parties);
    memory[`${parties}pc`] = { process_mb: all, per_party_mb: Math.round((all / parties) * 10) / 10 };
  }
  return memory;
}

/** One protocol's figures from both benches, with bytes over the theory and the speed-up over ORQ. */
function mergeProtocol(proto: '3pc' | '4pc', prim: Record<string, unknown>, oper: Record<string, unknown>): Proto {
  const p = (prim[proto] ?? {}) as Proto;
  const o = (oper[proto] ?? {}) as Proto;
  const merged: Proto = { ...o, ...p };
  merged.bytes_per_party = { ...(o.bytes_per_party ?? {}), ...(p.bytes_per_party ?? {}) };
  merged.theory_bytes_per_party = { ...(o.theory_bytes_per_party ?? {}), ...(p.theory_bytes_per_party ?? {}) };
  merged.cpu_s = { ...((o.cpu_s as object) ?? {}), ...((p.cpu_s as object) ?? {}) };
  merged.rounds = { ...((o.rounds as object) ?? {}), ...((p.rounds as object) ?? {}) };
  // Measured bytes over the protocol's count (1.00 = exactly the theory; 4PC includes hashes and trailers).
  const ratio: Record<string, number> = {};
  for (const [k, v] of Object.entries(merged.bytes_per_party)) {
    const t = merged.theory_bytes_per_party[k];
    if (t) ratio[k] = Math.round((v / t) * 1000) / 1000;
  }
  merged.bytes_over_theory = ratio;
  const vsOrq: Record<string, number> = {};
  for (const [k, ref] of Object.entries(ORQ[proto])) {
    // Element-wise figures compare only at ORQ's size (2^20); the sorts have fixed sizes.
    if (!k.startsWith('sort_') && merged.n !== 1 << 20) continue;
    const mine = merged[k];
    if (typeof mine === 'number' && mine > 0) vsOrq[k] = Math.round((ref / mine) * 100) / 100;
  }
  merged.speedup_vs_orq = vsOrq;
  return merged;
}

export async function benchEngine(options: { quick?: boolean; buildDir?: string; log?: (line: string) => void } = {}) {
  const buildDir = options.buildDir ?? benchBuildDir();
  const targets = await build(buildDir);
  const repeat = options.quick ? '1' : '5';
  // --quick: 2^16 elements instead of 2^20 and no 2^18 sort (npm test's quick pass must stay short).
  const n = options.quick ? 1 << 16 : 1 << 20;
  const log = options.log ?? ((l: string) => console.error(l));
  log(`bench engine: primitives (and, mult, open, shuffle), 3PC and 4PC, n = ${n}…`);
  const prim = await runJson(path.join(buildDir, 'bench_primitives'), ['--repeat', repeat, '--n', String(n)]);
  let oper: Record<string, unknown> = {};
  let memory: Record<string, unknown> = {};
  if (targets.includes('bench_operators')) {
    const only = options.quick ? 'eq,lt,a2b,sort16' : 'eq,lt,a2b,sort16,sort18';
    log(`bench engine: operators (${only}), 3PC and 4PC…`);
    oper = await runJson(path.join(buildDir, 'bench_operators'), ['--repeat', options.quick ? '1' : '3', '--n', String(n), '--only', only]);
    memory = await peakMemory(buildDir, n, log);
  }
  return {
    '3pc': mergeProtocol('3pc', prim, oper),
    '4pc': mergeProtocol('4pc', prim, oper),
    orq: ORQ,
    prg_gb_s: prim.prg_gb_s,
    mac_gb_s: prim.mac_gb_s,
    peak_rss_mb_all_parties: oper.peak_rss_mb_all_parties,
    peak_memory: {
      n,
      ...memory,
      how: 'bench_operators --parties P --n N --only and,eq,lt,a2b --repeat 1: the process\'s maximum RSS (getrusage ru_maxrss) over its P party threads, divided by P; it includes both inputs in plaintext (2 × 4 MiB at 2^20) that the bench generates',
    },
    note: `parties are threads of one process on ${os.cpus().length} cores (3 or 4 threads share them); seconds are the slowest party's, cpu_s the busiest party's thread CPU time; ORQ ran one MPI process per party on the same kind of machine`,
  } as Record<string, unknown>;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
  const engine = await benchEngine({ quick: values.quick });
  const file = path.join(ROOT, 'bench', 'results.json');
  const results = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  results.engine = { ...engine, measured_at: new Date().toISOString() };
  writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
  console.log(JSON.stringify(engine, null, 2));
}
