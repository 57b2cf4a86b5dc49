// The query compiler decides what create_job accepts: what it accepts must run on the reference engine,
// and what it refuses must come back with an error a person can act on.
import { describe, expect, it } from 'vitest';
import { MAX_QUERY_LENGTH, QUERY_ENGINE_NAME, compileQuery, lookupCatalogue, programFile } from '../../../activities/engine/query.js';

const schema = ['age', 'salary', 'left'];
const UNSUPPORTED = 'the reference engine supports only SUM(column) and COUNT(*) over one table';

function compiled(sql: string) {
  const c = compileQuery(sql, schema);
  if (!c.ok) throw new Error(`expected ${sql} to compile: ${c.error}`);
  return c.program;
}
function refused(sql: string): string {
  const c = compileQuery(sql, schema);
  if (c.ok) throw new Error(`expected ${sql} to be refused, got ${JSON.stringify(c.program)}`);
  return c.error;
}

describe('compileQuery', () => {
  it('when the query is SUMs and COUNT(*) with and without aliases, then the program lists them in order', () => {
    expect(compiled('SELECT SUM(salary) AS total, COUNT(*) AS n, SUM(age) FROM payroll')).toEqual({
      table: 'payroll',
      outputs: [
        { name: 'total', op: 'sum', column: 'salary' },
        { name: 'n', op: 'count' },
        { name: 'sum_age', op: 'sum', column: 'age' },
      ],
    });
    expect(compiled('SELECT COUNT(*) FROM t').outputs).toEqual([{ name: 'count', op: 'count' }]);
  });

  it('when keywords are in any case, whitespace is anywhere and a trailing ; is present, then it still compiles', () => {
    const want = compiled('SELECT SUM(salary) AS total, COUNT(*) FROM payroll');
    for (const sql of [
      'select sum(salary) as total, count(*) from payroll;',
      '  SeLeCt\n\tSUM ( salary )  As total ,COUNT( * )\nFROM   payroll ;  \n',
      'SELECT SUM(salary) AS total,COUNT(*)FROM payroll',
      'SELECT /* why */ SUM(salary) AS total, -- the total\n COUNT(*) FROM payroll',
    ]) {
      expect(compiled(sql), sql).toEqual(want);
    }
  });

  it('when a schema column has a keyword-like name, then SUM over it still compiles', () => {
    expect(compiled('SELECT SUM(left) FROM t').outputs).toEqual([{ name: 'sum_left', op: 'sum', column: 'left' }]);
  });

  it('when a column is not in the schema, then the error names it and lists the schema columns', () => {
    const error = refused('SELECT SUM(wage) FROM payroll');
    expect(error).toContain('"wage"');
    expect(error).toContain('age, salary, left');
  });

  it('when a column differs only in case, then it is unknown (share headers are case-sensitive)', () => {
    expect(refused('SELECT SUM(Salary) FROM payroll')).toContain('"Salary"');
  });

  it.each([
    'SELECT SUM(salary) FROM payroll WHERE age > 30',
    'SELECT age, SUM(salary) FROM payroll GROUP BY age',
    'SELECT SUM(salary) FROM payroll JOIN other ON payroll.age = other.age',
    'SELECT SUM(salary) FROM payroll ORDER BY 1',
    'SELECT SUM(salary) FROM payroll LIMIT 1',
    'SELECT DISTINCT SUM(salary) FROM payroll',
    'SELECT AVG(salary) FROM payroll',
    'SELECT MAX(age) FROM payroll',
    'SELECT COUNT(age) FROM payroll',
    'SELECT SUM(salary + age) FROM payroll',
    'SELECT SUM(DISTINCT salary) FROM payroll',
    'SELECT salary FROM payroll',
    'SELECT * FROM payroll',
    'SELECT SUM(salary) FROM a, b',
    'SELECT SUM(salary) FROM payroll p',
    'SELECT SUM(salary) FROM (SELECT * FROM payroll)',
    'SELECT SUM(salary) total FROM payroll',
    'SELECT SUM(salary) FROM payroll UNION SELECT SUM(age) FROM payroll',
    'SELECT SUM(salary), FROM payroll',
    'SELECT FROM payroll',
    'SELECT SUM(salary)',
  ])('when the query is %j, then it is refused as unsupported by the reference engine', (sql) => {
    expect(refused(sql)).toContain(UNSUPPORTED);
  });

  it.each(['', '   ;', 'DELETE FROM payroll', 'UPDATE payroll SET age = 1', 'SELECT COUNT(*) FROM a; SELECT COUNT(*) FROM b', 'WITH x AS (SELECT 1) SELECT COUNT(*) FROM x'])(
    'when the text %j is not a single SELECT, then the error says so',
    (sql) => {
      expect(refused(sql)).toContain('single SELECT');
    },
  );

  it('when two outputs get the same name, then it is refused and says to add an alias', () => {
    expect(refused('SELECT SUM(age), SUM(age) FROM t')).toMatch(/"sum_age" is used twice.*AS alias/);
    expect(refused('SELECT COUNT(*) AS x, SUM(age) AS x FROM t')).toContain('"x" is used twice');
  });

  it('when an alias is quoted, a number or too long, then it is refused', () => {
    expect(refused('SELECT SUM(age) AS "x y" FROM t')).toContain('plain name');
    expect(refused('SELECT SUM(age) AS 5 FROM t')).toContain('plain name');
    expect(refused(`SELECT SUM(age) AS ${'a'.repeat(64)} FROM t`)).toContain('at most 63');
  });

  it('when the text has an unterminated string or a stray character, then the error says what it found', () => {
    expect(refused("SELECT SUM(age) FROM t WHERE x = 'a")).toContain('unterminated string');
    expect(refused('SELECT SUM(age) FROM t ?')).toContain('"?"');
    expect(refused('SELECT SUM(age) /* FROM t')).toContain('unterminated comment');
  });

  it('when the text is longer than the limit, then it is refused without being parsed', () => {
    expect(refused(`SELECT COUNT(*) FROM t ${' '.repeat(MAX_QUERY_LENGTH)}`)).toContain(`longer than ${MAX_QUERY_LENGTH}`);
    expect(lookupCatalogue('x'.repeat(MAX_QUERY_LENGTH + 1), { ['x'.repeat(MAX_QUERY_LENGTH + 1)]: 'p' }).ok).toBe(false);
  });

  it('names the engine it compiles for', () => {
    expect(QUERY_ENGINE_NAME).toBe('reference engine');
  });
});

