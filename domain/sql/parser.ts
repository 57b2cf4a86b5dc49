// Recursive-descent parser of the QueryShield SQL subset (the grammar is in README.md next to this file).
// It builds a syntax tree; names are resolved and types checked in compile.ts. Anything outside the grammar
// is a SqlError naming the construct and where it starts.

import { SqlError, at, type SqlPosition } from './errors.js';
import { tokenize, type Token } from './lexer.js';

export type AggName = 'SUM' | 'COUNT' | 'MIN' | 'MAX' | 'AVG';
export type CmpOp = '=' | '<>' | '<' | '<=' | '>' | '>=';

export type Ast =
  /** signed: written with a leading - (not a position in GROUP BY / ORDER BY) */
  | { k: 'num'; value: number; signed?: boolean; pos: SqlPosition }
  | { k: 'ident'; name: string; quoted: boolean; table?: string; pos: SqlPosition }
  | { k: 'neg'; arg: Ast; pos: SqlPosition }
  | { k: 'not'; arg: Ast; pos: SqlPosition }
  | { k: 'arith'; op: '+' | '-' | '*'; left: Ast; right: Ast; pos: SqlPosition }
  | { k: 'logic'; op: 'AND' | 'OR'; left: Ast; right: Ast; pos: SqlPosition }
  | { k: 'cmp'; op: CmpOp; left: Ast; right: Ast; pos: SqlPosition }
  | { k: 'between'; arg: Ast; lo: Ast; hi: Ast; not: boolean; pos: SqlPosition }
  | { k: 'in'; arg: Ast; list: Ast[]; not: boolean; pos: SqlPosition }
  | { k: 'case'; whens: { cond: Ast; then: Ast }[]; else: Ast; pos: SqlPosition }
  | { k: 'agg'; fn: AggName; arg: Ast | null; distinct: boolean; pos: SqlPosition };

export interface SelectItem {
  /** null for `*` */
  expr: Ast | null;
  alias?: string;
  /** `t.*`: the table named */
  starTable?: string;
  /** where the item starts */
  pos: SqlPosition;
}

export interface OrderKey {
  expr: Ast;
  desc: boolean;
  pos: SqlPosition;
}

export interface SelectAst {
  distinct: boolean;
  items: SelectItem[];
  table: string;
  tablePos: SqlPosition;
  where?: Ast;
  groupBy: Ast[];
  having?: Ast;
  havingPos?: SqlPosition;
  orderBy: OrderKey[];
  limit?: number;
}

export const INT_MAX = 2147483647;
const MAX_DEPTH = 100;
const AGGREGATES = new Set(['SUM', 'COUNT', 'MIN', 'MAX', 'AVG']);

/** Words that end an expression or a list, or start a clause: never a name unless quoted. */
const RESERVED = new Set([
  'SELECT', 'FROM', 'WHERE', 'GROUP', 'BY', 'HAVING', 'ORDER', 'LIMIT', 'OFFSET', 'ASC', 'DESC', 'AND', 'OR', 'NOT',
  'BETWEEN', 'IN', 'CASE', 'WHEN', 'THEN', 'ELSE', 'END', 'AS', 'DISTINCT', 'ALL', 'NULL', 'IS', 'ISNULL', 'NOTNULL',
  'LIKE', 'GLOB', 'REGEXP', 'MATCH', 'ESCAPE', 'EXISTS', 'COLLATE', 'UNION', 'INTERSECT', 'EXCEPT', 'WITH', 'WINDOW',
  'OVER', 'FILTER', 'JOIN', 'INNER', 'LEFT', 'RIGHT', 'FULL', 'CROSS', 'NATURAL', 'OUTER', 'ON', 'USING', 'VALUES',
  'INTO', 'TRUE', 'FALSE', 'NULLS', 'INDEXED',
]);
/** Reserved words that may still name a column inside an expression (they only matter after FROM <table>). */
const NAME_IN_EXPRESSION = new Set(['LEFT', 'RIGHT', 'FULL', 'CROSS', 'INNER', 'OUTER', 'NATURAL', 'FILTER', 'WINDOW', 'INDEXED', 'NULLS']);
const JOIN_WORDS = new Set(['JOIN', 'INNER', 'LEFT', 'RIGHT', 'FULL', 'CROSS', 'NATURAL', 'OUTER', 'ON', 'USING']);
const SET_OPERATIONS = new Set(['UNION', 'INTERSECT', 'EXCEPT']);
const STATEMENTS = new Set(['INSERT', 'UPDATE', 'DELETE', 'CREATE', 'DROP', 'ALTER', 'PRAGMA', 'ATTACH', 'DETACH', 'REPLACE', 'VACUUM', 'EXPLAIN', 'BEGIN', 'COMMIT', 'ROLLBACK', 'ANALYZE', 'REINDEX', 'SAVEPOINT', 'RELEASE', 'VALUES', 'TABLE']);

