// The sweep's GCP and Azure listings cannot run here (no emulator): their collect tasks (the Jinja that
// turns each info module's answer into qs_resources) run for real on canned module answers, shaped as the
// collections document them, and what they report goes through the same parser as a real sweep's.
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../../infra/config.js';
import { parseCloudFindings } from '../../../activities/sweep.js';

const run = promisify(execFile);
const VENV_BIN = path.join(REPO_ROOT, '.venv', 'bin');
const JOB = '0f8fad5b-d9cb-469f-a165-70867728950e';
const DEP = 'dep-a';

/** Runs find.yml's set_fact tasks (the listing tasks replaced by the canned answers) and returns qs_resources. */
async function collect(cloud: 'gcp' | 'azure', registered: Record<string, unknown>): Promise<unknown[]> {
  const script = `
import json, sys, yaml
tasks = yaml.safe_load(open(sys.argv[1]))
block = [t for t in tasks if 'block' in t][0]
facts = [t for t in block['block'] if 'ansible.builtin.set_fact' in t]
play = [{'hosts': 'localhost', 'gather_facts': False, 'vars': {**json.loads(sys.argv[2]), **block.get('vars', {}), 'qs_resources': [], 'qs_cloud': {'deployment_id': '${DEP}'}},
         'tasks': facts + [{'ansible.builtin.debug': {'msg': '{{ qs_resources | to_json }}'}}]}]
print(yaml.safe_dump(play))
`;
  const { stdout: playbook } = await run(path.join(VENV_BIN, 'python'), ['-c', script, path.join(REPO_ROOT, 'ansible', 'providers', cloud, 'find.yml'), JSON.stringify(registered)]);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'qs-find-'));
  writeFileSync(path.join(dir, 'play.yml'), playbook);
  const { stdout } = await run(path.join(VENV_BIN, 'ansible-playbook'), ['-i', 'localhost,', '-c', 'local', path.join(dir, 'play.yml')], { env: { ...process.env, ANSIBLE_STDOUT_CALLBACK: 'json' } });
  const tasks = JSON.parse(stdout).plays[0].tasks as { hosts: { localhost: { msg?: string } } }[];
  return JSON.parse(tasks[tasks.length - 1].hosts.localhost.msg!) as unknown[];
}

describe("the sweep's GCP and Azure listings", () => {
  it('when GCP answers instances, addresses and firewall rules, then this deployment\'s ones are reported by job and party', { timeout: 120_000 }, async () => {
    const found = await collect('gcp', {
      qs_gcp_instances: { resources: [{ name: `qs-${JOB}-p1`, labels: { 'queryshield-job': JOB, 'queryshield-party': '1', 'queryshield-deployment': DEP } }, { name: 'unlabelled' }] },
      qs_gcp_addresses: { resources: [{ name: `qs-${JOB}-p2`, description: `QueryShield job ${JOB} party 2 queryshield-deployment=${DEP}` }, { name: 'other-address', description: 'x' }, { name: `qs-${JOB}-p0`, description: `queryshield-deployment=dep-b` }] },
      qs_gcp_firewalls: { resources: [{ name: `qs-${JOB}-ssh`, description: `QueryShield job ${JOB} queryshield-deployment=${DEP}: SSH` }, { name: 'default-allow-ssh' }, { name: `qs-${JOB}-engine` }] },
    });
    expect(parseCloudFindings(found, DEP)).toEqual([
      { jobId: JOB, party: 1, compute: 'gcp', kind: 'vm' },
      { jobId: JOB, party: 2, compute: 'gcp', kind: 'address' },
      { jobId: JOB, party: 0, compute: 'gcp', kind: 'network' },
    ]);
  });

  it("when Azure answers VMs, public IPs, NICs, security groups and networks, then each is reported by job and party", { timeout: 120_000 }, async () => {
    const tags = (party?: string) => ({ 'queryshield-job': JOB, 'queryshield-deployment': DEP, ...(party ? { 'queryshield-party': party } : {}) });
    const found = await collect('azure', {
      qs_az_vms: { vms: [{ name: `qs-${JOB}-p0`, tags: tags('0') }] },
      qs_az_ips: { publicipaddresses: [{ name: `qs-${JOB}-p1`, tags: tags('1') }] },
      qs_az_nics: { networkinterfaces: [{ name: `qs-${JOB}-p2`, tags: tags('2') }, { name: 'no-tags', tags: null }] },
      qs_az_nsgs: { securitygroups: [{ name: `qs-${JOB}`, tags: tags() }] },
      qs_az_vnets: { virtualnetworks: [{ name: `qs-${JOB}`, tags: tags() }] },
    });
    expect(parseCloudFindings(found, DEP)).toEqual([
      { jobId: JOB, party: 0, compute: 'azure', kind: 'vm' },
      { jobId: JOB, party: 1, compute: 'azure', kind: 'address' },
      { jobId: JOB, party: 2, compute: 'azure', kind: 'address' },
      { jobId: JOB, party: 0, compute: 'azure', kind: 'network' },
      { jobId: JOB, party: 0, compute: 'azure', kind: 'network' },
    ]);
  });

  it('when the listings are read, then the GCP/Azure info modules are asked only for this deployment where they can filter', () => {
    const gcp = readFileSync(path.join(REPO_ROOT, 'ansible', 'providers', 'gcp', 'find.yml'), 'utf8');
    expect(gcp).toContain('"labels.queryshield-deployment = {{ qs_cloud.deployment_id }}"');
    const azure = readFileSync(path.join(REPO_ROOT, 'ansible', 'providers', 'azure', 'find.yml'), 'utf8');
    expect(azure.match(/tags: "\{\{ qs_az_deployment_tag \}\}"/g)).toHaveLength(5);
  });
});
