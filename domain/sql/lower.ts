// Lowering: resolved expressions become plan nodes, one node per distinct operation in each phase (the
// row phase before grouping, the group phase after it).

import { typeOf, type Expr, type Interner } from './expr.js';
import type { NodeOp, PlanNode, ValueType } from './plan.js';

/** Nodes of one phase, with equal operations shared. */
export class NodeList {
  readonly nodes: PlanNode[] = [];
  private readonly ids = new Map<string, string>();
  /** interned expression → its node, so that each distinct expression is lowered once */
  readonly lowered = new Map<number, string>();
  constructor(
    private readonly prefix: string,
    readonly interner: Interner,
  ) {}
  add(op: NodeOp, type: ValueType): string {
    const key = JSON.stringify(op);
    const found = this.ids.get(key);
    if (found) return found;
    const id = `${this.prefix}${this.nodes.length}`;
    this.nodes.push({ id, type, ...op } as PlanNode);
    this.ids.set(key, id);
    return id;
  }
}

export function lower(e: Expr, list: NodeList, leaf: (e: Expr) => string | undefined): string {
  const eid = list.interner.id(e);
  const done = list.lowered.get(eid);
  if (done !== undefined) return done;
  const id = lowerOnce(e, list, leaf);
  list.lowered.set(eid, id);
  return id;
}

function lowerOnce(e: Expr, list: NodeList, leaf: (e: Expr) => string | undefined): string {
  const hit = leaf(e);
  if (hit !== undefined) return hit;
  const t = typeOf(e);
  switch (e.k) {
    case 'const':
      return list.add({ op: 'const', value: e.value }, t);
    case 'col':
      return list.add({ op: 'col', column: e.name }, t);
    case 'neg':
    case 'not':
      return list.add({ op: e.k, args: [lower(e.a, list, leaf)] }, t);
    case 'if':
      return list.add({ op: 'if', args: [lower(e.c, list, leaf), lower(e.t, list, leaf), lower(e.e, list, leaf)] }, t);
    case 'agg':
      throw new Error('internal: aggregate lowered in the row phase');
    default:
      return list.add({ op: e.k, args: [lower(e.a, list, leaf), lower(e.b, list, leaf)] } as NodeOp, t);
  }
}
