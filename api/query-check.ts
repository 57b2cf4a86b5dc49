// create_job refuses a query the configured engine cannot run, before any cloud work starts.
// The reference engine runs any query of domain/sql's grammar (compiled here and again, identically, by
// runExperiment); TVA runs only the programs of its catalogue.
import { readFileSync } from 'node:fs';
import type { Config } from '../activities/config.js';
import { lookupCatalogue } from '../activities/engine/catalogue.js';
import { compileJobQuery } from '../activities/engine/plan.js';
import { qsError } from './errors.js';

let catalogue: Record<string, string> | undefined;

/** Throws QS_INVALID_QUERY (400, `query_sql: <why>`; `construct` names a construct outside the grammar). */
export function compileForEngine(config: Config, sql: string, columns: string[]): void {
  if (config.engine.kind === 'tva') {
    catalogue ??= config.engine.catalogueFile ? (JSON.parse(readFileSync(config.engine.catalogueFile, 'utf8')) as Record<string, string>) : {};
    const found = lookupCatalogue(sql, catalogue);
    if (!found.ok) throw qsError('QS_INVALID_QUERY', [found.error]);
    return;
  }
  const compiled = compileJobQuery(sql, columns);
  if (!compiled.ok) throw qsError('QS_INVALID_QUERY', [compiled.error], compiled.construct ? { construct: compiled.construct } : {});
}
