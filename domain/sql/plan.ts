// The engine plan: what a compiled query asks the MPC engine to do, as plain JSON (README.md next to this
// file describes every field and the execution rules the engine must reproduce).

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
