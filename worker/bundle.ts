// The workflow code the worker runs: bundled by `npm run build` into dist/workflow-bundle.js, so that a
// worker started from dist/ (npm run start:worker, the container) loads it instead of bundling at start.
// Under tsx (`npm run worker`, `npm run dev`) the sources may have changed since any build, so the
// worker bundles them itself, as before.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { Logger } from '../infra/logger.js';

/** The workflow entry, as source under tsx and as compiled JS under dist/. */
export function workflowsPath(): string {
  const ts = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));
  return existsSync(ts) ? ts : fileURLToPath(new URL('../workflows/index.js', import.meta.url));
}

/** dist/workflow-bundle.js beside the compiled worker (this file is dist/worker/bundle.js there). */
export function prebuiltBundlePath(): string {
  return fileURLToPath(new URL('../workflow-bundle.js', import.meta.url));
}

/** What to give Worker.create: the prebuilt bundle when running compiled and it exists, else the sources. */
export function workflowSource(log?: Logger): { workflowBundle: { codePath: string } } | { workflowsPath: string } {
  const compiled = fileURLToPath(import.meta.url).endsWith('.js');
  const prebuilt = prebuiltBundlePath();
  if (compiled && existsSync(prebuilt)) {
    log?.info({ bundle: prebuilt }, 'worker: using the prebuilt workflow bundle');
    return { workflowBundle: { codePath: prebuilt } };
  }
  if (compiled) log?.warn({ bundle: prebuilt }, 'worker: no prebuilt workflow bundle (run `npm run build`); bundling at start');
  return { workflowsPath: workflowsPath() };
}

/** Writes the bundle (`npm run build` runs this after tsc). */
export async function buildBundle(out = prebuiltBundlePath()): Promise<{ path: string; bytes: number }> {
  const { code } = await bundleWorkflowCode({ workflowsPath: workflowsPath(), logger: { log() {}, trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error } });
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, code);
  return { path: out, bytes: Buffer.byteLength(code) };
}
