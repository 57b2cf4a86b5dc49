// domain/sql refuses what is outside the grammar, naming the construct and where it starts, and refuses
// queries that are inside the grammar but wrong (unknown columns, grouping, names) in plain words.
import { describe, expect, it } from 'vitest';
import { compileSql, MAX_QUERY_LENGTH } from '../../../domain/sql/index.js';

const SCHEMA = ['a', 'b', 'c'];

describe('unsupported constructs are named, with their position', () => {
  const cases: [sql: string, construct: string, message: RegExp, at?: string][] = [
    ['SELECT a FROM t JOIN u ON t.a = u.a', 'JOIN', /^JOIN is not supported \(at 1:17\)$/, '1:17'],
    ['SELECT a FROM t LEFT JOIN u ON a = b', 'JOIN', /LEFT \(a join\) is not supported/, '1:17'],
    ['SELECT a FROM t INNER JOIN u USING (a)', 'JOIN', /INNER \(a join\)/],
    ['SELECT a FROM t CROSS JOIN u', 'JOIN', /CROSS/],
    ['SELECT a FROM t NATURAL JOIN u', 'JOIN', /NATURAL/],
    ['SELECT a FROM t, u', 'JOIN', /more than one table \(a join\) is not supported \(at 1:16\)/, '1:16'],
    ['SELECT a FROM t UNION SELECT a FROM t', 'UNION', /^UNION is not supported \(at 1:17\)$/],
    ['SELECT a FROM t INTERSECT SELECT a FROM t', 'INTERSECT', /INTERSECT is not supported/],
    ['SELECT a FROM t EXCEPT SELECT a FROM t', 'EXCEPT', /EXCEPT is not supported/],
    ['WITH x AS (SELECT a FROM t) SELECT a FROM x', 'WITH', /WITH \(common table expressions\) is not supported \(at 1:1\)/, '1:1'],
    ['SELECT a FROM (SELECT a FROM t)', 'subquery', /subqueries are not supported \(at 1:16\)/, '1:16'],
    ['SELECT a FROM t WHERE a IN (SELECT b FROM t)', 'subquery', /subqueries \(IN \(SELECT …\)\) are not supported/],
    ['SELECT (SELECT 1) FROM t', 'subquery', /subqueries are not supported \(at 1:9\)/],
    ['SELECT a FROM t WHERE EXISTS (SELECT 1)', 'EXISTS', /EXISTS is not supported/],
    ['SELECT a FROM t WHERE NOT EXISTS (SELECT 1)', 'EXISTS', /EXISTS is not supported/],
    ['SELECT a / 2 FROM t', '/', /division \(\/\) is not supported \(at 1:10\)/, '1:10'],
    ['SELECT a % 2 FROM t', '%', /remainder operator \(%\)/],
    ['SELECT a || b FROM t', '||', /string concatenation/],
    ["SELECT a FROM t WHERE b = 'x'", 'string literal', /string literals \('x'\) are not supported \(at 1:27\)/, '1:27'],
    ['SELECT a FROM t WHERE b = 1.5', 'decimal number', /decimal numbers \(1.5\)/],
    ['SELECT a FROM t WHERE b IS NULL', 'IS', /IS \(a NULL test\) is not supported/],
    ['SELECT NULL FROM t', 'NULL', /NULL is not supported \(the data has no NULLs\)/],
    ["SELECT a FROM t WHERE b LIKE 'x%'", 'LIKE', /LIKE is not supported/],
    ['SELECT a FROM t WHERE b NOT LIKE 1', 'LIKE', /LIKE is not supported/],
    ['SELECT ABS(a) FROM t', 'ABS()', /the function ABS\(\) is not supported/],
    ['SELECT a FROM t WHERE COALESCE(a, 0) > 1', 'COALESCE()', /COALESCE\(\)/],
    ['SELECT CAST(a AS INTEGER) FROM t', 'CAST', /CAST is not supported/],
    ['SELECT SUM(DISTINCT a) FROM t', 'SUM(DISTINCT …)', /SUM\(DISTINCT …\) is not supported \(at 1:12\)/],
    ['SELECT AVG(DISTINCT a) FROM t', 'AVG(DISTINCT …)', /AVG\(DISTINCT …\)/],
    ['SELECT MAX(a, b) FROM t', 'MAX with several arguments', /MAX with more than one argument/],
    ['SELECT a FROM t LIMIT 5 OFFSET 2', 'OFFSET', /OFFSET is not supported \(at 1:25\)/],
    ['SELECT a FROM t LIMIT 2, 5', 'OFFSET', /an offset\) is not supported/],
    ['SELECT a FROM t LIMIT a', 'LIMIT expression', /LIMIT takes an integer constant/],
    ['SELECT a FROM t LIMIT 1 + 1', 'LIMIT expression', /LIMIT takes an integer constant/],
    ['SELECT SUM(a) OVER () FROM t', 'window function', /window functions \(OVER\)/],
    ['SELECT COUNT(*) FILTER (WHERE a > 1) FROM t', 'FILTER', /FILTER clauses/],
    ['SELECT CASE WHEN a > 1 THEN 1 END FROM t', 'CASE without ELSE', /CASE without ELSE \(it would give NULL\) is not supported \(at 1:31\)/],
    ['INSERT INTO t VALUES (1)', 'INSERT', /only SELECT queries are supported; INSERT is not supported \(at 1:1\)/],
    ['DELETE FROM t', 'DELETE', /DELETE/],
    ['DROP TABLE t', 'DROP', /DROP/],
    ['SELECT a FROM t; SELECT b FROM t', ';', /more than one statement is not supported \(at 1:18\)/],
    ['SELECT a FROM t x', 'table alias', /table aliases are not supported \(at 1:17\)/],
    ['SELECT a FROM t AS x', 'table alias', /table aliases/],
    ['SELECT a FROM s.t', 'schema-qualified table', /schema-qualified table names/],
    ['SELECT a FROM t WHERE a = ?', 'parameter', /query parameters \(\?\)/],
    ['SELECT a & 1 FROM t', '&', /bitwise operator &/],
    ['SELECT a << 1 FROM t', '<<', /bitwise operator <</],
    ['SELECT TRUE FROM t', 'TRUE', /boolean literals \(TRUE\)/],
    ['SELECT a FROM t ORDER BY a NULLS FIRST', 'NULLS FIRST/LAST', /NULLS FIRST\/LAST is not supported/],
    ['SELECT a FROM t WHERE a IN (b, 2)', 'IN with non-constant', /IN takes integer constants only/],
    ['SELECT a FROM t WHERE a IN t', 'IN <table>', /IN <table> is not supported/],
    ['SELECT a FROM t WHERE (a, b) = (1, 2)', 'row value', /row values/],
    ['SELECT a COLLATE nocase FROM t', 'COLLATE', /COLLATE is not supported/],
    ['SELECT a FROM t GROUP BY a WITH ROLLUP', 'WITH', /WITH/],
    ['SELECT `a` FROM t', '`name`', /backquoted names are not supported/],
    ['SELECT a FROM t WHERE a == 1', '==', /== is not SQL/],
    ['SELECT a::int FROM t', '::', /casts \(::\)/],
    ['SELECT a FROM t WHERE a ISNULL', 'ISNULL', /ISNULL \(a NULL test\)/],
    ['SELECT a INTO u FROM t', 'INTO', /SELECT … INTO is not supported/],
    ['SELECT a FROM t WHERE a = 1\n  UNION SELECT b FROM t', 'UNION', /UNION is not supported \(at 2:3\)/, '2:3'],
  ];
  it.each(cases)('%s → %s', (sql, construct, message, where) => {
    const r = compileSql(sql, SCHEMA);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.construct).toBe(construct);
    expect(r.error).toMatch(message);
    if (where) expect(`${r.line}:${r.column}`).toBe(where);
  });

  it('answers in the shape the API turns into a 400 naming query_sql', () => {
    expect(compileSql('SELECT a FROM t JOIN u ON a = b', SCHEMA)).toEqual({ ok: false, error: 'JOIN is not supported (at 1:17)', construct: 'JOIN', line: 1, column: 17 });
  });
});

