// RETIRED from production: the SUM/COUNT compiler for the engine's old `--program` path. The API and the
// stages compile with domain/sql into a plan (domain/job-query.ts, `qs-engine run --plan`). It lives with the
// tests because only test/engine/engine.test.ts (the engine's `--program` tests) and
// test/domain/sql/compat.test.ts (old vs new names and values) use it; delete it with the `--program` option.

export const QUERY_ENGINE_NAME = 'reference engine';

export interface QueryOutput {
  /** the result column's name (the alias, or `sum_<column>` / `count`) */
  name: string;
  op: 'sum' | 'count';
  /** the schema column a SUM adds up */
  column?: string;
}
export interface QueryProgram {
  table: string;
  outputs: QueryOutput[];
}

export type CompiledQuery = { ok: true; program: QueryProgram } | { ok: false; error: string };

const UNSUPPORTED = 'the reference engine supports only SUM(column) and COUNT(*) over one table';
const NOT_ONE_SELECT = 'the query must be a single SELECT statement';
/** The same limit the API puts on schema column names, so every output name fits a share header. */
const MAX_NAME = 63;
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Words that start a construct the reference engine does not have (named in the error, not parsed). */
const CLAUSES = new Set(['WHERE', 'GROUP', 'JOIN', 'INNER', 'LEFT', 'RIGHT', 'FULL', 'CROSS', 'NATURAL', 'ON', 'USING', 'ORDER', 'HAVING', 'LIMIT', 'OFFSET', 'UNION', 'INTERSECT', 'EXCEPT', 'WINDOW', 'DISTINCT', 'ALL']);


interface Token {
  kind: 'word' | 'number' | 'string' | 'quoted' | 'punct';
  text: string;
}

const SPACE = /\s+|--[^\n]*|\/\*[\s\S]*?\*\//y;
const TOKEN = /([A-Za-z_][A-Za-z0-9_$]*)|((?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)|('(?:[^']|'')*')|("(?:[^"]|"")*")|(<=|>=|<>|!=|\|\||::|[(),*;=<>+\-/%.])/y;
/** Longer texts are refused before tokenizing: no real aggregate query comes close, and it bounds the
 *  work an API request can cause. */
export const MAX_QUERY_LENGTH = 10_000;

/** Splits SQL text into tokens; whitespace and `--` / block comments separate tokens and are dropped. */
function tokenize(sql: string): Token[] | string {
  if (sql.length > MAX_QUERY_LENGTH) return `the query is longer than ${MAX_QUERY_LENGTH} characters`;
  const tokens: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    SPACE.lastIndex = i;
    if (SPACE.exec(sql)) {
      i = SPACE.lastIndex;
      continue;
    }
    if (sql.startsWith('/*', i)) return 'unterminated comment in the query';
    TOKEN.lastIndex = i;
    const m = TOKEN.exec(sql);
    if (!m) {
      const c = sql[i];
      if (c === "'" || c === '"') return `unterminated ${c === "'" ? 'string' : 'quoted name'} in the query`;
      return `unexpected character ${JSON.stringify(c)} in the query`;
    }
    const kind: Token['kind'] = m[1] ? 'word' : m[2] ? 'number' : m[3] ? 'string' : m[4] ? 'quoted' : 'punct';
    tokens.push({ kind, text: m[0] });
    i = TOKEN.lastIndex;
  }
  return tokens;
}

const upper = (t: Token | undefined) => (t?.kind === 'word' ? t.text.toUpperCase() : undefined);
const show = (tokens: Token[]) => JSON.stringify(tokens.map((t) => t.text).join(' ').slice(0, 80));

/** Statement tokens without one trailing `;`, or an error if the text holds more than one statement. */
function oneStatement(sql: string): Token[] | string {
  const tokens = tokenize(sql);
  if (typeof tokens === 'string') return tokens;
  if (tokens.length && tokens[tokens.length - 1].text === ';') tokens.pop();
  if (tokens.length === 0) return `${NOT_ONE_SELECT}; the query is empty`;
  if (tokens.some((t) => t.text === ';')) return `${NOT_ONE_SELECT}; found more than one statement`;
  return tokens;
}

/** Splits a select list on commas outside parentheses. */
function splitItems(tokens: Token[]): Token[][] {
  const items: Token[][] = [[]];
  let depth = 0;
  for (const t of tokens) {
    if (t.text === '(') depth++;
    if (t.text === ')') depth--;
    if (t.text === ',' && depth === 0) items.push([]);
    else items[items.length - 1].push(t);
  }
  return items;
}

