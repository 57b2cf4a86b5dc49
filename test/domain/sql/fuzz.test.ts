// compileSql runs on untrusted text (create_job's query_sql): on mangled queries it must answer, never throw,
// and what it accepts must evaluate. QS_SQL_FUZZ sets the number of cases (default 3000).
import { describe, expect, it } from 'vitest';
import { checkPlan, compileSql, evaluatePlan, outputRowCount } from '../../../domain/sql/index.js';
import { generateCase, rng } from './generator.js';

const CASES = Number(process.env.QS_SQL_FUZZ ?? 3000);
const PIECES = ['(', ')', ',', ' SELECT ', ' FROM ', '*', '-', '--', "'", '"', '/*', '*/', '\n', ' CASE ', ' END ', ' NOT ', ' AND ', ' OR ', ' IN ', ' BETWEEN ', ' WHEN ', ' THEN ', ' ELSE ', '99999999999', '2147483648', '.', ';', ' GROUP BY ', ' ORDER BY ', ' HAVING ', ' LIMIT ', ' DISTINCT ', ' AS ', ' _valid ', 'COUNT(', 'SUM(', ' t.', '=', '<', '>=', '!=', '0', '-2147483648', '\u0000', 'é', '\t', ' JOIN ', '[', '`', '$1', '::'];

describe('compileSql on mangled queries', () => {
  it(`answers ${CASES} mangled queries without throwing; what it accepts evaluates`, () => {
    const r = rng(99);
    let accepted = 0;
    for (let i = 0; i < CASES; i++) {
      const c = generateCase(10_000 + i, i % 2 ? 'small' : 'wrap');
      let sql = c.ours;
      for (let m = r.int(1, 3); m > 0; m--) {
        const at = r.int(0, sql.length);
        const x = r.next();
        if (x < 0.35) sql = sql.slice(0, at) + sql.slice(Math.min(sql.length, at + r.int(1, 12)));
        else if (x < 0.75) sql = sql.slice(0, at) + r.pick(PIECES) + sql.slice(at);
        else {
          const len = r.int(1, 20);
          sql = sql.slice(0, at) + sql.slice(at, at + len) + sql.slice(at);
        }
      }
      let res: ReturnType<typeof compileSql>;
      try {
        res = compileSql(sql, c.schema);
      } catch (err) {
        throw new Error(`compileSql threw on ${JSON.stringify(sql)}: ${(err as Error).stack}`);
      }
      if (!res.ok) {
        expect(typeof res.error).toBe('string');
        expect(res.error.length).toBeGreaterThan(0);
        if (res.line !== undefined) {
          const lines = sql.split('\n');
          expect(res.line, sql).toBeLessThanOrEqual(lines.length);
          expect(res.column!, sql).toBeLessThanOrEqual(lines[res.line - 1].length + 1);
        }
        continue;
      }
      accepted++;
      expect(checkPlan(res.plan), sql).toEqual([]);
      const out = evaluatePlan(res.plan, { columns: c.schema, rows: c.rows });
      expect(out.rows.length, sql).toBe(outputRowCount(res.plan, c.rows.length));
      expect(out.columns, sql).toEqual([...res.outputs, '_valid']);
    }
    // the mutations leave a fair share of queries valid, so both paths are exercised
    expect(accepted).toBeGreaterThan(CASES / 100);
  });
});