describe('queries inside the grammar that are wrong', () => {
  const cases: [sql: string, message: RegExp, schema?: string[]][] = [
    ['SELECT z FROM t', /^unknown column "z" \(at 1:8\); the schema's columns are: a, b, c$/],
    ['SELECT SUM(z) FROM t', /unknown column "z" \(at 1:12\)/],
    ['SELECT a FROM t WHERE zz > 1', /unknown column "zz" \(at 1:23\)/],
    ['SELECT u.a FROM t', /unknown table "u" in u.a \(at 1:8\); the query reads t/],
    ['SELECT u.* FROM t', /unknown table "u" in u.\* \(at 1:8\); the query reads t/],
    ['SELECT SUM(a) FROM t WHERE SUM(a) > 3', /aggregates \(SUM\) are not allowed in WHERE; use HAVING \(at 1:28\)/],
    ['SELECT a FROM t GROUP BY COUNT(*)', /aggregates \(COUNT\) are not allowed in GROUP BY/],
    ['SELECT a, SUM(b) FROM t', /the column a in SELECT item 1 must appear in GROUP BY or be inside an aggregate \(at 1:8\)/],
    ['SELECT b FROM t GROUP BY a', /the column b in SELECT item 1 must appear in GROUP BY/],
    ['SELECT a + b FROM t GROUP BY a', /the column b in SELECT item 1 must appear in GROUP BY/],
    ['SELECT a FROM t GROUP BY a HAVING b > 1', /the column b in HAVING must appear in GROUP BY/],
    ['SELECT a FROM t GROUP BY a ORDER BY b', /the column b in ORDER BY must appear in GROUP BY/],
    ['SELECT SUM(a) FROM t ORDER BY a', /the column a in ORDER BY must appear in GROUP BY/],
    ['SELECT * FROM t GROUP BY a', /the column b in SELECT item 2 must appear in GROUP BY/],
    ['SELECT SUM(MAX(a)) FROM t', /an aggregate \(MAX\) inside another aggregate is not allowed/],
    ['SELECT a AS _valid FROM t', /the output name _valid is reserved for the validity column \(at 1:8\)/],
    ['SELECT a AS _VALID FROM t', /_VALID is reserved|reserved/],
    ['SELECT * FROM t', /the output name _valid is reserved/, ['a', '_valid']],
    ['SELECT a, a FROM t', /the output name "a" is used twice \(at 1:11\); give each output its own AS alias/],
    ['SELECT COUNT(*), COUNT(a) + 0 AS count FROM t', /the output name "count" is used twice/],
    ['SELECT a AS "x y" FROM t', /the output name "x y" must be letters, digits and _/],
    [`SELECT a AS ${'x'.repeat(64)} FROM t`, /at most 63 characters/],
    ['SELECT a FROM t WHERE a', /WHERE must be a condition \(a comparison\), not a number \(at 1:23\)/],
    ['SELECT a > 1 FROM t', /the SELECT item 1 must be a number, not a condition/],
    ['SELECT a FROM t WHERE a > 1 > 0', /the operands of > must be a number, not a condition/],
    ['SELECT a + (b > 1) FROM t', /the operands of \+ must be a number, not a condition/],
    ['SELECT a FROM t WHERE a AND b > 1', /the operands of AND must be a condition/],
    ['SELECT CASE WHEN a THEN 1 ELSE 0 END FROM t', /WHEN must be a condition/],
    ['SELECT a FROM t HAVING a > 1', /HAVING needs GROUP BY or an aggregate \(at 1:17\)/],
    ['SELECT DISTINCT a FROM t ORDER BY b', /with SELECT DISTINCT, an ORDER BY key must be one of the SELECT items \(at 1:35\)/],
    ['SELECT a FROM t ORDER BY 3', /ORDER BY 3: there is no SELECT item 3 \(there are 1\)/],
    ['SELECT a FROM t ORDER BY 0', /ORDER BY 0: there is no SELECT item 0/],
    ['SELECT a FROM t GROUP BY 2', /GROUP BY 2: there is no SELECT item 2/],
    ['SELECT SUM(a) FROM t GROUP BY 1', /GROUP BY 1: SELECT item 1 is an aggregate/],
    ['SELECT SUM(a) AS s FROM t GROUP BY s', /GROUP BY s: the alias stands for an aggregate/],
    ['SELECT SUM(a) AS s, MAX(s) FROM t', /unknown column "s"|the alias s stands for an aggregate/],
    ['SELECT a AS x FROM t WHERE x > 1', /unknown column "x" \(at 1:28\)/],
    ['SELECT 2147483648 FROM t', /2147483648 is outside the signed 32-bit range \(at 1:8\)/],
    ['SELECT -2147483649 FROM t', /-2147483649 is outside the signed 32-bit range/],
    ['SELECT a FROM t LIMIT 2147483648', /LIMIT 2147483648 is larger than 2147483647/],
    ['SELECT a FROM t LIMIT -1', /LIMIT must be a non-negative integer/],
    ['', /the query is empty/],
    ['   -- nothing\n', /the query is empty/],
    ['SELECT FROM t', /expected a column or an expression, found "FROM" \(at 1:8\)/],
    ['SELECT a', /the query has no FROM <table>/],
    ['SELECT a FROM', /expected a table name, found the end of the query/],
    ['SELECT a FROM t WHERE', /expected an expression, found the end of the query \(at 1:22\)/],
    ['SELECT a FROM t WHERE (a > 1', /expected \) to close the parenthesis/],
    ['SELECT a FROM t ORDER a', /expected BY after ORDER/],
    ['SELECT a FROM t LIMIT 1 WHERE a > 1', /WHERE is out of place/],
    ['SELECT a b c FROM t', /expected FROM or a comma, found "c"/],
    ['SELECT order FROM t', /expected an expression, found "order" \(an SQL keyword: write "order" for a column of that name\) \(at 1:8\)/],
    ["SELECT 'abc", /unterminated string \(at 1:8\)/],
    ['SELECT a /* open', /unterminated comment/],
    ['SELECT a FROM t WHERE a IN ()', /IN \(\) needs at least one constant/],
    ['SELECT COUNT(DISTINCT *) FROM t', /only COUNT\(\*\) takes \*/],
    ['SELECT SUM(*) FROM t', /only COUNT\(\*\) takes \*/],
    ['SELECT SUM() FROM t', /SUM\(\) needs an argument/],
    ['SELECT a FROM t WHERE a = #', /unexpected character "#"|#/],
  ];
  it.each(cases)('%s', (sql, message, schema) => {
    const r = compileSql(sql, schema ?? SCHEMA);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).toMatch(message);
      expect(r.construct === undefined || typeof r.construct === 'string').toBe(true);
    }
  });

  it('bounds the work of hostile input: long texts and deep nesting are refused, not a stack overflow', () => {
    const long = compileSql(`SELECT a FROM t WHERE ${'a = 1 OR '.repeat(2000)}a = 1`, SCHEMA);
    expect(long).toMatchObject({ ok: false, error: `the query is longer than ${MAX_QUERY_LENGTH} characters` });
    for (const deep of [`SELECT ${'('.repeat(3000)}a${')'.repeat(3000)} FROM t`, `SELECT a FROM t WHERE ${'NOT '.repeat(2000)}a > 1`, `SELECT ${'-('.repeat(2000)}a${')'.repeat(2000)} FROM t`, `SELECT ${'- '.repeat(2000)}a FROM t`]) {
      const r = compileSql(deep, SCHEMA);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toMatch(/nests more than 100 levels deep|longer than/);
    }
    // 90 levels are fine
    expect(compileSql(`SELECT ${'('.repeat(90)}a${')'.repeat(90)} FROM t`, SCHEMA).ok).toBe(true);
  });
});

