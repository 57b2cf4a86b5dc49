// From SQL text to an engine plan: parse, resolve names against the schema, check types and grouping, lower
// expressions to column operations (equal expressions share one node). Pure: no Node built-ins.

import { SqlError, at, type SqlPosition } from './errors.js';
import { parseSelect, type AggName, type Ast, type SelectAst } from './parser.js';
import { PLAN_FORMAT, type AggregateOp, type NodeOp, type Plan, type PlanAggregate, type PlanNode, type ValueType } from './plan.js';

export type CompileResult =
  | { ok: true; plan: Plan; outputs: string[] }
  | { ok: false; error: string; construct?: string; line?: number; column?: number };

/** The same limit the API puts on schema column names, so every output name fits a share header. */
export const MAX_NAME = 63;
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const VALID_COLUMN = '_valid';

/** A resolved, typed expression. */
type Expr =
  | { k: 'col'; name: string }
  | { k: 'const'; value: number }
  | { k: 'neg'; a: Expr }
  | { k: 'add' | 'sub' | 'mul'; a: Expr; b: Expr }
  | { k: 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge'; a: Expr; b: Expr }
  | { k: 'and' | 'or'; a: Expr; b: Expr }
  | { k: 'not'; a: Expr }
  | { k: 'if'; c: Expr; t: Expr; e: Expr }
  | { k: 'agg'; op: AggregateOp; arg: Expr | null };

const typeOf = (e: Expr): ValueType =>
  ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'and', 'or', 'not'].includes(e.k) ? 'bit' : 'int';
/** Structural identity of expressions: equal expressions get equal numbers, each object is looked at once. An
 *  alias stands for one shared object however often it is named, so memoizing by object keeps the work linear in
 *  the query's length (walking the expanded trees took minutes on a 2,400-character query). */
