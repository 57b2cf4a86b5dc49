// From SQL text to an engine plan: parse, resolve names against the schema, check types and grouping, lower
// expressions to column operations (equal expressions share one node). Pure: no Node built-ins.
// The steps live next to this file: parser.ts (text → syntax tree), resolve.ts and clauses.ts (names and
// types), lower.ts (plan nodes); this file puts them in order and lowers each phase.

import { SqlError, at, type SqlPosition } from './errors.js';
import { parseSelect, type SelectAst } from './parser.js';
import { groupKeys, orderKeys, selectAliases, selectItems, type OrderExpr, type OutputItem } from './clauses.js';
import { hasAggregate, Interner, type Expr } from './expr.js';
import { lower, NodeList } from './lower.js';
import { Resolver } from './resolve.js';
import { PLAN_FORMAT, type Plan, type PlanAggregate } from './plan.js';

export { MAX_NAME, VALID_COLUMN } from './clauses.js';

export type CompileResult =
  | { ok: true; plan: Plan; outputs: string[] }
  | { ok: false; error: string; construct?: string; line?: number; column?: number };

/** A query with every name resolved and type checked, not yet lowered. */
interface Resolved {
  items: OutputItem[];
  where?: Expr;
  groupKeys: Expr[];
  having?: Expr;
  orderExprs: OrderExpr[];
  /** an aggregate anywhere (ORDER BY MIN(x) too) makes the query an aggregation */
  aggregated: boolean;
}

/** The clauses in the order their errors are reported: SELECT, WHERE, GROUP BY, HAVING, ORDER BY. */
function resolveQuery(ast: SelectAst, schema: string[]): Resolved {
  const r = new Resolver(schema, ast.table);
  const items = selectItems(ast, schema, r);
  const aliases = selectAliases(items);
  const where = ast.where ? r.bit(ast.where, { clause: 'WHERE' }, 'WHERE') : undefined;
  const keys = groupKeys(ast, items, aliases, r);
  const having = ast.having ? r.bit(ast.having, { clause: 'HAVING', aliases }, 'HAVING') : undefined;
  if (having && keys.length === 0 && !hasAggregate(having) && !items.some((it) => hasAggregate(it.expr))) {
    throw new SqlError(`HAVING needs GROUP BY or an aggregate${at(ast.havingPos)}`, undefined, ast.havingPos);
  }
  const orderExprs = orderKeys(ast, items, aliases, r);
  const aggregated =
    keys.length > 0 || having !== undefined || items.some((it) => hasAggregate(it.expr)) || orderExprs.some((o) => o.expr !== undefined && hasAggregate(o.expr));
  return { items, where, groupKeys: keys, having, orderExprs, aggregated };
}

/** The values of the outputs and of the ORDER BY keys (node ids). */
interface Lowered {
  outputs: string[];
  orderValues: string[];
}

const noLeaf = () => undefined;

/** Without aggregation every value is a row node. */
function lowerRows(q: Resolved, rows: NodeList): Lowered {
  const outputs = q.items.map((it) => lower(it.expr, rows, noLeaf));
  const orderValues = q.orderExprs.map((o) => (o.output !== undefined ? outputs[o.output] : lower(o.expr!, rows, noLeaf)));
  return { outputs, orderValues };
}

/** With aggregation, outputs, HAVING and ORDER BY are group nodes over the keys and the aggregates; a bare
 *  column there is an error (it must be a key or inside an aggregate). */
