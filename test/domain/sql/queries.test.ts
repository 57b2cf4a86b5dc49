// The queries issue 17 names (the seed's sample, credit score, the four wage-gap queries, a filter with
// ORDER BY … DESC LIMIT, today's SUM/COUNT), the int32 semantics, the output-size rule and the plan's form.
import initSqlJs, { type SqlJsStatic } from 'sql.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkPlan, compileSql, evaluatePlan, outputRowCount, PLAN_FORMAT, resultRows, type Plan, type Table } from '../../../domain/sql/index.js';
import { rng } from './generator.js';

let SQL: SqlJsStatic;
beforeAll(async () => {
  SQL = await initSqlJs();
});

function plan(sql: string, schema: string[]): Plan {
  const r = compileSql(sql, schema);
  if (!r.ok) throw new Error(r.error);
  return r.plan;
}
function run(sql: string, table: Table): Table {
  return evaluatePlan(plan(sql, table.columns), table);
}
const valid = (t: Table) => t.rows.filter((r) => r[r.length - 1] === 1).map((r) => r.slice(0, -1));
const sorted = (rows: number[][]) => [...rows].sort((a, b) => {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
});
function sqlite(sql: string, table: Table, name: string): number[][] {
  const db = new SQL.Database();
  try {
    db.run(`CREATE TABLE ${name} (${table.columns.join(', ')})`);
    if (table.rows.length) db.run(`INSERT INTO ${name} VALUES ${table.rows.map((r) => `(${r.join(',')})`).join(',')}`);
    const res = db.exec(sql);
    return (res[0]?.values ?? []) as number[][];
  } finally {
    db.close();
  }
}

// emp(salary, degree, years_exp, region, academia): 400 people
const r = rng(17);
const emp: Table = {
  columns: ['salary', 'degree', 'years_exp', 'region', 'academia'],
  rows: Array.from({ length: 400 }, () => [r.int(20_000, 250_000), r.int(0, 3), r.int(0, 40), r.int(0, 4), r.int(0, 1)]),
};
const BIN = 'CASE WHEN years_exp >= 21 THEN 4 WHEN years_exp >= 11 THEN 3 WHEN years_exp >= 5 THEN 2 WHEN years_exp >= 1 THEN 1 ELSE 0 END';

