// The engine plan: what a compiled query asks the MPC engine to do, as plain JSON (README.md next to this
// file describes every field and the execution rules the engine must reproduce).
import { COLUMN_PATTERN } from '../limits.js';

export const PLAN_FORMAT = 'queryshield-plan/1';

/** A value column (`int`: a signed 32-bit integer, arithmetic mod 2^32) or a bit column (`bit`: 0 or 1). */
export type ValueType = 'int' | 'bit';

export type NodeOp =
  /** a schema column of the input (row phase only) */
  | { op: 'col'; column: string }
  | { op: 'const'; value: number }
  /** int → int, mod 2^32 */
  | { op: 'neg'; args: [string] }
  | { op: 'add' | 'sub' | 'mul'; args: [string, string] }
  /** int × int → bit, signed comparison */
  | { op: 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge'; args: [string, string] }
  /** bit × bit → bit */
  | { op: 'and' | 'or'; args: [string, string] }
  | { op: 'not'; args: [string] }
  /** bit × int × int → int: args[1] where args[0] is 1, else args[2] (CASE) */
  | { op: 'if'; args: [string, string, string] }
  /** group phase only: the group's value of aggregate.keys[index] */
  | { op: 'key'; index: number }
  /** group phase only: the group's value of aggregate.aggregates[index] */
  | { op: 'agg'; index: number };

export type PlanNode = NodeOp & { id: string; type: ValueType };

export type AggregateOp = 'sum' | 'count' | 'count_distinct' | 'min' | 'max' | 'avg';

export interface PlanAggregate {
  op: AggregateOp;
  /** an int node of the row phase; null for COUNT(*) (COUNT(col) is COUNT(*): the data has no NULLs) */
  arg: string | null;
}

export interface Plan {
  format: typeof PLAN_FORMAT;
  /** the table named in FROM (any one name is accepted: a job has one table) */
  table: string;
  /** the schema columns the plan reads, in schema order */
  columns: string[];
  /** row phase: one value per input row; ids `r0`, `r1`, … in order, each refers only to earlier ones */
  rowNodes: PlanNode[];
  /** a bit node of the row phase (WHERE), or null: every row passes */
  filter: string | null;
  /** null: no aggregation, one output row per input row. keys = []: the whole table is one group (one output row). */
  aggregate: null | { keys: string[]; aggregates: PlanAggregate[] };
  /** group phase: one value per group; ids `g0`, `g1`, …; empty without aggregate */
  groupNodes: PlanNode[];
  /** a bit node of the group phase (HAVING), or null */
  having: string | null;
  /** the output columns in SELECT order; value: an int node of the row phase (no aggregate) or of the group phase */
  outputs: { name: string; value: string }[];
  /** SELECT DISTINCT: among valid rows, one row per distinct tuple of output values */
  distinct: boolean;
  /** ORDER BY keys (int nodes of the same phase as the outputs), most significant first */
  orderBy: { value: string; desc: boolean }[];
  /** LIMIT, or null */
  limit: number | null;
  /** output rows = min(base, limit): base `input_rows` is the input's row count, `one` is 1 */
  outputRows: { base: 'input_rows' | 'one'; limit: number | null };
}

/** The number of rows of the result (valid and padding) for an input of `inputRows` rows: public information only. */
export function outputRowCount(plan: Plan, inputRows: number): number {
  const base = plan.outputRows.base === 'one' ? 1 : inputRows;
  return plan.outputRows.limit === null ? base : Math.min(base, plan.outputRows.limit);
}

const INT_OPS = new Set(['col', 'const', 'neg', 'add', 'sub', 'mul', 'if', 'key', 'agg']);
const ARITY: Record<string, number> = { neg: 1, add: 2, sub: 2, mul: 2, eq: 2, ne: 2, lt: 2, le: 2, gt: 2, ge: 2, and: 2, or: 2, not: 1, if: 3 };
const AGG_OPS = new Set(['sum', 'count', 'count_distinct', 'min', 'max', 'avg']);
/** Input columns and outputs are named as a job's schema columns are (they head share files). */
const NAME = COLUMN_PATTERN;
const isInt32 = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= -2147483648 && v <= 2147483647;

/** Checks that a value (e.g. a parsed plan file) is a well-formed plan: every rule an engine relies on (ids in
 *  order, references to earlier nodes of the same phase, argument types, phases of outputs and keys, unique
 *  output names, `_valid` not among them). Returns the problems; an empty list means well-formed. */
export function checkPlan(x: unknown): string[] {
  if (typeof x !== 'object' || x === null) return ['a plan is a JSON object'];
  const p = x as Plan;
  const problems: string[] = [];
  if (p.format !== PLAN_FORMAT) problems.push(`format must be ${PLAN_FORMAT}`);
  if (typeof p.table !== 'string') problems.push('table must be a string');
  if (!Array.isArray(p.columns) || p.columns.some((c) => typeof c !== 'string' || !NAME.test(c))) problems.push('columns must be a list of names');
  const rows = checkPhase(p, p.rowNodes, 'r', problems);
  const groups = checkPhase(p, p.groupNodes, 'g', problems);
  if (p.filter !== null && !isNode(rows, p.filter, 'bit')) problems.push('filter must be a bit node of the row phase or null');
  checkAggregate(p, rows, groups, problems);
  checkOutputs(p, p.aggregate === null ? rows : groups, problems);
  const limitOk = (l: unknown) => l === null || (Number.isInteger(l) && (l as number) >= 0 && (l as number) <= 2147483647);
  if (!limitOk(p.limit)) problems.push('limit must be null or an integer ≥ 0');
  const base = p.aggregate !== null && p.aggregate.keys?.length === 0 ? 'one' : 'input_rows';
  if (p.outputRows?.base !== base || p.outputRows?.limit !== p.limit) problems.push(`outputRows must be {base: "${base}", limit: ${p.limit}}`);
  return problems;
}

type PhaseTypes = Map<string, ValueType>;

const isNode = (types: PhaseTypes, ref: unknown, t: ValueType) => typeof ref === 'string' && types.get(ref) === t;

/** The problems of one node's operands; a node's own id and type are checked by checkPhase. */
function checkNodeArgs(p: Plan, n: PlanNode, where: string, prefix: 'r' | 'g', types: PhaseTypes, problems: string[]): void {
  if (n.op === 'col') {
    if (prefix !== 'r' || !p.columns?.includes(n.column)) problems.push(`${where}: col must name one of columns, in the row phase`);
  } else if (n.op === 'const') {
    if (!isInt32(n.value)) problems.push(`${where}: const must be a 32-bit integer`);
  } else if (n.op === 'key' || n.op === 'agg') {
    const count = n.op === 'key' ? p.aggregate?.keys?.length : p.aggregate?.aggregates?.length;
    if (prefix !== 'g' || !Number.isInteger(n.index) || n.index < 0 || n.index >= (count ?? 0)) problems.push(`${where}: ${n.op} index out of range, or outside the group phase`);
  } else {
    const arity = ARITY[n.op as string];
    const args = (n as { args?: unknown }).args;
    if (arity === undefined) problems.push(`${where}: unknown op ${JSON.stringify(n.op)}`);
    else if (!Array.isArray(args) || args.length !== arity) problems.push(`${where}: ${n.op} takes ${arity} arguments`);
    else {
      const want = (j: number): ValueType => (n.op === 'and' || n.op === 'or' || n.op === 'not' || (n.op === 'if' && j === 0) ? 'bit' : 'int');
      args.forEach((a: string, j: number) => {
        if (types.get(a) !== want(j)) problems.push(`${where}: argument ${j + 1} must be an earlier ${want(j)} node of this phase`);
      });
    }
  }
}

/** Checks a phase's nodes (ids in order, types by op, operands earlier in the phase); returns their types. */
function checkPhase(p: Plan, nodes: unknown, prefix: 'r' | 'g', problems: string[]): PhaseTypes {
  const types: PhaseTypes = new Map();
  const list = prefix === 'r' ? 'rowNodes' : 'groupNodes';
  if (!Array.isArray(nodes)) {
    problems.push(`${list} must be a list`);
    return types;
  }
  nodes.forEach((n: PlanNode, i) => {
    const where = `${list}[${i}]`;
    if (n?.id !== `${prefix}${i}`) problems.push(`${where}: id must be ${prefix}${i}`);
    const want: ValueType = INT_OPS.has(n?.op) ? 'int' : 'bit';
    if (n?.type !== want) problems.push(`${where}: type must be ${want} for ${n?.op}`);
    if (n) checkNodeArgs(p, n, where, prefix, types, problems);
    else problems.push(`${where}: unknown op undefined`);
    if (n && typeof n.id === 'string') types.set(n.id, want);
  });
  return types;
}

function checkAggregate(p: Plan, rows: PhaseTypes, groups: PhaseTypes, problems: string[]): void {
  if (p.aggregate === null) {
    if (p.groupNodes?.length) problems.push('groupNodes must be empty without aggregate');
    if (p.having !== null) problems.push('having needs aggregate');
    return;
  }
  if (!Array.isArray(p.aggregate?.keys) || p.aggregate.keys.some((k) => !isNode(rows, k, 'int'))) problems.push('aggregate.keys must be int nodes of the row phase');
  if (!Array.isArray(p.aggregate?.aggregates)) problems.push('aggregate.aggregates must be a list');
  else {
    p.aggregate.aggregates.forEach((a, i) => {
      if (!AGG_OPS.has(a?.op)) problems.push(`aggregates[${i}]: unknown op ${JSON.stringify(a?.op)}`);
      else if (a.op === 'count' ? a.arg !== null : !isNode(rows, a.arg, 'int')) problems.push(`aggregates[${i}]: arg must be ${a.op === 'count' ? 'null' : 'an int node of the row phase'}`);
    });
  }
  if (p.having !== null && !isNode(groups, p.having, 'bit')) problems.push('having must be a bit node of the group phase or null');
}

function checkOutputs(p: Plan, outPhase: PhaseTypes, problems: string[]): void {
  if (!Array.isArray(p.outputs) || p.outputs.length === 0) problems.push('outputs must be a non-empty list');
  else {
    const names = new Set<string>();
    p.outputs.forEach((o, i) => {
      if (typeof o?.name !== 'string' || !NAME.test(o.name) || o.name.toLowerCase() === '_valid') problems.push(`outputs[${i}]: name must be a name of at most 63 characters, not _valid`);
      else if (names.has(o.name)) problems.push(`outputs[${i}]: name ${o.name} is used twice`);
      else names.add(o.name);
      if (!isNode(outPhase, o?.value, 'int')) problems.push(`outputs[${i}]: value must be an int node of the ${p.aggregate === null ? 'row' : 'group'} phase`);
    });
  }
  if (typeof p.distinct !== 'boolean') problems.push('distinct must be true or false');
  if (!Array.isArray(p.orderBy) || p.orderBy.some((o) => !isNode(outPhase, o?.value, 'int') || typeof o.desc !== 'boolean')) problems.push('orderBy must be {value, desc} with int nodes of the outputs\' phase');
}
