// Builds the reference engine once into a temp dir and runs it the way run_experiment.yml does.
import { execFile } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../activities/config.js';

const run = promisify(execFile);

/** mpirun flags for parties that are local hosts on loopback (the `local` provider). */
export function localMpiFlags(): string[] {
  return ['--oversubscribe', '--mca', 'btl', 'self,tcp', '--mca', 'btl_tcp_if_include', 'lo', '--mca', 'plm_rsh_agent', '', ...(process.getuid?.() === 0 ? ['--allow-run-as-root'] : [])];
}

export async function buildEngine(): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'qs-engine-'));
  await run('cmake', ['-S', path.join(REPO_ROOT, 'engine'), '-B', dir, '-DCMAKE_BUILD_TYPE=Release']);
  await run('cmake', ['--build', dir]);
  return path.join(dir, 'qs-engine');
}

/** Lays out one folder per party and runs one MPMD mpirun across them; returns each party's result CSV. */
export async function runEngine(binary: string, shares: string[], program: string): Promise<{ results: string[]; dirs: string[] }> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'qs-run-'));
  const n = shares.length;
  const dirs = shares.map((csv, i) => {
    const d = path.join(root, `party${i}`);
    mkdirSync(d);
    writeFileSync(path.join(d, 'input.csv'), csv);
    writeFileSync(path.join(d, 'program.txt'), program);
    return d;
  });
  const apps = dirs.flatMap((d, i) => [...(i ? [':'] : []), '-np', '1', '--wdir', d, binary, '--party', String(i), '--parties', String(n), '--program', 'program.txt', '--input', 'input.csv', '--output', 'result.csv']);
  await run('mpirun', [...localMpiFlags(), ...apps], { timeout: 60_000 });
  const { readFileSync } = await import('node:fs');
  return { results: dirs.map((d) => readFileSync(path.join(d, 'result.csv'), 'utf8')), dirs };
}
