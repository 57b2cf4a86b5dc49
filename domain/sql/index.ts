// The QueryShield SQL compiler: SQL text → engine plan (README.md next to this file), and the plaintext
// reference of what the engine must compute. Pure: the CLI, the API and a browser import it.

export { compileSql, MAX_NAME, VALID_COLUMN, type CompileResult } from './compile.js';
export { evaluatePlan, resultRows, avg32, type Table } from './evaluate.js';
export { SqlError, type SqlPosition } from './errors.js';
export { MAX_QUERY_LENGTH } from './lexer.js';
export { checkPlan, outputRowCount, PLAN_FORMAT, type Plan, type PlanNode, type PlanAggregate, type AggregateOp, type NodeOp, type ValueType } from './plan.js';
