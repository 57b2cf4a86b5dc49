// create_job refuses a query the engine cannot run, before any cloud work starts. The engine runs any
// query of domain/sql's grammar (compiled here and again, identically, by runExperiment).
import type { Config } from '../infra/config.js';
import { compileJobQuery } from '../domain/job-query.js';
import { qsError } from './errors.js';

/** Throws QS_INVALID_QUERY (400, `query_sql: <why>`; `construct` names a construct outside the grammar). */
export function compileForEngine(_config: Config, sql: string, columns: string[]): void {
  const compiled = compileJobQuery(sql, columns);
  if (!compiled.ok) throw qsError('QS_INVALID_QUERY', [compiled.error], compiled.construct ? { construct: compiled.construct } : {});
}
