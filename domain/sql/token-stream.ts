// The parser's cursor over the tokens, the word lists that decide what a word may be, and the errors: a
// construct outside the grammar is named (JOIN, LIKE, a subquery …) where it starts, not just "unexpected".

import { SqlError, at, type SqlPosition } from './errors.js';
import type { Token } from './lexer.js';

/** How deep expressions may nest in the text (parentheses, NOT, unary minus). */
const MAX_DEPTH = 100;
export const AGGREGATES = new Set(['SUM', 'COUNT', 'MIN', 'MAX', 'AVG']);

/** Words that end an expression or a list, or start a clause: never a name unless quoted. */
export const RESERVED = new Set([
  'SELECT', 'FROM', 'WHERE', 'GROUP', 'BY', 'HAVING', 'ORDER', 'LIMIT', 'OFFSET', 'ASC', 'DESC', 'AND', 'OR', 'NOT',
  'BETWEEN', 'IN', 'CASE', 'WHEN', 'THEN', 'ELSE', 'END', 'AS', 'DISTINCT', 'ALL', 'NULL', 'IS', 'ISNULL', 'NOTNULL',
  'LIKE', 'GLOB', 'REGEXP', 'MATCH', 'ESCAPE', 'EXISTS', 'COLLATE', 'UNION', 'INTERSECT', 'EXCEPT', 'WITH', 'WINDOW',
  'OVER', 'FILTER', 'JOIN', 'INNER', 'LEFT', 'RIGHT', 'FULL', 'CROSS', 'NATURAL', 'OUTER', 'ON', 'USING', 'VALUES',
  'INTO', 'TRUE', 'FALSE', 'NULLS', 'INDEXED',
]);
/** Reserved words that may still name a column inside an expression (they only matter after FROM <table>). */
export const NAME_IN_EXPRESSION = new Set(['LEFT', 'RIGHT', 'FULL', 'CROSS', 'INNER', 'OUTER', 'NATURAL', 'FILTER', 'WINDOW', 'INDEXED', 'NULLS']);
const JOIN_WORDS = new Set(['JOIN', 'INNER', 'LEFT', 'RIGHT', 'FULL', 'CROSS', 'NATURAL', 'OUTER', 'ON', 'USING']);
const SET_OPERATIONS = new Set(['UNION', 'INTERSECT', 'EXCEPT']);
export const STATEMENTS = new Set(['INSERT', 'UPDATE', 'DELETE', 'CREATE', 'DROP', 'ALTER', 'PRAGMA', 'ATTACH', 'DETACH', 'REPLACE', 'VACUUM', 'EXPLAIN', 'BEGIN', 'COMMIT', 'ROLLBACK', 'ANALYZE', 'REINDEX', 'SAVEPOINT', 'RELEASE', 'VALUES', 'TABLE']);

export const pos = (t: Token): SqlPosition => ({ line: t.line, column: t.column });
export const describe = (t: Token) =>
  t.kind === 'end' ? 'the end of the query' : t.kind === 'string' ? `the string ${t.text}` : t.kind === 'quoted' ? `"${t.text}"` : JSON.stringify(t.text);

/** A cursor over the tokens, and the errors every part of the parser raises. */
export class TokenStream {
  protected i = 0;
  private depth = 0;
  constructor(private readonly tokens: Token[]) {}

