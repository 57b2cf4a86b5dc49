// The kinds of failure the CLI reports, each with its own exit code so scripts can tell them apart:
//   0 done · 1 anything else (a CSV that fails the check, a store refusing an upload, a local file)
//   2 usage (a wrong flag or value: read --help) · 3 the API refused or could not be reached
//   4 the job ended Fail (status --watch, result)
// Each becomes one line on stderr, `qs: <message>`, or under --json one JSON object (toJson).
export const EXIT = { ok: 0, failure: 1, usage: 2, api: 3, jobFailed: 4 } as const;

export class CliError extends Error {
  readonly exitCode: number;
  /** a stable code for scripts: the API's QS_… code, or one of the CLI's own below */
  readonly code: string;
  constructor(message: string, exitCode: number = EXIT.failure, code = 'QS_CLI_FAILED') {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
    this.code = code;
  }
}

export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT.usage, 'QS_USAGE');
    this.name = 'UsageError';
  }
}

export class JobFailedError extends CliError {
  constructor(message: string) {
    super(message, EXIT.jobFailed, 'QS_JOB_FAILED');
    this.name = 'JobFailedError';
  }
}

/** The --json form of a failure: `{error, code, exit_code}` plus what the error carries (the API's
 *  http_status and details, a CSV check's problems). */
export function toJson(err: unknown): Record<string, unknown> {
  const e = err as Partial<CliError> & { httpStatus?: number; details?: unknown; problems?: unknown };
  const out: Record<string, unknown> = {
    error: oneLine(err),
    code: typeof e?.code === 'string' ? e.code : (err as Error)?.name === 'CsvCheckError' ? 'QS_CSV_INVALID' : 'QS_CLI_FAILED',
    exit_code: exitCodeOf(err),
  };
  if (typeof e?.httpStatus === 'number' && e.httpStatus > 0) out.http_status = e.httpStatus;
  if (Array.isArray(e?.details) && e.details.length) out.details = e.details;
  if (Array.isArray(e?.problems)) out.problems = e.problems;
  return out;
}

export const exitCodeOf = (err: unknown): number => {
  const c = (err as { exitCode?: unknown })?.exitCode;
  return typeof c === 'number' ? c : EXIT.failure;
};

export const oneLine = (err: unknown): string => ((err as Error)?.message ?? String(err)).replace(/\s*\n\s*/g, ' ');
