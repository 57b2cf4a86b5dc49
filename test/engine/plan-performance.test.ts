// Wall seconds and bytes per party of the two benchmark queries on the real engine (n processes, the
// real Noise KK links on loopback): the credit score query and the first wage-gap query, at 2^10 and 2^14 rows
// (QS_PLAN_BENCH_ROWS=10,14,16 for others), 3PC and 4PC; each result is checked against evaluatePlan.
// Skipped unless QS_PLAN_BENCH=1 (it takes minutes). QS_PLAN_ENGINE: a qs-engine already built.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { reconstructResult, shareTable } from '../../domain/shares.js';
import { compileSql, evaluatePlan } from '../../domain/sql/index.js';
import { renderPlanText } from '../../domain/sql/plan-text.js';
import { rng } from '../domain/sql/generator.js';
import { buildEngineBinary, runPlan } from './plan-engine.js';

const QUERIES = {
  credit_score: {
    sql: 'SELECT uid FROM credit WHERE year = 2023 GROUP BY uid HAVING MAX(cs) - MIN(cs) > 150',
    schema: ['uid', 'year', 'cs'],
    row: (r: ReturnType<typeof rng>, n: number) => [r.int(0, Math.max(1, n >> 2)), r.pick([2022, 2023]), r.int(300, 850)],
  },
  wage_gap: {
    sql: 'SELECT academia, degree, AVG(salary) FROM emp GROUP BY academia, degree',
    schema: ['salary', 'degree', 'years_exp', 'region', 'academia'],
    row: (r: ReturnType<typeof rng>) => [r.int(30000, 250000), r.int(0, 2), r.int(0, 40), r.int(0, 4), r.int(0, 1)],
  },
} as const;

const key = (r: unknown) => JSON.stringify(r);

// every run folder (and the build, when made here) under one temp root, removed at the end
const tmpRoot = mkdtempSync(path.join(os.tmpdir(), 'qs-plan-bench-'));
process.env.TMPDIR = tmpRoot;
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));

describe.skipIf(process.env.QS_PLAN_BENCH !== '1')('qs-engine --plan: the benchmark queries', () => {
  it('runs the credit score and the first wage-gap query at 2^10 and 2^14 rows, 3PC and 4PC', async () => {
    const engine = process.env.QS_PLAN_ENGINE ?? (await buildEngineBinary());
    const exps = (process.env.QS_PLAN_BENCH_ROWS ?? '10,14').split(',').map(Number);
    const results: unknown[] = [];
    for (const [name, q] of Object.entries(QUERIES)) {
      const compiled = compileSql(q.sql, [...q.schema]);
      if (!compiled.ok) throw new Error(compiled.error);
      for (const e of exps) {
        const n = 2 ** e;
        const r = rng(e * 7919 + name.length);
        const rows = Array.from({ length: n }, () => q.row(r, n));
        const want = evaluatePlan(compiled.plan, { columns: [...q.schema], rows });
        for (const parties of [3, 4]) {
          for (const sort of (process.env.QS_PLAN_BENCH_SORTS ?? 'quicksort').split(',')) {
            const run = await runPlan(engine, shareTable([...q.schema], rows, parties), renderPlanText(compiled.plan), ['--sort', sort]);
            const got = reconstructResult(run.results, parties);
            const valid = (rs: number[][]) => rs.filter((x) => x.at(-1) === 1).map(key).sort();
            expect(key(valid(got.rows))).toBe(key(valid(want.rows)));
            const entry = {
              query: name, rows: n, parties, sort, seconds: run.ms / 1000,
              bytes_sent_per_party: run.sent.map((s) => s.bytes), messages_per_party: run.sent.map((s) => s.messages),
              wire_bytes_per_party: run.sent.map((s) => s.wireBytes), valid_rows: valid(want.rows).length,
            };
            results.push(entry);
            console.log(JSON.stringify(entry));
          }
        }
      }
    }
  }, 3_600_000);
});
