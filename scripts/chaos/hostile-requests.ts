// Generates malformed and hostile requests across every route: invalid JSON, wrong types, huge
// strings, deep nesting, unicode, path tricks, NUL, very long ids, wrong content types, missing or bad
// tokens. Deterministic for a seed, so a failure can be replayed.

export interface HostileRequest {
  kind: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** A small seeded PRNG (mulberry32): the same seed gives the same requests. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ROUTES: [string, string][] = [
  ['POST', '/create_job'], ['POST', '/create-job'], ['POST', '/register_data_owner'], ['POST', '/register-data-owner'],
  ['POST', '/submit_job'], ['POST', '/submit-job'], ['GET', '/get_status'], ['GET', '/get-status'], ['GET', '/jobs'],
  ['GET', '/jobs/:id'], ['DELETE', '/jobs/:id'], ['POST', '/cancel_job'], ['GET', '/healthz'], ['PUT', '/create_job'], ['GET', '/nope/../../etc/passwd'],
];

const NASTY_STRINGS = [
  '', ' ', '../../etc/passwd', '/', '..', 'a/b', 'a\u0000b', '\u0000', '%00', '%2e%2e%2f', '😀'.repeat(50), 'é\u0301', '\u202e', '<script>alert(1)</script>',
  "' OR 1=1 --", '${7*7}', '{{7*7}}', 'x'.repeat(5000), 'NaN', '-1', '1e309', '\ud800', 'null', 'true', '0x41', 'constructor', '__proto__',
];

/** encodeURIComponent throws on a lone surrogate; send its raw UTF-8 bytes instead. */
function safeEncode(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return '%ED%A0%80';
  }
}

export function hostileRequests(count: number, seed: number, knownJobIds: string[], tokens: string[] = []): HostileRequest[] {
  const r = rng(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)];
  const deep = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
  const nastyValue = (): unknown => {
    switch (Math.floor(r() * 10)) {
      case 0: return pick(NASTY_STRINGS);
      case 1: return Math.floor(r() * 2 ** 53) * (r() < 0.5 ? -1 : 1);
      case 2: return r() < 0.5;
      case 3: return null;
      case 4: return [pick(NASTY_STRINGS), 1, {}];
      case 5: return { nested: { deeper: pick(NASTY_STRINGS) } };
      case 6: return 'x'.repeat(Math.floor(r() * 200_000));
      case 7: return pick(knownJobIds.length ? knownJobIds : ['00000000-0000-0000-0000-000000000000']);
      case 8: return ['aws', 'gcp', pick(NASTY_STRINGS)];
      default: return { a: pick(NASTY_STRINGS), '../b': 1, 'c d': 2 };
    }
  };
  const fieldsFor = ['analysis_name', 'query_sql', 'security_level', 'cloud_providers', 'schema', 'job_id', 'data_owner', '__proto__', 'constructor'];
  const out: HostileRequest[] = [];
  for (let i = 0; i < count; i++) {
    const [method, route] = pick(ROUTES);
    const id = r() < 0.3 ? pick(knownJobIds.length ? knownJobIds : ['x']) : String(nastyValue()).slice(0, 3000);
    let path = route.replace(':id', safeEncode(id));
    const headers: Record<string, string> = {};
    let body: string | undefined;
    const kind = pick(['invalid-json', 'wrong-types', 'huge', 'deep', 'unicode', 'path', 'nul', 'long-id', 'content-type', 'token', 'query']);
    switch (kind) {
      case 'invalid-json':
        headers['content-type'] = 'application/json';
        body = pick(['{', '{"a":1,}', "{'a':1}", '[1,2', 'nul', '{"a":}', '\u0000', '{"analysis_name":"x",}', '"unterminated', '{"a":1}{"b":2}']);
        break;
      case 'wrong-types': {
        headers['content-type'] = 'application/json';
        const o: Record<string, unknown> = {};
        for (const f of fieldsFor) if (r() < 0.6) o[f] = nastyValue();
        body = JSON.stringify(o);
        break;
      }
      case 'huge':
        headers['content-type'] = 'application/json';
        body = JSON.stringify({ analysis_name: 'x'.repeat(Math.floor(r() * 2_000_000)), query_sql: 'SELECT COUNT(*) FROM t', security_level: 'semi', cloud_providers: ['aws'], schema: { a: 'b' } });
        break;
      case 'deep':
        headers['content-type'] = 'application/json';
        body = r() < 0.5 ? deep(Math.floor(r() * 100_000)) : `{"schema":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`;
        break;
      case 'unicode':
        headers['content-type'] = 'application/json; charset=utf-8';
        body = JSON.stringify({ analysis_name: '分析😀\u202e', query_sql: 'SELECT SUM(ä) FROM ö', security_level: 'sémi', cloud_providers: ['аws'], schema: { 'ä': 'ü' }, job_id: '٠١٢', data_owner: 'ａｌｉｃｅ' });
        break;
      case 'path':
        path = pick(['/create_job/../jobs', '/jobs/..%2f..%2fetc%2fpasswd', '/%2e%2e/%2e%2e/', '//jobs', '/jobs/' + '../'.repeat(50), '/get_status?job_id=../../x', '/jobs/%00']);
        break;
      case 'nul':
        headers['content-type'] = 'application/json';
        body = JSON.stringify({ job_id: 'a\u0000b', data_owner: '\u0000', analysis_name: 'x\u0000' });
        break;
      case 'long-id':
        path = pick([`/jobs/${'a'.repeat(10_000)}`, `/get_status?job_id=${'f'.repeat(50_000)}`]);
        headers['content-type'] = 'application/json';
        body = JSON.stringify({ job_id: 'f'.repeat(100_000), data_owner: 'o'.repeat(100_000) });
        break;
      case 'content-type':
        headers['content-type'] = pick(['text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', 'application/json; charset=utf-16', '', 'application/jsonx', '*/*']);
        body = pick(['{"job_id":"x"}', 'job_id=x', '<a/>', '--x\r\n\r\n--x--']);
        break;
      case 'token':
        headers.authorization = pick(['Bearer', 'Bearer ', 'Bearer ' + 'x'.repeat(5000), 'Basic YTpi', 'bearer abc', 'Bearer \u0000', ...tokens.map((t) => `Bearer ${t}x`)]);
        headers['content-type'] = 'application/json';
        body = '{}';
        break;
      default:
        path = `${route.replace(':id', 'x')}?${pick(['job_id=', 'job_id[]=a&job_id[]=b', 'job_id[$ne]=1', 'limit=-1&status=%00', 'status=' + 'S'.repeat(10_000), 'page_token=' + '!'.repeat(100), '__proto__[x]=1'])}`;
    }
    if (method === 'GET' || method === 'DELETE') body = undefined;
    out.push({ kind, method, path, headers, body });
  }
  return out;
}