/** One select item: `SUM ( col ) [AS alias]` or `COUNT ( * ) [AS alias]`. */
function compileItem(item: Token[], schemaColumns: string[]): QueryOutput | string {
  if (item.length === 0) return `an aggregate is missing between commas in the SELECT list; ${UNSUPPORTED}`;
  const fn = upper(item[0]);
  let alias: string | undefined;
  let body = item;
  if (item.length >= 2 && upper(item[item.length - 2]) === 'AS') {
    const a = item[item.length - 1];
    if (a.kind !== 'word') return `the alias ${JSON.stringify(a.text)} must be a plain name (letters, digits, _)`;
    alias = a.text;
    body = item.slice(0, -2);
  }
  const parens = body.length >= 3 && body[1].text === '(' && body[body.length - 1].text === ')';
  const inner = parens ? body.slice(2, -1) : [];
  if (fn === 'SUM' && parens && inner.length === 1 && inner[0].kind === 'word') {
    const column = inner[0].text;
    if (!schemaColumns.includes(column)) {
      return `unknown column ${JSON.stringify(column)} in SUM(${column}); the schema's columns are: ${schemaColumns.join(', ') || '(none)'}`;
    }
    return { name: alias ?? `sum_${column}`, op: 'sum', column };
  }
  if (fn === 'COUNT' && parens && inner.length === 1 && inner[0].text === '*') return { name: alias ?? 'count', op: 'count' };
  return `unsupported select item ${show(item)}: ${UNSUPPORTED}`;
}

/** Compiles a query for the reference engine, or says in plain words (an HTTP 400) why it cannot run. */
export function compileQuery(sql: string, schemaColumns: string[]): CompiledQuery {
  const fail = (error: string): CompiledQuery => ({ ok: false, error });
  const tokens = oneStatement(sql);
  if (typeof tokens === 'string') return fail(tokens);
  if (upper(tokens[0]) !== 'SELECT') return fail(`${NOT_ONE_SELECT}; it starts with ${JSON.stringify(tokens[0].text)}`);

  // Clause words count only outside parentheses: inside, a name like `left` may be a schema column.
  let depth = 0;
  const topLevel = tokens.filter((t) => {
    if (t.text === '(') depth++;
    if (t.text === ')') depth--;
    return depth === 0 && t.kind === 'word';
  });
  const clause = topLevel.find((t, i) => CLAUSES.has(t.text.toUpperCase()) || (i > 0 && upper(t) === 'SELECT'));
  if (clause) return fail(`${upper(clause) === 'SELECT' ? 'more than one SELECT is' : `${clause.text.toUpperCase()} is`} not supported: ${UNSUPPORTED}`);
  const fromToken = topLevel.find((t) => upper(t) === 'FROM');
  const from = fromToken ? tokens.indexOf(fromToken) : -1;
  if (from < 0) return fail(`the query has no FROM <table>; ${UNSUPPORTED}`);
  const tail = tokens.slice(from + 1);
  if (tail.length === 0 || tail[0].kind !== 'word') return fail(`FROM must name one table; ${UNSUPPORTED}`);
  if (tail.length > 1) return fail(`unexpected ${show(tail.slice(1))} after FROM ${tail[0].text}: ${UNSUPPORTED}`);

  const outputs: QueryOutput[] = [];
  const items = from === 1 ? [] : splitItems(tokens.slice(1, from));
  if (items.length === 0) return fail(`the SELECT list is empty; ${UNSUPPORTED}`);
  for (const item of items) {
    const out = compileItem(item, schemaColumns);
    if (typeof out === 'string') return fail(out);
    outputs.push(out);
  }
  for (const [i, o] of outputs.entries()) {
    if (!IDENT.test(o.name) || o.name.length > MAX_NAME) {
      return fail(`output name ${JSON.stringify(o.name)} must be a name of letters, digits and _ of at most ${MAX_NAME} characters`);
    }
    if (outputs.findIndex((x) => x.name === o.name) !== i) {
      return fail(`output name ${JSON.stringify(o.name)} is used twice; give each aggregate its own AS alias`);
    }
  }
  return { ok: true, program: { table: tail[0].text, outputs } };
}

/** The program file the reference engine reads (engine/src/main.cpp), one line per output in
 *  result order: `sum <name> <column>` or `count <name>`. Columns go by name: the engine finds
 *  `<column>_0 …` in its share file's header, so the file does not depend on the schema's order.
 *  With `schemaColumns`, a SUM over a column outside the schema is refused here rather than on the hosts. */
export function programFile(program: QueryProgram, schemaColumns?: string[]): string {
  if (program.outputs.length === 0) throw new Error('a program needs at least one output');
  const lines = program.outputs.map((o) => {
    if (!IDENT.test(o.name)) throw new Error(`output name ${JSON.stringify(o.name)} is not a plain name`);
    if (o.op === 'count') return `count ${o.name}`;
    if (!o.column || !IDENT.test(o.column)) throw new Error(`SUM output ${o.name} has no valid column`);
    if (schemaColumns && !schemaColumns.includes(o.column)) throw new Error(`SUM output ${o.name}: column ${o.column} is not in the schema`);
    return `sum ${o.name} ${o.column}`;
  });
  return `${lines.join('\n')}\n`;
}
