// The reference engine computes on secret shares for real: build it with cmake, run it with mpirun
// (one rank per party, each in its own folder), reconstruct, compare with the plaintext answer; and
// files that do not fit together (tampered, truncated, mixed up) make every party stop.
import { execFile } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileQuery, programFile } from '../../activities/engine/query.js';
import { parseShareCsv, reconstructResult, shareTable } from '../../activities/shares/index.js';
import { buildEngine, localMpiFlags, runEngine } from '../helpers/engine.js';

const run = promisify(execFile);

let engine: string;
// The build and every run folder (the helper's too) go under one private temp root, removed at the end;
// this file runs in its own worker process, so TMPDIR changes nothing elsewhere.
const tmpRoot = mkdtempSync(path.join(os.tmpdir(), 'qs-engine-test-'));
process.env.TMPDIR = tmpRoot;
beforeAll(async () => {
  engine = await buildEngine();
}, 300_000);
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));

const columns = ['age', 'salary'];

/** Seeded, so a failure can be replayed: values over the whole int32 range, so sums wrap. */
function randomTable(rows: number, seed: number): number[][] {
  let a = seed >>> 0;
  const next = () => {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    return a | 0;
  };
  return Array.from({ length: rows }, (_, r) => [r % 3 === 0 ? -(r + 1) : next() % 1000, next()]);
}
const plainSum = (rows: number[][], c: number) => rows.reduce((s, r) => (s + r[c]) | 0, 0);

function program(sql: string): string {
  const compiled = compileQuery(sql, columns);
  if (!compiled.ok) throw new Error(compiled.error);
  return programFile(compiled.program, columns);
}
const QUERY = 'SELECT SUM(salary) AS total, COUNT(*) AS n, SUM(age) FROM people';

/** Changes one cell of a share file (data row `row`, column `col`) by +1. */
function tamper(file: string, row: number, col: number): string {
  const lines = file.split('\n');
  const cells = lines[row + 1].split(',');
  cells[col] = String((Number(cells[col]) + 1) | 0);
  lines[row + 1] = cells.join(',');
  return lines.join('\n');
}

/** Runs the engine and returns what mpirun failed with (stderr included), or fails the test if it ran. */
async function failure(shares: string[], prog: string): Promise<string> {
  try {
    await runEngine(engine, shares, prog);
  } catch (err) {
    return String((err as Error).message);
  }
  throw new Error('expected the engine to fail');
}