describe('the queries of issue 17', () => {
  it("runs the seed's sample SELECT * FROM traffic_data: every row, every column, all valid", () => {
    const traffic: Table = { columns: ['sensor', 'hour', 'vehicles'], rows: [[1, 7, 120], [2, 7, 80], [1, 8, 200]] };
    const out = run('SELECT * FROM traffic_data', traffic);
    expect(out.columns).toEqual(['sensor', 'hour', 'vehicles', '_valid']);
    expect(out.rows).toEqual(traffic.rows.map((row) => [...row, 1]));
  });

  it('runs the credit score query (hand-checked, and against SQLite on 2,000 rows)', () => {
    const q = 'SELECT uid FROM credit WHERE year = 2023 GROUP BY uid HAVING MAX(cs) - MIN(cs) > 150';
    const small: Table = {
      columns: ['uid', 'year', 'cs'],
      rows: [[1, 2023, 500], [1, 2023, 700], [2, 2023, 600], [2, 2022, 100], [2, 2023, 650], [3, 2023, 300], [3, 2022, 800], [4, 2023, 820], [4, 2023, 669]],
    };
    const out = run(q, small);
    expect(out.columns).toEqual(['uid', '_valid']);
    expect(out.rows.length).toBe(9); // GROUP BY: as many rows as the input
    expect(sorted(valid(out))).toEqual([[1], [4]]); // 2: 650-600; 3: one 2023 row; 4: 820-669 = 151
    expect(out.rows.filter((row) => row[1] === 0).every((row) => row[0] === 0)).toBe(true);

    const rr = rng(2023);
    const big: Table = { columns: ['uid', 'year', 'cs'], rows: Array.from({ length: 2000 }, () => [rr.int(1, 300), rr.int(2021, 2024), rr.int(300, 850)]) };
    expect(sorted(valid(run(q, big)))).toEqual(sorted(sqlite(q, big, 'credit')));
  });

  const wageGap: [name: string, ours: string, sqliteText: string, outputs: string[]][] = [
    ['by academia and degree', 'SELECT academia, degree, AVG(salary) FROM emp GROUP BY academia, degree', 'SELECT academia, degree, SUM(salary) / COUNT(*) FROM emp GROUP BY academia, degree', ['academia', 'degree', 'avg_salary']],
    ['by academia and experience bin', `SELECT academia, ${BIN} AS exp_bin, AVG(salary) FROM emp GROUP BY academia, ${BIN}`, `SELECT academia, ${BIN}, SUM(salary) / COUNT(*) FROM emp GROUP BY academia, ${BIN}`, ['academia', 'exp_bin', 'avg_salary']],
    ['by academia and experience bin, grouped by the alias', `SELECT academia, ${BIN} AS exp_bin, AVG(salary) AS avg FROM emp GROUP BY academia, exp_bin`, `SELECT academia, ${BIN}, SUM(salary) / COUNT(*) FROM emp GROUP BY academia, ${BIN}`, ['academia', 'exp_bin', 'avg']],
    ['by academia and region', 'SELECT academia, region, AVG(salary) FROM emp GROUP BY academia, region', 'SELECT academia, region, SUM(salary) / COUNT(*) FROM emp GROUP BY academia, region', ['academia', 'region', 'avg_salary']],
    ['by academia', 'SELECT academia, AVG(salary) FROM emp GROUP BY academia', 'SELECT academia, SUM(salary) / COUNT(*) FROM emp GROUP BY academia', ['academia', 'avg_salary']],
  ];
  it.each(wageGap)('runs the wage-gap query %s (against SQLite, AVG as an integer truncated toward zero)', (_name, ours, theirs, outputs) => {
    // 400 salaries of at most 250,000: every group's SUM fits in 32 bits, as an exact AVG needs
    const table = emp;
    const out = run(ours, table);
    expect(out.columns).toEqual([...outputs, '_valid']);
    expect(out.rows.length).toBe(table.rows.length);
    expect(sorted(valid(out))).toEqual(sorted(sqlite(theirs, table, 'emp')));
  });

  it('checks one wage-gap average by hand (truncated toward zero, negative too)', () => {
    const t: Table = { columns: emp.columns, rows: [[100, 1, 3, 0, 1], [101, 1, 3, 0, 1], [-7, 2, 0, 0, 0], [0, 2, 0, 0, 0]] };
    expect(sorted(valid(run('SELECT academia, AVG(salary) FROM emp GROUP BY academia', t)))).toEqual([[0, -3], [1, 100]]);
  });

  it('runs a filter with ORDER BY … DESC LIMIT in order (against SQLite)', () => {
    const rr = rng(5);
    const credit: Table = { columns: ['uid', 'year', 'cs'], rows: Array.from({ length: 500 }, (_, i) => [i + 1, rr.int(2022, 2023), rr.int(300, 850)]) };
    const q = 'SELECT uid, cs AS score FROM credit WHERE year = 2023 AND cs BETWEEN 600 AND 800 ORDER BY score DESC, uid LIMIT 10';
    const out = run(q, credit);
    expect(out.columns).toEqual(['uid', 'score', '_valid']);
    expect(out.rows.length).toBe(10);
    expect(valid(out)).toEqual(sqlite(q, credit, 'credit'));
    expect(resultRows(out)).toEqual({ columns: ['uid', 'score'], rows: sqlite(q, credit, 'credit') });
  });

  it("keeps today's SUM/COUNT queries: one row, _valid = 1, the same names", () => {
    const payroll: Table = { columns: ['age', 'salary'], rows: [[30, 1000], [41, 2500], [52, 700]] };
    const out = run('SELECT SUM(salary) AS total, COUNT(*) AS n FROM payroll', payroll);
    expect(out).toEqual({ columns: ['total', 'n', '_valid'], rows: [[4200, 3, 1]] });
    expect(run('SELECT SUM(salary), COUNT(*) FROM payroll', payroll).columns).toEqual(['sum_salary', 'count', '_valid']);
    expect(run('SELECT SUM(salary), COUNT(*) FROM payroll', { ...payroll, rows: [] }).rows).toEqual([[0, 0, 1]]);
  });
});