class Interner {
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
const hasAggregate = (e: Expr): boolean => {
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
const CMP = { '=': 'eq', '<>': 'ne', '<': 'lt', '<=': 'le', '>': 'gt', '>=': 'ge' } as const;
const AGG_OP: Record<AggName, AggregateOp> = { SUM: 'sum', COUNT: 'count', MIN: 'min', MAX: 'max', AVG: 'avg' };

type Clause = 'SELECT' | 'WHERE' | 'GROUP BY' | 'HAVING' | 'ORDER BY';

interface Scope {
  clause: Clause;
  /** select aliases usable here (by lower-case name); undefined: none */
  aliases?: Map<string, { expr: Expr; index: number }>;
  /** inside an aggregate's argument */
  inAggregate?: boolean;
}

class Resolver {
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
      case 'ident': {
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
      case 'in': {
        const x = this.int(ast.arg, scope, 'IN');
        // a balanced OR of equalities: a long IN list stays shallow
        const eqs: Expr[] = ast.list.map((c) => ({ k: 'eq', a: x, b: this.int(c, scope, 'IN') }));
        const any = (lo: number, hi: number): Expr => {
          if (hi - lo === 1) return eqs[lo];
          const mid = (lo + hi) >> 1;
          return { k: 'or', a: any(lo, mid), b: any(mid, hi) };
        };
        return ast.not ? { k: 'not', a: any(0, eqs.length) } : any(0, eqs.length);
      }
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
      case 'agg': {
        if (scope.clause === 'WHERE') throw new SqlError(`aggregates (${ast.fn}) are not allowed in WHERE; use HAVING${at(ast.pos)}`, undefined, ast.pos);
        if (scope.clause === 'GROUP BY') throw new SqlError(`aggregates (${ast.fn}) are not allowed in GROUP BY${at(ast.pos)}`, undefined, ast.pos);
        if (scope.inAggregate) throw new SqlError(`an aggregate (${ast.fn}) inside another aggregate is not allowed${at(ast.pos)}`, undefined, ast.pos);
        if (ast.arg === null) return { k: 'agg', op: 'count', arg: null };
        const arg = this.int(ast.arg, { ...scope, inAggregate: true }, `${ast.fn}(…)`);
        if (ast.fn === 'COUNT') return ast.distinct ? { k: 'agg', op: 'count_distinct', arg } : { k: 'agg', op: 'count', arg: null };
        return { k: 'agg', op: AGG_OP[ast.fn], arg };
      }
    }
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

/** Nodes of one phase, with equal operations shared. */
class NodeList {
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

function lower(e: Expr, list: NodeList, leaf: (e: Expr) => string | undefined): string {
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

function outputName(ast: Ast | null, alias: string | undefined, index: number, resolved: Expr): string {
  if (alias !== undefined) return alias;
  if (ast?.k === 'ident' && resolved.k === 'col') return resolved.name;
  if (ast?.k === 'agg' && resolved.k === 'agg') {
    if (ast.arg === null) return 'count';
    if (ast.arg.k === 'ident' && resolved.arg?.k === 'col') {
      const c = resolved.arg.name;
      if (ast.fn === 'COUNT') return ast.distinct ? `count_distinct_${c}` : `count_${c}`;
      return `${ast.fn.toLowerCase()}_${c}`;
    }
  }
  return `expr_${index + 1}`;
}

function compileAst(ast: SelectAst, schema: string[]): { plan: Plan; outputs: string[] } {
  const r = new Resolver(schema, ast.table);

  // SELECT items (`*` is every schema column, in schema order)
  const items: { expr: Expr; name: string; pos: SqlPosition; alias?: string }[] = [];
  for (const [index, item] of ast.items.entries()) {
    if (item.expr === null) {
      if (item.starTable !== undefined && item.starTable.toLowerCase() !== ast.table.toLowerCase()) {
        throw new SqlError(`unknown table ${JSON.stringify(item.starTable)} in ${item.starTable}.*${at(item.pos)}; the query reads ${ast.table}`, undefined, item.pos);
      }
      if (schema.length === 0) throw new SqlError(`SELECT *: the schema has no columns${at(item.pos)}`, undefined, item.pos);
      for (const c of schema) items.push({ expr: { k: 'col', name: c }, name: c, pos: item.pos });
      continue;
    }
    const expr = r.int(item.expr, { clause: 'SELECT' }, `the SELECT item ${index + 1}`);
    items.push({ expr, name: outputName(item.expr, item.alias, index, expr), pos: item.pos, alias: item.alias });
  }
  const seen = new Set<string>();
  for (const it of items) {
    if (it.name.toLowerCase() === VALID_COLUMN) {
      throw new SqlError(`the output name ${VALID_COLUMN} is reserved for the validity column${at(it.pos)}; choose another alias`, undefined, it.pos);
    }
    if (!IDENT.test(it.name) || it.name.length > MAX_NAME) {
      throw new SqlError(`the output name ${JSON.stringify(it.name)} must be letters, digits and _ (not starting with a digit), at most ${MAX_NAME} characters${at(it.pos)}; give it an AS alias`, undefined, it.pos);
    }
    if (seen.has(it.name)) {
      throw new SqlError(`the output name ${JSON.stringify(it.name)} is used twice${at(it.pos)}; give each output its own AS alias`, undefined, it.pos);
    }
    seen.add(it.name);
  }
  const aliases = new Map<string, { expr: Expr; index: number }>();
  for (const [index, it] of items.entries()) {
    if (it.alias !== undefined && !aliases.has(it.alias.toLowerCase())) aliases.set(it.alias.toLowerCase(), { expr: it.expr, index });
  }

  const where = ast.where ? r.bit(ast.where, { clause: 'WHERE' }, 'WHERE') : undefined;

  // GROUP BY: columns, expressions, select aliases (a schema column wins over an alias), or positions
  const groupKeys: Expr[] = [];
  for (const g of ast.groupBy) {
    let e: Expr;
    if (g.k === 'num') {
      const it = items[g.value - 1];
      if (!it) throw new SqlError(`GROUP BY ${g.value}: there is no SELECT item ${g.value}${at(g.pos)}`, undefined, g.pos);
      if (hasAggregate(it.expr)) throw new SqlError(`GROUP BY ${g.value}: SELECT item ${g.value} is an aggregate${at(g.pos)}`, undefined, g.pos);
      e = it.expr;
    } else e = r.int(g, { clause: 'GROUP BY', aliases }, 'GROUP BY');
    groupKeys.push(e);
  }

  const having = ast.having ? r.bit(ast.having, { clause: 'HAVING', aliases }, 'HAVING') : undefined;
  if (having && groupKeys.length === 0 && !hasAggregate(having) && !items.some((it) => hasAggregate(it.expr))) {
    throw new SqlError(`HAVING needs GROUP BY or an aggregate${at(ast.havingPos)}`, undefined, ast.havingPos);
  }

  // ORDER BY: a position or an output alias name the output; anything else is an expression
  const orderExprs: { expr?: Expr; output?: number; desc: boolean; pos: SqlPosition }[] = [];
  for (const o of ast.orderBy) {
    if (o.expr.k === 'num') {
      if (o.expr.value < 1 || o.expr.value > items.length) {
        throw new SqlError(`ORDER BY ${o.expr.value}: there is no SELECT item ${o.expr.value} (there are ${items.length})${at(o.pos)}`, undefined, o.pos);
      }
      orderExprs.push({ output: o.expr.value - 1, desc: o.desc, pos: o.pos });
      continue;
    }
    if (o.expr.k === 'ident' && o.expr.table === undefined) {
      const alias = aliases.get(o.expr.name.toLowerCase());
      if (alias) {
        orderExprs.push({ output: alias.index, desc: o.desc, pos: o.pos });
        continue;
      }
    }
    orderExprs.push({ expr: r.int(o.expr, { clause: 'ORDER BY', aliases }, 'an ORDER BY key'), desc: o.desc, pos: o.pos });
  }

  // an aggregate anywhere (ORDER BY MIN(x) too) makes the query an aggregation
  const aggregated =
    groupKeys.length > 0 || having !== undefined || items.some((it) => hasAggregate(it.expr)) || orderExprs.some((o) => o.expr !== undefined && hasAggregate(o.expr));

  const interner = new Interner();
  const keyOf = (e: Expr) => interner.id(e);
  const rows = new NodeList('r', interner);
  const filter = where ? lower(where, rows, () => undefined) : null;
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

  let outputs: string[];
  let orderValues: string[];
  if (!aggregated) {
    const rowLeaf = () => undefined;
    outputs = items.map((it) => lower(it.expr, rows, rowLeaf));
    orderValues = orderExprs.map((o) => (o.output !== undefined ? outputs[o.output] : lower(o.expr!, rows, rowLeaf)));
  } else {
    const groups = new NodeList('g', interner);
    const keyIds = groupKeys.map((k) => lower(k, rows, () => undefined));
    const keyIndex = new Map<number, number>();
    groupKeys.forEach((k, i) => {
      if (!keyIndex.has(keyOf(k))) keyIndex.set(keyOf(k), i);
    });
    const aggregates: PlanAggregate[] = [];
    const aggIndex = new Map<number, number>();
    const groupLeaf = (clause: string, pos: SqlPosition) => (e: Expr): string | undefined => {
      const ki = keyIndex.get(keyOf(e));
      if (ki !== undefined) return groups.add({ op: 'key', index: ki }, 'int');
      if (e.k === 'agg') {
        const k = keyOf(e);
        let ai = aggIndex.get(k);
        if (ai === undefined) {
          ai = aggregates.length;
          aggregates.push({ op: e.op, arg: e.arg ? lower(e.arg, rows, () => undefined) : null });
          aggIndex.set(k, ai);
        }
        return groups.add({ op: 'agg', index: ai }, 'int');
      }
      if (e.k === 'col') {
        throw new SqlError(
          `the column ${e.name} in ${clause} must appear in GROUP BY or be inside an aggregate${at(pos)}`,
          undefined,
          pos,
        );
      }
      return undefined;
    };
    outputs = items.map((it, i) => lower(it.expr, groups, groupLeaf(`SELECT item ${i + 1}`, it.pos)));
    if (having) plan.having = lower(having, groups, groupLeaf('HAVING', ast.havingPos!));
    orderValues = orderExprs.map((o) => (o.output !== undefined ? outputs[o.output] : lower(o.expr!, groups, groupLeaf('ORDER BY', o.pos))));
    plan.aggregate = { keys: keyIds, aggregates };
    plan.groupNodes = groups.nodes;
    if (groupKeys.length === 0) plan.outputRows.base = 'one';
  }
  if (ast.distinct) {
    orderValues.forEach((v, i) => {
      if (!outputs.includes(v)) {
        const p = orderExprs[i].pos;
        throw new SqlError(`with SELECT DISTINCT, an ORDER BY key must be one of the SELECT items${at(p)}`, undefined, p);
      }
    });
  }
  plan.outputs = items.map((it, i) => ({ name: it.name, value: outputs[i] }));
  plan.orderBy = orderValues.map((value, i) => ({ value, desc: orderExprs[i].desc }));
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
