// The stage playbooks for real, in the order the job workflow runs them, against three `local` parties:
// create_vms → setup_auth → deploy_engine (builds the reference engine) → run_experiment (inputs from the
// suite's S3/GCS/Azure emulators, results back to them) → delete_vms. The vars and inventories are the
// ones the stage activities render (activities/stages/plan.ts); only the Temporal context is left out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runPlaybook, type PlaybookResult } from '../../activities/ansible/runner.js';
import type { Config } from '../../activities/config.js';
import { compileQuery, programFile } from '../../activities/engine/query.js';
import { reconstructResult, shareTable } from '../../activities/shares/index.js';
import { commonVars, controllerInventory, engineVars, jobDir, mpirunArgv, partyInventory, sshDir } from '../../activities/stages/plan.js';
import { JobStorage, cloudStorages } from '../../activities/storage/index.js';
import { jobParties } from '../../activities/storage/names.js';
import type { JobConfig, PartyHost } from '../../workflows/types.js';
import { testConfig } from '../helpers/env.js';

const job: JobConfig = {
  jobId: randomUUID(),
  analysisName: 'payroll',
  querySql: 'SELECT SUM(salary) AS total, COUNT(*) AS n FROM payroll',
  securityLevel: 'semi',
  cloudProviders: ['aws', 'gcp', 'azure'],
  schema: { age: 'years', salary: 'usd' },
  createdAt: new Date().toISOString(),
};
const columns = Object.keys(job.schema);
const owners = { bob: [[52, 700], [19, 1200]], alice: [[30, 1000], [41, -2500]] };
const parties = jobParties(job);

let dataDir: string;
let config: Config;
let storage: JobStorage;
let hosts: PartyHost[];

const play = async (playbook: string, inventory: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<PlaybookResult> =>
  runPlaybook({ playbook, inventory, extraVars: { ...commonVars(config, job), ...extra }, timeoutMs: 170_000, tailLines: 60 });

const expectOk = (r: PlaybookResult) => expect(r.ok, r.logTail.join('\n')).toBe(true);

/** The vars runExperiment renders: read URLs for each party's own bucket, a PUT URL for its result. */
async function experimentVars(): Promise<Record<string, unknown>> {
  const compiled = compileQuery(job.querySql, columns);
  if (!compiled.ok) throw new Error(compiled.error);
  const sorted = Object.keys(owners).sort();
  const qs_inputs: Record<string, unknown> = {};
  const qs_results: Record<string, unknown> = {};
  for (const p of parties) {
    qs_inputs[p.index] = await storage.inputReadUrls(p, sorted);
    qs_results[p.index] = await storage.resultUploadUrl(p);
  }
  return {
    qs_inputs,
    qs_results,
    qs_program: programFile(compiled.program, columns),
    qs_mpirun_argv: mpirunArgv(hosts, job, (h) => h.workdir!, process.getuid?.() === 0),
  };
}

async function reconstructed() {
  const urls = await storage.resultReadUrls(parties);
  return reconstructResult(await Promise.all(urls.map(async (u) => (await fetch(u)).text())));
}

/** Processes whose command line names this job's folder (mpirun or an engine rank left behind). */
function jobProcesses(): string[] {
  try {
    return execFileSync('pgrep', ['-af', '--', jobDir(config, job.jobId)], { encoding: 'utf8' }).trim().split('\n').filter((l) => l && !l.includes('pgrep'));
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'qs-playbooks-'));
  // Only the job folders move to a temp dir; the emulators' settings (GCS key file included) stay.
  config = { ...testConfig(), dataDir };
  storage = new JobStorage(cloudStorages(config), { uploadSeconds: 600, readSeconds: 600 });
  await storage.create(parties);
  for (const [owner, rows] of Object.entries(owners)) {
    const files = shareTable(columns, rows, parties.length);
    const urls = await storage.uploadUrls(parties, owner);
    await Promise.all(
      parties.map(async (p, i) => {
        const res = await fetch(urls[i], { method: 'PUT', body: files[i], headers: storage.uploadHeaders(p) });
        expect(res.ok, `${owner} → party ${i}: ${res.status}`).toBe(true);
      }),
    );
  }
  // The key pair the worker makes in setupAuthentication (the playbook copies it from this folder).
  mkdirSync(sshDir(config, job.jobId), { recursive: true, mode: 0o700 });
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `queryshield-${job.jobId}`, '-f', path.join(sshDir(config, job.jobId), 'id_ed25519')]);
}, 60_000);

