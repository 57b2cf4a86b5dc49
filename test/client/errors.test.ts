// qs's exit codes and its errors under --json, through main() against a small fake API (node:http):
// 2 usage, 3 the API refused or was unreachable, 4 the job ended Fail, 1 anything else (here a CSV that
// fails the check); each as one JSON object on stderr with --json, stdout left empty.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main } from '../../client/qs.js';
import { helpText } from '../../client/args.js';
import { COMMANDS } from '../../client/spec.js';

let server: Server;
let base = '';
let tmp = '';
let answer: (url: string, res: ServerResponse) => void = () => {};
const json = (res: ServerResponse, status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

beforeAll(async () => {
  server = createServer((req, res) => req.resume().on('end', () => answer(req.url!, res)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  tmp = mkdtempSync(path.join(os.tmpdir(), 'qs-errors-'));
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(tmp, { recursive: true, force: true });
});

async function run(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { QS_URL: base, QS_CONFIG: path.join(tmp, 'profiles.json') }, { stdout: (l) => out.push(l), stderr: (l) => err.push(l) });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}
/** Runs with --json and returns the exit code and the one JSON error object on stderr. */
async function runJson(...args: string[]) {
  const r = await run(...args, '--json');
  expect(r.stdout).toBe('');
  expect(r.stderr.split('\n')).toHaveLength(1);
  return { code: r.code, error: JSON.parse(r.stderr) };
}

describe('exit codes and JSON errors', () => {
  it('when the command line is wrong, then exit 2 and QS_USAGE, also for a parse error', async () => {
    expect(await runJson('status')).toEqual({ code: 2, error: { error: expect.stringMatching(/^status: missing --job/), code: 'QS_USAGE', exit_code: 2 } });
    expect(await runJson('status', '--job', 'j', '--bogus')).toMatchObject({ code: 2, error: { code: 'QS_USAGE', error: expect.stringMatching(/Unknown option '--bogus'/) } });
    expect(await runJson('frobnicate')).toMatchObject({ code: 2, error: { code: 'QS_USAGE' } });
    expect(await runJson('jobs', '--url', 'localhost:5000')).toMatchObject({ code: 2, error: { error: expect.stringMatching(/^--url must be an http\(s\) URL/) } });
    expect((await run('status')).stderr).toMatch(/^qs: status: missing --job/);
  });

  it('when the API answers an error, then exit 3 with its code, HTTP status and details', async () => {
    answer = (_u, res) => json(res, 500, { error: 'Data validation failed', code: 'QS_VALIDATION_FAILED', details: ['owner alice: party 1: missing'] });
    expect(await runJson('submit', '--job', 'j1')).toEqual({
      code: 3,
      error: { error: 'Data validation failed: owner alice: party 1: missing (HTTP 500 QS_VALIDATION_FAILED)', code: 'QS_VALIDATION_FAILED', exit_code: 3, http_status: 500, details: ['owner alice: party 1: missing'] },
    });
  });

  it('when the API cannot be reached, then exit 3 and QS_API_UNREACHABLE', async () => {
    const r = await main(['jobs', '--json', '--url', 'http://127.0.0.1:1'], { QS_CONFIG: path.join(tmp, 'none.json') }, { stdout: () => {}, stderr: (l) => expect(JSON.parse(l)).toMatchObject({ code: 'QS_API_UNREACHABLE', exit_code: 3 }) });
    expect(r).toBe(3);
  });

  it('when the job ended Fail, then qs result exits 4 with QS_JOB_FAILED', async () => {
    answer = (_u, res) => json(res, 200, { status: 'Fail', job_id: 'j1', stages: [], error: 'Cancelled. Last status is Submitted.' });
    expect(await runJson('result', '--job', 'j1')).toEqual({ code: 4, error: { error: 'job j1 failed: Cancelled. Last status is Submitted.; there is no result', code: 'QS_JOB_FAILED', exit_code: 4 } });
  });

  it('when the CSV fails the check, then exit 1 with QS_CSV_INVALID and every problem listed', async () => {
    answer = (_u, res) => json(res, 200, { job_id: 'j1', columns: ['age', 'salary'], party_count: 3, cloud_providers: ['aws'] });
    const file = path.join(tmp, 'bad.csv');
    writeFileSync(file, 'age;salary\nx;1\n2;"y"\n');
    expect(await runJson('upload', '--job', 'j1', '--owner', 'alice', file)).toEqual({
      code: 1,
      error: { error: 'bad.csv: line 2, column age: "x" is not an integer (and 1 more problem)', code: 'QS_CSV_INVALID', exit_code: 1, problems: ['line 2, column age: "x" is not an integer', 'line 3, column salary: "y" is not an integer'] },
    });
  });

  it('--version prints the version, as JSON under --json', async () => {
    expect(await run('--version')).toMatchObject({ code: 0, stdout: expect.stringMatching(/^qs \d+\.\d+\.\d+/) });
    expect(JSON.parse((await run('--version', '--json')).stdout)).toEqual({ version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
  });
});

describe('help', () => {
  it('every command has an example that runs that command, and the top-level help documents the exit codes', () => {
    for (const name of Object.keys(COMMANDS) as (keyof typeof COMMANDS)[]) {
      const text = helpText(name);
      expect(text, name).toMatch(new RegExp(`examples:\\n(  .*\\n)*  .*\\bqs ${name}\\b`));
      expect(text, name).toMatch(/--token-file/);
    }
    expect(helpText()).toMatch(/exit codes:[\s\S]*2 usage[\s\S]*3 the API[\s\S]*4 the job ended Fail/);
  });
});
