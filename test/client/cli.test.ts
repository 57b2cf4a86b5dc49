// qs's main() in-process against a small fake API and fake stores (node:http): the bearer token, the
// one-line errors and exit codes, the per-cloud upload headers, upload verification, --watch's exit
// codes and result reconstruction. The real stack is covered by qs-end-to-end.test.ts.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main } from '../../client/qs.js';
import { reconstructTable, shareTable } from '../../domain/shares.js';

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;
let server: Server;
let base = '';
let handler: Handler;
const seen: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[] = [];
let tmp = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      handler(req, body, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  tmp = mkdtempSync(path.join(os.tmpdir(), 'qs-cli-unit-'));
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(tmp, { recursive: true, force: true });
});
beforeEach(() => {
  seen.length = 0;
});

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

async function run(args: string[], env: Record<string, string> = {}, progress?: (text: string) => void) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await main(args, { QS_URL: base, QS_CONFIG: path.join(tmp, 'no-profiles.json'), ...env }, { stdout: (l) => stdout.push(l), stderr: (l) => stderr.push(l), progress });
  return { code, stdout: stdout.join('\n'), stderr: stderr.join('\n') };
}

const JOB = { job_id: 'j1', columns: ['age', 'salary'], schema: { age: 'years', salary: 'usd' }, party_count: 3, cloud_providers: ['aws', 'gcp', 'azure'], status: 'Created' };
/** A fake API for a 3-party job whose party 2 URL looks like Azurite's. */
function api(store: Handler): Handler {
  return (req, body, res) => {
    if (req.url === '/jobs/j1') return json(res, 200, JOB);
    if (req.url === '/register_data_owner') return json(res, 200, { job_id: 'j1', presigned_urls: [`${base}/s3/in0/alice?X-Amz-Signature=x`, `${base}/gcs/in1/alice`, `${base}/devstoreaccount1/in2/alice?sr=b&sig=x`] });
    if (req.method === 'PUT') return store(req, body, res);
    json(res, 404, { error: 'no route', code: 'QS_ROUTE_NOT_FOUND' });
  };
}
const md5 = (s: string) => createHash('md5').update(s).digest();

describe('errors and the token', () => {
  it('sends QS_TOKEN as a bearer token and prints the API error as one line with its code', async () => {
    handler = (_req, _b, res) => json(res, 404, { error: 'Job ID not found', code: 'QS_JOB_NOT_FOUND', job_id: 'nope' });
    const r = await run(['submit', '--job', 'nope'], { QS_TOKEN: 'tok-123' });
    expect(r).toMatchObject({ code: 3, stdout: '', stderr: 'qs: Job ID not found (HTTP 404 QS_JOB_NOT_FOUND)' });
    expect(seen[0].headers.authorization).toBe('Bearer tok-123');
    expect(JSON.parse(seen[0].body)).toEqual({ job_id: 'nope' });
  });

  it('includes the details of a failed validation', async () => {
    handler = (_req, _b, res) => json(res, 500, { error: 'Data validation failed', code: 'QS_VALIDATION_FAILED', details: ['owner alice: party 1: missing', 'owner bob: party 0: bad header'] });
    const r = await run(['submit', '--job', 'j1']);
    expect(r.stderr).toBe('qs: Data validation failed: owner alice: party 1: missing; owner bob: party 0: bad header (HTTP 500 QS_VALIDATION_FAILED)');
    expect(seen[0].headers.authorization).toBeUndefined();
  });

  it('says when the API cannot be reached, and usage errors exit 2', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as { port: number }).port;
    await new Promise((r) => closed.close(r));
    expect(await run(['jobs'], { QS_URL: `http://127.0.0.1:${port}` })).toMatchObject({ code: 3, stderr: `qs: cannot reach the API at http://127.0.0.1:${port} (set --url or QS_URL): ECONNREFUSED` });
    expect(await run(['jobs'], { QS_URL: 'localhost:5000' })).toMatchObject({ code: 2, stderr: 'qs: QS_URL must be an http(s) URL such as http://127.0.0.1:5000, got "localhost:5000"' });
    expect(await run(['create'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/^qs: create: missing --name/) });
    expect(await run(['create', '--name', 'x', '--sql', 's', '--level', 'high', '--clouds', 'aws', '--schema', 'a=b'])).toMatchObject({ code: 2, stderr: 'qs: --level must be semi or mal, got "high"' });
    expect(await run(['--help'])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^usage: qs <command>/) });
    expect(await run([])).toMatchObject({ code: 2, stderr: expect.stringMatching(/^usage: qs <command>/) });
  });
});

