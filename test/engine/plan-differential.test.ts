// The engine against the plaintext reference: random tables and random queries (the generator of
// test/domain/sql, imported), compiled by domain/sql, rendered by renderPlanText, secret-shared with
// domain/shares, run by the real engine binary as n processes over its real TCP links (Noise KK on
// loopback), rebuilt with reconstructResult and compared with evaluatePlan: row count and header exactly,
// invalid rows all 0, valid rows as a multiset without ORDER BY and LIMIT (LIMIT alone: the count, and
// each row one of the unlimited result's); with ORDER BY the query is the generator's
// keyed form (the ORDER BY keys appended as outputs __k0 …), the key sequence must be evaluatePlan's exactly
// and every row must be one of the unlimited result's (ties may come in any order, also at a LIMIT's cut).
// 3PC and 4PC alternate. QS_PLAN_CASES (default 48) sets the number of cases, QS_PLAN_BASE_SEED the first
// seed, QS_PLAN_ENGINE a binary already built, QS_PLAN_SEED=… (with QS_PLAN_MODE=small|wrap, QS_PLAN_PARTIES=3|4) replays one; a failure prints it.
// Last: a party given another plan than its peers makes every party stop in the consistency check.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../infra/config.js';
import { reconstructResult, shareTable } from '../../domain/shares.js';
import { compileSql, evaluatePlan, type Plan } from '../../domain/sql/index.js';
import { renderPlanText } from '../../domain/sql/plan-text.js';
import { describeCase } from '../domain/sql/differential.js';
import { generateCase, type Case, type Mode } from '../domain/sql/generator.js';
import { buildEngineBinary, runPlan } from './plan-engine.js';

const CASES = Number(process.env.QS_PLAN_CASES ?? 48);
const BASE = Number(process.env.QS_PLAN_BASE_SEED ?? 1);
const ONE = process.env.QS_PLAN_SEED;

const tmpRoot = mkdtempSync(path.join(os.tmpdir(), 'qs-plan-diff-'));
process.env.TMPDIR = tmpRoot;
let engine: string;
beforeAll(async () => {
  engine = process.env.QS_PLAN_ENGINE ?? (await buildEngineBinary());  // QS_PLAN_ENGINE: a qs-engine already built
}, 900_000);
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));

const key = (r: unknown) => JSON.stringify(r);

/** Runs one case on the engine; returns what disagrees, or undefined. */
async function check(c: Case, parties: number): Promise<string | undefined> {
  const replay = `QS_PLAN_SEED=${c.seed} QS_PLAN_MODE=${c.mode} QS_PLAN_PARTIES=${parties} npx vitest run test/engine/plan-differential.test.ts`;
  const fail = (why: string) => `${why}\n${parties} parties; replay: ${replay}\n${describeCase(c)}`;
  const compiled = compileSql(c.ordered ? c.oursKeyed : c.ours, c.schema);
  if (!compiled.ok) return fail(`the compiler refused: ${compiled.error}`);
  const plan = compiled.plan;
  const want = evaluatePlan(plan, { columns: c.schema, rows: c.rows });
  const shares = shareTable(c.schema, c.rows, parties);
  let got;
  try {
    const run = await runPlan(engine, shares, renderPlanText(plan));
    got = reconstructResult(run.results, parties);
  } catch (err) {
    return fail(String((err as Error).message));
  }
  const show = () => `got ${JSON.stringify(got.rows)}\nwant ${JSON.stringify(want.rows)}`;
  if (key(got.columns) !== key(want.columns)) return fail(`columns ${key(got.columns)}, want ${key(want.columns)}`);
  if (got.rows.length !== want.rows.length) return fail(`${got.rows.length} rows, want ${want.rows.length}\n${show()}`);
  const last = want.columns.length - 1;
  if (got.rows.some((r) => r[last] !== 1 && r.some((x) => x !== 0))) return fail(`an invalid row is not all 0\n${show()}`);
  const gv = got.rows.filter((r) => r[last] === 1);
  const wv = want.rows.filter((r) => r[last] === 1);
  if (!c.ordered && plan.limit === null) {
    const a = gv.map(key).sort();
    const b = wv.map(key).sort();
    return key(a) === key(b) ? undefined : fail(`the valid rows differ (as multisets)\n${show()}`);
  }
  // LIMIT without ORDER BY keeps min(LIMIT, valid rows) valid rows, which ones is unspecified; ORDER BY: the
  // key sequence exactly. Either way every row must be one of the unlimited result's valid rows.
  const keys = (rows: number[][]) => rows.map((r) => key(r.slice(last - c.keyCount, last)));
  if (gv.length !== wv.length) return fail(`${gv.length} valid rows, want ${wv.length}\n${show()}`);
  if (c.ordered && key(keys(gv)) !== key(keys(wv))) return fail(`the ORDER BY key sequence differs\n${show()}`);
  const unlimited: Plan = { ...plan, limit: null, outputRows: { ...plan.outputRows, limit: null } };
  const all = new Map<string, number>();
  for (const r of evaluatePlan(unlimited, { columns: c.schema, rows: c.rows }).rows.filter((r) => r[last] === 1)) all.set(key(r), (all.get(key(r)) ?? 0) + 1);
  for (const r of gv) {
    const m = all.get(key(r)) ?? 0;
    if (m === 0) return fail(`row ${key(r)} is not in the result\n${show()}`);
    all.set(key(r), m - 1);
  }
  return undefined;
}