function lowerGroups(q: Resolved, ast: SelectAst, rows: NodeList, plan: Plan): Lowered {
  const { interner } = rows;
  const groups = new NodeList('g', interner);
  const keyIds = q.groupKeys.map((k) => lower(k, rows, noLeaf));
  const keyIndex = new Map<number, number>();
  q.groupKeys.forEach((k, i) => {
    if (!keyIndex.has(interner.id(k))) keyIndex.set(interner.id(k), i);
  });
  const aggregates: PlanAggregate[] = [];
  const aggIndex = new Map<number, number>();
  const groupLeaf = (clause: string, pos: SqlPosition) => (e: Expr): string | undefined => {
    const ki = keyIndex.get(interner.id(e));
    if (ki !== undefined) return groups.add({ op: 'key', index: ki }, 'int');
    if (e.k === 'agg') {
      const k = interner.id(e);
      let ai = aggIndex.get(k);
      if (ai === undefined) {
        ai = aggregates.length;
        aggregates.push({ op: e.op, arg: e.arg ? lower(e.arg, rows, noLeaf) : null });
        aggIndex.set(k, ai);
      }
      return groups.add({ op: 'agg', index: ai }, 'int');
    }
    if (e.k === 'col') {
      throw new SqlError(`the column ${e.name} in ${clause} must appear in GROUP BY or be inside an aggregate${at(pos)}`, undefined, pos);
    }
    return undefined;
  };
  const outputs = q.items.map((it, i) => lower(it.expr, groups, groupLeaf(`SELECT item ${i + 1}`, it.pos)));
  if (q.having) plan.having = lower(q.having, groups, groupLeaf('HAVING', ast.havingPos!));
  const orderValues = q.orderExprs.map((o) => (o.output !== undefined ? outputs[o.output] : lower(o.expr!, groups, groupLeaf('ORDER BY', o.pos))));
  plan.aggregate = { keys: keyIds, aggregates };
  plan.groupNodes = groups.nodes;
  if (q.groupKeys.length === 0) plan.outputRows.base = 'one';
  return { outputs, orderValues };
}

function compileAst(ast: SelectAst, schema: string[]): { plan: Plan; outputs: string[] } {
  const q = resolveQuery(ast, schema);
  const rows = new NodeList('r', new Interner());
  const filter = q.where ? lower(q.where, rows, noLeaf) : null;
  const plan: Plan = {
    format: PLAN_FORMAT,
    table: ast.table,
    columns: [],
    rowNodes: rows.nodes,
    filter,
    aggregate: null,
    groupNodes: [],
    having: null,
    outputs: [],
    distinct: ast.distinct,
    orderBy: [],
    limit: ast.limit ?? null,
    outputRows: { base: 'input_rows', limit: ast.limit ?? null },
  };
  const { outputs, orderValues } = q.aggregated ? lowerGroups(q, ast, rows, plan) : lowerRows(q, rows);
  if (ast.distinct) {
    orderValues.forEach((v, i) => {
      if (!outputs.includes(v)) {
        const p = q.orderExprs[i].pos;
        throw new SqlError(`with SELECT DISTINCT, an ORDER BY key must be one of the SELECT items${at(p)}`, undefined, p);
      }
    });
  }
  plan.outputs = q.items.map((it, i) => ({ name: it.name, value: outputs[i] }));
  plan.orderBy = orderValues.map((value, i) => ({ value, desc: q.orderExprs[i].desc }));
  const used = new Set(rows.nodes.flatMap((n) => (n.op === 'col' ? [n.column] : [])));
  plan.columns = schema.filter((c) => used.has(c));
  return { plan, outputs: plan.outputs.map((o) => o.name) };
}

/** Compiles one query over a table with the given schema columns, or says why it cannot (an HTTP 400 naming
 *  `query_sql`; `construct` names the unsupported construct when that is the reason). */
export function compileSql(sql: string, schema: string[]): CompileResult {
  try {
    const ast = parseSelect(sql);
    return { ok: true, ...compileAst(ast, schema) };
  } catch (err) {
    if (err instanceof RangeError) {
      // a safety net: the depth limits should keep every query far from the stack's end
      return { ok: false, error: 'the query is too complex to compile (nested too deeply)' };
    }
    if (err instanceof SqlError) {
      return {
        ok: false,
        error: err.message,
        ...(err.construct !== undefined ? { construct: err.construct } : {}),
        ...(err.position ? { line: err.position.line, column: err.position.column } : {}),
      };
    }
    throw err;
  }
}