describe('invite', () => {
  it('posts the owner to the job\'s owners and prints the token alone on stdout', async () => {
    handler = (_req, _b, res) => json(res, 200, { job_id: 'j1', data_owner: 'carol', token: 'qsi_abc' });
    const r = await run(['invite', '--job', 'j1', '--owner', 'carol'], { QS_TOKEN: 'analyst-tok' });
    expect(r).toMatchObject({ code: 0, stdout: 'qsi_abc' });
    expect(r.stderr).toMatch(/QS_TOKEN=<token> qs upload --job j1 --owner carol/);
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/jobs/j1/owners' });
    expect(JSON.parse(seen[0].body)).toEqual({ data_owner: 'carol' });
    expect(seen[0].headers.authorization).toBe('Bearer analyst-tok');
  });
});

describe('create and jobs', () => {
  it('create sends the flags as the create_job body and prints the id', async () => {
    handler = (_req, _b, res) => json(res, 200, { job_id: 'new-id' });
    const r = await run(['create', '--name', 'p', '--sql', 'SELECT COUNT(*) AS n FROM t', '--level', 'mal', '--clouds', 'aws,gcp', '--schema', 'salary=usd,age=years']);
    expect(r).toMatchObject({ code: 0, stdout: 'new-id' });
    expect(seen[0].body).toBe(JSON.stringify({ analysis_name: 'p', query_sql: 'SELECT COUNT(*) AS n FROM t', security_level: 'mal', cloud_providers: ['aws', 'gcp'], schema: { salary: 'usd', age: 'years' } }));
    expect((await run(['create', '--name', 'p', '--sql', 's', '--level', 'mal', '--clouds', 'aws', '--schema', 'a=b', '--json'])).stdout).toBe(JSON.stringify({ job_id: 'new-id' }, null, 2));
  });

  it('jobs passes the filter and prints a table, with the next page on stderr', async () => {
    handler = (_req, _b, res) => json(res, 200, { jobs: [{ job_id: 'a', status: 'Success', created_at: '2026-01-01T00:00:00Z', analysis_name: 'payroll' }], next_page_token: 'tok' });
    const r = await run(['jobs', '--status', 'Success', '--limit', '1']);
    expect(seen[0].url).toBe('/jobs?status=Success&limit=1');
    expect(r.stdout.split('\n')).toEqual(['JOB ID  STATUS   CREATED               NAME', 'a       Success  2026-01-01T00:00:00Z  payroll']);
    expect(r.stderr).toBe('more: qs jobs --status Success --page-token tok');
  });
});

