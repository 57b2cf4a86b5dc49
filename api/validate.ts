// A job id taken from a request outside a route schema: anything that is not a UUID cannot name a job,
// so it is a 404. Routes with a schema get the same answer from api/validation.ts.
import { JOB_ID_INPUT_PATTERN } from '../domain/limits.js';
import { qsError } from './errors.js';

export function jobIdOrNotFound(v: unknown): string {
  if (typeof v !== 'string' || !JOB_ID_INPUT_PATTERN.test(v)) {
    throw qsError('QS_JOB_NOT_FOUND', [], { job_id: typeof v === 'string' ? v.slice(0, 100) : v === undefined ? null : String(v).slice(0, 100) });
  }
  return v.toLowerCase();
}
