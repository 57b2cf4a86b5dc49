import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Connection } from '@temporalio/client';
import { isRunning } from '../../activities/ansible/process-group.js';
import { waitFor } from '../../scripts/services.js';
import { testConfig } from '../helpers/env.js';

describe('the embedded default services', () => {
  it('when the suite starts, then the dev server has the QueryShieldStatus search attribute', async () => {
    const cfg = testConfig();
    const conn = await Connection.connect({ address: cfg.temporal.address });
    const res = await conn.operatorService.listSearchAttributes({ namespace: cfg.temporal.namespace });
    expect(Object.keys(res.customAttributes ?? {})).toContain('QueryShieldStatus');
    await conn.close();
  });

  it('when a service never answers within its start-up time, then it and its children are stopped', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'qs-wait-'));
    const pidFile = path.join(dir, 'grandchild.pid');
    // A service that starts a child of its own and never answers.
    const child = spawn('bash', ['-c', `sleep 300 & echo $! > ${pidFile}; wait`], { detached: true, stdio: 'ignore' });
    const err = await waitFor('a silent service', async () => false, child, 1000).catch((e: Error) => e);
    expect(String(err)).toMatch(/a silent service did not answer within 1s/);
    expect(child.exitCode !== null || child.signalCode !== null).toBe(true);
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    await expect.poll(() => isRunning(grandchild), { timeout: 5000 }).toBe(false);
  });
});
