// What was validated is what is computed (issue 18): validation at submit records each share file's SHA-256
// in the party's own input bucket; run_experiment.yml checks every download against it before any engine
// starts. Through the real storage activity, the suite's three emulators and a real ansible-playbook run of
// run_experiment.yml on three local parties (plain folders; the "engine" copies its input to its result, so
// no build or network is needed: only the download and its check are at stake here).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runPlaybook } from '../../activities/ansible/runner.js';
import { engineFailure } from '../../activities/stages/index.js';
import { createStorageActivities } from '../../activities/storage.js';
import { JobStorage, cloudStorages } from '../../infra/storage/index.js';
import { jobParties } from '../../domain/names.js';
import { shareTable } from '../../domain/shares.js';
import { testConfig } from '../helpers/env.js';
import { PAYROLL_OWNERS, payrollJob } from '../helpers/jobs.js';

const job = payrollJob();
const columns = Object.keys(job.schema);
const parties = jobParties(job);
const config = testConfig();
const storage = new JobStorage(cloudStorages(config), { uploadSeconds: 600, readSeconds: 600 });
const activities = createStorageActivities(storage, { maxShareBytes: config.maxShareBytes });
const owners = Object.keys(PAYROLL_OWNERS).sort();
let workRoot: string;
/** bob's upload URLs, as register answered them before submit */
let bobUrls: string[];

async function upload(owner: string, urls: string[], files: string[]): Promise<void> {
  await Promise.all(
    parties.map(async (p, i) => {
      const res = await fetch(urls[i], { method: 'PUT', headers: storage.uploadHeaders(p), body: files[i] });
      expect(res.ok, `${owner} → party ${i}: ${res.status}`).toBe(true);
    }),
  );
}

/** run_experiment.yml as runExperiment renders it, with a copying "engine". */
async function runExperiment(label: string) {
  const hosts: Record<string, unknown> = {};
  const qs_inputs: Record<string, unknown> = {};
  const qs_results: Record<string, unknown> = {};
  const qs_engine_argv: Record<string, string[]> = {};
  for (const p of parties) {
    const workdir = path.join(workRoot, label, `party${p.index}`);
    mkdirSync(path.join(workdir, 'inputs'), { recursive: true });
    hosts[`party${p.index}`] = { qs_index: p.index, qs_compute: 'local', qs_workdir: workdir, ansible_connection: 'local', ansible_python_interpreter: '{{ ansible_playbook_python }}' };
    qs_inputs[p.index] = await storage.inputReadUrls(p, owners);
    qs_results[p.index] = await storage.resultUploadUrl(p);
    qs_engine_argv[p.index] = ['sh', '-c', 'touch engine-ran && cp input.csv result.csv'];
  }
  return runPlaybook({
    playbook: 'run_experiment.yml',
    inventory: { all: { children: { parties: { hosts } } } },
    extraVars: { qs_inputs, qs_results, qs_plan: 'plan', qs_engine_argv },
    timeoutMs: 120_000,
    tailLines: 80,
  });
}

beforeAll(async () => {
  workRoot = mkdtempSync(path.join(os.tmpdir(), 'qs-inputs-'));
  await storage.create(parties);
  for (const owner of owners) {
    const urls = await storage.uploadUrls(parties, owner);
    if (owner === 'bob') bobUrls = urls;
    await upload(owner, urls, shareTable(columns, PAYROLL_OWNERS[owner as keyof typeof PAYROLL_OWNERS], parties.length));
  }
}, 60_000);

afterAll(async () => {
  await storage.delete(parties, 'all').catch(() => undefined);
  if (workRoot) rmSync(workRoot, { recursive: true, force: true });
});

describe('run_experiment.yml and the share files validated at submit', { sequential: true }, () => {
  it('when the files are the ones validated, then every party checks them, runs, and uploads its result', { timeout: 150_000 }, async () => {
    expect(await activities.validateUploads(job, owners)).toEqual({ ok: true, details: [] });
    const inputs = await storage.inputReadUrls(parties[0], owners);
    expect(inputs.map((i) => i.sha256)).toEqual([expect.stringMatching(/^[0-9a-f]{64}$/), expect.stringMatching(/^[0-9a-f]{64}$/)]);
    const r = await runExperiment('clean');
    expect(r.ok, r.logTail.join('\n')).toBe(true);
    for (const p of parties) expect(existsSync(path.join(workRoot, 'clean', `party${p.index}`, 'engine-ran'))).toBe(true);
  });

  it('when an owner writes again through a URL of before submit, then the store takes it, but no engine starts and the failure names the owner and party', { timeout: 150_000 }, async () => {
    // The late write: the upload URL register answered before submit still works on every cloud (its
    // lifetime, QS_UPLOAD_URL_TTL, is not over), and the rows are another owner's choice now.
    const swapped = shareTable(columns, [[99, 1_000_000]], parties.length);
    await upload('bob', bobUrls, swapped);
    const r = await runExperiment('late');
    expect(r.ok).toBe(false);
    expect(r.failedTask).toBe('Refuse an input that is not the share file validated at submit');
    const msgs = r.failures.map((f) => f.msg ?? '');
    for (const p of parties) {
      expect(msgs).toContain(`party${p.index}: input check failed: owner 'bob': the share file downloaded is not the one validated at submit (its SHA-256 differs: it was written after submit); no engine was started`);
      expect(existsSync(path.join(workRoot, 'late', `party${p.index}`, 'engine-ran'))).toBe(false);
    }
    // the stage's failure message carries one of them (runExperiment: engineFailure)
    expect(engineFailure(msgs)).toMatch(/^party[012]: input check failed: owner 'bob': the share file downloaded is not the one validated at submit/);
    // no signed URL (nor any of its signature) in what the run reports
    const all = `${r.logTail.join('\n')}\n${JSON.stringify(r.failures)}`;
    expect(all).not.toMatch(/X-Amz-Signature|X-Goog-Signature|[?&]sig=/);
  });

  it('when an owner is not in the manifest, then no read URL is made for it', async () => {
    await expect(storage.inputReadUrls(parties[1], ['alice', 'carol'])).rejects.toThrow("owner 'carol', party 1 (gcp): the share file was not validated at submit");
  });
});
