// Golden files for the engine's own tests (C++, no Node): domain/sql/examples/<name>.json holds a query, its
// schema, its plan, a small input table and the output the engine's result files must rebuild to (valid rows in
// order when the query has ORDER BY, else as a multiset). This test checks that they are current; rewrite them with
// QS_SQL_WRITE_EXAMPLES=1 npx vitest run test/domain/sql/examples.test.ts
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileSql, evaluatePlan, type Table } from '../../../domain/sql/index.js';
import { rng } from './generator.js';

const DIR = path.resolve(import.meta.dirname, '../../../domain/sql/examples');
const WRITE = process.env.QS_SQL_WRITE_EXAMPLES === '1';
const BIN = 'CASE WHEN years_exp >= 21 THEN 4 WHEN years_exp >= 11 THEN 3 WHEN years_exp >= 5 THEN 2 WHEN years_exp >= 1 THEN 1 ELSE 0 END';

const r = rng(1717);
const credit: Table = { columns: ['uid', 'year', 'cs'], rows: Array.from({ length: 20 }, () => [r.int(1, 5), r.chance(0.75) ? 2023 : 2022, r.int(300, 850)]) };
const emp: Table = { columns: ['salary', 'degree', 'years_exp', 'region', 'academia'], rows: Array.from({ length: 16 }, () => [r.int(30, 200) * 1000, r.int(0, 2), r.int(0, 30), r.int(0, 2), r.int(0, 1)]) };
const traffic: Table = { columns: ['sensor', 'hour', 'vehicles'], rows: Array.from({ length: 8 }, () => [r.int(1, 3), r.int(0, 23), r.int(0, 500)]) };
const wrap: Table = { columns: ['x', 'y'], rows: [[2147483647, 1], [2147483647, 1], [-2147483648, 2], [-7, 2], [0, 3], [5, 3]] };

const EXAMPLES: [name: string, sql: string, input: Table][] = [
  ['traffic_select_star', 'SELECT * FROM traffic_data', traffic],
  ['credit_score', 'SELECT uid FROM credit WHERE year = 2023 GROUP BY uid HAVING MAX(cs) - MIN(cs) > 150', credit],
  ['wage_gap_degree', 'SELECT academia, degree, AVG(salary) FROM emp GROUP BY academia, degree', emp],
  ['wage_gap_experience', `SELECT academia, ${BIN} AS exp_bin, AVG(salary) FROM emp GROUP BY academia, exp_bin`, emp],
  ['wage_gap_region', 'SELECT academia, region, AVG(salary) FROM emp GROUP BY academia, region', emp],
  ['wage_gap_academia', 'SELECT academia, AVG(salary) FROM emp GROUP BY academia', emp],
  ['filter_order_desc_limit', 'SELECT uid, cs AS score FROM credit WHERE year = 2023 AND cs BETWEEN 400 AND 800 ORDER BY score DESC, uid LIMIT 5', credit],
  ['sum_count', 'SELECT SUM(salary) AS total, COUNT(*) AS n FROM emp', emp],
  ['empty_aggregates', 'SELECT SUM(cs), COUNT(*), MIN(cs), MAX(cs), AVG(cs) FROM credit WHERE cs > 10000', credit],
  ['distinct_in', 'SELECT DISTINCT region, degree FROM emp WHERE region IN (0, 2) AND NOT degree = 1 ORDER BY 1, 2', emp],
  ['count_distinct_order_aggregate', 'SELECT academia, COUNT(DISTINCT degree) AS d, COUNT(*) AS n FROM emp GROUP BY academia ORDER BY COUNT(*) DESC, academia', emp],
  ['int32_wrap', 'SELECT y, SUM(x) AS s, AVG(x) AS a, MIN(x * 2) AS m, MAX(-x) AS neg FROM t GROUP BY y ORDER BY y', wrap],
];

describe('golden examples for the engine (domain/sql/examples)', () => {
  it.each(EXAMPLES)('%s is current', (name, sql, input) => {
    const c = compileSql(sql, input.columns);
    if (!c.ok) throw new Error(c.error);
    const output = evaluatePlan(c.plan, input);
    const ordered = c.plan.orderBy.length > 0;
    const text = `${JSON.stringify({ name, sql, schema: input.columns, ordered, plan: c.plan, input, output }, null, 1)}\n`;
    const file = path.join(DIR, `${name}.json`);
    if (WRITE) {
      mkdirSync(DIR, { recursive: true });
      writeFileSync(file, text);
    }
    expect(existsSync(file), `${file} is missing: run with QS_SQL_WRITE_EXAMPLES=1`).toBe(true);
    expect(readFileSync(file, 'utf8'), `${file} is stale: run with QS_SQL_WRITE_EXAMPLES=1`).toBe(text);
  });
});
