// Names resolved against the schema (and SELECT aliases where a clause allows them), types checked:
// a syntax tree becomes an Expr, or a SqlError says which name or operand is wrong and where.

import { SqlError, at, type SqlPosition } from './errors.js';
import type { AggName, Ast } from './ast.js';
import { hasAggregate, typeOf, type Expr } from './expr.js';
import type { AggregateOp } from './plan.js';

const CMP = { '=': 'eq', '<>': 'ne', '<': 'lt', '<=': 'le', '>': 'gt', '>=': 'ge' } as const;
const AGG_OP: Record<AggName, AggregateOp> = { SUM: 'sum', COUNT: 'count', MIN: 'min', MAX: 'max', AVG: 'avg' };

export type Clause = 'SELECT' | 'WHERE' | 'GROUP BY' | 'HAVING' | 'ORDER BY';

export interface Scope {
  clause: Clause;
  /** select aliases usable here (by lower-case name); undefined: none */
  aliases?: Map<string, { expr: Expr; index: number }>;
  /** inside an aggregate's argument */
  inAggregate?: boolean;
}

export class Resolver {
  private readonly byLower = new Map<string, string[]>();
  constructor(
    private readonly schema: string[],
    private readonly table: string,
  ) {
    for (const c of schema) {
      const l = c.toLowerCase();
      this.byLower.set(l, [...(this.byLower.get(l) ?? []), c]);
    }
  }

  column(name: string): string | undefined {
    if (this.schema.includes(name)) return name;
    const found = this.byLower.get(name.toLowerCase());
    return found && found.length === 1 ? found[0] : undefined;
  }

  private unknown(name: string, p: SqlPosition): never {
    const cols = this.schema.join(', ') || '(none)';
    throw new SqlError(`unknown column ${JSON.stringify(name)}${at(p)}; the schema's columns are: ${cols}`, undefined, p);
  }

  resolve(ast: Ast, scope: Scope): Expr {
    switch (ast.k) {
      case 'num':
        return { k: 'const', value: ast.value };
      case 'ident':
        return this.name(ast, scope);
      case 'neg': {
        // - (7) is the constant -7, as -7 is: equal expressions must resolve alike (GROUP BY, DISTINCT … ORDER BY)
        const a = this.int(ast.arg, scope, 'the operand of -');
        return a.k === 'const' ? { k: 'const', value: -a.value | 0 } : { k: 'neg', a };
      }
      case 'arith': {
        const k = ast.op === '+' ? 'add' : ast.op === '-' ? 'sub' : 'mul';
        return { k, a: this.int(ast.left, scope, `the operands of ${ast.op}`), b: this.int(ast.right, scope, `the operands of ${ast.op}`) };
      }
      case 'cmp':
        return { k: CMP[ast.op], a: this.int(ast.left, scope, `the operands of ${ast.op}`), b: this.int(ast.right, scope, `the operands of ${ast.op}`) };
      case 'between': {
        const x = this.int(ast.arg, scope, 'BETWEEN');
        const inside: Expr = { k: 'and', a: { k: 'ge', a: x, b: this.int(ast.lo, scope, 'BETWEEN') }, b: { k: 'le', a: x, b: this.int(ast.hi, scope, 'BETWEEN') } };
        return ast.not ? { k: 'not', a: inside } : inside;
      }
      case 'in':
        return this.inList(ast, scope);
      case 'logic': {
        const k = ast.op === 'AND' ? 'and' : 'or';
        return { k, a: this.bit(ast.left, scope, `the operands of ${ast.op}`), b: this.bit(ast.right, scope, `the operands of ${ast.op}`) };
      }
      case 'not':
        return { k: 'not', a: this.bit(ast.arg, scope, 'the operand of NOT') };
      case 'case': {
        let e = this.int(ast.else, scope, 'ELSE');
        for (let i = ast.whens.length - 1; i >= 0; i--) {
          const w = ast.whens[i];
          e = { k: 'if', c: this.bit(w.cond, scope, 'WHEN'), t: this.int(w.then, scope, 'THEN'), e };
        }
        return e;
      }
      case 'agg':
        return this.aggregate(ast, scope);
    }
  }

