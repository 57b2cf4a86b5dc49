// The web app's bundle: built by the API from web/src with the CLI's sharing module inside (no Node
// built-in reaches the browser), small, and web/src type-checks against the DOM library.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { buildWebBundle, WEB_ROOT } from '../../api/routes/web.js';

describe('the web bundle', () => {
  it('builds for browsers from web/src with domain/shares and domain/csv-check inside, under 60 kB, no node: import', async () => {
    const js = await buildWebBundle();
    expect(js.length).toBeLessThan(60_000);
    expect(js).not.toMatch(/["']node:/);
    // The sharing module's and the CSV check's own messages are in it: the same code, not a copy.
    expect(js).toContain('the random source returned');
    expect(js).toContain('is outside the 32-bit range');
  });

  it('web/src type-checks with the DOM library (web/tsconfig.json)', { timeout: 120_000 }, () => {
    const tsc = path.join(WEB_ROOT, '..', 'node_modules', 'typescript', 'bin', 'tsc');
    expect(() => execFileSync(process.execPath, [tsc, '-p', path.join(WEB_ROOT, 'tsconfig.json')], { encoding: 'utf8', stdio: 'pipe' })).not.toThrow();
  });
});
