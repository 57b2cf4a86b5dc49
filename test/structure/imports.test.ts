// The dependency rules of the source folders (README, "Layout"), checked by reading every import. A folder
// may import only the folders listed for it; the domain imports nothing of the others and no Node built-in,
// so the CLI, the web app and the workflow bundle can all take it; the workflow imports only the domain and
// Temporal's workflow-side packages, so its bundle stays deterministic.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

const ALLOWED: Record<string, string[]> = {
  domain: ['domain'],
  infra: ['infra', 'domain'],
  workflows: ['workflows', 'domain'],
  activities: ['activities', 'infra', 'domain', 'workflows'],
  worker: ['worker', 'activities', 'infra', 'domain', 'workflows'],
  api: ['api', 'infra', 'domain', 'workflows'],
  client: ['client', 'domain'],
  web: ['web', 'domain'],
};
/** Packages a folder may import besides Node built-ins (null: any). */
const PACKAGES: Record<string, RegExp | null> = {
  domain: /^$/,
  workflows: /^@temporalio\/(workflow|common)$/,
  client: /^csv-parse\/sync$/, // bundled into the one-file qs (scripts/build-qs.ts): nothing to install at run time
  web: /^$/,
};
/** What activities may take from workflows/: the contract between the two, nothing of the workflow itself. */
const WORKFLOW_CONTRACT = new Set(['workflows/activity-types.ts', 'workflows/messages.ts']);

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(rel));
    else if (/\.(ts|mts)$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(rel);
  }
  return out;
}

const SPEC = /(?:^|\s)(?:import|export)\b[^'"`;]*?from\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm;

function importsOf(file: string): string[] {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
  return [...text.matchAll(SPEC)].map((m) => m[1] ?? m[2] ?? m[3]);
}

function folderOf(file: string): string {
  return file.startsWith('web/') ? 'web' : file.split('/')[0];
}

function violations(): string[] {
  const found: string[] = [];
  const files = Object.keys(ALLOWED).flatMap((f) => sources(f === 'web' ? 'web/src' : f));
  for (const file of files) {
    const from = folderOf(file);
    for (const spec of importsOf(file)) {
      if (spec.startsWith('.')) {
        const target = path.relative(ROOT, path.resolve(ROOT, path.dirname(file), spec)).replace(/\.js$/, '.ts');
        const to = folderOf(target);
        if (!ALLOWED[from].includes(to)) found.push(`${file} imports ${target} (${from} may not import ${to})`);
        else if (from === 'activities' && to === 'workflows' && !WORKFLOW_CONTRACT.has(target))
          found.push(`${file} imports ${target} (activities take only the workflow contract)`);
      } else if (spec.startsWith('node:')) {
        if (from === 'domain' || from === 'workflows' || from === 'web') found.push(`${file} imports ${spec} (${from} is free of Node)`);
      } else {
        const allowed = PACKAGES[from];
        if (allowed && !allowed.test(spec)) found.push(`${file} imports package ${spec}`);
      }
    }
  }
  return found;
}

describe('the source folders keep their dependency rules', () => {
  it('every import goes where its folder may go', () => {
    expect(violations()).toEqual([]);
  });

  it('the checker sees the imports it checks (a sanity check of the reader itself)', () => {
    expect(importsOf('worker/activities.ts').some((s) => s.includes('infra/storage'))).toBe(true);
    expect(importsOf('api/app.ts').length).toBeGreaterThan(3);
  });
});
