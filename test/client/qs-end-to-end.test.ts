// qs end to end, as users run it: the one-file bundle (scripts/build-qs.ts) copied alone into a temporary
// folder, with no node_modules anywhere above it, run by node as child processes against a real API +
// worker (the suite's dev server and emulators). create → two owners upload CSV files (one `;`-separated
// with quoted cells and a BOM, as spreadsheets save) → submit → status --watch to Success → qs result
// prints the README walkthrough's answer (the wage gap by academia: AVG on shares).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildQs } from '../../scripts/build-qs.js';
import { startStack, type Stack } from '../helpers/stack.js';

let stack: Stack;
let tmp: string;
let QS: string;
beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'qs-cli-'));
  // Built elsewhere, then copied: the folder qs runs from holds this one file and the test's CSVs.
  const built = await buildQs(path.join(mkdtempSync(path.join(os.tmpdir(), 'qs-build-')), 'qs.mjs'));
  QS = path.join(tmp, 'qs.mjs');
  copyFileSync(built, QS);
  rmSync(path.dirname(built), { recursive: true, force: true });
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Runs qs asynchronously: the worker lives in this process, so a synchronous spawn would stall it. */
function qs(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const env = { PATH: process.env.PATH, HOME: tmp, QS_CONFIG: path.join(tmp, 'profiles.json'), QS_URL: stack.url };
    const child = spawn(process.execPath, [QS, ...args], { cwd: tmp, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

// The README walkthrough's files (schema salary, degree, years_exp, region, academia).
const HEADER = 'salary,degree,years_exp,region,academia';
const uni = [[52000, 2, 12, 1, 1], [48000, 1, 3, 2, 1], [61000, 2, 7, 1, 0]];
const corp = [[75000, 2, 25, 3, 0], [39000, 0, 0, 2, 0], [44000, 1, 4, 2, 1]];
const csv = (rows: number[][]) => `${HEADER}\n${rows.map((r) => r.join(',')).join('\n')}\n`;
const SQL = 'SELECT academia, AVG(salary) FROM emp GROUP BY academia';
const SCHEMA = 'salary=usd,degree=level,years_exp=years,region=code,academia=flag';

/** The same rows as a spreadsheet in a `;` locale saves them: a BOM, CRLF, every cell quoted. */
const spreadsheet = (rows: number[][]) => `\uFEFF${HEADER.replaceAll(',', ';')}\r\n${rows.map((r) => r.map((v) => `"${v}"`).join(';')).join('\r\n')}\r\n`;

describe('the bundle', () => {
  it('runs from a folder with no node_modules: --version, and a usage error as JSON with exit code 2', async () => {
    for (let dir = tmp; dir !== path.dirname(dir); dir = path.dirname(dir)) expect(existsSync(path.join(dir, 'node_modules')), dir).toBe(false);
    const version = await qs('--version');
    expect(version).toMatchObject({ code: 0, stdout: `qs ${JSON.parse(readFileSync(path.join(import.meta.dirname, '../../package.json'), 'utf8')).version}\n` });
    const usage = await qs('status', '--json');
    expect(usage.code).toBe(2);
    expect(JSON.parse(usage.stderr)).toMatchObject({ code: 'QS_USAGE', exit_code: 2, error: expect.stringMatching(/missing --job/) });
  });
});

describe('qs', () => {
  it('create, upload for two owners, submit, status --watch, result: the README walkthrough, AVG(salary) per academia as a table, --csv, --json', { timeout: 600_000 }, async () => {
    const created = await qs('create', '--name', 'wage gap via qs', '--sql', SQL, '--level', 'semi', '--clouds', 'aws,gcp,azure', '--schema', SCHEMA);
    expect(created.code, created.stderr).toBe(0);
    const jobId = created.stdout.trim();
    expect(jobId).toMatch(/^[0-9a-f-]{36}$/);

    // A file that does not match the schema is refused before anything is registered or uploaded.
    writeFileSync(path.join(tmp, 'bad.csv'), 'academia,salary\n1,2\n');
    const bad = await qs('upload', '--job', jobId, '--owner', 'mallory', path.join(tmp, 'bad.csv'));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^qs: bad\.csv: line 1: header is academia,salary/);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);

    for (const [owner, rows] of [['uni', uni], ['corp', corp]] as const) {
      const file = path.join(tmp, `${owner}.csv`);
      writeFileSync(file, owner === 'uni' ? csv(rows) : spreadsheet(rows));
      const up = await qs('upload', '--job', jobId, '--owner', owner, file);
      expect(up.code, up.stderr).toBe(0);
      for (let p = 1; p <= 3; p++) expect(up.stderr).toMatch(new RegExp(`party ${p}/3 uploaded \\(\\d+(\\.\\d)? (B|kB)`));
      expect(up.stdout).toMatch(new RegExp(`uploaded ${rows.length} rows as 3 share files for ${owner}`));
    }

    // Before submit there is no status to show: one clear error line.
    const early = await qs('status', '--job', jobId);
    expect(early.code).toBe(3);
    expect(early.stderr).toMatch(/^qs: .*HTTP 409/);

    const submitted = await qs('submit', '--job', jobId, '--json');
    expect(submitted.code, submitted.stderr).toBe(0);
    expect(JSON.parse(submitted.stdout)).toMatchObject({ status: 'success' });

    const watched = await qs('status', '--job', jobId, '--watch');
    expect(watched.code, `${watched.stdout}\n${watched.stderr}`).toBe(0);
    const lines = watched.stdout.trim().split('\n');
    expect(lines[lines.length - 1]).toMatch(/status: Success|deleteVMs: succeeded/);
    expect(watched.stdout).toMatch(/status: Success/);
    expect(watched.stdout).toMatch(/runExperiment: succeeded/);

    // academia 1: 52000, 48000, 44000 → 48000; academia 0: 61000, 75000, 39000 → 175000 / 3 = 58333 (truncated).
    // Without ORDER BY the rows come in any order.
    const res = await qs('result', '--job', jobId);
    expect(res.code, res.stderr).toBe(0);
    const table = res.stdout.trimEnd().split('\n');
    expect(table.slice(0, 2)).toEqual(['academia  avg_salary', '--------  ----------']);
    expect(table.slice(2, 4).sort()).toEqual(['       0       58333', '       1       48000']);
    expect(table[4]).toBe('(2 rows)');

    const asCsv = await qs('result', '--job', jobId, '--csv');
    expect(asCsv.code, asCsv.stderr).toBe(0);
    expect(asCsv.stdout.split('\n')[0]).toBe('academia,avg_salary');
    expect(asCsv.stdout.trim().split('\n').slice(1).sort()).toEqual(['0,58333', '1,48000']);

    const out = path.join(tmp, 'result.csv');
    const toFile = await qs('result', '--job', jobId, '--out', out, '--json');
    expect(toFile.code, toFile.stderr).toBe(0);
    const json = JSON.parse(toFile.stdout);
    expect(json.columns).toEqual(['academia', 'avg_salary']);
    expect([...json.rows].sort((a: number[], b: number[]) => a[0] - b[0])).toEqual([[0, 58333], [1, 48000]]);
    expect(readFileSync(out, 'utf8').split('\n')[0]).toBe('academia,avg_salary');

    const listed = await qs('jobs', '--status', 'Success', '--json');
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout).jobs.map((j: { job_id: string }) => j.job_id)).toContain(jobId);

    const info = await qs('info', '--job', jobId, '--json');
    expect(info.code, info.stderr).toBe(0);
    expect(JSON.parse(info.stdout)).toMatchObject({ job_id: jobId, status: 'Success', columns: HEADER.split(','), party_count: 3 });
    const deleted = await qs('delete', '--job', jobId);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(deleted.stdout).toMatch(/deleted the storage/);
  });

  it('cancel ends an open job; an API refusal is exit code 3, as JSON under --json', { timeout: 120_000 }, async () => {
    const created = await qs('create', '--name', 'to cancel', '--sql', SQL, '--level', 'semi', '--clouds', 'aws,gcp,azure', '--schema', SCHEMA);
    expect(created.code, created.stderr).toBe(0);
    const jobId = created.stdout.trim();
    const cancelled = await qs('cancel', '--job', jobId, '--json');
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(JSON.parse(cancelled.stdout)).toMatchObject({ job_id: jobId });
    const missing = await qs('info', '--job', '00000000-0000-4000-8000-000000000000', '--json');
    expect(missing.code).toBe(3);
    expect(JSON.parse(missing.stderr)).toMatchObject({ exit_code: 3, http_status: 404, code: expect.stringMatching(/^QS_/) });
  });
});