describe('programFile', () => {
  it('when a program is rendered, then it is one `sum <name> <column>` / `count <name>` line per output', () => {
    expect(programFile(compiled('SELECT SUM(salary) AS total, COUNT(*) AS n, SUM(age) FROM payroll'), schema)).toBe('sum total salary\ncount n\nsum sum_age age\n');
  });

  it('when a SUM column is outside the given schema or a name is not plain, then it throws', () => {
    expect(() => programFile({ table: 't', outputs: [{ name: 'x', op: 'sum', column: 'wage' }] }, schema)).toThrow(/wage/);
    expect(() => programFile({ table: 't', outputs: [{ name: 'x y', op: 'count' }] })).toThrow(/plain name/);
    expect(() => programFile({ table: 't', outputs: [] })).toThrow(/at least one/);
  });
});

describe('lookupCatalogue', () => {
  const catalogue = {
    "SELECT SUM(salary) FROM payroll WHERE dept = 'R and D'": 'q_rd_total',
    'select count(*) from payroll': 'q_count',
  };

  it('when the query differs only in whitespace, keyword case and a trailing ;, then it finds the program', () => {
    expect(lookupCatalogue("select  sum( salary )\nfrom payroll where dept='R and D';", catalogue)).toEqual({ ok: true, program: 'q_rd_total' });
    expect(lookupCatalogue('SELECT COUNT(*) FROM payroll;', catalogue)).toEqual({ ok: true, program: 'q_count' });
  });

  it('when an identifier or a literal differs, even only in case or inner spaces, then it is not in the catalogue', () => {
    for (const sql of [
      "SELECT SUM(Salary) FROM payroll WHERE dept = 'R and D'",
      "SELECT SUM(salary) FROM payroll WHERE dept = 'r and d'",
      "SELECT SUM(salary) FROM payroll WHERE dept = 'R  and D'",
      'SELECT COUNT(*) FROM Payroll',
      'SELECT COUNT(*) FROM payroll; SELECT 1',
    ]) {
      const found = lookupCatalogue(sql, catalogue);
      expect(found.ok, sql).toBe(false);
      if (!found.ok) expect(found.error).toContain('query not in the TVA catalogue');
    }
  });

  it('when the catalogue is empty, then every query is refused', () => {
    expect(lookupCatalogue('SELECT COUNT(*) FROM payroll', {})).toMatchObject({ ok: false, error: expect.stringContaining('query not in the TVA catalogue') });
  });
});
