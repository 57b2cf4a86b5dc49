// The short pass of `npm run chaos`'s fault runs: real jobs (real Ansible, the reference engine) while
// the worker is killed with -9 in the first two stages, then the API and the Temporal dev server are
// killed and restarted mid-job. Every job must end Success with the right answer, one host per party,
// nothing left behind and nothing lost. (The full run: `npm run chaos -- --requests 0`.)
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { faultSummary, runFaults } from '../../../scripts/chaos/faults.js';

describe('fault runs (short pass)', () => {
  it('when the worker, the API and Temporal are killed mid-job, then every job ends Success once, with nothing left or lost', { timeout: 1_200_000 }, async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'qs-faults-test-'));
    try {
      const report = await runFaults({ dir, kills: 2, concurrency: 2, twoWorkers: false, log: () => {} });
      const { lines, ok } = faultSummary(report);
      expect(report.trials.map((t) => t.stage)).toEqual(['createVMs', 'setupAuthentication']);
      expect(report.scenarios).toHaveLength(3);
      expect(ok, lines.join('\n')).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
