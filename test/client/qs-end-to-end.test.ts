// qs end to end, as users run it: only `qs` child processes talk to a real API + worker (the suite's
// dev server and emulators). create → two owners upload CSV files → submit → status --watch to
// Success → result equals the plaintext SUM/COUNT.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStack, type Stack } from '../helpers/stack.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const QS = path.join(ROOT, 'client', 'qs.mjs');

let stack: Stack;
let tmp: string;
beforeAll(async () => {
  stack = await startStack();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'qs-cli-'));
});
afterAll(async () => {
  await stack?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Runs qs asynchronously: the worker lives in this process, so a synchronous spawn would stall it. */
function qs(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [QS, ...args], { cwd: ROOT, env: { ...process.env, QS_URL: stack.url, QS_TOKEN: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const alice = [[30, 1000], [41, -2500], [25, 2_147_483_000]];
const bob = [[52, 700], [19, 1200]];
const csv = (rows: number[][]) => `age,salary\n${rows.map((r) => r.join(',')).join('\n')}\n`;

describe('qs', () => {
  it('create, upload for two owners, submit, status --watch, result: equals the plaintext SUM and COUNT', { timeout: 600_000 }, async () => {
    const created = await qs('create', '--name', 'payroll via qs', '--sql', 'SELECT SUM(salary) AS total, COUNT(*) AS n FROM payroll', '--level', 'semi', '--clouds', 'aws,gcp,azure', '--schema', 'age=years,salary=usd');
    expect(created.code, created.stderr).toBe(0);
    const jobId = created.stdout.trim();
    expect(jobId).toMatch(/^[0-9a-f-]{36}$/);

    // A file that does not match the schema is refused before anything is registered or uploaded.
    writeFileSync(path.join(tmp, 'bad.csv'), 'salary,age\n1,2\n');
    const bad = await qs('upload', '--job', jobId, '--owner', 'mallory', path.join(tmp, 'bad.csv'));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^qs: bad\.csv: line 1: header is salary,age/);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);

    for (const [owner, rows] of [['alice', alice], ['bob', bob]] as const) {
      const file = path.join(tmp, `${owner}.csv`);
      writeFileSync(file, csv(rows));
      const up = await qs('upload', '--job', jobId, '--owner', owner, file);
      expect(up.code, up.stderr).toBe(0);
      for (let p = 1; p <= 3; p++) expect(up.stderr).toMatch(new RegExp(`party ${p}/3 uploaded \\(\\d+(\\.\\d)? (B|kB)`));
      expect(up.stdout).toMatch(new RegExp(`uploaded ${rows.length} rows as 3 share files for ${owner}`));
    }

    // Before submit there is no status to show: one clear error line.
    const early = await qs('status', '--job', jobId);
    expect(early.code).toBe(1);
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

    const all = [...alice, ...bob];
    const total = all.reduce((s, r) => (s + r[1]) | 0, 0);
    const res = await qs('result', '--job', jobId);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toBe(`total,n\n${total},${all.length}\n`);

    const out = path.join(tmp, 'result.csv');
    const toFile = await qs('result', '--job', jobId, '--out', out, '--json');
    expect(toFile.code, toFile.stderr).toBe(0);
    expect(JSON.parse(toFile.stdout)).toMatchObject({ columns: ['total', 'n'], rows: [[total, all.length]] });
    expect(readFileSync(out, 'utf8')).toBe(`total,n\n${total},${all.length}\n`);

    const listed = await qs('jobs', '--status', 'Success', '--json');
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout).jobs.map((j: { job_id: string }) => j.job_id)).toContain(jobId);
  });
});
