// The plaintext reference of a plan: exactly the table the engine's result files rebuild to (int32 arithmetic
// mod 2^32, signed comparisons, padding to the public row count, `_valid`, invalid rows all 0). Positions of
// valid rows are the engine's business when the plan has no ORDER BY (it shuffles); compare those as multisets.
// Pure: no Node built-ins.

import { VALID_COLUMN } from './compile.js';
import { outputRowCount, type Plan, type PlanNode } from './plan.js';

export interface Table {
  columns: string[];
  /** row-major, every value a signed 32-bit integer */
  rows: number[][];
}

const INT32 = (x: number) => x | 0;

type Binary = (x: number, y: number) => number;

/** Element-wise operators on int32 columns (Int32Array stores every result mod 2^32). */
const BINARY: Record<string, Binary> = {
  add: (x, y) => x + y,
  sub: (x, y) => x - y,
  mul: (x, y) => Math.imul(x, y),
  eq: (x, y) => +(x === y),
  ne: (x, y) => +(x !== y),
  lt: (x, y) => +(x < y),
  le: (x, y) => +(x <= y),
  gt: (x, y) => +(x > y),
  ge: (x, y) => +(x >= y),
  and: (x, y) => x & y,
  or: (x, y) => x | y,
};

/** One node's column over `count` rows, from its arguments' columns (or the phase's leaves). */
function evalNode(n: PlanNode, count: number, leaf: (n: PlanNode) => Int32Array, values: Map<string, Int32Array>): Int32Array {
  const out = new Int32Array(count);
  const arg = (i: number) => values.get((n as { args: string[] }).args[i])!;
  if (n.op === 'col' || n.op === 'key' || n.op === 'agg') out.set(leaf(n));
  else if (n.op === 'const') out.fill(n.value);
  else if (n.op === 'neg') out.set(arg(0).map((x) => -x));
  else if (n.op === 'not') out.set(arg(0).map((x) => x ^ 1));
  else if (n.op === 'if') {
    const [c, t, e] = [arg(0), arg(1), arg(2)];
    for (let i = 0; i < count; i++) out[i] = c[i] ? t[i] : e[i];
  } else {
    const [a, b, f] = [arg(0), arg(1), BINARY[n.op]];
    for (let i = 0; i < count; i++) out[i] = f(a[i], b[i]);
  }
  return out;
}

/** Evaluates one phase's nodes over `count` rows, column by column. */
function evalNodes(nodes: PlanNode[], count: number, leaf: (n: PlanNode) => Int32Array, values: Map<string, Int32Array>): void {
  for (const n of nodes) values.set(n.id, evalNode(n, count, leaf, values));
}

/** Integer average of a 32-bit sum (read signed) over a count, truncated toward zero; 0 for no rows. */
export const avg32 = (sum: number, count: number) => (count === 0 ? 0 : INT32(Math.trunc(INT32(sum) / count)));

/** A phase's result before DISTINCT / ORDER BY / LIMIT: its row count, their validity and its values. */
interface Phase {
  count: number;
  valid: Int32Array;
  values: Map<string, Int32Array>;
}

/** The groups among the filter's rows, in order of first appearance; no keys: one group of every valid row. */
function groupRows(keyCols: Int32Array[], filter: Int32Array): number[][] {
  const groups: number[][] = keyCols.length === 0 ? [[]] : [];
  const byKey = new Map<string, number[]>();
  for (let i = 0; i < filter.length; i++) {
    if (!filter[i]) continue;
    if (keyCols.length === 0) {
      groups[0].push(i);
      continue;
    }
    const k = keyCols.map((c) => c[i]).join(',');
    let g = byKey.get(k);
    if (!g) byKey.set(k, (g = [])), groups.push(g);
    g.push(i);
  }
  return groups;
}

type AggregateOp = NonNullable<Plan['aggregate']>['aggregates'][number]['op'];

/** One aggregate over one group's argument values (`rows` its size, for COUNT(*)). */
function aggregateOf(op: AggregateOp, xs: number[], rows: number): number {
  const sum = () => xs.reduce((s, x) => (s + x) | 0, 0);
  if (op === 'count') return rows;
  if (op === 'count_distinct') return new Set(xs).size;
  if (op === 'sum') return sum();
  if (op === 'avg') return avg32(sum(), xs.length);
  if (xs.length === 0) return 0;
  return op === 'min' ? xs.reduce((m, x) => Math.min(m, x)) : xs.reduce((m, x) => Math.max(m, x));
}