/** Sends the requests with bounded concurrency; returns status counts and any response ≥ 500. */
export async function fire(baseUrl: string, requests: HostileRequest[], concurrency = 32) {
  const statuses = new Map<number, number>();
  const serverErrors: { req: HostileRequest; status: number; body: string }[] = [];
  const nonJson: HostileRequest[] = [];
  let next = 0;
  let transportErrors = 0;
  let contractValidation = 0;
  let refusedByClient = 0;
  const transportSamples: string[] = [];
  const worker = async () => {
    while (next < requests.length) {
      const req = requests[next++];
      try {
        const res = await fetch(baseUrl + req.path, { method: req.method, headers: req.headers, body: req.body, signal: AbortSignal.timeout(30_000) });
        const text = await res.text();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        // The seed contract answers a failed upload validation with 500 "Data validation failed": that
        // one is a documented answer about the job, not a server fault, and is counted apart.
        if (res.status === 500 && text.includes('"QS_VALIDATION_FAILED"')) contractValidation++;
        else if (res.status >= 500 && res.status !== 503) serverErrors.push({ req: { ...req, body: req.body?.slice(0, 200) }, status: res.status, body: text.slice(0, 300) });
        // /docs and the web app's files (/, /app.js, /style.css; `/jobs/../../` resolves to /) are not JSON by design.
        const webApp = ['/', '/app.js', '/style.css'].includes(new URL(baseUrl + req.path).pathname);
        if (!(res.headers.get('content-type') ?? '').includes('application/json') && !req.path.startsWith('/docs') && !webApp) nonJson.push({ ...req, body: req.body?.slice(0, 100) });
      } catch (err) {
        const cause = (err as { cause?: { code?: string; message?: string } }).cause;
        // fetch refuses to send some of these (a NUL in a header, say): the server never saw them.
        if (err instanceof TypeError && !cause?.code) refusedByClient++;
        else {
          transportErrors++;
          transportSamples.push(`${req.kind} ${req.method} ${req.path.slice(0, 60)} (${req.body?.length ?? 0} bytes): ${cause?.code ?? ''} ${cause?.message ?? (err as Error).message}`);
        }
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { statuses: Object.fromEntries([...statuses.entries()].sort()), serverErrors, nonJson, transportErrors, transportSamples: transportSamples.slice(0, 10), refusedByClient, contractValidation };
}
