// TVA runs precompiled programs: with QS_ENGINE=tva a query must match an entry of the configured
// catalogue (query text → program name), whitespace, the case of keywords and a trailing `;` aside.
// (The reference engine instead runs any query of domain/sql's grammar: activities/engine/plan.ts.)
//
// Pure: no Node imports, so the API, the activities and the CLI can all share it.

export type CatalogueLookup = { ok: true; program: string } | { ok: false; error: string };

const NOT_ONE_SELECT = 'the query must be a single SELECT statement';

/** SQL words compared without case when the catalogue is searched; identifiers keep theirs. */
const KEYWORDS = new Set([
  'WHERE', 'GROUP', 'JOIN', 'INNER', 'LEFT', 'RIGHT', 'FULL', 'CROSS', 'NATURAL', 'ON', 'USING', 'ORDER', 'HAVING', 'LIMIT', 'OFFSET', 'UNION', 'INTERSECT', 'EXCEPT', 'WINDOW', 'DISTINCT', 'ALL',
  'SELECT', 'FROM', 'AS', 'BY', 'AND', 'OR', 'NOT', 'IN', 'IS', 'NULL', 'LIKE', 'BETWEEN', 'CASE', 'WHEN', 'THEN', 'ELSE', 'END',
  'ASC', 'DESC', 'WITH', 'EXISTS', 'TRUE', 'FALSE', 'OUTER', 'OVER', 'PARTITION', 'INTO', 'VALUES',
]);

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


/** Statement tokens without one trailing `;`, or an error if the text holds more than one statement. */
function oneStatement(sql: string): Token[] | string {
  const tokens = tokenize(sql);
  if (typeof tokens === 'string') return tokens;
  if (tokens.length && tokens[tokens.length - 1].text === ';') tokens.pop();
  if (tokens.length === 0) return `${NOT_ONE_SELECT}; the query is empty`;
  if (tokens.some((t) => t.text === ';')) return `${NOT_ONE_SELECT}; found more than one statement`;
  return tokens;
}

/** Query text in a canonical form: tokens joined by one space, SQL keywords and function names upper
 *  case, identifiers and literals as written, no trailing `;`. */
function normalise(sql: string): string | undefined {
  const tokens = oneStatement(sql);
  if (typeof tokens === 'string') return undefined;
  return tokens
    .map((t, i) => {
      const isFunction = tokens[i + 1]?.text === '(';
      return t.kind === 'word' && (KEYWORDS.has(t.text.toUpperCase()) || isFunction) ? t.text.toUpperCase() : t.text;
    })
    .join(' ');
}

/** TVA runs precompiled programs: the query must match a catalogue entry (query text → program name),
 *  whitespace, the case of keywords and a trailing `;` aside. */
export function lookupCatalogue(sql: string, catalogue: Record<string, string>): CatalogueLookup {
  const want = normalise(sql);
  if (want !== undefined) {
    for (const [query, program] of Object.entries(catalogue)) if (normalise(query) === want) return { ok: true, program };
  }
  const size = Object.keys(catalogue).length;
  return { ok: false, error: `query not in the TVA catalogue (${size} ${size === 1 ? 'query is' : 'queries are'} configured; the text must match one of them)` };
}
