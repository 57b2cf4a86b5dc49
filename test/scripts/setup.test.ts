import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../../scripts/services.js';

const run = promisify(execFile);

function snapshot(dir: string): string {
  return readdirSync(dir).sort().map((f) => `${f}:${statSync(path.join(dir, f)).mtimeMs}`).join('\n');
}

describe('scripts/setup.sh', () => {
  it('when everything is installed, then a second run changes nothing and takes seconds', async () => {
    await run('bash', ['scripts/setup.sh', '--quiet'], { cwd: ROOT });
    const before = snapshot(path.join(ROOT, '.venv', 'bin'));
    const t0 = Date.now();
    const { stdout } = await run('bash', ['scripts/setup.sh'], { cwd: ROOT });
    const seconds = (Date.now() - t0) / 1000;
    expect(stdout).toMatch(/\.venv is up to date/);
    expect(stdout).not.toMatch(/installing/);
    expect(snapshot(path.join(ROOT, '.venv', 'bin'))).toBe(before);
    // Not a timing assertion on performance, a guard against a setup that reinstalls: that takes minutes.
    expect(seconds).toBeLessThan(60);
  });
});
