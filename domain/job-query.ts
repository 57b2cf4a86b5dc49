// What the reference engine runs: the job's SQL compiled by domain/sql into a plan (`queryshield-plan/1`),
// rendered as the text the engine reads with `qs-engine run --plan plan.txt` (engine/src/plan/README.md).
// The API compiles at create_job (a 400 for anything outside the grammar); runExperiment compiles the same
// text again against the same schema, so both always agree.
//
// Pure: no Node imports, so the API, the activities and the CLI can all share it.
import { compileSql, type Plan } from './sql/index.js';
import { renderPlanText } from './sql/plan-text.js';

export type CompiledJobQuery = { ok: true; plan: Plan; outputs: string[] } | { ok: false; error: string; construct?: string };

/** Compiles a job's SQL against its schema columns (schema order). */
export function compileJobQuery(sql: string, schemaColumns: string[]): CompiledJobQuery {
  const r = compileSql(sql, schemaColumns);
  if (!r.ok) return { ok: false, error: r.error, ...(r.construct ? { construct: r.construct } : {}) };
  return { ok: true, plan: r.plan, outputs: r.outputs };
}

/** The engine's `--plan` file for a compiled plan. */
export function planFile(plan: Plan): string {
  return renderPlanText(plan);
}
