// What create_job accepts and runExperiment sends to the engines: domain/sql's plan, as the text of
// `qs-engine run --plan plan.txt`. The queries of the retired SUM/COUNT compiler keep their names and values.
import { describe, expect, it } from 'vitest';
import { compileJobQuery, planFile } from '../../domain/job-query.js';
import { evaluatePlan, resultRows } from '../../domain/sql/index.js';

const schema = ['age', 'salary', 'left'];

function compiled(sql: string) {
  const c = compileJobQuery(sql, schema);
  if (!c.ok) throw new Error(`expected ${sql} to compile: ${c.error}`);
  return c;
}
function refused(sql: string) {
  const c = compileJobQuery(sql, schema);
  if (c.ok) throw new Error(`expected ${sql} to be refused`);
  return c;
}

describe('compileJobQuery', () => {
  const table = { columns: schema, rows: [[30, 1000, 1], [41, -2500, 0], [52, 700, 5]] };

  it('when the query is SUMs and COUNT(*) (the old compiler\'s queries), then they keep their names and give one valid row', () => {
    for (const [sql, names, row] of [
      ['SELECT SUM(salary) AS total, COUNT(*) AS n, SUM(age) FROM payroll', ['total', 'n', 'sum_age'], [-800, 3, 123]],
      ['SELECT COUNT(*) FROM t', ['count'], [3]],
      ['select sum(salary) as total, count(*) from payroll;', ['total', 'count'], [-800, 3]],
      ['  SeLeCt\n\tSUM ( salary )  As total ,COUNT( * )\nFROM   payroll ;  \n', ['total', 'count'], [-800, 3]],
      ['SELECT /* why */ SUM(salary) AS total, -- the total\n COUNT(*) FROM payroll', ['total', 'count'], [-800, 3]],
      ['SELECT SUM(left) FROM t', ['sum_left'], [6]],
    ] as const) {
      const c = compiled(sql);
      expect(c.outputs, sql).toEqual(names);
      const out = evaluatePlan(c.plan, table);
      expect(out.rows, sql).toEqual([[...row, 1]]);
      expect(resultRows(out).rows).toEqual([row]);
    }
  });

  it('when the query uses the grammar (WHERE, GROUP BY, AVG, ORDER BY, LIMIT, *), then it compiles', () => {
    for (const sql of [
      'SELECT SUM(salary) FROM payroll WHERE age > 30',
      'SELECT age, SUM(salary) FROM payroll GROUP BY age',
      'SELECT AVG(salary) FROM payroll',
      'SELECT * FROM payroll',
      'SELECT salary FROM payroll WHERE age BETWEEN 20 AND 50 ORDER BY salary DESC LIMIT 2',
    ]) expect(compileJobQuery(sql, schema).ok, sql).toBe(true);
  });

  it.each([
    ['SELECT SUM(salary) FROM payroll JOIN other ON payroll.age = other.age', 'JOIN'],
    ['SELECT SUM(salary) FROM payroll UNION SELECT SUM(age) FROM payroll', 'UNION'],
    ['SELECT SUM(salary) FROM (SELECT * FROM payroll)', 'subquer'],
    ['SELECT SUM(salary) / 2 FROM payroll', '/'],
    ["SELECT COUNT(*) FROM t WHERE x = 'a'", 'string'],
  ])('when the query is %j, then it is refused naming the construct %s', (sql, construct) => {
    const r = refused(sql);
    expect(`${r.construct ?? ''} ${r.error}`.toLowerCase()).toContain(construct.toLowerCase());
    expect(r.error).toMatch(/\(at \d+:\d+\)/);
  });

  it('when a column is not in the schema or the text is not one SELECT, then it is refused with a reason', () => {
    expect(refused('SELECT SUM(wage) FROM payroll').error).toContain('wage');
    for (const sql of ['', 'DELETE FROM payroll', 'SELECT COUNT(*) FROM a; SELECT COUNT(*) FROM b']) expect(refused(sql).error.length, sql).toBeGreaterThan(0);
  });
});

describe('planFile', () => {
  it('when a plan is rendered, then it is the engine\'s text format, starting with the format and ending with end', () => {
    const text = planFile(compiled('SELECT SUM(salary) AS total, COUNT(*) AS n FROM payroll').plan);
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('queryshield-plan/1');
    expect(lines).toContain('output total g0');
    expect(lines).toContain('rows one -');
    expect(lines[lines.length - 1]).toBe('end');
    expect(text.endsWith('\n')).toBe(true);
  });
});
