#!/usr/bin/env node
// The `qs` bin: the CLI is TypeScript, so register tsx's ESM loader and then load it. No build step:
// the repository already runs everything through tsx.
import { register } from 'tsx/esm/api';

register();
await import('./qs.ts');
