// Queries of the form the first engine ran (SUM(column) and COUNT(*) over one table, any case, optional aliases
// and `;`) keep their meaning under domain/sql: the output names analysts already read (the alias, or
// `sum_<column>` / `count`), one valid row of the plaintext sums and count, and a refusal when two outputs would
// share a name. (It compared with that engine's own compiler until the compiler was retired with `--program`.)
import { describe, expect, it } from 'vitest';
import { compileSql, evaluatePlan } from '../../../domain/sql/index.js';
import { rng } from './generator.js';

describe('SUM/COUNT queries of the first engine', () => {
  it('compile to the same output names and give one valid row of SUM and COUNT', () => {
    const r = rng(42);
    const schema = ['age', 'salary', 'year'];
    const rows = Array.from({ length: 20 }, () => schema.map(() => r.int(-1000, 1000)));
    let accepted = 0;
    for (let i = 0; i < 300; i++) {
      const items = Array.from({ length: r.int(1, 4) }, (_, j) => {
        const column = r.chance(0.5) ? r.pick(schema) : null;
        const body = column ? `${r.pick(['SUM', 'sum', 'Sum'])}(${column})` : `${r.pick(['COUNT', 'count'])}(*)`;
        const alias = r.chance(0.5) ? `o${j}` : null;
        const want = column ? rows.reduce((s, row) => (s + row[schema.indexOf(column)]) | 0, 0) : rows.length;
        return { text: alias ? `${body} AS ${alias}` : body, name: alias ?? (column ? `sum_${column}` : 'count'), want };
      });
      const sql = `${r.pick(['SELECT', 'select'])} ${items.map((o) => o.text).join(', ')} FROM ${r.pick(['payroll', 't', 'emp'])}${r.chance(0.3) ? ';' : ''}`;
      const now = compileSql(sql, schema);
      const names = items.map((o) => o.name);
      if (new Set(names).size < names.length) {
        expect(now.ok, sql).toBe(false);
        continue;
      }
      accepted++;
      expect(now.ok, sql).toBe(true);
      if (!now.ok) continue;
      expect(now.outputs).toEqual(names);
      expect(evaluatePlan(now.plan, { columns: schema, rows }).rows).toEqual([[...items.map((o) => o.want), 1]]);
    }
    expect(accepted).toBeGreaterThan(100);
  });
});