describe('upload', () => {
  const file = () => path.join(tmp, 'alice.csv');

  it('shares the CSV, PUTs one file per party with the right headers and verifies digests', async () => {
    writeFileSync(file(), 'age,salary\n30,1000\n41,-2500\n');
    handler = api((req, body, res) => {
      // S3 answers an ETag, Azure a Content-MD5, the GCS fake nothing.
      const headers: Record<string, string> = {};
      if (req.url!.startsWith('/s3/')) headers.etag = `"${md5(body).toString('hex')}"`;
      if (req.url!.startsWith('/devstoreaccount1/')) headers['content-md5'] = md5(body).toString('base64');
      res.writeHead(req.url!.startsWith('/devstoreaccount1/') ? 201 : 200, headers);
      res.end();
    });
    const r = await run(['upload', '--job', 'j1', '--owner', 'alice', file(), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const puts = seen.filter((s) => s.method === 'PUT');
    expect(puts).toHaveLength(3);
    for (const p of puts) expect(p.headers['content-type']).toBe('text/csv');
    expect(puts.find((p) => p.url.startsWith('/devstoreaccount1/'))!.headers['x-ms-blob-type']).toBe('BlockBlob');
    expect(puts.filter((p) => p.headers['x-ms-blob-type'])).toHaveLength(1);
    // The three files really are shares of the rows.
    const files = ['/s3/', '/gcs/', '/devstoreaccount1/'].map((prefix) => puts.find((p) => p.url.startsWith(prefix))!.body);
    expect(reconstructTable(JOB.columns, files)).toEqual([[30, 1000], [41, -2500]]);
    expect(r.stderr.split('\n').sort()).toEqual([expect.stringMatching(/^party 1\/3 uploaded \(\d+ B, MD5 verified\)$/), expect.stringMatching(/^party 2\/3 uploaded \(\d+ B\)$/), expect.stringMatching(/^party 3\/3 uploaded \(\d+ B, MD5 verified\)$/)]);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ job_id: 'j1', owner: 'alice', rows: 2 });
    expect(summary.parties.map((p: { verified: string }) => p.verified)).toEqual(['md5', 'status', 'md5']);
    expect(summary.parties.map((p: { bytes: number }) => p.bytes)).toEqual(files.map((f) => Buffer.byteLength(f)));
    // On a terminal (an io.progress), without --json: one redrawn line with every party's bytes, cleared at the end.
    const drawn: string[] = [];
    expect((await run(['upload', '--job', 'j1', '--owner', 'alice', file()], {}, (t) => drawn.push(t))).code).toBe(0);
    expect(drawn.some((t) => /^uploading: party 1\/3 \d+ B\/\d+ B · party 2\/3 .* · party 3\/3 /.test(t))).toBe(true);
    expect(drawn.at(-1)).toBe('');
  });

  it('fails when a store reports a different digest, or refuses the PUT', async () => {
    writeFileSync(file(), 'age,salary\n30,1000\n');
    handler = api((req, _body, res) => {
      res.writeHead(200, req.url!.startsWith('/s3/') ? { etag: '"00000000000000000000000000000000"' } : {});
      res.end();
    });
    expect(await run(['upload', '--job', 'j1', '--owner', 'alice', file()])).toMatchObject({ code: 1, stderr: expect.stringMatching(/^qs: party 1\/3: the store holds different bytes than were sent/) });

    handler = api((req, _body, res) => {
      res.writeHead(req.url!.startsWith('/gcs/') ? 403 : 200);
      res.end(req.url!.startsWith('/gcs/') ? '<Error><Code>SignatureDoesNotMatch</Code><Message>bad sig</Message></Error>' : '');
    });
    const r = await run(['upload', '--job', 'j1', '--owner', 'alice', file()]);
    expect(r).toMatchObject({ code: 1 });
    expect(r.stderr.split('\n').at(-1)).toBe("qs: party 2/3: upload failed: HTTP 403: SignatureDoesNotMatch bad sig (nothing is submitted; run qs upload again to replace alice's files)");
  });

  it('checks the CSV before registering anything', async () => {
    writeFileSync(file(), 'age,salary\n30,1000\n41,lots\n');
    handler = api((_req, _b, res) => res.end());
    const r = await run(['upload', '--job', 'j1', '--owner', 'alice', file()]);
    expect(r).toMatchObject({ code: 1, stderr: 'qs: alice.csv: line 3, column salary: "lots" is not an integer' });
    expect(seen.map((s) => s.url)).toEqual(['/jobs/j1']);
    expect(await run(['upload', '--job', 'j1', '--owner', 'alice', path.join(tmp, 'missing.csv')])).toMatchObject({ code: 1, stderr: expect.stringMatching(/^qs: cannot read .*missing\.csv: ENOENT$/) });
  });
});

