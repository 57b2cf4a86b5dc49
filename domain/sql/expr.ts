// The compiler's resolved, typed expressions, with the two questions every later step asks of them
// (is there an aggregate inside? which expressions are equal?) answered once per object.

import type { AggregateOp, ValueType } from './plan.js';

/** A resolved, typed expression. */
export type Expr =
  | { k: 'col'; name: string }
  | { k: 'const'; value: number }
  | { k: 'neg'; a: Expr }
  | { k: 'add' | 'sub' | 'mul'; a: Expr; b: Expr }
  | { k: 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge'; a: Expr; b: Expr }
  | { k: 'and' | 'or'; a: Expr; b: Expr }
  | { k: 'not'; a: Expr }
  | { k: 'if'; c: Expr; t: Expr; e: Expr }
  | { k: 'agg'; op: AggregateOp; arg: Expr | null };

export const typeOf = (e: Expr): ValueType =>
  ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'and', 'or', 'not'].includes(e.k) ? 'bit' : 'int';
/** Structural identity of expressions: equal expressions get equal numbers, each object is looked at once. An
 *  alias stands for one shared object however often it is named, so memoizing by object keeps the work linear in
 *  the query's length (walking the expanded trees took minutes on a 2,400-character query). */
export class Interner {
  private readonly memo = new WeakMap<Expr, number>();
  private readonly table = new Map<string, number>();
  id(e: Expr): number {
    const m = this.memo.get(e);
    if (m !== undefined) return m;
    let sig: string;
    switch (e.k) {
      case 'col':
        sig = `col ${JSON.stringify(e.name)}`;
        break;
      case 'const':
        sig = `const ${e.value}`;
        break;
      case 'agg':
        sig = `agg ${e.op} ${e.arg ? this.id(e.arg) : ''}`;
        break;
      case 'neg':
      case 'not':
        sig = `${e.k} ${this.id(e.a)}`;
        break;
      case 'if':
        sig = `if ${this.id(e.c)} ${this.id(e.t)} ${this.id(e.e)}`;
        break;
      default:
        sig = `${e.k} ${this.id(e.a)} ${this.id(e.b)}`;
    }
    let id = this.table.get(sig);
    if (id === undefined) {
      id = this.table.size;
      this.table.set(sig, id);
    }
    this.memo.set(e, id);
    return id;
  }
}

const aggregateMemo = new WeakMap<Expr, boolean>();
export const hasAggregate = (e: Expr): boolean => {
  const m = aggregateMemo.get(e);
  if (m !== undefined) return m;
  let r: boolean;
  switch (e.k) {
    case 'agg':
      r = true;
      break;
    case 'col':
    case 'const':
      r = false;
      break;
    case 'neg':
    case 'not':
      r = hasAggregate(e.a);
      break;
    case 'if':
      r = hasAggregate(e.c) || hasAggregate(e.t) || hasAggregate(e.e);
      break;
    default:
      r = hasAggregate(e.a) || hasAggregate(e.b);
  }
  aggregateMemo.set(e, r);
  return r;
};