const pos = (t: Token): SqlPosition => ({ line: t.line, column: t.column });
const describe = (t: Token) =>
  t.kind === 'end' ? 'the end of the query' : t.kind === 'string' ? `the string ${t.text}` : t.kind === 'quoted' ? `"${t.text}"` : JSON.stringify(t.text);

class Parser {
  private i = 0;
  private depth = 0;
  constructor(private readonly tokens: Token[]) {}

  private get t(): Token {
    return this.tokens[this.i];
  }
  private peek(n = 1): Token {
    return this.tokens[Math.min(this.i + n, this.tokens.length - 1)];
  }
  private next(): Token {
    const t = this.t;
    if (t.kind !== 'end') this.i++;
    return t;
  }
  private word(t: Token = this.t): string | undefined {
    return t.kind === 'word' ? t.text.toUpperCase() : undefined;
  }
  private isWord(w: string, t: Token = this.t): boolean {
    return this.word(t) === w;
  }
  private isPunct(p: string, t: Token = this.t): boolean {
    return t.kind === 'punct' && t.text === p;
  }
  private acceptWord(w: string): boolean {
    if (this.isWord(w)) {
      this.i++;
      return true;
    }
    return false;
  }
  private acceptPunct(p: string): boolean {
    if (this.isPunct(p)) {
      this.i++;
      return true;
    }
    return false;
  }
  private unsupported(construct: string, t: Token, what = `${construct} is`): never {
    throw new SqlError(`${what} not supported${at(pos(t))}`, construct, pos(t));
  }
  private fail(message: string, t: Token = this.t): never {
    throw new SqlError(`${message}${at(pos(t))}`, undefined, pos(t));
  }
  /** An error for a token that cannot come here: names the construct when it is one we know. */
  private unexpected(expected: string, t: Token = this.t): never {
    this.refuseKnownConstruct(t);
    this.fail(`expected ${expected}, found ${describe(t)}`, t);
  }
  /** Throws when the token starts a construct outside the grammar. */
  private refuseKnownConstruct(t: Token): void {
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

  parseStatement(): SelectAst {
    const first = this.t;
    if (first.kind === 'end') this.fail('the query is empty', first);
    const w = this.word(first);
    if (w === 'WITH') this.unsupported('WITH', first, 'WITH (common table expressions) is');
    if (w && STATEMENTS.has(w)) this.unsupported(w, first, `only SELECT queries are supported; ${w} is`);
    if (w !== 'SELECT') this.unexpected('SELECT', first);
    const select = this.parseSelect();
    this.acceptPunct(';');
    if (this.t.kind !== 'end') this.unsupported(';', this.t, 'more than one statement is');
    return select;
  }

  private parseSelect(): SelectAst {
    this.next(); // SELECT
    let distinct = false;
    if (this.acceptWord('DISTINCT')) distinct = true;
    else this.acceptWord('ALL');
    const items: SelectItem[] = [];
    do items.push(this.parseSelectItem());
    while (this.acceptPunct(','));
    if (!this.isWord('FROM')) {
      if (this.t.kind === 'end') this.fail('the query has no FROM <table>');
      this.unexpected('FROM or a comma');
    }
    this.next();
    const tableTok = this.t;
    if (this.isPunct('(')) {
      if (this.isWord('SELECT', this.peek())) this.unsupported('subquery', this.peek(), 'subqueries are');
      this.unexpected('a table name');
    }
    const table = this.parseName('a table name');
    if (this.isPunct('.')) this.unsupported('schema-qualified table', this.t, 'schema-qualified table names are');
    if (this.isPunct('(')) this.unsupported('table-valued function', this.t, 'table-valued functions are');
    if (this.isWord('AS') || (this.t.kind === 'word' && !RESERVED.has(this.word()!)) || this.t.kind === 'quoted') {
      this.unsupported('table alias', this.t, 'table aliases are');
    }
    if (this.isPunct(',')) this.unsupported('JOIN', this.t, 'more than one table (a join) is');
    const ast: SelectAst = { distinct, items, table, tablePos: pos(tableTok), groupBy: [], orderBy: [] };
    if (this.acceptWord('WHERE')) ast.where = this.parseExpr();
    if (this.isWord('GROUP')) {
      this.next();
      if (!this.acceptWord('BY')) this.unexpected('BY after GROUP');
      do ast.groupBy.push(this.parseExpr());
      while (this.acceptPunct(','));
    }
    if (this.isWord('HAVING')) {
      ast.havingPos = pos(this.next());
      ast.having = this.parseExpr();
    }
    if (this.isWord('ORDER')) {
      this.next();
      if (!this.acceptWord('BY')) this.unexpected('BY after ORDER');
      do {
        const p = pos(this.t);
        const expr = this.parseExpr();
        let desc = false;
        if (this.acceptWord('DESC')) desc = true;
        else this.acceptWord('ASC');
        if (this.isWord('NULLS')) this.unsupported('NULLS FIRST/LAST', this.t, 'NULLS FIRST/LAST is');
        if (this.isWord('COLLATE')) this.unsupported('COLLATE', this.t);
        ast.orderBy.push({ expr, desc, pos: p });
      } while (this.acceptPunct(','));
    }
    if (this.isWord('LIMIT')) {
      this.next();
      const t = this.t;
      if (this.isPunct('-')) this.fail('LIMIT must be a non-negative integer');
      if (t.kind !== 'number') this.unsupported('LIMIT expression', t, 'LIMIT takes an integer constant; an expression is');
      this.refuseKnownConstruct(t);
      const n = Number(t.text);
      if (n > INT_MAX) this.fail(`LIMIT ${t.text} is larger than ${INT_MAX}`, t);
      this.next();
      if (this.isPunct(',')) this.unsupported('OFFSET', this.t, 'LIMIT <offset>, <count> (an offset) is');
      if (this.isWord('OFFSET')) this.unsupported('OFFSET', this.t);
      if (this.isPunct('+') || this.isPunct('-') || this.isPunct('*') || this.isPunct('/')) {
        this.unsupported('LIMIT expression', t, 'LIMIT takes an integer constant; an expression is');
      }
      ast.limit = n;
    }
    if (this.t.kind !== 'end' && !this.isPunct(';')) {
      const w = this.word();
      if (w === 'WHERE' || w === 'GROUP' || w === 'HAVING' || w === 'ORDER' || w === 'LIMIT') this.fail(`${w} is out of place: the clauses go SELECT … FROM … WHERE … GROUP BY … HAVING … ORDER BY … LIMIT`);
      this.unexpected(ast.limit !== undefined ? 'the end of the query' : 'a clause (WHERE, GROUP BY, HAVING, ORDER BY, LIMIT) or the end of the query');
    }
    return ast;
  }

  private parseSelectItem(): SelectItem {
    const start = this.t;
    if (this.isPunct('*')) {
      this.next();
      return { expr: null, pos: pos(start) };
    }
    // t.* : one table only, so it is *
    if ((start.kind === 'word' || start.kind === 'quoted') && this.isPunct('.', this.peek()) && this.isPunct('*', this.peek(2))) {
      this.i += 3;
      return { expr: null, starTable: start.text, pos: pos(start) };
    }
    if (this.isWord('FROM') || this.t.kind === 'end') this.unexpected('a column or an expression');
    const expr = this.parseExpr();
    let alias: string | undefined;
    if (this.acceptWord('AS')) alias = this.parseName('an alias after AS');
    else if (this.t.kind === 'quoted' || (this.t.kind === 'word' && !RESERVED.has(this.word()!))) alias = this.parseName('an alias');
    return { expr, alias, pos: pos(start) };
  }

  /** A plain or "quoted" name. */
  private parseName(what: string): string {
    const t = this.t;
    if (t.kind === 'quoted') {
      this.next();
      return t.text;
    }
    if (t.kind === 'word' && !RESERVED.has(t.text.toUpperCase())) {
      this.next();
      return t.text;
    }
    if (t.kind === 'word') this.refuseKnownConstruct(t);
    if (t.kind === 'word') this.fail(`${t.text} is an SQL keyword; write "${t.text}" to use it as a name`, t);
    this.unexpected(what, t);
  }

  parseExpr(): Ast {
    if (++this.depth > MAX_DEPTH) this.fail(`the query nests more than ${MAX_DEPTH} levels deep`);
    try {
      return this.parseOr();
    } finally {
      this.depth--;
    }
  }

  private parseOr(): Ast {
    let left = this.parseAnd();
    while (this.isWord('OR')) {
      const p = pos(this.next());
      left = { k: 'logic', op: 'OR', left, right: this.parseAnd(), pos: p };
    }
    return left;
  }

  private parseAnd(): Ast {
    let left = this.parseNot();
    while (this.isWord('AND')) {
      const p = pos(this.next());
      left = { k: 'logic', op: 'AND', left, right: this.parseNot(), pos: p };
    }
    return left;
  }

  private parseNot(): Ast {
    if (this.isWord('NOT')) {
      const p = pos(this.next());
      if (this.isWord('EXISTS')) this.unsupported('EXISTS', this.t);
      if (++this.depth > MAX_DEPTH) this.fail(`the query nests more than ${MAX_DEPTH} levels deep`);
      try {
        return { k: 'not', arg: this.parseNot(), pos: p };
      } finally {
        this.depth--;
      }
    }
    return this.parseComparison();
  }

  private parseComparison(): Ast {
    let left = this.parseAdditive();
    for (;;) {
      const t = this.t;
      const p = pos(t);
      if (t.kind === 'punct' && ['=', '<>', '!=', '<', '<=', '>', '>='].includes(t.text)) {
        this.next();
        const op = (t.text === '!=' ? '<>' : t.text) as CmpOp;
        left = { k: 'cmp', op, left, right: this.parseAdditive(), pos: p };
        continue;
      }
      let not = false;
      if (this.isWord('NOT') && (this.isWord('BETWEEN', this.peek()) || this.isWord('IN', this.peek()) || this.isWord('LIKE', this.peek()) || this.isWord('GLOB', this.peek()) || this.isWord('REGEXP', this.peek()) || this.isWord('MATCH', this.peek()))) {
        this.next();
        not = true;
      }
      if (this.isWord('BETWEEN')) {
        this.next();
        const lo = this.parseAdditive();
        if (!this.acceptWord('AND')) this.unexpected('AND in BETWEEN … AND …');
        const hi = this.parseAdditive();
        left = { k: 'between', arg: left, lo, hi, not, pos: p };
        continue;
      }
      if (this.isWord('IN')) {
        this.next();
        if (!this.isPunct('(')) {
          if (this.t.kind === 'word' || this.t.kind === 'quoted') this.unsupported('IN <table>', this.t, 'IN <table> is');
          this.unexpected('( after IN');
        }
        this.next();
        if (this.isWord('SELECT')) this.unsupported('subquery', this.t, 'subqueries (IN (SELECT …)) are');
        const list: Ast[] = [];
        if (this.isPunct(')')) this.fail('IN () needs at least one constant');
        do list.push(this.parseInConstant());
        while (this.acceptPunct(','));
        if (!this.acceptPunct(')')) this.unexpected(') or a comma in the IN list');
        left = { k: 'in', arg: left, list, not, pos: p };
        continue;
      }
      this.refuseKnownComparison(t);
      return left;
    }
  }

  /** Words that would continue a comparison in full SQL. */
  private refuseKnownComparison(t: Token): void {
    const w = this.word(t);
    if (w && ['IS', 'ISNULL', 'NOTNULL', 'LIKE', 'GLOB', 'REGEXP', 'MATCH', 'COLLATE', 'ESCAPE'].includes(w)) this.refuseKnownConstruct(t);
    if (t.kind === 'punct' && ['/', '%', '||', '==', '&', '|', '<<', '>>', '::'].includes(t.text)) this.refuseKnownConstruct(t);
  }

  /** IN takes constants: integers, possibly signed. */
  private parseInConstant(): Ast {
    const start = this.t;
    let sign = 1;
    while (this.isPunct('-') || this.isPunct('+')) if (this.next().text === '-') sign = -sign;
    const t = this.t;
    if (t.kind !== 'number') {
      this.refuseKnownConstruct(t);
      this.unsupported('IN with non-constant', start, 'IN takes integer constants only; an expression in the IN list is');
    }
    const lit = this.parseNumber(sign);
    if (!this.isPunct(',') && !this.isPunct(')')) this.unsupported('IN with non-constant', start, 'IN takes integer constants only; an expression in the IN list is');
    return lit;
  }

  private parseNumber(sign: number): Ast {
    const t = this.next();
    this.refuseKnownConstruct(t);
    const big = BigInt(t.text) * BigInt(sign);
    if (big > BigInt(INT_MAX) || big < -BigInt(INT_MAX) - 1n) {
      this.fail(`${sign < 0 ? '-' : ''}${t.text} is outside the signed 32-bit range`, t);
    }
    return { k: 'num', value: Number(big), pos: pos(t) };
  }

  private parseAdditive(): Ast {
    let left = this.parseMultiplicative();
    while (this.isPunct('+') || this.isPunct('-')) {
      const t = this.next();
      left = { k: 'arith', op: t.text as '+' | '-', left, right: this.parseMultiplicative(), pos: pos(t) };
    }
    if (this.isPunct('||')) this.refuseKnownConstruct(this.t);
    return left;
  }

  private parseMultiplicative(): Ast {
    let left = this.parseUnary();
    for (;;) {
      if (this.isPunct('*')) {
        const t = this.next();
        left = { k: 'arith', op: '*', left, right: this.parseUnary(), pos: pos(t) };
        continue;
      }
      if (this.isPunct('/') || this.isPunct('%')) this.refuseKnownConstruct(this.t);
      return left;
    }
  }

  private parseUnary(): Ast {
    const t = this.t;
    if (this.isPunct('-') && this.peek().kind === 'number') {
      // a negative literal: -2147483648 is a constant, not the negation of an out-of-range one
      this.next();
      const lit = this.parseNumber(-1);
      return { ...lit, signed: true, pos: pos(t) } as Ast;
    }
    if (this.isPunct('-') || this.isPunct('+')) {
      this.next();
      if (++this.depth > MAX_DEPTH) this.fail(`the query nests more than ${MAX_DEPTH} levels deep`);
      try {
        const arg = this.parseUnary();
        return t.text === '-' ? { k: 'neg', arg, pos: pos(t) } : arg;
      } finally {
        this.depth--;
      }
    }
    if (this.isPunct('~')) this.refuseKnownConstruct(t);
    return this.parsePrimary();
  }

  private parsePrimary(): Ast {
    const t = this.t;
    if (t.kind === 'number') return this.parseNumber(1);
    if (this.isPunct('(')) {
      this.next();
      if (this.isWord('SELECT')) this.unsupported('subquery', this.t, 'subqueries are');
      const e = this.parseExpr();
      if (this.isPunct(',')) this.unsupported('row value', this.t, 'row values ((a, b)) are');
      if (!this.acceptPunct(')')) this.unexpected(') to close the parenthesis');
      return e;
    }
    if (this.isWord('CASE')) return this.parseCase();
    if (t.kind === 'word' && RESERVED.has(t.text.toUpperCase()) && !NAME_IN_EXPRESSION.has(t.text.toUpperCase())) {
      this.refuseKnownConstruct(t);
      this.fail(`expected an expression, found ${describe(t)} (an SQL keyword: write "${t.text}" for a column of that name)`, t);
    }
    if (this.isWord('CAST') && this.isPunct('(', this.peek())) this.unsupported('CAST', t);
    if (t.kind === 'word' && this.isPunct('(', this.peek())) return this.parseCall();
    if (t.kind === 'quoted' || (t.kind === 'word' && (!RESERVED.has(t.text.toUpperCase()) || NAME_IN_EXPRESSION.has(t.text.toUpperCase())))) {
      this.next();
      if (this.isPunct('.')) {
        this.next();
        const col = this.t;
        if (col.kind !== 'word' && col.kind !== 'quoted') this.unexpected('a column name after "."');
        this.next();
        if (this.isPunct('.')) this.unsupported('schema-qualified name', this.t, 'schema-qualified names are');
        return { k: 'ident', name: col.text, quoted: col.kind === 'quoted', table: t.text, pos: pos(t) };
      }
      return { k: 'ident', name: t.text, quoted: t.kind === 'quoted', pos: pos(t) };
    }
    if (this.isPunct('*')) this.fail('* is allowed only as a SELECT item or in COUNT(*)');
    this.unexpected('an expression');
  }

  private parseCase(): Ast {
    const p = pos(this.next()); // CASE
    let subject: Ast | undefined;
    if (!this.isWord('WHEN')) subject = this.parseExpr();
    const whens: { cond: Ast; then: Ast }[] = [];
    while (this.isWord('WHEN')) {
      const wp = pos(this.next());
      let cond = this.parseExpr();
      if (subject) cond = { k: 'cmp', op: '=', left: subject, right: cond, pos: wp };
      if (!this.acceptWord('THEN')) this.unexpected('THEN');
      whens.push({ cond, then: this.parseExpr() });
    }
    if (whens.length === 0) this.unexpected('WHEN');
    if (!this.isWord('ELSE')) {
      if (this.isWord('END')) this.unsupported('CASE without ELSE', this.t, 'CASE without ELSE (it would give NULL) is');
      this.unexpected('WHEN, ELSE or END');
    }
    this.next();
    const otherwise = this.parseExpr();
    if (!this.acceptWord('END')) this.unexpected('END to close CASE');
    return { k: 'case', whens, else: otherwise, pos: p };
  }

  private parseCall(): Ast {
    const t = this.next();
    const name = t.text.toUpperCase();
    if (!AGGREGATES.has(name)) {
      this.unsupported(`${name}()`, t, `the function ${name}() is not supported (the aggregates are SUM, COUNT, MIN, MAX, AVG); it is`);
    }
    const fn = name as AggName;
    this.next(); // (
    let distinct = false;
    let arg: Ast | null;
    if (this.isWord('DISTINCT')) {
      const d = this.next();
      if (fn !== 'COUNT') this.unsupported(`${fn}(DISTINCT …)`, d, `${fn}(DISTINCT …) is`);
      distinct = true;
    } else if (this.isWord('ALL')) this.next();
    if (this.isPunct('*')) {
      const star = this.next();
      if (fn !== 'COUNT' || distinct) this.fail(`${fn}(${distinct ? 'DISTINCT ' : ''}*) is not valid; only COUNT(*) takes *`, star);
      arg = null;
    } else {
      if (this.isPunct(')')) this.fail(`${fn}() needs an argument`);
      arg = this.parseExpr();
    }
    if (this.isPunct(',')) this.unsupported(`${fn} with several arguments`, this.t, `${fn} with more than one argument is`);
    if (this.isWord('ORDER')) this.unsupported('ORDER BY in an aggregate', this.t, 'ORDER BY inside an aggregate is');
    if (!this.acceptPunct(')')) this.unexpected(`) to close ${fn}(`);
    if (this.isWord('OVER')) this.unsupported('window function', this.t, 'window functions (OVER) are');
    if (this.isWord('FILTER')) this.unsupported('FILTER', this.t, 'aggregate FILTER clauses are');
    return { k: 'agg', fn, arg, distinct, pos: pos(t) };
  }
}

/** Parses one SELECT statement (a trailing `;` is allowed). Throws SqlError. */
export function parseSelect(sql: string): SelectAst {
  const ast = new Parser(tokenize(sql)).parseStatement();
  const exprs = [...ast.items.map((i) => i.expr), ast.where, ...ast.groupBy, ast.having, ...ast.orderBy.map((o) => o.expr)];
  for (const e of exprs) {
    if (!e) continue;
    const d = astDepth(e);
    if (d > MAX_AST_DEPTH) {
      // where the expression starts (an operator chain's node sits at its last operator)
      let first: Ast = e;
      for (;;) {
        if (first.k === 'arith' || first.k === 'logic' || first.k === 'cmp') first = first.left;
        else if (first.k === 'between' || first.k === 'in') first = first.arg;
        else break;
      }
      throw new SqlError(`an expression is ${d} operations deep, more than ${MAX_AST_DEPTH}${at(first.pos)}; split it or simplify it`, undefined, first.pos);
    }
  }
  return ast;
}

/** Operator chains (a + a + … + a) make trees as deep as they are long, and the compiler walks trees
 *  recursively: a depth limit keeps hostile input from exhausting the stack. */
export const MAX_AST_DEPTH = 400;

/** The depth of an expression tree, found without recursion. A CASE counts one level per WHEN (it becomes nested
 *  choices); an IN list counts log2 of its length (it becomes a balanced OR). */
export function astDepth(root: Ast): number {
  let max = 0;
  const stack: [Ast, number][] = [[root, 1]];
  while (stack.length) {
    const [n, d] = stack.pop()!;
    if (d > max) max = d;
    switch (n.k) {
      case 'num':
      case 'ident':
        break;
      case 'neg':
      case 'not':
        stack.push([n.arg, d + 1]);
        break;
      case 'arith':
      case 'logic':
      case 'cmp':
        stack.push([n.left, d + 1], [n.right, d + 1]);
        break;
      case 'between':
        stack.push([n.arg, d + 2], [n.lo, d + 2], [n.hi, d + 2]);
        break;
      case 'in': {
        const extra = Math.ceil(Math.log2(n.list.length + 1)) + 1;
        stack.push([n.arg, d + extra]);
        break;
      }
      case 'case':
        n.whens.forEach((w, i) => stack.push([w.cond, d + i + 1], [w.then, d + i + 1]));
        stack.push([n.else, d + n.whens.length]);
        break;
      case 'agg':
        if (n.arg) stack.push([n.arg, d + 1]);
        break;
    }
  }
  return max;
}
