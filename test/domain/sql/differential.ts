// One differential case: our compiler + reference evaluator against SQLite (sql.js) on the same random
// table. Returns a description of the first disagreement, or undefined. Used by differential.test.ts and
// scripts that run many seeds.

import type { Database, SqlJsStatic } from 'sql.js';
import { checkPlan, compileSql, evaluatePlan, outputRowCount } from '../../../domain/sql/index.js';
import type { Case } from './generator.js';

type Row = number[];
const rowKey = (r: Row) => JSON.stringify(r);

function multiset(rows: Row[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of rows) m.set(rowKey(r), (m.get(rowKey(r)) ?? 0) + 1);
  return m;
}
/** Whether every row of `a` is in `b` at least as often. */
function subMultiset(a: Row[], b: Row[]): boolean {
  const mb = multiset(b);
  for (const [k, n] of multiset(a)) if ((mb.get(k) ?? 0) < n) return false;
  return true;
}

/** A fresh in-memory database holding the case's table t (faster than DROP + CREATE in one database). */
export function loadTable(SQL: SqlJsStatic, c: Case): Database {
  const db = new SQL.Database();
  db.run(`CREATE TABLE t (${c.schema.map((s) => `${s} INTEGER NOT NULL`).join(', ')})`);
  if (c.rows.length) db.run(`INSERT INTO t VALUES ${c.rows.map((r) => `(${r.join(', ')})`).join(', ')}`);
  return db;
}

function sqlite(db: Database, sql: string): Row[] {
  const res = db.exec(sql);
  const values = res.length ? res[0].values : [];
  return values.map((r) =>
    r.map((v) => {
      if (typeof v !== 'number' || !Number.isInteger(v)) throw new Error(`SQLite returned ${JSON.stringify(v)}, not an integer`);
      return v;
    }),
  );
}

export function describeCase(c: Case): string {
  return [
    Number.isNaN(c.seed) ? `a fast-check case (${c.mode}; fast-check prints the seed and path that replay it)` : `seed ${c.seed} (${c.mode})`,
    `  ours:   ${c.ours}`,
    `  keyed:  ${c.oursKeyed}`,
    `  sqlite: ${c.sqliteKeyed}`,
    `  table t(${c.schema.join(', ')}), ${c.rows.length} rows: ${JSON.stringify(c.rows)}`,
  ].join('\n');
}

export function runCase(SQL: SqlJsStatic, c: Case): string | undefined {
  const fail = (why: string) => `${why}\n${describeCase(c)}`;
  const compiled = compileSql(c.oursKeyed, c.schema);
  if (!compiled.ok) return fail(`our compiler refused the keyed query: ${compiled.error}`);
  const plain = compileSql(c.ours, c.schema);
  if (!plain.ok) return fail(`our compiler refused the query: ${plain.error}`);
  for (const p of [compiled.plan, plain.plan]) {
    const problems = checkPlan(JSON.parse(JSON.stringify(p)));
    if (problems.length) return fail(`the plan is not well-formed: ${problems.join('; ')}`);
  }
  const table = { columns: c.schema, rows: c.rows };
  const out = evaluatePlan(compiled.plan, table);
  const outPlain = evaluatePlan(plain.plan, table);

  // public output size
  const base = c.kind === 'agg' ? 1 : c.rows.length;
  const size = c.limit === null ? base : Math.min(base, c.limit);
  if (out.rows.length !== size || outputRowCount(compiled.plan, c.rows.length) !== size) {
    return fail(`output has ${out.rows.length} rows, the rule says ${size}`);
  }
  const width = out.columns.length - 1;
  if (out.columns[width] !== '_valid') return fail(`last column is ${out.columns[width]}, not _valid`);
  for (const r of out.rows) {
    if (r[width] !== 0 && r[width] !== 1) return fail(`_valid is ${r[width]}`);
    if (r[width] === 0 && r.some((v) => v !== 0)) return fail(`an invalid row is not all 0: ${JSON.stringify(r)}`);
  }
  const ours = out.rows.filter((r) => r[width] === 1).map((r) => r.slice(0, width));
  // the un-keyed query gives the same rows without the key columns
  const oursPlain = outPlain.rows.filter((r) => r[r.length - 1] === 1).map((r) => r.slice(0, -1));
  const projected = ours.map((r) => r.slice(0, c.outputs));
  if (rowKey(oursPlain.flat()) !== rowKey(projected.flat()) || oursPlain.length !== projected.length) {
    return fail(`the query without key columns gives other rows:\n  ${JSON.stringify(oursPlain)}\n  ${JSON.stringify(projected)}`);
  }

  let theirs: Row[];
  const db = loadTable(SQL, c);
  try {
    theirs = sqlite(db, c.sqliteNoLimit);
  } catch (err) {
    return fail(`SQLite failed: ${(err as Error).message}`);
  } finally {
    db.close();
  }
  const expectCount = c.limit === null ? theirs.length : Math.min(c.limit, theirs.length);
  const show = () => `\n  ours:   ${JSON.stringify(ours)}\n  sqlite: ${JSON.stringify(theirs)}`;
  if (ours.length !== expectCount) return fail(`${ours.length} valid rows, SQLite has ${expectCount}${show()}`);
  if (!c.ordered) {
    // the count is checked above: with it, a sub-multiset is the same multiset when there is no LIMIT
    if (!subMultiset(ours, theirs)) {
      return fail(`different rows${show()}`);
    }
    return undefined;
  }
  // ordered: the key sequence is determined; rows with equal keys may come in any order, and a LIMIT may cut
  // through a run of equal keys
  const keys = (r: Row) => rowKey(r.slice(width - c.keyCount));
  for (let i = 0; i < ours.length; i++) {
    if (keys(ours[i]) !== keys(theirs[i])) return fail(`ORDER BY keys differ at row ${i}${show()}`);
  }
  const byKey = (rows: Row[]) => {
    const m = new Map<string, Row[]>();
    for (const r of rows) m.set(keys(r), [...(m.get(keys(r)) ?? []), r]);
    return m;
  };
  const theirsByKey = byKey(theirs);
  for (const [k, rs] of byKey(ours)) if (!subMultiset(rs, theirsByKey.get(k) ?? [])) return fail(`different rows for ORDER BY keys ${k}${show()}`);
  return undefined;
}