afterAll(async () => {
  await storage?.delete(parties, 'all').catch(() => undefined);
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('the stage playbooks on three local parties', { sequential: true }, () => {
  it('when create_vms runs twice, then both runs report the same three hosts, each a 0700 folder of its own', async () => {
    const first = await play('create_vms.yml', controllerInventory());
    expectOk(first);
    const second = await play('create_vms.yml', controllerInventory());
    expectOk(second);
    expect(second.reported).toEqual(first.reported);
    hosts = (first.reported as { hosts: PartyHost[] }).hosts;
    const root = jobDir(config, job.jobId);
    expect(hosts).toEqual([0, 1, 2].map((i) => ({ index: i, name: `party${i}`, address: '127.0.0.1', compute: 'local', workdir: path.join(root, `party${i}`) })));
    for (const h of hosts) expect(statSync(h.workdir!).mode & 0o777).toBe(0o700);
  });

  it('when setup_auth runs, then every party holds the job key, authorizes it and has the party map', async () => {
    expectOk(await play('setup_auth.yml', partyInventory(config, job, hosts), { qs_hosts: hosts }));
    const pub = readFileSync(path.join(sshDir(config, job.jobId), 'id_ed25519.pub'), 'utf8');
    for (const h of hosts) {
      const ssh = path.join(h.workdir!, '.ssh');
      expect(statSync(ssh).mode & 0o777).toBe(0o700);
      expect(statSync(path.join(ssh, 'id_ed25519')).mode & 0o777).toBe(0o600);
      expect(readFileSync(path.join(ssh, 'authorized_keys'), 'utf8')).toBe(pub);
      expect(readFileSync(path.join(h.workdir!, 'hosts'), 'utf8')).toBe('127.0.0.1 party0\n127.0.0.1 party1\n127.0.0.1 party2\n');
    }
  });

  it('when deploy_engine runs, then every party has a built engine that answers --version', { timeout: 180_000 }, async () => {
    expectOk(await play('deploy_engine.yml', partyInventory(config, job, hosts), { qs_engine: engineVars(config, job) }));
    for (const h of hosts) {
      const binary = path.join(h.workdir!, 'engine', 'build', 'qs-engine');
      expect(existsSync(binary)).toBe(true);
      execFileSync(binary, ['--version']);
    }
  });

  it("when a party's read URL is broken, then run_experiment fails at the download task", async () => {
    const vars = await experimentVars();
    const inputs = vars.qs_inputs as Record<string, { owner: string; url: string }[]>;
    // Nothing listens on port 9 of loopback: the download is refused.
    inputs['1'] = inputs['1'].map((i) => ({ ...i, url: `http://127.0.0.1:9/${i.owner}?X-Amz-Signature=secret` }));
    const r = await play('run_experiment.yml', partyInventory(config, job, hosts), vars);
    expect(r.ok).toBe(false);
    expect(r.failedTask).toBe("Download this party's own input shares");
    expect(r.logTail.join('\n')).not.toContain('X-Amz-Signature'); // no_log keeps signed URLs out of the log
  });

  it('when run_experiment runs twice, then the reconstructed result equals the plaintext both times', { timeout: 180_000 }, async () => {
    const all = [...owners.alice, ...owners.bob];
    const plaintext = { columns: ['total', 'n'], rows: [[all.reduce((s, r) => s + r[1], 0), all.length]] };
    for (let attempt = 0; attempt < 2; attempt++) {
      expectOk(await play('run_experiment.yml', partyInventory(config, job, hosts), await experimentVars()));
      expect(await reconstructed()).toEqual(plaintext);
    }
    // Each party joined its own owners' shares in sorted owner order (alice, then bob) under one header.
    const input = readFileSync(path.join(hosts[0].workdir!, 'input.csv'), 'utf8').trim().split('\n');
    expect(input).toHaveLength(1 + all.length);
    expect(jobProcesses()).toEqual([]);
  });

  it('when delete_vms runs twice, then no party folder, key pair or engine process of the job is left', async () => {
    expectOk(await play('delete_vms.yml', controllerInventory()));
    expectOk(await play('delete_vms.yml', controllerInventory()));
    for (const h of hosts) expect(existsSync(h.workdir!)).toBe(false);
    expect(existsSync(sshDir(config, job.jobId))).toBe(false);
    expect(jobProcesses()).toEqual([]);
  });
});
