// Generates malformed and hostile requests across every route: invalid JSON, wrong types, huge
// strings, deep nesting, unicode, path tricks, NUL, very long ids, wrong content types, missing or bad
// tokens. The requests are a fast-check arbitrary (hostileRequest): hostileRequests(count, seed) is the
// same list for the same seed, and when one of them is answered with a fault, fire() replays it under
// fast-check, which shrinks it to a smallest request that still faults and prints the seed and path
// that replay it (fc.check with { seed, path }).
import fc from 'fast-check';

export interface HostileRequest {
  kind: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
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
const FIELDS = ['analysis_name', 'query_sql', 'security_level', 'cloud_providers', 'schema', 'job_id', 'data_owner', '__proto__', 'constructor'];
const ZERO_ID = '00000000-0000-0000-0000-000000000000';

/** encodeURIComponent throws on a lone surrogate; send its raw UTF-8 bytes instead. */
function safeEncode(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return '%ED%A0%80';
  }
}

const nastyString = fc.constantFrom(...NASTY_STRINGS);

/** A value of any wrong shape: the hand-picked nasty strings and shapes, plus what fast-check makes up. */
function nastyValue(knownJobIds: string[]): fc.Arbitrary<unknown> {
  return fc.oneof(
    nastyString,
    fc.maxSafeInteger(),
    fc.boolean(),
    fc.constant(null),
    nastyString.map((s) => [s, 1, {}]),
    nastyString.map((s) => ({ nested: { deeper: s } })),
    fc.nat({ max: 200_000 }).map((n) => 'x'.repeat(n)),
    fc.constantFrom(...(knownJobIds.length ? knownJobIds : [ZERO_ID])),
    nastyString.map((s) => ['aws', 'gcp', s]),
    nastyString.map((s) => ({ a: s, '../b': 1, 'c d': 2 })),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.jsonValue({ maxDepth: 3 }),
  );
}

type Part = Pick<HostileRequest, 'kind' | 'headers' | 'body'> & { path?: string };
const JSON_TYPE = { 'content-type': 'application/json' };

/** An object with some of the API's field names (own keys, `__proto__` included) set to wrong values. */
function wrongTypes(knownJobIds: string[]): fc.Arbitrary<Part> {
  return fc.array(fc.tuple(fc.constantFrom(...FIELDS), nastyValue(knownJobIds)), { maxLength: FIELDS.length }).map((pairs) => {
    const o: Record<string, unknown> = {};
    for (const [k, v] of pairs) Object.defineProperty(o, k, { value: v, enumerable: true, configurable: true, writable: true });
    return { kind: 'wrong-types', headers: { ...JSON_TYPE }, body: JSON.stringify(o) };
  });
}