  protected get t(): Token {
    return this.tokens[this.i];
  }
  protected peek(n = 1): Token {
    return this.tokens[Math.min(this.i + n, this.tokens.length - 1)];
  }
  protected next(): Token {
    const t = this.t;
    if (t.kind !== 'end') this.i++;
    return t;
  }
  protected word(t: Token = this.t): string | undefined {
    return t.kind === 'word' ? t.text.toUpperCase() : undefined;
  }
  protected isWord(w: string, t: Token = this.t): boolean {
    return this.word(t) === w;
  }
  protected isPunct(p: string, t: Token = this.t): boolean {
    return t.kind === 'punct' && t.text === p;
  }
  protected acceptWord(w: string): boolean {
    if (this.isWord(w)) {
      this.i++;
      return true;
    }
    return false;
  }
  protected acceptPunct(p: string): boolean {
    if (this.isPunct(p)) {
      this.i++;
      return true;
    }
    return false;
  }
  protected unsupported(construct: string, t: Token, what = `${construct} is`): never {
    throw new SqlError(`${what} not supported${at(pos(t))}`, construct, pos(t));
  }
  protected fail(message: string, t: Token = this.t): never {
    throw new SqlError(`${message}${at(pos(t))}`, undefined, pos(t));
  }
  /** Runs one level of nesting: hostile input (((((… must not exhaust the stack. */
  protected nested<T>(parse: () => T): T {
    if (++this.depth > MAX_DEPTH) this.fail(`the query nests more than ${MAX_DEPTH} levels deep`);
    try {
      return parse();
    } finally {
      this.depth--;
    }
  }
  /** An error for a token that cannot come here: names the construct when it is one we know. */
  protected unexpected(expected: string, t: Token = this.t): never {
    this.refuseKnownConstruct(t);
    this.fail(`expected ${expected}, found ${describe(t)}`, t);
  }
  /** Throws when the token starts a construct outside the grammar. */
  protected refuseKnownConstruct(t: Token): void {
    const w = this.word(t);
    if (t.kind === 'string') this.unsupported('string literal', t, `string literals (${t.text}) are`);
    if (t.kind === 'number' && !/^\d+$/.test(t.text)) this.unsupported('decimal number', t, `decimal numbers (${t.text}) are`);
    if (t.kind === 'punct') {
      const p = t.text;
      if (p === '/') this.unsupported('/', t, 'division (/) is');
      if (p === '%') this.unsupported('%', t, 'the remainder operator (%) is');
      if (p === '||') this.unsupported('||', t, 'string concatenation (||) is');
      if (p === '==') this.unsupported('==', t, '== is not SQL; use =. It is');
      if (p === '?' || p === ':' || p === '@' || p === '$') this.unsupported('parameter', t, `query parameters (${p}) are`);
      if (['&', '|', '~', '<<', '>>', '^'].includes(p)) this.unsupported(p, t, `the bitwise operator ${p} is`);
      if (p === '::') this.unsupported('::', t, 'casts (::) are');
      if (p === ';') this.unsupported(';', t, 'more than one statement is');
    }
    if (!w) return;
    if (JOIN_WORDS.has(w)) this.unsupported('JOIN', t, `${w === 'JOIN' ? 'JOIN' : `${w} (a join)`} is`);
    if (SET_OPERATIONS.has(w)) this.unsupported(w, t);
    if (w === 'OFFSET') this.unsupported('OFFSET', t);
    if (w === 'WINDOW' || w === 'OVER') this.unsupported('window function', t, `window functions (${w}) are`);
    if (w === 'FILTER') this.unsupported('FILTER', t, 'aggregate FILTER clauses are');
    if (w === 'WITH') this.unsupported('WITH', t, 'WITH (common table expressions) is');
    if (w === 'NULL') this.unsupported('NULL', t, 'NULL is not supported (the data has no NULLs); it is');
    if (w === 'IS' || w === 'ISNULL' || w === 'NOTNULL') this.unsupported(w === 'IS' ? 'IS' : w, t, `${w} (a NULL test) is`);
    if (['LIKE', 'GLOB', 'REGEXP', 'MATCH', 'ESCAPE'].includes(w)) this.unsupported(w, t);
    if (w === 'EXISTS') this.unsupported('EXISTS', t);
    if (w === 'COLLATE') this.unsupported('COLLATE', t);
    if (w === 'TRUE' || w === 'FALSE') this.unsupported(w, t, `boolean literals (${w}) are`);
    if (w === 'VALUES') this.unsupported('VALUES', t);
    if (w === 'INTO') this.unsupported('INTO', t, 'SELECT … INTO is');
    if (w === 'SELECT') this.unsupported('subquery', t, 'subqueries are');
  }
}
