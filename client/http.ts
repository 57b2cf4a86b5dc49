// The API client: base URL and bearer token from the environment, JSON in and out, and every failure
// turned into one readable sentence (the API's {error, code, details} when it sent one).
import { CliError } from './errors.js';

export const DEFAULT_URL = 'http://127.0.0.1:5000';

export class ApiError extends CliError {
  constructor(
    message: string,
    readonly status: number,
    readonly body: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Builds one line from an error body: `<error>: <details…> (HTTP 500 QS_VALIDATION_FAILED)`. */
export function describeError(status: number, body: unknown): string {
  const b = (body && typeof body === 'object' ? body : {}) as { error?: unknown; code?: unknown; details?: unknown; missing_fields?: unknown };
  let msg = typeof b.error === 'string' ? b.error : typeof body === 'string' && body.trim() ? body.trim().slice(0, 300) : 'no error message';
  if (Array.isArray(b.missing_fields) && b.missing_fields.length) msg += `: ${b.missing_fields.join(', ')}`;
  if (Array.isArray(b.details) && b.details.length) msg += `: ${b.details.map(String).join('; ')}`;
  return `${msg} (HTTP ${status}${typeof b.code === 'string' ? ` ${b.code}` : ''})`;
}

export class Api {
  readonly baseUrl: string;
  private readonly token: string | undefined;

  constructor(env: NodeJS.ProcessEnv = process.env) {
    this.baseUrl = (env.QS_URL || DEFAULT_URL).replace(/\/+$/, '');
    // Catch `QS_URL=localhost:5000` here: fetch's own message for it ("Failed to parse URL") hides the cause.
    if (!/^https?:\/\/[^/]/.test(this.baseUrl)) throw new CliError(`QS_URL must be an http(s) URL such as ${DEFAULT_URL}, got ${JSON.stringify(this.baseUrl)}`);
    this.token = env.QS_TOKEN || undefined;
  }

  /** Sends a request and returns the parsed JSON body; throws ApiError on any non-2xx answer. */
  async request<T = any>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let res: Response;
    try {
      // A stuck server should not hang the CLI forever; every call here answers in well under this.
      res = await fetch(`${this.baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(60_000) });
    } catch (err) {
      throw new ApiError(`cannot reach the API at ${this.baseUrl} (set QS_URL): ${causeOf(err)}`, 0, undefined);
    }
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON: keep the text for the message */
    }
    if (!res.ok) throw new ApiError(describeError(res.status, parsed), res.status, parsed);
    return parsed as T;
  }
}

/** fetch errors hide the useful part (ECONNREFUSED, a timeout) in `cause`. */
export function causeOf(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError') return 'timed out';
  return e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
}