/** One request's kind and what it sets: headers, body, sometimes its own path. */
function part(knownJobIds: string[], tokens: string[]): fc.Arbitrary<Part> {
  const pick = (...xs: string[]) => fc.constantFrom(...xs);
  return fc.oneof(
    pick('{', '{"a":1,}', "{'a':1}", '[1,2', 'nul', '{"a":}', '\u0000', '{"analysis_name":"x",}', '"unterminated', '{"a":1}{"b":2}').map((body) => ({ kind: 'invalid-json', headers: { ...JSON_TYPE }, body })),
    wrongTypes(knownJobIds),
    fc.integer({ min: 0, max: 2_000_000 }).map((n) => ({ kind: 'huge', headers: { ...JSON_TYPE }, body: JSON.stringify({ analysis_name: 'x'.repeat(n), query_sql: 'SELECT COUNT(*) FROM t', security_level: 'semi', cloud_providers: ['aws'], schema: { a: 'b' } }) })),
    fc.oneof(fc.integer({ min: 0, max: 100_000 }).map((d) => '['.repeat(d) + ']'.repeat(d)), fc.constant(`{"schema":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`)).map((body) => ({ kind: 'deep', headers: { ...JSON_TYPE }, body })),
    fc.constant({ kind: 'unicode', headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify({ analysis_name: '分析😀\u202e', query_sql: 'SELECT SUM(ä) FROM ö', security_level: 'sémi', cloud_providers: ['аws'], schema: { 'ä': 'ü' }, job_id: '٠١٢', data_owner: 'ａｌｉｃｅ' }) }),
    pick('/create_job/../jobs', '/jobs/..%2f..%2fetc%2fpasswd', '/%2e%2e/%2e%2e/', '//jobs', '/jobs/' + '../'.repeat(50), '/get_status?job_id=../../x', '/jobs/%00').map((path) => ({ kind: 'path', path, headers: {} })),
    fc.constant({ kind: 'nul', headers: { ...JSON_TYPE }, body: JSON.stringify({ job_id: 'a\u0000b', data_owner: '\u0000', analysis_name: 'x\u0000' }) }),
    pick(`/jobs/${'a'.repeat(10_000)}`, `/get_status?job_id=${'f'.repeat(50_000)}`).map((path) => ({ kind: 'long-id', path, headers: { ...JSON_TYPE }, body: JSON.stringify({ job_id: 'f'.repeat(100_000), data_owner: 'o'.repeat(100_000) }) })),
    fc.tuple(pick('text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', 'application/json; charset=utf-16', '', 'application/jsonx', '*/*'), pick('{"job_id":"x"}', 'job_id=x', '<a/>', '--x\r\n\r\n--x--')).map(([type, body]) => ({ kind: 'content-type', headers: { 'content-type': type }, body })),
    pick('Bearer', 'Bearer ', 'Bearer ' + 'x'.repeat(5000), 'Basic YTpi', 'bearer abc', 'Bearer \u0000', ...tokens.map((t) => `Bearer ${t}x`)).map((authorization) => ({ kind: 'token', headers: { authorization, ...JSON_TYPE }, body: '{}' })),
    pick('job_id=', 'job_id[]=a&job_id[]=b', 'job_id[$ne]=1', 'limit=-1&status=%00', 'status=' + 'S'.repeat(10_000), 'page_token=' + '!'.repeat(100), '__proto__[x]=1').map((query) => ({ kind: 'query', path: `?${query}`, headers: {} })),
  );
}

/** One hostile request: a route, an id for its path, and a kind of hostility. */
export function hostileRequest(knownJobIds: string[], tokens: string[] = []): fc.Arbitrary<HostileRequest> {
  const id = fc.oneof(fc.constantFrom(...(knownJobIds.length ? knownJobIds : ['x'])), nastyValue(knownJobIds).map((v) => String(v).slice(0, 3000)));
  return fc.tuple(fc.constantFrom(...ROUTES), id, part(knownJobIds, tokens)).map(([[method, route], jobId, p]) => {
    let path = route.replace(':id', safeEncode(jobId));
    if (p.kind === 'query') path = `${route.replace(':id', 'x')}${p.path}`;
    else if (p.path) path = p.path;
    const body = method === 'GET' || method === 'DELETE' ? undefined : p.body;
    return { kind: p.kind, method, path, headers: p.headers, body };
  });
}

interface Generated {
  seed: number;
  arbitrary: fc.Arbitrary<HostileRequest>;
}
/** What made each list hostileRequests returned, so fire() can replay and shrink one of its requests. */
const ORIGIN = new WeakMap<HostileRequest[], Generated>();

/** `count` requests, the same ones for the same seed. */
export function hostileRequests(count: number, seed: number, knownJobIds: string[], tokens: string[] = []): HostileRequest[] {
  const arbitrary = hostileRequest(knownJobIds, tokens);
  const out = fc.sample(arbitrary, { numRuns: count, seed });
  ORIGIN.set(out, { seed, arbitrary });
  return out;
}

type Outcome =
  | { status: number; text: string; serverError: boolean; nonJson: boolean; contractValidation: boolean }
  | { refused: true }
  | { transport: string };