describe('semantics the engine must reproduce', () => {
  const t = (rows: number[][], columns = ['x', 'y']): Table => ({ columns, rows });
  const MAX = 2147483647;
  const MIN = -2147483648;

  it('aggregates without GROUP BY over no valid row: one valid row, SUM = COUNT = 0, MIN = MAX = AVG = 0', () => {
    const out = run('SELECT SUM(x), COUNT(*), COUNT(DISTINCT x), MIN(x), MAX(x), AVG(x) FROM t WHERE x > 100', t([[1, 2], [3, 4]]));
    expect(out.rows).toEqual([[0, 0, 0, 0, 0, 0, 1]]);
    // HAVING still decides the row's validity
    expect(run('SELECT COUNT(*) FROM t WHERE x > 100 HAVING COUNT(*) > 0', t([[1, 2]])).rows).toEqual([[0, 0]]);
    expect(run('SELECT COUNT(*) FROM t HAVING COUNT(*) > 0', t([[1, 2]])).rows).toEqual([[1, 1]]);
  });

  it('wraps +, −, ×, unary − and SUM mod 2^32 and compares signed', () => {
    expect(valid(run('SELECT x + 1, x * 2, - y, x - y FROM t', t([[MAX, MIN]])))).toEqual([[MIN, -2, MIN, -1]]);
    expect(valid(run('SELECT SUM(x) FROM t', t([[MAX, 0], [1, 0]])))).toEqual([[MIN]]);
    expect(valid(run('SELECT x FROM t WHERE x + 1 < x', t([[MAX, 0], [5, 0]])))).toEqual([[MAX]]);
    expect(valid(run('SELECT x FROM t WHERE x < 0', t([[MIN, 0], [MAX, 0]])))).toEqual([[MIN]]);
    expect(valid(run('SELECT -2147483648 AS m, - (-2147483648) AS n FROM t', t([[0, 0]])))).toEqual([[MIN, MIN]]);
  });

  it('takes AVG from the wrapped 32-bit SUM, truncated toward zero: exact while the group SUM fits in 32 bits', () => {
    expect(valid(run('SELECT AVG(x) FROM t', t([[-7, 0], [0, 0]])))).toEqual([[-3]]);
    expect(valid(run('SELECT AVG(x) FROM t', t([[7, 0], [0, 0]])))).toEqual([[3]]);
    expect(valid(run('SELECT AVG(x) FROM t', t([[MAX, 0], [MAX, 0]])))).toEqual([[-1]]); // SUM wrapped to -2
  });

  it('counts distinct values within each group; COUNT(col) is COUNT(*)', () => {
    const out = run('SELECT x, COUNT(DISTINCT y) AS d, COUNT(y) AS c FROM t GROUP BY x', t([[1, 5], [1, 5], [1, 6], [2, 5]]));
    expect(sorted(valid(out))).toEqual([[1, 2, 3], [2, 1, 1]]);
  });

  it('applies DISTINCT after grouping and to plain rows', () => {
    expect(sorted(valid(run('SELECT DISTINCT y FROM t', t([[1, 5], [2, 5], [3, 6]]))))).toEqual([[5], [6]]);
    expect(sorted(valid(run('SELECT DISTINCT COUNT(*) AS n FROM t GROUP BY x', t([[1, 0], [2, 0], [3, 0], [3, 0]]))))).toEqual([[1], [2]]);
  });

  it('orders by several keys, aliases, positions and aggregates, DESC too, valid rows first', () => {
    const rows = [[1, 3], [2, 1], [1, 1], [3, 2], [2, 2]];
    expect(valid(run('SELECT x, y FROM t WHERE y > 0 ORDER BY x DESC, 2', t(rows)))).toEqual([[3, 2], [2, 1], [2, 2], [1, 1], [1, 3]]);
    expect(valid(run('SELECT x AS k, SUM(y) AS s FROM t GROUP BY x ORDER BY s DESC, k', t(rows)))).toEqual([[1, 4], [2, 3], [3, 2]]);
    expect(valid(run('SELECT x FROM t GROUP BY x ORDER BY COUNT(*), x DESC', t(rows)))).toEqual([[3], [2], [1]]);
    const out = run('SELECT x FROM t WHERE y = 1 ORDER BY x LIMIT 4', t(rows));
    expect(out.rows).toEqual([[1, 1], [2, 1], [0, 0], [0, 0]]);
  });
});