  /** A column (bare or table-qualified), or a SELECT alias where the clause allows one. */
  private name(ast: Extract<Ast, { k: 'ident' }>, scope: Scope): Expr {
    if (ast.table !== undefined) {
      if (ast.table.toLowerCase() !== this.table.toLowerCase()) {
        throw new SqlError(`unknown table ${JSON.stringify(ast.table)} in ${ast.table}.${ast.name}${at(ast.pos)}; the query reads ${this.table}`, undefined, ast.pos);
      }
      const c = this.column(ast.name);
      if (!c) this.unknown(ast.name, ast.pos);
      return { k: 'col', name: c };
    }
    const c = this.column(ast.name);
    if (c) return { k: 'col', name: c };
    const alias = scope.aliases?.get(ast.name.toLowerCase());
    if (alias) {
      if (scope.inAggregate && hasAggregate(alias.expr)) {
        throw new SqlError(`the alias ${ast.name} stands for an aggregate and cannot be used inside another aggregate${at(ast.pos)}`, undefined, ast.pos);
      }
      if (scope.clause === 'GROUP BY' && hasAggregate(alias.expr)) {
        throw new SqlError(`GROUP BY ${ast.name}: the alias stands for an aggregate${at(ast.pos)}`, undefined, ast.pos);
      }
      return alias.expr;
    }
    return this.unknown(ast.name, ast.pos);
  }

  /** x IN (c1, c2, …) as a balanced OR of equalities: a long IN list stays shallow. */
  private inList(ast: Extract<Ast, { k: 'in' }>, scope: Scope): Expr {
    const x = this.int(ast.arg, scope, 'IN');
    const eqs: Expr[] = ast.list.map((c) => ({ k: 'eq', a: x, b: this.int(c, scope, 'IN') }));
    const any = (lo: number, hi: number): Expr => {
      if (hi - lo === 1) return eqs[lo];
      const mid = (lo + hi) >> 1;
      return { k: 'or', a: any(lo, mid), b: any(mid, hi) };
    };
    return ast.not ? { k: 'not', a: any(0, eqs.length) } : any(0, eqs.length);
  }

  /** An aggregate, where the clause allows one and not inside another. */
  private aggregate(ast: Extract<Ast, { k: 'agg' }>, scope: Scope): Expr {
    if (scope.clause === 'WHERE') throw new SqlError(`aggregates (${ast.fn}) are not allowed in WHERE; use HAVING${at(ast.pos)}`, undefined, ast.pos);
    if (scope.clause === 'GROUP BY') throw new SqlError(`aggregates (${ast.fn}) are not allowed in GROUP BY${at(ast.pos)}`, undefined, ast.pos);
    if (scope.inAggregate) throw new SqlError(`an aggregate (${ast.fn}) inside another aggregate is not allowed${at(ast.pos)}`, undefined, ast.pos);
    if (ast.arg === null) return { k: 'agg', op: 'count', arg: null };
    const arg = this.int(ast.arg, { ...scope, inAggregate: true }, `${ast.fn}(…)`);
    if (ast.fn === 'COUNT') return ast.distinct ? { k: 'agg', op: 'count_distinct', arg } : { k: 'agg', op: 'count', arg: null };
    return { k: 'agg', op: AGG_OP[ast.fn], arg };
  }

  int(ast: Ast, scope: Scope, where: string): Expr {
    const e = this.resolve(ast, scope);
    if (typeOf(e) !== 'int') {
      throw new SqlError(`${where} must be a number, not a condition${at(ast.pos)}`, undefined, ast.pos);
    }
    return e;
  }

  bit(ast: Ast, scope: Scope, where: string): Expr {
    const e = this.resolve(ast, scope);
    if (typeOf(e) !== 'bit') {
      throw new SqlError(`${where} must be a condition (a comparison), not a number${at(ast.pos)}`, undefined, ast.pos);
    }
    return e;
  }
}