/** Sends one request and judges the answer. */
async function send(baseUrl: string, req: HostileRequest): Promise<Outcome> {
  try {
    const res = await fetch(baseUrl + req.path, { method: req.method, headers: req.headers, body: req.body, signal: AbortSignal.timeout(30_000) });
    const text = await res.text();
    // The seed contract answers a failed upload validation with 500 "Data validation failed": that
    // one is a documented answer about the job, not a server fault, and is counted apart.
    const contractValidation = res.status === 500 && text.includes('"QS_VALIDATION_FAILED"');
    // /docs and the web app's files (/, /app.js, /style.css; `/jobs/../../` resolves to /) are not JSON by design.
    const webApp = ['/', '/app.js', '/style.css'].includes(new URL(baseUrl + req.path).pathname);
    const nonJson = !(res.headers.get('content-type') ?? '').includes('application/json') && !req.path.startsWith('/docs') && !webApp;
    return { status: res.status, text, serverError: !contractValidation && res.status >= 500 && res.status !== 503, nonJson, contractValidation };
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    // fetch refuses to send some of these (a NUL in a header, say): the server never saw them.
    if (err instanceof TypeError && !cause?.code) return { refused: true };
    return { transport: `${cause?.code ?? ''} ${cause?.message ?? (err as Error).message}` };
  }
}

const isFault = (o: Outcome) => 'transport' in o || ('status' in o && (o.serverError || o.nonJson));
const clip = (req: HostileRequest, n: number): HostileRequest => ({ ...req, path: req.path.slice(0, 300), body: req.body?.slice(0, n) });

export interface Shrunk {
  /** fc.check(property, { seed, path }) replays exactly this request */
  seed: number;
  path: string;
  /** the request, its path and body cut to 300 characters */
  request: HostileRequest;
  bodyLength: number;
}

/** Replays the `index`-th request of a generated list under fast-check, which shrinks it while it still
 *  faults; undefined when it does not fault again. */
async function shrink(baseUrl: string, origin: Generated, index: number): Promise<Shrunk | undefined> {
  const property = fc.asyncProperty(origin.arbitrary, async (req) => !isFault(await send(baseUrl, req)));
  const r = await fc.check(property, { seed: origin.seed, path: String(index), numRuns: index + 1 });
  if (!r.failed || !r.counterexample || !r.counterexamplePath) return undefined;
  const [req] = r.counterexample;
  return { seed: origin.seed, path: r.counterexamplePath, request: clip(req, 300), bodyLength: req.body?.length ?? 0 };
}

/** Sends the requests with bounded concurrency; returns status counts and any response ≥ 500, non-JSON
 *  answer or broken connection. For a list from hostileRequests, the first fault is also shrunk
 *  (`shrunk`: the smallest request that still faults, and the seed and path that replay it). */
export async function fire(baseUrl: string, requests: HostileRequest[], concurrency = 32) {
  const statuses = new Map<number, number>();
  const serverErrors: { req: HostileRequest; status: number; body: string; index: number }[] = [];
  const nonJson: (HostileRequest & { index: number })[] = [];
  const transportSamples: string[] = [];
  let next = 0;
  let transportErrors = 0;
  let contractValidation = 0;
  let refusedByClient = 0;
  let firstFault: number | undefined;
  const worker = async () => {
    while (next < requests.length) {
      const index = next++;
      const req = requests[index];
      const o = await send(baseUrl, req);
      if (isFault(o)) firstFault = Math.min(firstFault ?? index, index);
      if ('refused' in o) refusedByClient++;
      else if ('transport' in o) {
        transportErrors++;
        transportSamples.push(`${req.kind} ${req.method} ${req.path.slice(0, 60)} (${req.body?.length ?? 0} bytes): ${o.transport}`);
      } else {
        statuses.set(o.status, (statuses.get(o.status) ?? 0) + 1);
        if (o.contractValidation) contractValidation++;
        if (o.serverError) serverErrors.push({ req: clip(req, 200), status: o.status, body: o.text.slice(0, 300), index });
        if (o.nonJson) nonJson.push({ ...clip(req, 100), index });
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const origin = ORIGIN.get(requests);
  const shrunk = firstFault !== undefined && origin ? await shrink(baseUrl, origin, firstFault) : undefined;
  if (shrunk) console.error(`hostile request #${firstFault} faults; shrunk by fast-check (replay: seed ${shrunk.seed}, path "${shrunk.path}"; body ${shrunk.bodyLength} characters): ${JSON.stringify(shrunk.request)}`);
  return { statuses: Object.fromEntries([...statuses.entries()].sort()), serverErrors, nonJson, transportErrors, transportSamples: transportSamples.slice(0, 10), refusedByClient, contractValidation, shrunk };
}