describe('the output row count depends on public information only', () => {
  const cases: [sql: string, base: 'input_rows' | 'one', limit: number | null, n: number, expected: number][] = [
    ['SELECT x FROM t WHERE x > 1', 'input_rows', null, 10, 10],
    ['SELECT x FROM t WHERE x > 1 LIMIT 3', 'input_rows', 3, 10, 3],
    ['SELECT x FROM t ORDER BY x LIMIT 30', 'input_rows', 30, 10, 10],
    ['SELECT DISTINCT x FROM t', 'input_rows', null, 10, 10],
    ['SELECT SUM(x) FROM t WHERE x > 1', 'one', null, 10, 1],
    ['SELECT SUM(x) FROM t', 'one', null, 0, 1],
    ['SELECT SUM(x) FROM t LIMIT 0', 'one', 0, 10, 0],
    ['SELECT x, SUM(x) FROM t GROUP BY x', 'input_rows', null, 10, 10],
    ['SELECT x, SUM(x) FROM t GROUP BY x ORDER BY 2 DESC LIMIT 4', 'input_rows', 4, 10, 4],
    ['SELECT x FROM t GROUP BY x', 'input_rows', null, 0, 0],
  ];
  it.each(cases)('%s', (sql, base, limit, n, expected) => {
    const p = plan(sql, ['x']);
    expect(p.outputRows).toEqual({ base, limit });
    expect(outputRowCount(p, n)).toBe(expected);
    const rr = rng(n);
    const out = evaluatePlan(p, { columns: ['x'], rows: Array.from({ length: n }, () => [rr.int(0, 3)]) });
    expect(out.rows.length).toBe(expected);
  });
});