/** GROUP BY (or a whole-table aggregate), then the group phase's nodes and HAVING. */
function aggregatePhase(plan: Plan, n: number, rowValues: Map<string, Int32Array>, filter: Int32Array): Phase {
  const { keys, aggregates } = plan.aggregate!;
  const keyCols = keys.map((k) => rowValues.get(k)!);
  const groups = groupRows(keyCols, filter);
  const count = keys.length === 0 ? 1 : n;
  const valid = new Int32Array(count);
  valid.fill(1, 0, groups.length);
  const perGroup = (f: (g: number[]) => number) => {
    const out = new Int32Array(count);
    groups.forEach((g, gi) => (out[gi] = f(g)));
    return out;
  };
  const keyValues = keyCols.map((c) => perGroup((g) => c[g[0]]));
  const aggValues = aggregates.map((a) => {
    const arg = a.arg ? rowValues.get(a.arg)! : undefined;
    return perGroup((g) => aggregateOf(a.op, arg ? g.map((i) => arg[i]) : [], g.length));
  });
  const values = new Map<string, Int32Array>();
  evalNodes(plan.groupNodes, count, (node) => (node.op === 'key' ? keyValues[node.index] : aggValues[(node as { index: number }).index]), values);
  if (plan.having) {
    const h = values.get(plan.having)!;
    for (let i = 0; i < count; i++) valid[i] &= h[i];
  }
  return { count, valid, values };
}

/** DISTINCT, then valid rows first in ORDER BY order (stable: the engine's tie order is unspecified), padded. */
function finish(plan: Plan, n: number, { count, valid, values }: Phase): Table {
  const outCols = plan.outputs.map((o) => values.get(o.value)!);
  const orderCols = plan.orderBy.map((o) => ({ col: values.get(o.value)!, desc: o.desc }));
  let order = Array.from({ length: count }, (_, i) => i);
  if (plan.distinct) {
    const seen = new Set<string>();
    for (const i of order) {
      if (!valid[i]) continue;
      const k = outCols.map((c) => c[i]).join(',');
      if (seen.has(k)) valid[i] = 0;
      else seen.add(k);
    }
  }
  order = order.sort((a, b) => {
    if (valid[a] !== valid[b]) return valid[b] - valid[a];
    for (const { col, desc } of orderCols) if (col[a] !== col[b]) return (col[a] < col[b] ? -1 : 1) * (desc ? -1 : 1);
    return a - b;
  });
  order = order.slice(0, outputRowCount(plan, n));
  const rows = order.map((i) => (valid[i] ? [...outCols.map((c) => c[i]), 1] : new Array<number>(outCols.length + 1).fill(0)));
  return { columns: [...plan.outputs.map((o) => o.name), VALID_COLUMN], rows };
}

/** Runs a plan on a plaintext table; returns the padded output with `_valid` as its last column. */
export function evaluatePlan(plan: Plan, input: Table): Table {
  const n = input.rows.length;
  const colIndex = new Map(input.columns.map((c, i) => [c, i]));
  for (const c of plan.columns) if (!colIndex.has(c)) throw new Error(`the input has no column ${c}`);
  const rowValues = new Map<string, Int32Array>();
  evalNodes(plan.rowNodes, n, (node) => {
    const ci = colIndex.get((node as { column: string }).column)!;
    return Int32Array.from(input.rows, (r) => r[ci]);
  }, rowValues);
  const filter = plan.filter ? rowValues.get(plan.filter)! : new Int32Array(n).fill(1);
  const phase = plan.aggregate === null ? { count: n, valid: Int32Array.from(filter), values: rowValues } : aggregatePhase(plan, n, rowValues, filter);
  return finish(plan, n, phase);
}

/** The result as an analyst reads it: the valid rows, in order, without `_valid` (what `qs result` prints). */
export function resultRows(output: Table): Table {
  const last = output.columns.length - 1;
  if (output.columns[last] !== VALID_COLUMN) throw new Error(`the last column must be ${VALID_COLUMN}`);
  return { columns: output.columns.slice(0, last), rows: output.rows.filter((r) => r[last] === 1).map((r) => r.slice(0, last)) };
}
