// Builds `qs` as one file: dist/qs.mjs, the CLI and what it imports (domain/, csv-parse) bundled by
// esbuild for Node, with nothing to install at run time. Copy it anywhere and run `node qs.mjs`, or
// `./qs.mjs` (it starts with a shebang and is made executable). `npm run build:qs`; `npm run build` too.
import { build } from 'esbuild';
import { chmodSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Bundles client/qs.ts into `outfile` (default dist/qs.mjs); returns its path. */
export async function buildQs(outfile = path.join(ROOT, 'dist', 'qs.mjs')): Promise<string> {
  const { version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
  await build({
    entryPoints: [path.join(ROOT, 'client', 'qs.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    // The oldest Node it must run on: the project's engines floor.
    target: 'node20',
    minify: false,
    legalComments: 'inline',
    banner: { js: '#!/usr/bin/env node' },
    // QS_BUNDLE makes the file run main() whatever it is called (`qs`, `qs.mjs`, a download).
    define: { QS_VERSION: JSON.stringify(version), QS_BUNDLE: 'true' },
    logLevel: 'warning',
  });
  chmodSync(outfile, 0o755);
  return outfile;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = await buildQs(process.argv[2] ? path.resolve(process.argv[2]) : undefined);
  console.log(`built ${path.relative(process.cwd(), out) || out}`);
}