describe('the plan', () => {
  const queries = [
    'SELECT * FROM traffic_data',
    'SELECT uid FROM credit WHERE year = 2023 GROUP BY uid HAVING MAX(cs) - MIN(cs) > 150',
    `SELECT academia, ${BIN} AS exp_bin, AVG(salary) FROM emp GROUP BY academia, exp_bin ORDER BY 3 DESC LIMIT 5`,
    'SELECT DISTINCT salary * 2 + 1 AS s FROM emp WHERE region IN (1, 2) AND NOT degree BETWEEN 1 AND 2 ORDER BY s',
  ];
  it.each(queries)('is plain JSON in a documented form: %s', (sql) => {
    const schema = sql.includes('credit') ? ['uid', 'year', 'cs'] : sql.includes('traffic') ? ['a', 'b'] : emp.columns;
    const p = plan(sql, schema);
    const round = JSON.parse(JSON.stringify(p)) as Plan;
    expect(round).toEqual(p);
    expect(p.format).toBe(PLAN_FORMAT);
    // ids in order, each node refers to earlier nodes of its own phase, types consistent
    for (const [phase, nodes] of [['r', p.rowNodes], ['g', p.groupNodes]] as const) {
      const types = new Map<string, string>();
      nodes.forEach((n, i) => {
        expect(n.id).toBe(`${phase}${i}`);
        for (const a of (n as { args?: string[] }).args ?? []) expect(types.has(a), `${n.id} refers to ${a}`).toBe(true);
        if (phase === 'r') expect(['key', 'agg']).not.toContain(n.op);
        if (phase === 'g') expect(n.op).not.toBe('col');
        types.set(n.id, n.type);
      });
    }
    const table = sql.includes('credit') ? { columns: schema, rows: [[1, 2023, 1]] } : { columns: schema, rows: [schema.map(() => 1)] };
    expect(evaluatePlan(round, table)).toEqual(evaluatePlan(p, table));
  });

  it('shares equal subexpressions and lists only the columns it reads', () => {
    const p = plan(`SELECT academia, ${BIN} AS b, AVG(salary), MAX(salary) - MIN(salary) FROM emp GROUP BY academia, ${BIN}`, emp.columns);
    expect(p.columns).toEqual(['salary', 'years_exp', 'academia']);
    expect(p.rowNodes.filter((n) => n.op === 'col' && n.column === 'years_exp')).toHaveLength(1);
    expect(p.aggregate?.keys).toHaveLength(2);
    expect(p.aggregate?.aggregates.map((a) => a.op)).toEqual(['avg', 'max', 'min']);
  });

  it('is checked by checkPlan, which names what a corrupted plan file gets wrong', () => {
    const good = plan('SELECT uid, MAX(cs) AS m FROM credit WHERE year = 2023 GROUP BY uid HAVING MAX(cs) - MIN(cs) > 150 ORDER BY m DESC LIMIT 5', ['uid', 'year', 'cs']);
    expect(checkPlan(good)).toEqual([]);
    const bad = (edit: (p: Plan) => void): string[] => {
      const p = JSON.parse(JSON.stringify(good)) as Plan;
      edit(p);
      return checkPlan(p);
    };
    expect(bad((p) => (p.format = 'x' as typeof PLAN_FORMAT))).toEqual(['format must be queryshield-plan/1']);
    expect(bad((p) => (p.rowNodes[2] = { ...p.rowNodes[2], args: ['r0', 'r9'] } as never)).join()).toMatch(/rowNodes\[2\]: argument 2 must be an earlier int node/);
    expect(bad((p) => (p.filter = 'r0')).join()).toMatch(/filter must be a bit node/);
    expect(bad((p) => (p.groupNodes[0] = { id: 'g0', type: 'int', op: 'col', column: 'uid' } as never)).join()).toMatch(/groupNodes\[0\]: col must name one of columns, in the row phase/);
    expect(bad((p) => (p.outputs[1].name = '_valid')).join()).toMatch(/outputs\[1\]: name must be/);
    expect(bad((p) => (p.outputs[0].value = 'r3')).join()).toMatch(/outputs\[0\]: value must be an int node of the group phase/);
    expect(bad((p) => (p.aggregate!.aggregates[0].op = 'median' as never)).join()).toMatch(/unknown op "median"/);
    expect(bad((p) => (p.outputRows.base = 'one')).join()).toMatch(/outputRows must be/);
    expect(bad((p) => (p.rowNodes[1] = { ...p.rowNodes[1], value: 2 ** 31 } as never)).join()).toMatch(/const must be a 32-bit integer/);
    expect(checkPlan(null)).toEqual(['a plan is a JSON object']);
  });
});

describe('an alias with the name of a column resolves as in SQLite', () => {
  const table: Table = { columns: ['x', 'y'], rows: [[1, 2], [1, 3], [2, 3], [5, -1]] };
  const cases = [
    'SELECT x AS y FROM t ORDER BY y DESC', // a bare ORDER BY name: the alias
    'SELECT -x AS y FROM t ORDER BY y + 0, x', // inside an expression: the column
    'SELECT x AS y FROM t WHERE y > 2', // WHERE: the column
    'SELECT y AS x, COUNT(*) AS n FROM t GROUP BY x, y ORDER BY x', // GROUP BY: the column; ORDER BY: the alias
  ];
  it.each(cases)('%s', (sql) => {
    expect(valid(run(sql, table))).toEqual(sqlite(sql, table, 't'));
  });
});
