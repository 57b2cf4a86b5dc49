// The expression half of the parser: precedence climbing from OR down to primaries (names, constants,
// parentheses, CASE, aggregate calls), refusing constructs outside the grammar where they start.

import { INT_MAX, type AggName, type Ast, type CmpOp } from './ast.js';
import type { Token } from './lexer.js';
import { AGGREGATES, NAME_IN_EXPRESSION, RESERVED, TokenStream, describe, pos } from './token-stream.js';

export class ExpressionParser extends TokenStream {
  parseExpr(): Ast {
    return this.nested(() => this.parseOr());
  }

  protected parseOr(): Ast {
    let left = this.parseAnd();
    while (this.isWord('OR')) {
      const p = pos(this.next());
      left = { k: 'logic', op: 'OR', left, right: this.parseAnd(), pos: p };
    }
    return left;
  }

  protected parseAnd(): Ast {
    let left = this.parseNot();
    while (this.isWord('AND')) {
      const p = pos(this.next());
      left = { k: 'logic', op: 'AND', left, right: this.parseNot(), pos: p };
    }
    return left;
  }

  protected parseNot(): Ast {
    if (this.isWord('NOT')) {
      const p = pos(this.next());
      if (this.isWord('EXISTS')) this.unsupported('EXISTS', this.t);
      return this.nested((): Ast => ({ k: 'not', arg: this.parseNot(), pos: p }));
    }
    return this.parseComparison();
  }

  protected parseComparison(): Ast {
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
  protected refuseKnownComparison(t: Token): void {
    const w = this.word(t);
    if (w && ['IS', 'ISNULL', 'NOTNULL', 'LIKE', 'GLOB', 'REGEXP', 'MATCH', 'COLLATE', 'ESCAPE'].includes(w)) this.refuseKnownConstruct(t);
    if (t.kind === 'punct' && ['/', '%', '||', '==', '&', '|', '<<', '>>', '::'].includes(t.text)) this.refuseKnownConstruct(t);
  }

  /** IN takes constants: integers, possibly signed. */
  protected parseInConstant(): Ast {
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

  protected parseNumber(sign: number): Ast {
    const t = this.next();
    this.refuseKnownConstruct(t);
    const big = BigInt(t.text) * BigInt(sign);
    if (big > BigInt(INT_MAX) || big < -BigInt(INT_MAX) - 1n) {
      this.fail(`${sign < 0 ? '-' : ''}${t.text} is outside the signed 32-bit range`, t);
    }
    return { k: 'num', value: Number(big), pos: pos(t) };
  }

  protected parseAdditive(): Ast {
    let left = this.parseMultiplicative();
    while (this.isPunct('+') || this.isPunct('-')) {
      const t = this.next();
      left = { k: 'arith', op: t.text as '+' | '-', left, right: this.parseMultiplicative(), pos: pos(t) };
    }
    if (this.isPunct('||')) this.refuseKnownConstruct(this.t);
    return left;
  }

  protected parseMultiplicative(): Ast {
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

  protected parseUnary(): Ast {
    const t = this.t;
    if (this.isPunct('-') && this.peek().kind === 'number') {
      // a negative literal: -2147483648 is a constant, not the negation of an out-of-range one
      this.next();
      const lit = this.parseNumber(-1);
      return { ...lit, signed: true, pos: pos(t) } as Ast;
    }
    if (this.isPunct('-') || this.isPunct('+')) {
      this.next();
      return this.nested((): Ast => {
        const arg = this.parseUnary();
        return t.text === '-' ? { k: 'neg', arg, pos: pos(t) } : arg;
      });
    }
    if (this.isPunct('~')) this.refuseKnownConstruct(t);
    return this.parsePrimary();
  }

  protected parsePrimary(): Ast {
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

  protected parseCase(): Ast {
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

  protected parseCall(): Ast {
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