describe('status and result', () => {
  const stage = (state: string, progress?: string) => ({ name: 'runExperiment', status: 'Running Experiment', state, attempts: 1, ...(progress ? { progress } : {}) });

  it('--watch prints each change after the time since it began, and exits 4 on Fail', async () => {
    const answers = [
      { status: 'Running Experiment', job_id: 'j1', stages: [stage('running', 'Build')] },
      { status: 'Running Experiment', job_id: 'j1', stages: [stage('running', 'Build')] },
      { status: 'Fail', job_id: 'j1', stages: [{ ...stage('failed'), error: 'engine crashed' }], error: 'Failed. Last status is Running Experiment.' },
    ];
    let i = 0;
    handler = (_req, _b, res) => json(res, 200, answers[Math.min(i++, answers.length - 1)]);
    const r = await run(['status', '--job', 'j1', '--watch']);
    expect(r.code).toBe(4);
    // Each line starts with [m:ss] since the watch began (the values depend on the machine's pace).
    const lines = r.stdout.split('\n');
    for (const l of lines) expect(l).toMatch(/^\[\d+:\d\d\] /);
    expect(lines.map((l) => l.replace(/^\[\d+:\d\d\] /, ''))).toEqual([
      'status: Running Experiment',
      '  runExperiment: running — Build',
      'status: Fail',
      '  runExperiment: failed error: engine crashed',
      'error: Failed. Last status is Running Experiment.',
    ]);
  }, 10_000);

  /** Result files as the engine writes them: `o_0 … o_{k-1}` per output, then `_valid_…` (issue 17). */
  function resultFiles(columns: string[], rows: number[][]): string[] {
    const k = 2;
    const header = [...columns, '_valid'].flatMap((c) => Array.from({ length: k }, (_, j) => `${c}_${j}`)).join(',');
    const shared = shareTable([...columns, '_valid'], rows, 3);
    // keep each column's additive block only (the first k of its 2k share columns)
    return shared.map((f) => [header, ...f.trim().split('\n').slice(1).map((l) => l.split(',').filter((_, i) => i % (2 * k) < k).join(','))].join('\n') + '\n');
  }
  const serve = (files: string[]) => {
    handler = (req, _b, res) => {
      if (req.url!.startsWith('/get_status')) return json(res, 200, { status: 'Success', job_id: 'j1', stages: [], result: [0, 1, 2].map((p) => `${base}/out${p}/result.csv`) });
      const m = /^\/out(\d)\//.exec(req.url!);
      if (m) return res.end(files[Number(m[1])]);
      json(res, 404, {});
    };
  };

  it('result rebuilds the valid rows of every party\'s shares, in order, and prints a table, --csv, --json, or writes --out', async () => {
    serve(resultFiles(['region', 'avg_salary'], [[2, -4100, 1], [0, 0, 0], [11, 52000, 1], [0, 0, 0]]));
    expect(await run(['result', '--job', 'j1'])).toMatchObject({ code: 0, stdout: 'region  avg_salary\n------  ----------\n     2       -4100\n    11       52000\n(2 rows)' });
    expect(await run(['result', '--job', 'j1', '--csv'])).toMatchObject({ code: 0, stdout: 'region,avg_salary\n2,-4100\n11,52000' });
    expect(JSON.parse((await run(['result', '--job', 'j1', '--json'])).stdout)).toEqual({ job_id: 'j1', columns: ['region', 'avg_salary'], rows: [[2, -4100], [11, 52000]] });
    const out = path.join(tmp, 'r.csv');
    expect(await run(['result', '--job', 'j1', '--out', out])).toMatchObject({ code: 0, stdout: '', stderr: `wrote 2 rows to ${out}` });
    expect(readFileSync(out, 'utf8')).toBe('region,avg_salary\n2,-4100\n11,52000\n');
    expect(await run(['result', '--job', 'j1', '--csv', '--json'])).toMatchObject({ code: 1 });
  });

  it('result of an aggregate query is one row; no valid row prints the header and (0 rows)', async () => {
    serve(resultFiles(['total', 'n'], [[4100, 5, 1]]));
    expect(await run(['result', '--job', 'j1'])).toMatchObject({ code: 0, stdout: 'total  n\n-----  -\n 4100  5\n(1 row)' });
    serve(resultFiles(['uid'], [[0, 0], [0, 0]]));
    expect(await run(['result', '--job', 'j1'])).toMatchObject({ code: 0, stdout: 'uid\n---\n(0 rows)' });
    expect(await run(['result', '--job', 'j1', '--csv'])).toMatchObject({ code: 0, stdout: 'uid' });
  });

  it('result refuses files whose _valid is not 0 or 1, or whose replicated copies disagree', async () => {
    serve(resultFiles(['x'], [[1, 2]]));
    expect(await run(['result', '--job', 'j1'])).toMatchObject({ code: 1, stderr: expect.stringContaining('_valid rebuilds to 2') });
    const files = resultFiles(['x'], [[7, 1]]);
    const lines = files[1].trim().split('\n');
    lines[1] = lines[1].replace(/^-?\d+/, (v) => String((Number(v) + 1) | 0));
    serve([files[0], `${lines.join('\n')}\n`, files[2]]);
    expect(await run(['result', '--job', 'j1'])).toMatchObject({ code: 1, stderr: expect.stringContaining('copies of global share 1 disagree') });
  });

  it('result refuses a job that has not succeeded', async () => {
    handler = (_req, _b, res) => json(res, 200, { status: 'Running Experiment', job_id: 'j1', stages: [] });
    expect(await run(['result', '--job', 'j1'])).toMatchObject({ code: 1, stderr: 'qs: job j1 is Running Experiment: no result yet (qs status --job j1 --watch)' });
  });
});