describe('what the grammar accepts around names', () => {
  it('takes any one table name (as the SUM/COUNT compiler did) and qualified columns of it', () => {
    for (const sql of ['SELECT a FROM payroll', 'SELECT payroll.a FROM payroll', 'SELECT PAYROLL.a FROM payroll', 'SELECT "t".a FROM t;', 'select a from t ;']) {
      expect(compileSql(sql, SCHEMA).ok, sql).toBe(true);
    }
  });
  it('matches columns without case when that is unambiguous, and names outputs as the schema spells them', () => {
    const r = compileSql('SELECT A, Sum(B) FROM t GROUP BY a', SCHEMA);
    expect(r.ok && r.outputs).toEqual(['a', 'sum_b']);
    const amb = compileSql('SELECT x FROM t', ['X', 'x2']);
    expect(amb.ok && amb.outputs).toEqual(['X']);
    expect(compileSql('SELECT x FROM t', ['X', 'x']).ok).toBe(true); // exact match wins
    expect(compileSql('SELECT y FROM t', ['Y', 'y2', 'YY']).ok).toBe(true);
  });
  it('lets a quoted name be a keyword, and a join word be a column inside an expression', () => {
    const r = compileSql('SELECT "order", SUM("left") AS s, MAX(left) AS m FROM t GROUP BY "order"', ['order', 'left']);
    expect(r.ok && r.outputs).toEqual(['order', 's', 'm']);
  });
  it('accepts comments, any case of keywords, != and <>, implicit aliases, ALL', () => {
    const r = compileSql('select all a x, -- the key\n b /* second */ as "y" FROM t where a != 1 and b <> 2 Order By x dEsC', SCHEMA);
    expect(r.ok && r.outputs).toEqual(['x', 'y']);
  });
});