describe('qs-engine --plan against evaluatePlan (random tables and queries, real processes and links)', () => {
  const cases: { seed: number; mode: Mode; parties: number }[] = ONE !== undefined
    ? [{ seed: Number(ONE), mode: (process.env.QS_PLAN_MODE ?? 'small') as Mode, parties: Number(process.env.QS_PLAN_PARTIES ?? 3) }]
    : Array.from({ length: CASES }, (_, i) => ({ seed: BASE + i, mode: (i % 4 < 2 ? 'small' : 'wrap') as Mode, parties: i % 2 === 0 ? 3 : 4 }));

  it(`agrees on ${cases.length} random queries, 3PC and 4PC`, async () => {
    const failures: string[] = [];
    const kinds: Record<string, number> = {};
    for (const { seed, mode, parties } of cases) {
      const c = generateCase(seed, mode);
      const k = `${c.kind}${c.ordered ? '+order' : ''}${c.limit !== null ? '+limit' : ''}`;
      kinds[k] = (kinds[k] ?? 0) + 1;
      const failure = await check(c, parties);
      if (failure) failures.push(failure);
      if (failures.length >= 3) break;
    }
    console.log(`plan differential: ${cases.length} cases, kinds ${JSON.stringify(kinds)}`);
    expect(failures.join('\n\n')).toBe('');
  }, 900_000);
});

describe('qs-engine --plan on the golden examples (domain/sql/examples), real processes and links', () => {
  const dir = path.join(REPO_ROOT, 'domain', 'sql', 'examples');
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  it.each([3, 4])('when %i parties run every example, then each party\'s header is the contract and the rebuilt result is the example\'s output', async (parties) => {
    for (const f of files) {
      const ex = JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as { plan: Plan; ordered: boolean; input: { columns: string[]; rows: number[][] }; output: { columns: string[]; rows: number[][] } };
      const run = await runPlan(engine, shareTable(ex.input.columns, ex.input.rows, parties), renderPlanText(ex.plan));
      const k = parties - 1;
      const header = ex.output.columns.flatMap((o) => Array.from({ length: k }, (_, j) => `${o}_${j}`)).join(',');
      for (const r of run.results) expect(r.split('\n')[0], f).toBe(header);
      for (const r of run.results) expect(r.trimEnd().split('\n').length - 1, f).toBe(ex.output.rows.length);
      const got = reconstructResult(run.results, parties);
      const last = ex.output.columns.length - 1;
      expect(got.rows.filter((r) => r[last] !== 1).every((r) => r.every((x) => x === 0)), f).toBe(true);
      const valid = (rows: number[][]) => rows.filter((r) => r[last] === 1).map(key);
      if (ex.ordered) expect(valid(got.rows), f).toEqual(valid(ex.output.rows));
      else expect(valid(got.rows).sort(), f).toEqual(valid(ex.output.rows).sort());
    }
  }, 300_000);
});

describe('qs-engine --plan refuses a bad plan before computing', () => {
  it('when the plan file refers to a later node, then every party stops and the reader names the line', async () => {
    const r = compileSql('SELECT a + b AS s FROM t WHERE a < 3', ['a', 'b']);
    if (!r.ok) throw new Error(r.error);
    const bad = renderPlanText(r.plan).replace(/^row r4 int add r0 r3$/m, 'row r4 int add r0 r7');
    expect(bad).not.toBe(renderPlanText(r.plan));
    const err = await runPlan(engine, shareTable(['a', 'b'], [[1, 2], [5, 6]], 3), bad).then(() => '', (e: Error) => e.message);
    for (const p of [0, 1, 2]) {
      expect(err).toMatch(new RegExp(`party ${p} exited 2`));
      expect(err).toContain(`qs-engine party ${p}: reading the program failed: plan line 8: argument 'r7' is not an earlier node of this phase`);
    }
  });
});

describe('qs-engine --plan refuses to compute when the parties were given different plans', () => {
  // In 3PC and 4PC a party running another query combines its shares with its peers' in other operations:
  // the result would be garbage that no protocol check catches, so the consistency check compares the plans.
  it.each([[2, 3], [3, 4]])('when party %i of %i runs another query over the same columns, then every party stops naming it', async (last, parties) => {
    const plans = ['SELECT a + b AS s FROM t WHERE a < 3', 'SELECT a - b AS s FROM t WHERE a < 3'].map((q) => {
      const r = compileSql(q, ['a', 'b']);
      if (!r.ok) throw new Error(r.error);
      return renderPlanText(r.plan);
    });
    const perParty = Array.from({ length: parties }, (_, i) => plans[i === last ? 1 : 0]);
    const shares = shareTable(['a', 'b'], [[1, 2], [5, 6]], parties);
    const err = await runPlan(engine, shares, perParty).then(() => '', (e: Error) => e.message);
    for (let p = 0; p < parties; p++) {
      expect(err).toMatch(new RegExp(`party ${p} exited 2`));
      expect(err).toMatch(new RegExp(`qs-engine party ${p}: checking the parties' shares agree failed: party ${last} was given another plan than party 0 \\(plan SHA-256 [0-9a-f]{16}… vs [0-9a-f]{16}…\\): every party must run the same query`));
    }
    // The same plan everywhere still runs (the check compares the text, not where it came from).
    const same = await runPlan(engine, shares, plans[0]);
    expect(reconstructResult(same.results, parties).rows.filter((r) => r[r.length - 1] === 1)).toEqual([[3, 1]]);
  });
});
