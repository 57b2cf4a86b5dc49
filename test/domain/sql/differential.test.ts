// Differential tests of domain/sql against SQLite (sql.js): random tables, random queries within the grammar.
// QS_SQL_CASES (default 1000 per mode) sets the number of cases, QS_SQL_BASE_SEED the first seed;
// QS_SQL_SEED (with QS_SQL_MODE=small|wrap) replays one case. A failure prints its seed, both SQL texts and
// the table. Long run: QS_SQL_CASES=50000 npx vitest run test/domain/sql/differential.test.ts
import initSqlJs, { type SqlJsStatic } from 'sql.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeCase, runCase } from './differential.js';
import { generateCase, type Mode } from './generator.js';

const CASES = Number(process.env.QS_SQL_CASES ?? 1000);
const BASE = Number(process.env.QS_SQL_BASE_SEED ?? 1);
const ONE = process.env.QS_SQL_SEED;

let SQL: SqlJsStatic;
beforeAll(async () => {
  SQL = await initSqlJs();
});

function runMany(mode: Mode): { failures: string[]; kinds: Record<string, number> } {
  const failures: string[] = [];
  const kinds: Record<string, number> = {};
  const seeds = ONE !== undefined ? (process.env.QS_SQL_MODE && process.env.QS_SQL_MODE !== mode ? [] : [Number(ONE)]) : Array.from({ length: CASES }, (_, i) => BASE + i);
  for (const seed of seeds) {
    const c = generateCase(seed, mode);
    const k = `${c.kind}${c.ordered ? '+order' : ''}${c.limit !== null ? '+limit' : ''}`;
    kinds[k] = (kinds[k] ?? 0) + 1;
    let failure: string | undefined;
    try {
      failure = runCase(SQL, c);
    } catch (err) {
      failure = `threw ${(err as Error).stack}\n${describeCase(c)}`;
    }
    if (failure) failures.push(failure);
    if (failures.length >= 5) break;
  }
  return { failures, kinds };
}

describe.each(['small', 'wrap'] as const)('domain/sql against SQLite, %s values', (mode) => {
  it(`agrees on ${ONE !== undefined ? `seed ${ONE}` : `${CASES} random queries`}`, () => {
    const { failures, kinds } = runMany(mode);
    expect(failures.join('\n\n')).toBe('');
    if (ONE === undefined) {
      // every kind of query is drawn
      for (const k of ['plain', 'agg', 'group', 'plain+order', 'group+order+limit']) expect(kinds[k] ?? 0, `cases of kind ${k}`).toBeGreaterThan(0);
    }
  });
});