describe('qs-engine', () => {
  it.each([3, 4])('when %i parties run SUM and COUNT on shares, then the reconstructed result equals the plaintext (with int32 wrap)', async (n) => {
    const rows = [[30, 2_000_000_000], [-41, 2_000_000_000], [52, -7], [0, 123_456], ...randomTable(40, n)];
    const { results } = await runEngine(engine, shareTable(columns, rows, n), program(QUERY));
    const k = n - 1;
    // Only the additive block per output: the reference engine does no A2B conversion.
    const header = ['total', 'n', 'sum_age'].flatMap((name) => Array.from({ length: k }, (_, j) => `${name}_${j}`)).join(',');
    for (const r of results) expect(r.split('\n')[0]).toBe(header);
    expect(reconstructResult(results, n)).toEqual({ columns: ['total', 'n', 'sum_age'], rows: [[plainSum(rows, 1), rows.length, plainSum(rows, 0)]] });
  });

  it('when COUNT(*) is computed, then it is a valid sharing: global share 0 holds the count, the others 0', async () => {
    const rows = randomTable(7, 1);
    const { results } = await runEngine(engine, shareTable(columns, rows, 4), program('SELECT COUNT(*) FROM t'));
    // Party i's local column j is global share (i + j) mod 4.
    results.forEach((r, i) => expect(parseShareCsv(r).rows[0]).toEqual([0, 1, 2].map((j) => ((i + j) % 4 === 0 ? 7 : 0))));
  });

  it('when each party concatenates two owners\' files (one header), then the result covers both owners\' rows', async () => {
    const alice = randomTable(5, 11);
    const bob = randomTable(6, 12);
    const [a, b] = [shareTable(columns, alice, 3), shareTable(columns, bob, 3)];
    const joined = a.map((f, i) => f + b[i].split('\n').slice(1).join('\n'));
    const { results } = await runEngine(engine, joined, program(QUERY));
    const all = [...alice, ...bob];
    expect(reconstructResult(results, 3).rows).toEqual([[plainSum(all, 1), all.length, plainSum(all, 0)]]);
  });

  it('when the share files have no rows, then SUM and COUNT are 0', async () => {
    const { results } = await runEngine(engine, shareTable(columns, [], 3), program(QUERY));
    expect(reconstructResult(results, 3).rows).toEqual([[0, 0, 0]]);
  });

  it.each([
    [3, 1, 1, 'column age (additive): party 1\'s copy of global share 2'], // age_1
    [4, 1, 2, 'column age (additive): party 1\'s copy of global share 3'], // age_2: compared two hops away
    [4, 2, 2 * 3 + 3 + 1, 'column salary (XOR): party 2\'s copy of global share 3'], // [salary]_1
  ])('when %i parties run and party %i holds a tampered replicated share (file column %i), then every party refuses and mpirun fails', async (n, party, col, detail) => {
    const shares = shareTable(columns, randomTable(4, 3), n);
    shares[party] = tamper(shares[party], 2, col);
    const message = await failure(shares, program(QUERY));
    expect(message).toMatch(/replicated shares are inconsistent/);
    expect(message).toContain(detail);
    expect(message).toMatch(/stopping: party \d failed checking the parties' shares agree/);
  });

  it('when one party\'s file lost a row, then the parties refuse because the row counts differ', async () => {
    const shares = shareTable(columns, randomTable(4, 5), 3);
    shares[2] = shares[2].split('\n').slice(0, -2).join('\n') + '\n';
    expect(await failure(shares, 'count n\n')).toMatch(/different row counts/);
  });

  it('when one party holds a file for another schema, then the parties refuse because the headers differ', async () => {
    const shares = shareTable(columns, randomTable(2, 6), 3);
    shares[1] = shareTable(['age', 'wage'], randomTable(2, 6), 3)[1];
    expect(await failure(shares, 'count n\n')).toMatch(/party 1's share file has another header/);
  });

  it('when the program sums a column the files do not have, or cannot be read, then it fails naming the problem', async () => {
    const shares = shareTable(columns, randomTable(2, 7), 3);
    expect(await failure(shares, 'sum x wage\n')).toMatch(/has no column wage \(it has age, salary\)/);
    expect(await failure(shares, 'avg x age\n')).toMatch(/program line 1/);
  });

  it('when a share value is not a 32-bit integer, then that party says which line', async () => {
    const shares = shareTable(columns, randomTable(2, 8), 3);
    shares[0] = shares[0].replace(/\n-?\d+,/, '\n2147483648,');
    expect(await failure(shares, 'count n\n')).toMatch(/party 0: reading the share file failed: line 2, column 1: '2147483648' is not a 32-bit integer/);
  });

  it('when --party does not match the MPI rank, then it fails before reading anything', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'qs-run-'));
    const shares = shareTable(columns, randomTable(2, 9), 3);
    const apps = shares.flatMap((csv, rank) => {
      const dir = path.join(root, `party${rank}`);
      mkdirSync(dir);
      writeFileSync(path.join(dir, 'input.csv'), csv);
      writeFileSync(path.join(dir, 'program.txt'), 'count n\n');
      const party = rank === 0 ? 1 : rank === 1 ? 0 : 2; // parties 0 and 1 swapped
      return [...(rank ? [':'] : []), '-np', '1', '--wdir', dir, engine, '--party', String(party), '--parties', '3', '--program', 'program.txt', '--input', 'input.csv', '--output', 'result.csv'];
    });
    await expect(run('mpirun', [...localMpiFlags(), ...apps], { timeout: 60_000 })).rejects.toThrow(/--party 1 does not match MPI rank 0/);
  });

  it('when asked for --version outside mpirun, then it answers (deploy_engine.yml checks the build this way)', async () => {
    const { stdout } = await run(engine, ['--version']);
    expect(stdout).toMatch(/^qs-engine \d+\.\d+/);
  });
});
