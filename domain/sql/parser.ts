// Recursive-descent parser of the QueryShield SQL subset (the grammar is in README.md next to this file).
// It builds a syntax tree (ast.ts); names are resolved and types checked in compile.ts. Anything outside the
// grammar is a SqlError naming the construct and where it starts. This file is the statement half (SELECT
// and its clauses); expressions.ts parses expressions, token-stream.ts holds the cursor and the errors.

import { SqlError, at } from './errors.js';
import { tokenize } from './lexer.js';
import { INT_MAX, MAX_AST_DEPTH, astDepth, type Ast, type OrderKey, type SelectAst, type SelectItem } from './ast.js';
import { ExpressionParser } from './expressions.js';
import { RESERVED, STATEMENTS, pos } from './token-stream.js';

export { INT_MAX, MAX_AST_DEPTH, astDepth, type AggName, type Ast, type CmpOp, type OrderKey, type SelectAst, type SelectItem } from './ast.js';

class Parser extends ExpressionParser {
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
    const { table, tablePos } = this.parseFrom();
    const ast: SelectAst = { distinct, items, table, tablePos, groupBy: [], orderBy: [] };
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
    if (this.isWord('ORDER')) ast.orderBy = this.parseOrderBy();
    if (this.isWord('LIMIT')) ast.limit = this.parseLimit();
    if (this.t.kind !== 'end' && !this.isPunct(';')) {
      const w = this.word();
      if (w === 'WHERE' || w === 'GROUP' || w === 'HAVING' || w === 'ORDER' || w === 'LIMIT') this.fail(`${w} is out of place: the clauses go SELECT … FROM … WHERE … GROUP BY … HAVING … ORDER BY … LIMIT`);
      this.unexpected(ast.limit !== undefined ? 'the end of the query' : 'a clause (WHERE, GROUP BY, HAVING, ORDER BY, LIMIT) or the end of the query');
    }
    return ast;
  }

  /** FROM and its one table: no join, alias, schema or subquery. */
  private parseFrom(): Pick<SelectAst, 'table' | 'tablePos'> {
    if (!this.isWord('FROM')) {
      if (this.t.kind === 'end') this.fail('the query has no FROM <table>');
      this.unexpected('FROM or a comma');
    }
    this.next();
    const tablePos = pos(this.t);
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
    return { table, tablePos };
  }

  private parseOrderBy(): OrderKey[] {
    this.next(); // ORDER
    if (!this.acceptWord('BY')) this.unexpected('BY after ORDER');
    const keys: OrderKey[] = [];
    do {
      const p = pos(this.t);
      const expr = this.parseExpr();
      let desc = false;
      if (this.acceptWord('DESC')) desc = true;
      else this.acceptWord('ASC');
      if (this.isWord('NULLS')) this.unsupported('NULLS FIRST/LAST', this.t, 'NULLS FIRST/LAST is');
      if (this.isWord('COLLATE')) this.unsupported('COLLATE', this.t);
      keys.push({ expr, desc, pos: p });
    } while (this.acceptPunct(','));
    return keys;
  }

  /** LIMIT takes one non-negative integer constant: no offset, no expression. */
  private parseLimit(): number {
    this.next(); // LIMIT
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
    return n;
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
}

/** Parses one SELECT statement (a trailing `;` is allowed). Throws SqlError. */
export function parseSelect(sql: string): SelectAst {
  const ast = new Parser(tokenize(sql)).parseStatement();
  const exprs = [...ast.items.map((i) => i.expr), ast.where, ...ast.groupBy, ast.having, ...ast.orderBy.map((o) => o.expr)];
  for (const e of exprs) {
    if (!e) continue;
    const d = astDepth(e);
    if (d > MAX_AST_DEPTH) {
      const first = leftmost(e);
      throw new SqlError(`an expression is ${d} operations deep, more than ${MAX_AST_DEPTH}${at(first.pos)}; split it or simplify it`, undefined, first.pos);
    }
  }
  return ast;
}

/** Where the expression starts (an operator chain's node sits at its last operator). */
function leftmost(e: Ast): Ast {
  let first = e;
  for (;;) {
    if (first.k === 'arith' || first.k === 'logic' || first.k === 'cmp') first = first.left;
    else if (first.k === 'between' || first.k === 'in') first = first.arg;
    else return first;
  }
}
