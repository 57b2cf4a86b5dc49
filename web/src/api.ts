// The API client: JSON calls to the API that served the page, with the tab's token as a bearer header.
// The token lives in session storage (this tab only) and never goes into an address.
const TOKEN_KEY = 'qs.token';
const AFTER_KEY = 'qs.after';

export const getToken = () => sessionStorage.getItem(TOKEN_KEY) ?? '';
export function setToken(token: string): void {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** Where the data owner's invitation for a job is kept once the page has taken it out of the address. */
export const inviteKey = (jobId: string) => `qs.invite.${jobId}`;

export interface ApiAnswer<T = any> {
  status: number;
  body: T;
}

export async function api<T = any>(method: string, path: string, body?: unknown, token = getToken()): Promise<ApiAnswer<T>> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
  } catch {
    return { status: 0, body: { error: 'the API did not answer (network error): check your connection and try again', code: 'QS_NETWORK' } as T };
  }
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, body: parsed as T };
}

export const errorText = (a: ApiAnswer) => (a.body && typeof a.body === 'object' && typeof a.body.error === 'string' ? a.body.error : `HTTP ${a.status}`);

export const jobPath = (jobId: string) => `/jobs/${encodeURIComponent(jobId)}`;

/** An analyst page's answer that needs a token: go to sign-in, and back here after. */
export function needsSignIn(a: ApiAnswer): boolean {
  if (a.status !== 401) return false;
  sessionStorage.setItem(AFTER_KEY, location.hash || '#/');
  location.hash = '#/signin';
  return true;
}

/** After signing in: the page that asked for it (once). */
export function afterSignIn(): string {
  const after = sessionStorage.getItem(AFTER_KEY) ?? '#/';
  sessionStorage.removeItem(AFTER_KEY);
  return after === '#/signin' ? '#/' : after;
}
