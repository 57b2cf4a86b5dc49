// Benchmarks are scripts, not timed tests: this only checks that the quick pass runs end to end and
// writes well-formed results with every key the benchmark issues name (no figure is asserted: the machine is
// shared). The quick pass includes the engine (2^16 elements) and the SQL queries (2^8 and 2^10 rows).
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../../scripts/services.js';

const run = promisify(execFile);

describe('npm run bench -- --quick', () => {
  it('when run, then bench/results.json has every figure, all numbers', { timeout: 700_000 }, async () => {
    await run(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--quick'], { cwd: ROOT, maxBuffer: 32 * 1024 * 1024, timeout: 680_000 });
    const r = JSON.parse(readFileSync(path.join(ROOT, 'bench', 'results.json'), 'utf8')) as Record<string, unknown>;
    for (const key of [
      'get_status_rps', 'plain_route_rps', 'get_status_vs_fastify_ratio', 'get_status_p50_ms', 'get_status_p99_ms', 'plain_route_p99_ms', 'register_p99_ms',
      'update_roundtrip_p99_ms', 'create_ms', 'slowest_single_bucket_ms', 'create_vs_slowest_bucket_ratio', 'stage_time_s', 'job_wall_s', 'orchestration_overhead_ratio',
      'concurrent_jobs_total', 'concurrent_jobs_completed', 'concurrent_jobs_wall_s', 'worker_rss_mb',
    ]) {
      expect(typeof r[key], key).toBe('number');
      expect(Number.isFinite(r[key] as number), key).toBe(true);
    }
    const finite = (v: unknown, what: string) => {
      expect(typeof v, what).toBe('number');
      expect(Number.isFinite(v as number), what).toBe(true);
    };
    expect(r.concurrent_jobs_completed).toBe(r.concurrent_jobs_total);
    expect(Array.isArray(r.scaling) && (r.scaling as unknown[]).length).toBeGreaterThan(0);
    // Issue 16: the small job end to end, with the engine's build reused (small_job_s) and with the build
    // (small_job_cold_s: the bench's first job, whose data dir is new, is the one that builds it).
    for (const key of ['small_job_s', 'small_job_stage_s', 'small_job_cold_s', 'small_job_cpu_s']) finite(r[key], key);
    expect(r.small_job_cold_s).toBe(r.job_wall_s);

    // `engine` (issue 16). Quick: 2^16 elements and no 2^18 sort; the full run adds sort_2p18_s.
    const engine = r.engine as Record<string, any>;
    for (const proto of ['3pc', '4pc']) {
      const e = engine[proto];
      expect(e.n, `${proto}.n`).toBe(2 ** 16);
      for (const op of ['and', 'mult', 'eq', 'lt', 'a2b', 'sort_2p16']) {
        finite(e[`${op}_s`], `engine.${proto}.${op}_s`);
        expect(e.bytes_per_party[op], `engine.${proto}.bytes_per_party.${op}`).toBeGreaterThan(0);
        expect(e.theory_bytes_per_party[op], `engine.${proto}.theory_bytes_per_party.${op}`).toBeGreaterThan(0);
        finite(e.bytes_over_theory[op], `engine.${proto}.bytes_over_theory.${op}`);
      }
      // ORQ's figures are for 2^20 elements: at the quick size only the sort (fixed 2^16) is compared.
      finite(e.speedup_vs_orq.sort_2p16_s, `engine.${proto}.speedup_vs_orq.sort_2p16_s`);
      expect(e.speedup_vs_orq.eq_s, `engine.${proto}.speedup_vs_orq.eq_s`).toBeUndefined();
      finite(engine.orq[proto].sort_2p18_s, `engine.orq.${proto}.sort_2p18_s`);
      expect(engine.peak_memory[proto].per_party_mb, `engine.peak_memory.${proto}.per_party_mb`).toBeGreaterThan(0);
    }
    expect(engine.peak_memory.n).toBe(2 ** 16);

    // `queries` (issue 17). Quick: 2^8 and 2^10 rows (two sizes, so that the growth exponent is defined);
    // the full run has 2^10, 2^14 and 2^16. Every run's result was checked against the plaintext reference.
    const queries = r.queries as Record<string, any>;
    expect(queries.rows).toEqual([2 ** 8, 2 ** 10]);
    expect(queries.capped).toEqual([]);
    for (const q of ['credit_score', 'wage_gap']) {
      for (const [proto, parties] of [['3pc', 3], ['4pc', 4]] as const) {
        const e = queries[q][proto];
        expect(Object.keys(e.by_rows).sort(), `${q}.${proto}`).toEqual(['1024', '256']);
        for (const [rows, run] of Object.entries(e.by_rows as Record<string, any>)) {
          const what = `queries.${q}.${proto}.${rows}`;
          finite(run.wall_s, `${what}.wall_s`);
          expect(run.wall_s, `${what}.wall_s`).toBeGreaterThan(0);
          expect(run.bytes_per_party, `${what}.bytes_per_party`).toBeGreaterThan(0);
          expect(run.bytes_sent_per_party, `${what}.bytes_sent_per_party`).toHaveLength(parties);
          expect(run.bytes_per_party).toBe(Math.max(...run.bytes_sent_per_party));
        }
        finite(e.growth_exponent, `queries.${q}.${proto}.growth_exponent`);
      }
    }
  });
});
