// Tokens of the QueryShield SQL subset, each with its 1-based line and column.
// Pure: no Node built-ins (the CLI, the API and a browser import it).

import { SqlError } from './errors.js';

export type TokenKind = 'word' | 'quoted' | 'number' | 'string' | 'punct' | 'end';

export interface Token {
  kind: TokenKind;
  /** the text as written (a quoted name without its quotes and with "" unescaped) */
  text: string;
  /** offset in the query text */
  offset: number;
  line: number;
  column: number;
}

/** Longer texts are refused before tokenizing: it bounds the work one API request can cause. */
export const MAX_QUERY_LENGTH = 10_000;

const SPACE = /\s+|--[^\n]*|\/\*[\s\S]*?\*\//y;
const TOKEN =
  /([A-Za-z_][A-Za-z0-9_$]*)|((?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)|('(?:[^']|'')*')|("(?:[^"]|"")*")|(`[^`]*`|\[[^\]]*\])|(<=|>=|<>|!=|==|\|\||::|<<|>>|[(),*;=<>+\-/%.&|~^?:@$#{}])/y;

/** Splits the query into tokens, dropping whitespace and comments; the last token has kind `end`. */
export function tokenize(sql: string): Token[] {
  if (sql.length > MAX_QUERY_LENGTH) throw new SqlError(`the query is longer than ${MAX_QUERY_LENGTH} characters`);
  const tokens: Token[] = [];
  // line starts, to turn offsets into line:column
  const lineStarts = [0];
  for (let i = 0; i < sql.length; i++) if (sql[i] === '\n') lineStarts.push(i + 1);
  const where = (offset: number) => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - lineStarts[lo] + 1 };
  };
  let i = 0;
  while (i < sql.length) {
    SPACE.lastIndex = i;
    if (SPACE.exec(sql)) {
      i = SPACE.lastIndex;
      continue;
    }
    const at = where(i);
    if (sql.startsWith('/*', i)) throw new SqlError(`unterminated comment (at ${at.line}:${at.column})`);
    TOKEN.lastIndex = i;
    const m = TOKEN.exec(sql);
    if (!m) {
      const c = sql[i];
      if (c === "'") throw new SqlError(`unterminated string (at ${at.line}:${at.column})`);
      if (c === '"') throw new SqlError(`unterminated quoted name (at ${at.line}:${at.column})`);
      throw new SqlError(`unexpected character ${JSON.stringify(c)} (at ${at.line}:${at.column})`);
    }
    let kind: TokenKind;
    let text = m[0];
    if (m[1]) kind = 'word';
    else if (m[2]) kind = 'number';
    else if (m[3]) kind = 'string';
    else if (m[4]) {
      kind = 'quoted';
      text = m[4].slice(1, -1).replace(/""/g, '"');
    } else if (m[5]) {
      throw new SqlError(`${m[5][0] === '`' ? 'backquoted' : 'bracketed'} names are not supported; use "name" (at ${at.line}:${at.column})`, m[5][0] === '`' ? '`name`' : '[name]', at);
    } else kind = 'punct';
    tokens.push({ kind, text, offset: i, ...at });
    i = TOKEN.lastIndex;
  }
  tokens.push({ kind: 'end', text: '', offset: sql.length, ...where(sql.length) });
  return tokens;
}
