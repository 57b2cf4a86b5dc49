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

/** Evaluates one phase's nodes over `count` rows, column by column. */
function evalNodes(
  nodes: PlanNode[],
  count: number,
  leaf: (n: PlanNode) => Int32Array,
  values: Map<string, Int32Array>,
): void {
  for (const n of nodes) {
    const out = new Int32Array(count);
    const arg = (i: number) => values.get((n as { args: string[] }).args[i])!;
    switch (n.op) {
      case 'col':
      case 'key':
      case 'agg':
        out.set(leaf(n));
        break;
      case 'const':
        out.fill(n.value);
        break;
      case 'neg': {
        const a = arg(0);
        for (let i = 0; i < count; i++) out[i] = -a[i]; // Int32Array stores mod 2^32
        break;
      }
      case 'add': {
        const [a, b] = [arg(0), arg(1)];
        for (let i = 0; i < count; i++) out[i] = a[i] + b[i];
        break;
      }
      case 'sub': {
        const [a, b] = [arg(0), arg(1)];
        for (let i = 0; i < count; i++) out[i] = a[i] - b[i];
        break;
      }
      case 'mul': {
        const [a, b] = [arg(0), arg(1)];
        for (let i = 0; i < count; i++) out[i] = Math.imul(a[i], b[i]);
        break;
      }
      case 'eq':
      case 'ne':
      case 'lt':
      case 'le':
      case 'gt':
      case 'ge': {
        const [a, b] = [arg(0), arg(1)];
        const f = { eq: (x: number, y: number) => x === y, ne: (x: number, y: number) => x !== y, lt: (x: number, y: number) => x < y, le: (x: number, y: number) => x <= y, gt: (x: number, y: number) => x > y, ge: (x: number, y: number) => x >= y }[n.op];
        for (let i = 0; i < count; i++) out[i] = f(a[i], b[i]) ? 1 : 0;
        break;
      }
      case 'and': {
        const [a, b] = [arg(0), arg(1)];
        for (let i = 0; i < count; i++) out[i] = a[i] & b[i];
        break;
      }
      case 'or': {
        const [a, b] = [arg(0), arg(1)];
        for (let i = 0; i < count; i++) out[i] = a[i] | b[i];
        break;
      }
      case 'not': {
        const a = arg(0);
        for (let i = 0; i < count; i++) out[i] = a[i] ^ 1;
        break;
      }
      case 'if': {
        const [c, t, e] = [arg(0), arg(1), arg(2)];
        for (let i = 0; i < count; i++) out[i] = c[i] ? t[i] : e[i];
        break;
      }
    }
    values.set(n.id, out);
  }
}

/** Integer average of a 32-bit sum (read signed) over a count, truncated toward zero; 0 for no rows. */
export const avg32 = (sum: number, count: number) => (count === 0 ? 0 : INT32(Math.trunc(INT32(sum) / count)));

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

  // the table before DISTINCT / ORDER BY / LIMIT: its rows, their validity, and the phase's values
  let count: number;
  let valid: Int32Array;
  let values: Map<string, Int32Array>;
  if (plan.aggregate === null) {
    count = n;
    valid = Int32Array.from(filter);
    values = rowValues;
  } else {
    const { keys, aggregates } = plan.aggregate;
    const keyCols = keys.map((k) => rowValues.get(k)!);
    // groups among valid rows, in order of first appearance; no keys: one group of every valid row
    const groups: number[][] = [];
    if (keys.length === 0) groups.push([]);
    const byKey = new Map<string, number[]>();
    for (let i = 0; i < n; i++) {
      if (!filter[i]) continue;
      if (keys.length === 0) {
        groups[0].push(i);
        continue;
      }
      const k = keyCols.map((c) => c[i]).join(',');
      let g = byKey.get(k);
      if (!g) {
        g = [];
        byKey.set(k, g);
        groups.push(g);
      }
      g.push(i);
    }
    count = keys.length === 0 ? 1 : n;
    valid = new Int32Array(count);
    for (let g = 0; g < groups.length; g++) valid[g] = 1;
    const keyValues = keyCols.map((c) => {
      const out = new Int32Array(count);
      groups.forEach((g, gi) => (out[gi] = c[g[0]]));
      return out;
    });
    const aggValues = aggregates.map((a) => {
      const out = new Int32Array(count);
      const arg = a.arg ? rowValues.get(a.arg)! : undefined;
      groups.forEach((g, gi) => {
        const xs = arg ? g.map((i) => arg[i]) : [];
        switch (a.op) {
          case 'count':
            out[gi] = g.length;
            break;
          case 'count_distinct':
            out[gi] = new Set(xs).size;
            break;
          case 'sum':
            out[gi] = xs.reduce((s, x) => (s + x) | 0, 0);
            break;
          case 'min':
            out[gi] = xs.length ? xs.reduce((m, x) => Math.min(m, x)) : 0;
            break;
          case 'max':
            out[gi] = xs.length ? xs.reduce((m, x) => Math.max(m, x)) : 0;
            break;
          case 'avg':
            out[gi] = avg32(xs.reduce((s, x) => (s + x) | 0, 0), xs.length);
            break;
        }
      });
      return out;
    });
    values = new Map();
    evalNodes(plan.groupNodes, count, (node) => (node.op === 'key' ? keyValues[node.index] : aggValues[(node as { index: number }).index]), values);
    if (plan.having) {
      const h = values.get(plan.having)!;
      for (let i = 0; i < count; i++) valid[i] &= h[i];
    }
  }

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
  // valid rows first, then by the ORDER BY keys; stable (ties keep their order; the engine's tie order is unspecified)
  order = order.sort((a, b) => {
    if (valid[a] !== valid[b]) return valid[b] - valid[a];
    for (const { col, desc } of orderCols) {
      if (col[a] !== col[b]) return (col[a] < col[b] ? -1 : 1) * (desc ? -1 : 1);
    }
    return a - b;
  });
  const size = outputRowCount(plan, n);
  order = order.slice(0, size);
  const rows = order.map((i) => (valid[i] ? [...outCols.map((c) => c[i]), 1] : new Array<number>(outCols.length + 1).fill(0)));
  return { columns: [...plan.outputs.map((o) => o.name), VALID_COLUMN], rows };
}

/** The result as an analyst reads it: the valid rows, in order, without `_valid` (what `qs result` prints). */
export function resultRows(output: Table): Table {
  const last = output.columns.length - 1;
  if (output.columns[last] !== VALID_COLUMN) throw new Error(`the last column must be ${VALID_COLUMN}`);
  return { columns: output.columns.slice(0, last), rows: output.rows.filter((r) => r[last] === 1).map((r) => r.slice(0, last)) };
}
