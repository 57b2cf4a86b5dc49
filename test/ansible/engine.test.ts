// The reference engine computes on secret shares for real: build it with cmake, run it with mpirun
// (one rank per party, each in its own folder), reconstruct, compare with the plaintext answer.
import { beforeAll, describe, expect, it } from 'vitest';
import { compileQuery, programFile } from '../../activities/engine/query.js';
import { reconstructResult, shareTable } from '../../activities/shares/index.js';
import { buildEngine, runEngine } from '../helpers/engine.js';

let engine: string;
beforeAll(async () => {
  engine = await buildEngine();
}, 180_000);

const columns = ['age', 'salary'];
const rows = [
  [30, 2_000_000_000],
  [-41, 2_000_000_000],
  [52, -7],
  [0, 123_456],
];
const wrap = (v: number) => v | 0;

describe('qs-engine', () => {
  it.each([3, 4])('when %i parties run SUM and COUNT on shares, then the reconstructed result equals the plaintext (with int32 wrap)', async (n) => {
    const compiled = compileQuery('SELECT SUM(salary) AS total, COUNT(*) AS n, SUM(age) FROM people', columns);
    if (!compiled.ok) throw new Error(compiled.error);
    const { results } = await runEngine(engine, shareTable(columns, rows, n), programFile(compiled.program, columns));
    const k = n - 1;
    const header = ['total', 'n', 'sum_age'].flatMap((name) => Array.from({ length: k }, (_, j) => `${name}_${j}`)).join(',');
    for (const r of results) expect(r.split('\n')[0]).toBe(header);
    const out = reconstructResult(results);
    expect(out.columns).toEqual(['total', 'n', 'sum_age']);
    expect(out.rows).toEqual([[wrap(rows.reduce((s, r) => s + r[1], 0)), rows.length, rows.reduce((s, r) => s + r[0], 0)]]);
  });

  it('when a party holds a tampered replicated share, then every party refuses and mpirun fails', async () => {
    const shares = shareTable(columns, rows, 3);
    const lines = shares[1].split('\n');
    const cells = lines[1].split(',');
    cells[0] = String((Number(cells[0]) + 1) | 0);
    lines[1] = cells.join(',');
    shares[1] = lines.join('\n');
    await expect(runEngine(engine, shares, 'count n\n')).rejects.toThrow(/inconsistent|exit/i);
  });
});
