// create_job refuses a query the configured engine cannot run, before any cloud work starts.
import { readFileSync } from 'node:fs';
import type { Config } from '../activities/config.js';
import { QUERY_ENGINE_NAME, compileQuery, lookupCatalogue } from '../activities/engine/query.js';
import { qsError } from './errors.js';

let catalogue: Record<string, string> | undefined;

export function compileForEngine(config: Config, sql: string, columns: string[]): void {
  if (config.engine.kind === 'tva') {
    catalogue ??= config.engine.catalogueFile ? (JSON.parse(readFileSync(config.engine.catalogueFile, 'utf8')) as Record<string, string>) : {};
    const found = lookupCatalogue(sql, catalogue);
    if (!found.ok) throw qsError('QS_INVALID_QUERY', [found.error]);
    return;
  }
  const compiled = compileQuery(sql, columns);
  if (!compiled.ok) throw qsError('QS_INVALID_QUERY', [`${compiled.error} (${QUERY_ENGINE_NAME})`]);
}
