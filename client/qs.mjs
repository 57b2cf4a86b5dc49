#!/usr/bin/env node
// `qs` from the sources, for development: the CLI is TypeScript, so register tsx's ESM loader and load it.
// What users run is the one-file build, dist/qs.mjs (`npm run build:qs`, scripts/build-qs.ts), which needs
// nothing but Node.
import { register } from 'tsx/esm/api';

register();
await import('./qs.ts');
