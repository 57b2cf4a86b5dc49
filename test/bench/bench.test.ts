// Benchmarks are scripts, not timed tests: this only checks that the quick pass runs end to end and
// writes well-formed results with every key the benchmark issue names.
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
    expect(r.concurrent_jobs_completed).toBe(r.concurrent_jobs_total);
    expect(Array.isArray(r.scaling) && (r.scaling as unknown[]).length).toBeGreaterThan(0);
  });
});
