// Every issue-17 query on shares, on three (semi) and four (mal) local parties, with the real stage playbooks
// and the vars the stage activities render (as test/ansible/playbooks.test.ts does): create_vms → setup_auth →
// deploy_engine once per level, then run_experiment once per query (each query's owners' files from the
// suite's S3/GCS/Azure emulators, plan.txt from domain/sql, each party's engine in its namespace, result
// files back to the emulators), then delete_vms. Each rebuilt result is checked against evaluatePlan (in
// order with ORDER BY, else as a multiset). job-end-to-end.test.ts runs the seven issue-17 queries as whole
// jobs through the API (create_job → … → Success), one job per query and level; this file adds SUM/COUNT and
// pins a failure to the experiment stage alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { runPlaybook, type PlaybookResult } from '../../activities/ansible/runner.js';
import type { Config } from '../../infra/config.js';
import { NETNS_SCRIPT } from '../../infra/local-network.js';
import { compileJobQuery, planFile } from '../../domain/job-query.js';
import { shareTable } from '../../domain/shares.js';
import { commonVars, controllerInventory, engineArgv, engineVars, partyInventory, peerList } from '../../activities/stages/plan.js';
import { JobStorage, cloudStorages } from '../../infra/storage/index.js';
import { jobParties } from '../../domain/names.js';
import type { JobConfig, PartyHost, SecurityLevel } from '../../domain/job.js';
import { testConfig } from '../helpers/env.js';
import { CASES, type SqlCase, expectResult } from './sql-fixtures.js';

let config: Config;
let storage: JobStorage;
beforeAll(() => {
  config = testConfig();
  storage = new JobStorage(cloudStorages(config), { uploadSeconds: 1800, readSeconds: 1800 });
});

/** Each case's owners upload under names of their own (`<case index>-<owner>`), so one job holds them all. */
const ownerId = (i: number, owner: string) => `q${i}-${owner}`;

describe.each([
  ['semi', 3],
  ['mal', 4],
] as const)('every issue-17 query on the shares of %s parties (%i), through the real playbooks', (level: SecurityLevel, n: number) => {
  const job: JobConfig = {
    jobId: randomUUID(),
    analysisName: `sql ${level}`,
    querySql: 'SELECT COUNT(*) FROM t',
    securityLevel: level,
    cloudProviders: ['aws', 'gcp', 'azure'],
    schema: { a: 'u' },
    createdAt: new Date().toISOString(),
  };
  const parties = jobParties(job);
  let hosts: PartyHost[] = [];
  // The engine build deploy_engine made (as deployTvaCore keeps it in engine.json): engine/ may change meanwhile.
  let engine: Record<string, unknown> = {};
  const play = (playbook: string, inventory: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<PlaybookResult> =>
    runPlaybook({ playbook, inventory, extraVars: { ...commonVars(config, job), ...extra }, timeoutMs: 590_000, tailLines: 60 });
  const expectOk = (r: PlaybookResult) => expect(r.ok, r.logTail.join('\n')).toBe(true);

  beforeAll(async () => {
    await storage.create(parties);
    for (const [i, c] of CASES.entries()) {
      for (const [owner, rows] of Object.entries(c.owners)) {
        const files = shareTable(Object.keys(c.schema), rows, n);
        const urls = await storage.uploadUrls(parties, ownerId(i, owner));
        await Promise.all(parties.map(async (p, j) => {
          const res = await fetch(urls[j], { method: 'PUT', body: files[j], headers: storage.uploadHeaders(p) });
          expect(res.ok, `${owner} → party ${j}: ${res.status}`).toBe(true);
        }));
      }
    }
    const created = await play('create_vms.yml', controllerInventory());
    expectOk(created);
    hosts = (created.reported as { hosts: PartyHost[] }).hosts;
    expectOk(await play('setup_auth.yml', partyInventory(config, job, hosts), { qs_peers: peerList(job, hosts) }));
    engine = engineVars(config, job);
    expectOk(await play('deploy_engine.yml', partyInventory(config, job, hosts), { qs_engine: engine }));
  }, 900_000);

  afterAll(async () => {
    if (hosts.length) await play('delete_vms.yml', controllerInventory()).catch(() => undefined);
    for (const p of parties) spawnSync('sh', [NETNS_SCRIPT, 'down', job.jobId, String(p.index)]);
    await storage.delete(parties, 'all').catch(() => undefined);
  }, 120_000);

  it.each(CASES.map((c, i) => [c.name, c, i] as const))('%s: the rebuilt result equals evaluatePlan', async (_name: string, c: SqlCase, i: number) => {
    const compiled = compileJobQuery(c.sql, Object.keys(c.schema));
    if (!compiled.ok) throw new Error(compiled.error);
    const owners = Object.keys(c.owners).sort().map((o) => ownerId(i, o));
    const qs_inputs: Record<string, unknown> = {};
    const qs_results: Record<string, unknown> = {};
    for (const p of parties) {
      qs_inputs[p.index] = await storage.inputReadUrls(p, owners);
      qs_results[p.index] = await storage.resultUploadUrl(p);
    }
    const started = Date.now();
    const r = await play('run_experiment.yml', partyInventory(config, job, hosts), { qs_inputs, qs_results, qs_plan: planFile(compiled.plan), qs_engine_argv: engineArgv(config, job, hosts, engine) });
    expectOk(r);
    const urls = await storage.resultReadUrls(parties);
    const files = await Promise.all(urls.map(async (u) => (await fetch(u)).text()));
    const got = expectResult(c, files);
    console.log(`${level} ${c.name}: ${got.rows.length} rows in ${((Date.now() - started) / 1000).toFixed(1)} s: ${JSON.stringify(got)}`);
  }, 300_000);
});
