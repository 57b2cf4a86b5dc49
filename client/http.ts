// The API client: base URL and bearer token (from flags, the environment or the profile: settings.ts),
// JSON in and out, and every failure turned into one readable sentence (the API's {error, code, details}
// when it sent one) with exit code 3.
import { CliError, EXIT } from './errors.js';

export class ApiError extends CliError {
  /** the HTTP status, 0 when the API could not be reached */
  readonly httpStatus: number;
  readonly details: unknown;
  constructor(
    message: string,
    readonly status: number,
    readonly body: unknown,
  ) {
    const b = (body && typeof body === 'object' ? body : {}) as { code?: unknown; details?: unknown };
    super(message, EXIT.api, typeof b.code === 'string' ? b.code : status === 0 ? 'QS_API_UNREACHABLE' : 'QS_API_ERROR');
    this.name = 'ApiError';
    this.httpStatus = status;
    this.details = b.details;
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

  constructor(settings: { url: string; token?: string }) {
    this.baseUrl = settings.url.replace(/\/+$/, '');
    this.token = settings.token || undefined;
  }

  /** Sends a request and returns the parsed JSON body; throws ApiError on any non-2xx answer. */
  async request<T = any>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let res: Response;
    try {
      // A stuck server should not hang the CLI forever; every call here answers in well under this.
      res = await fetch(`${this.baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(60_000) });
    } catch (err) {
      throw new ApiError(`cannot reach the API at ${this.baseUrl} (set --url or QS_URL): ${causeOf(err)}`, 0, undefined);
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
