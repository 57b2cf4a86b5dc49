// Every error the API can answer with, declared once: a code, an HTTP status and a message template
// (like fastify's lib/errors.js). Handlers throw by code; tests assert codes, not message strings.
import { format } from 'node:util';

export const ERRORS = {
  QS_MISSING_FIELDS: { status: 400, message: 'missing necessary fields' },
  QS_INVALID_FIELD: { status: 400, message: '%s' },
  QS_INVALID_JSON: { status: 400, message: 'the request body is not valid JSON: %s' },
  QS_BODY_NOT_OBJECT: { status: 400, message: 'the request body must be a JSON object' },
  QS_INVALID_QUERY: { status: 400, message: 'query_sql: %s' },
  QS_UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Content-Type must be application/json' },
  QS_BODY_TOO_LARGE: { status: 413, message: 'the request body is too large' },
  QS_ROUTE_NOT_FOUND: { status: 404, message: 'no route %s %s' },
  QS_METHOD_NOT_ALLOWED: { status: 405, message: 'method %s is not allowed on %s' },
  QS_UNAUTHENTICATED: { status: 401, message: 'a valid bearer token is required (Authorization: Bearer <token>)' },
  QS_FORBIDDEN: { status: 403, message: 'the %s role may not call this route' },
  QS_ROUTE_UNDECLARED: { status: 403, message: 'this route does not declare who may call it, so nobody may' },
  QS_RATE_LIMITED: { status: 429, message: 'too many requests; retry in %s' },
  QS_JOB_NOT_FOUND: { status: 404, message: 'Job ID not found' },
  QS_NOT_INVITED: { status: 403, message: 'this token is not valid for this job' },
  QS_OWNER_FORBIDDEN: { status: 403, message: 'this token may not act as data owner %s on this job' },
  QS_OWNER_NOT_FOUND: { status: 404, message: 'data owner %s is neither registered nor invited for this job' },
  QS_OWNER_UPLOADED: { status: 409, message: 'data owner %s has uploaded a share file; it stays' },
  QS_TOO_MANY_OWNERS: { status: 409, message: '%s' },
  QS_TOO_MANY_JOBS: { status: 429, message: 'you have %d jobs running, the most allowed (QS_MAX_OPEN_JOBS); wait for one to end or cancel one' },
  QS_JOB_SUBMITTED: { status: 409, message: 'the job was already submitted: no more data owners can register' },
  QS_JOB_NOT_OPEN: { status: 409, message: 'the job is not open: %s' },
  QS_DUPLICATED_SUBMISSION: { status: 409, message: 'Duplicated submission' },
  QS_NOT_SUBMITTED: { status: 409, message: 'the job has not been submitted yet' },
  QS_JOB_FINISHED: { status: 409, message: 'the job has already finished' },
  QS_RERUN_REFUSED: { status: 409, message: 'only a failed job can be run again: %s' },
  QS_VALIDATION_FAILED: { status: 500, message: 'Data validation failed' },
  QS_STORAGE_CREATION: { status: 500, message: '%s' },
  QS_TEMPORAL_UNAVAILABLE: { status: 503, message: 'the job service is unavailable: %s' },
  QS_NO_WORKER: { status: 503, message: 'no worker answered within %d seconds; the job will continue when one does' },
  QS_INTERNAL: { status: 500, message: 'internal error' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

export class QsError extends Error {
  readonly statusCode: number;
  constructor(
    readonly code: ErrorCode,
    args: (string | number)[] = [],
    /** fields merged into the JSON body next to "error" (e.g. job_id, missing_fields, details) */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(format(ERRORS[code].message, ...args));
    this.name = 'QsError';
    this.statusCode = ERRORS[code].status;
  }

  body(): Record<string, unknown> {
    return { error: this.message, code: this.code, ...this.extra };
  }
}

export const qsError = (code: ErrorCode, args: (string | number)[] = [], extra: Record<string, unknown> = {}) =>
  new QsError(code, args, extra);
