// The engine's rendering of a plan (`queryshield-plan/1`) as plain text, one fact per line, so that the C++
// engine reads it without a JSON library (engine/src/plan/plan.hpp; the format is described in
// engine/src/plan/README.md). Pure: no Node built-ins.
import type { Plan, PlanNode } from './plan.js';

/** `table` is informational and may be any quoted SQL name: bytes outside [A-Za-z0-9_] are %XX-encoded. */
const encodeName = (s: string) =>
  Array.from(new TextEncoder().encode(s), (b) => (/[A-Za-z0-9_]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('') || '%';

function nodeLine(kind: 'row' | 'group', n: PlanNode): string {
  const head = `${kind} ${n.id} ${n.type} ${n.op}`;
  switch (n.op) {
    case 'col':
      return `${head} ${n.column}`;
    case 'const':
      return `${head} ${n.value | 0}`;
    case 'key':
    case 'agg':
      return `${head} ${n.index}`;
    default:
      return `${head} ${n.args.join(' ')}`;
  }
}

/** The plan as the engine's `--plan` file. Every line is space-separated tokens; the file ends with `end`. */
export function renderPlanText(plan: Plan): string {
  const lines: string[] = [plan.format, `table ${encodeName(plan.table)}`, `columns ${plan.columns.join(' ')}`.trimEnd()];
  for (const n of plan.rowNodes) lines.push(nodeLine('row', n));
  lines.push(`filter ${plan.filter ?? '-'}`);
  if (plan.aggregate === null) lines.push('aggregate -');
  else {
    lines.push(`aggregate ${plan.aggregate.keys.length} ${plan.aggregate.aggregates.length}`);
    for (const k of plan.aggregate.keys) lines.push(`key ${k}`);
    for (const a of plan.aggregate.aggregates) lines.push(`agg ${a.op} ${a.arg ?? '-'}`);
  }
  for (const n of plan.groupNodes) lines.push(nodeLine('group', n));
  lines.push(`having ${plan.having ?? '-'}`);
  for (const o of plan.outputs) lines.push(`output ${o.name} ${o.value}`);
  lines.push(`distinct ${plan.distinct ? 1 : 0}`);
  for (const o of plan.orderBy) lines.push(`order ${o.value} ${o.desc ? 'desc' : 'asc'}`);
  lines.push(`limit ${plan.limit ?? '-'}`);
  lines.push(`rows ${plan.outputRows.base} ${plan.outputRows.limit ?? '-'}`);
  lines.push('end');
  return lines.join('\n') + '\n';
}
