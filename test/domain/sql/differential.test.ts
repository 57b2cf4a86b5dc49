// Differential tests of domain/sql against SQLite (sql.js): random tables, random queries within the grammar,
// drawn by fast-check (caseArbitrary). A failure is shrunk to a smallest case that still fails (fewer rows,
// smaller values, simpler expressions) and printed with both SQL texts, the table, and the seed and path that
// replay it: QS_SQL_SEED=<seed> QS_SQL_PATH=<path> QS_SQL_MODE=small|wrap. QS_SQL_CASES sets the number of
// cases: 800 per mode by default (fast-check's draws cost what 200 more cases did, so npm test takes no longer).
// Long run: QS_SQL_CASES=50000 npx vitest run test/domain/sql/differential.test.ts
import initSqlJs, { type SqlJsStatic } from 'sql.js';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCase } from './differential.js';
import { caseArbitrary, type Mode } from './generator.js';

const CASES = Number(process.env.QS_SQL_CASES ?? 800);
const SEED = process.env.QS_SQL_SEED === undefined ? undefined : Number(process.env.QS_SQL_SEED);
const PATH = process.env.QS_SQL_PATH;
const MODES = (['small', 'wrap'] as const).filter((m) => !process.env.QS_SQL_MODE || process.env.QS_SQL_MODE === m);

let SQL: SqlJsStatic;
beforeAll(async () => {
  SQL = await initSqlJs();
});

describe.each(MODES)('domain/sql against SQLite, %s values', (mode: Mode) => {
  it(`agrees on ${PATH !== undefined ? `seed ${SEED} path ${PATH}` : `${CASES} random queries`}`, () => {
    const kinds: Record<string, number> = {};
    fc.assert(
      fc.property(caseArbitrary(mode), (c) => {
        const k = `${c.kind}${c.ordered ? '+order' : ''}${c.limit !== null ? '+limit' : ''}`;
        kinds[k] = (kinds[k] ?? 0) + 1;
        const failure = runCase(SQL, c);
        if (failure) throw new Error(failure);
      }),
      { numRuns: CASES, ...(SEED !== undefined ? { seed: SEED } : {}), ...(PATH !== undefined ? { path: PATH } : {}) },
    );
    if (PATH === undefined) {
      // every kind of query is drawn
      for (const k of ['plain', 'agg', 'group', 'plain+order', 'group+order+limit']) expect(kinds[k] ?? 0, `cases of kind ${k}`).toBeGreaterThan(0);
    }
  });
});
