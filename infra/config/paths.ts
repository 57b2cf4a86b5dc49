// Where the repository is, as source under tsx and as compiled JS under dist/.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is infra/config/paths.ts, or dist/infra/config/paths.js). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', ...(import.meta.url.includes('/dist/') ? ['..'] : []));