describe('found by the fuzz test', () => {
  it('an aggregate only in ORDER BY makes the query an aggregation', () => {
    expect(compileSql('SELECT a FROM t ORDER BY MIN(b)', SCHEMA)).toMatchObject({ ok: false, error: expect.stringMatching(/the column a in SELECT item 1 must appear in GROUP BY/) });
    const r = compileSql('SELECT COUNT(*) AS n FROM t ORDER BY MIN(b)', SCHEMA);
    expect(r.ok && r.plan.outputRows.base).toBe('one');
  });
});

describe('hostile input costs little', () => {
  it('refuses operator chains deeper than 400 (they would exhaust the stack) with a clear error', () => {
    expect(compileSql(`SELECT ${'a+'.repeat(399)}a FROM t`, SCHEMA).ok).toBe(true);
    expect(compileSql(`SELECT ${'a+'.repeat(400)}a FROM t`, SCHEMA)).toMatchObject({ ok: false, error: 'an expression is 401 operations deep, more than 400 (at 1:8); split it or simplify it' });
    for (const sql of [`SELECT ${'a+'.repeat(4990)}a FROM t`, `SELECT a FROM t WHERE ${'a>1 AND '.repeat(1240)}a>1`, `SELECT CASE ${'WHEN a>1 THEN 1 '.repeat(620)} ELSE 0 END FROM t`]) {
      expect(compileSql(sql, SCHEMA)).toMatchObject({ ok: false, error: expect.stringMatching(/operations deep, more than 400/) });
    }
    // a long IN list is a balanced OR: fine
    expect(compileSql(`SELECT a FROM t WHERE a IN (${Array.from({ length: 1500 }, (_, i) => i).join(',')})`, SCHEMA).ok).toBe(true);
  });

  it('compiles a query that names a large alias hundreds of times in linear time', () => {
    const big = Array.from({ length: 390 }, (_, i) => `a*${i % 10}`).join('+');
    const many = (op: string) => Array.from({ length: 390 }, () => 'x').join(op);
    for (const sql of [
      `SELECT ${big} AS x FROM t ORDER BY ${many('+')}`,
      `SELECT b, SUM(${big}) AS x FROM t GROUP BY b ORDER BY ${many('*')}`,
      `SELECT ${big} AS x, COUNT(*) FROM t GROUP BY x ORDER BY ${many('-')}`, // took 84 s before expressions were interned
    ]) {
      const t0 = performance.now();
      const r = compileSql(sql, SCHEMA);
      expect(r.ok, r.ok ? '' : r.error).toBe(true);
      expect(performance.now() - t0).toBeLessThan(2000);
    }
  });
});
