// The issue-17 queries the end-to-end tests run on shares, their tables (split among owners), and the
// check of a rebuilt result against domain/sql's plaintext reference (evaluatePlan).
import { expect } from 'vitest';
import { resultTable } from '../../domain/shares.js';
import { compileSql, evaluatePlan, resultRows, type Plan } from '../../domain/sql/index.js';

export interface SqlCase {
  name: string;
  table: string;
  schema: Record<string, string>;
  sql: string;
  /** the rows of each data owner, in the schema's column order */
  owners: Record<string, number[][]>;
}

/** A small deterministic generator (LCG), so a failure reproduces. */
function rng(seed: number) {
  let a = seed >>> 0;
  return (m: number) => {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    return (a >>> 8) % m;
  };
}

const CREDIT = { uid: 'id', year: 'year', cs: 'score' };
const credit = (() => {
  const r = rng(17);
  // 6 users, each with 2023 and 2022 scores; users 1, 4 and 5 move by more than 150 within 2023.
  const rows: number[][] = [];
  const spread: Record<number, number> = { 1: 220, 2: 90, 3: 150, 4: 400, 5: 151, 6: 10 };
  for (let uid = 1; uid <= 6; uid++) {
    const base = 450 + r(200);
    rows.push([uid, 2023, base], [uid, 2023, base + spread[uid]], [uid, 2022, base - 300 + r(50)]);
    if (uid % 2 === 0) rows.push([uid, 2023, base + Math.floor(spread[uid] / 2)]);
  }
  return rows;
})();

const EMP = { salary: 'usd', degree: 'level', years_exp: 'years', region: 'code', academia: 'flag' };
const emp = (() => {
  const r = rng(42);
  const rows: number[][] = [];
  for (let i = 0; i < 18; i++) {
    const academia = i % 3 === 0 ? 1 : 0;
    const degree = r(3);
    const years = [0, 2, 4, 7, 12, 25][r(6)];
    const region = 1 + r(3);
    // distinct salaries, so ORDER BY salary has no ties
    rows.push([40_000 + academia * -6_000 + degree * 9_000 + years * 700 + i * 13, degree, years, region, academia]);
  }
  return rows;
})();

const TRAFFIC = { sensor: 'id', hour: 'h', vehicles: 'count' };
const traffic = [[1, 7, 120], [1, 8, 340], [2, 7, -1], [2, 8, 95], [3, 9, 2_147_483_647]];

const split = (rows: number[][], names: string[]) => Object.fromEntries(names.map((n, i) => [n, rows.filter((_, r) => r % names.length === i)]));

const BIN = 'CASE WHEN years_exp >= 21 THEN 4 WHEN years_exp >= 11 THEN 3 WHEN years_exp >= 5 THEN 2 WHEN years_exp >= 1 THEN 1 ELSE 0 END';

export const CASES: SqlCase[] = [
  { name: 'credit score', table: 'credit', schema: CREDIT, sql: 'SELECT uid FROM credit WHERE year = 2023 GROUP BY uid HAVING MAX(cs) - MIN(cs) > 150', owners: split(credit, ['bank_a', 'bank_b', 'bureau']) },
  { name: 'wage gap by academia, degree', table: 'emp', schema: EMP, sql: 'SELECT academia, degree, AVG(salary) FROM emp GROUP BY academia, degree', owners: split(emp, ['uni', 'corp']) },
  { name: 'wage gap by academia, experience bin', table: 'emp', schema: EMP, sql: `SELECT academia, ${BIN} AS exp_bin, AVG(salary) FROM emp GROUP BY academia, ${BIN}`, owners: split(emp, ['uni', 'corp']) },
  { name: 'wage gap by academia, region', table: 'emp', schema: EMP, sql: 'SELECT academia, region, AVG(salary) FROM emp GROUP BY academia, region', owners: split(emp, ['uni', 'corp']) },
  { name: 'wage gap by academia', table: 'emp', schema: EMP, sql: 'SELECT academia, AVG(salary) FROM emp GROUP BY academia', owners: split(emp, ['uni', 'corp']) },
  { name: 'filter, ORDER BY DESC, LIMIT', table: 'emp', schema: EMP, sql: 'SELECT salary, years_exp AS exp FROM emp WHERE region IN (1, 2) AND years_exp >= 2 ORDER BY salary DESC LIMIT 4', owners: split(emp, ['uni', 'corp']) },
  { name: 'the seed sample SELECT *', table: 'traffic_data', schema: TRAFFIC, sql: 'SELECT * FROM traffic_data', owners: split(traffic, ['city', 'highway']) },
  { name: 'SUM and COUNT (one row)', table: 'payroll', schema: { age: 'years', salary: 'usd' }, sql: 'SELECT SUM(salary) AS total, COUNT(*) AS n FROM payroll', owners: { alice: [[30, 1000], [41, -2500]], bob: [[52, 700]] } },
];

export const caseByName = (name: string) => CASES.find((c) => c.name === name)!;

export function compileCase(c: SqlCase): Plan {
  const r = compileSql(c.sql, Object.keys(c.schema));
  if (!r.ok) throw new Error(`${c.name}: ${r.error}`);
  return r.plan;
}

/** The input the parties join: the owners' files in sorted owner order (run_experiment.yml does the same). */
export const joinedInput = (c: SqlCase) => ({ columns: Object.keys(c.schema), rows: Object.keys(c.owners).sort().flatMap((o) => c.owners[o]) });

const sortRows = (rows: number[][]) => [...rows].sort((a, b) => { for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i]; return 0; });

/** The rebuilt result files equal evaluatePlan's table: row count, header, invalid rows all 0, and the valid rows
 *  in order (ORDER BY) or as a multiset. Returns the valid rows (for a log line). */
export function expectResult(c: SqlCase, files: string[]): { columns: string[]; rows: number[][] } {
  const plan = compileCase(c);
  const want = evaluatePlan(plan, joinedInput(c));
  const got = resultTable(files);
  expect(got.padded.columns, c.name).toEqual(want.columns);
  expect(got.padded.rows.length, `${c.name}: output rows`).toBe(want.rows.length);
  for (const row of got.padded.rows) if (row[row.length - 1] === 0) expect(row.every((v) => v === 0), `${c.name}: an invalid row is all 0`).toBe(true);
  const expected = resultRows(want);
  expect(got.columns, c.name).toEqual(expected.columns);
  if (plan.orderBy.length > 0) expect(got.rows, c.name).toEqual(expected.rows);
  else expect(sortRows(got.rows), c.name).toEqual(sortRows(expected.rows));
  expect(expected.rows.length, `${c.name}: the fixture has a non-empty answer`).toBeGreaterThan(0);
  return { columns: got.columns, rows: got.rows };
}
