// Every query today's compiler (test/helpers/sum-count-program.ts: SUM(col) and COUNT(*) over one table) accepts, the new
// one accepts too, with the same output names, as one valid row.
import { describe, expect, it } from 'vitest';
import { compileQuery } from '../../helpers/sum-count-program.js';
import { compileSql, evaluatePlan } from '../../../domain/sql/index.js';
import { rng } from './generator.js';

describe("today's SUM/COUNT queries", () => {
  it('compile to the same output names and give one valid row of SUM and COUNT', () => {
    const r = rng(42);
    const schema = ['age', 'salary', 'year'];
    const rows = Array.from({ length: 20 }, () => schema.map(() => r.int(-1000, 1000)));
    let accepted = 0;
    for (let i = 0; i < 300; i++) {
      const items = Array.from({ length: r.int(1, 4) }, (_, j) => {
        const col = r.pick(schema);
        const body = r.chance(0.5) ? `${r.pick(['SUM', 'sum', 'Sum'])}(${col})` : `${r.pick(['COUNT', 'count'])}(*)`;
        return r.chance(0.5) ? `${body} AS o${j}` : body;
      });
      const sql = `${r.pick(['SELECT', 'select'])} ${items.join(', ')} FROM ${r.pick(['payroll', 't', 'emp'])}${r.chance(0.3) ? ';' : ''}`;
      const old = compileQuery(sql, schema);
      const now = compileSql(sql, schema);
      if (!old.ok) {
        // the old compiler refuses duplicate names; so does the new one
        expect(now.ok, sql).toBe(false);
        continue;
      }
      accepted++;
      expect(now.ok, sql).toBe(true);
      if (!now.ok) continue;
      expect(now.outputs).toEqual(old.program.outputs.map((o) => o.name));
      const out = evaluatePlan(now.plan, { columns: schema, rows });
      const want = old.program.outputs.map((o) => (o.op === 'count' ? rows.length : rows.reduce((s, row) => (s + row[schema.indexOf(o.column!)]) | 0, 0)));
      expect(out.rows).toEqual([[...want, 1]]);
    }
    expect(accepted).toBeGreaterThan(100);
  });
});
