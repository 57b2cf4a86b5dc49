// The workflow bundle `npm run build` writes, and which source a worker takes.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildBundle, workflowSource, workflowsPath } from '../../worker/bundle.js';

describe('the workflow bundle', () => {
  it('when built, then one file holds the job and sweep workflows', { timeout: 120_000 }, async () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'qs-bundle-')), 'workflow-bundle.js');
    const built = await buildBundle(out);
    expect(built.path).toBe(out);
    const code = readFileSync(out, 'utf8');
    expect(code).toContain('jobWorkflow');
    expect(code).toContain('sweepWorkflow');
    expect(built.bytes).toBe(Buffer.byteLength(code));
  });

  it('when the worker runs from the sources (tsx), then it bundles them itself: they may be newer than any build', () => {
    expect(workflowSource()).toEqual({ workflowsPath: workflowsPath() });
    expect(workflowsPath()).toMatch(/workflows\/index\.ts$/);
  });
});
