// GCP and Azure have no compute emulator here. Their task files (and AWS's, and the playbooks) are
// syntax-checked through a wrapper playbook; every argument they give a cloud module is checked against
// the installed collections' own option lists; and they are checked to hard-code none of the values
// qs_cloud carries.
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadConfig, REPO_ROOT } from '../../../infra/config.js';
import { cloudVars } from '../../../activities/compute/cloud-vars.js';

const run = promisify(execFile);
const VENV_BIN = path.join(REPO_ROOT, '.venv', 'bin');
const ANSIBLE_DIR = path.join(REPO_ROOT, 'ansible');
const CLOUDS = ['aws', 'gcp', 'azure'] as const;
const taskFiles = (provider: string) => (provider === 'local' ? ['create.yml', 'delete.yml'] : ['create.yml', 'delete.yml', 'firewall.yml', 'find.yml']).map((f) => path.join(ANSIBLE_DIR, 'providers', provider, f));

async function checkModuleArgs(files: string[]): Promise<{ problems: string[]; modules: string[] }> {
  const script = path.join(import.meta.dirname, 'fixtures', 'check_module_args.py');
  const { stdout } = await run(path.join(VENV_BIN, 'python'), [script, path.join(VENV_BIN, 'ansible-doc'), ...files], { cwd: ANSIBLE_DIR });
  return JSON.parse(stdout) as { problems: string[]; modules: string[] };
}

describe('cloud provider task files', () => {
  it.each([...CLOUDS, 'local'])('when %s create/delete are imported by a playbook, then ansible-playbook --syntax-check passes', async (provider) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'qs-syntax-'));
    const wrapper = path.join(dir, 'wrapper.yml');
    // include_tasks is dynamic and never looked at by --syntax-check; import_tasks is static, so it is.
    const imports = taskFiles(provider).map((f) => `    - ansible.builtin.import_tasks: ${f}\n`).join('');
    writeFileSync(wrapper, `- hosts: localhost\n  gather_facts: false\n  tasks:\n${imports}`);
    await run(path.join(VENV_BIN, 'ansible-playbook'), ['--syntax-check', '-i', 'localhost,', wrapper], { cwd: ANSIBLE_DIR });
  });

  it.each(['sweep_find.yml', 'create_vms.yml', 'delete_vms.yml', 'setup_auth.yml', 'deploy_engine.yml', 'run_experiment.yml'])('when %s (which includes the provider files) is syntax-checked, then it passes', async (playbook) => {
    await run(path.join(VENV_BIN, 'ansible-playbook'), ['--syntax-check', '-i', 'localhost,', playbook], { cwd: ANSIBLE_DIR });
  });

  it('when the cloud task files are read, then every module argument (and module default) is an option of that module', async () => {
    const { problems, modules } = await checkModuleArgs(CLOUDS.flatMap(taskFiles));
    expect(problems).toEqual([]);
    expect(modules).toEqual(
      expect.arrayContaining([
        'amazon.aws.ec2_instance', 'amazon.aws.ec2_security_group', 'amazon.aws.ec2_key',
        'google.cloud.gcp_compute_instance', 'google.cloud.gcp_compute_address', 'google.cloud.gcp_compute_firewall',
        'azure.azcollection.azure_rm_virtualmachine', 'azure.azcollection.azure_rm_publicipaddress', 'azure.azcollection.azure_rm_networkinterface',
        // the sweep's listings (providers/<cloud>/find.yml)
        'amazon.aws.ec2_security_group_info', 'google.cloud.gcp_compute_address_info', 'google.cloud.gcp_compute_firewall_info',
        'azure.azcollection.azure_rm_virtualmachine_info', 'azure.azcollection.azure_rm_publicipaddress_info', 'azure.azcollection.azure_rm_networkinterface_info',
        'azure.azcollection.azure_rm_securitygroup_info', 'azure.azcollection.azure_rm_virtualnetwork_info',
      ]),
    );
  });

  it('when a task gives a module an option it does not have, then the argument check names it', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'qs-args-'));
    const file = path.join(dir, 'bad.yml');
    writeFileSync(
      file,
      '- name: outer\n  module_defaults:\n    group/google.cloud.gcp: { project: p, zonee: z }\n  block:\n' +
        '    - name: bad\n      google.cloud.gcp_compute_address: { name: n, regoin: r }\n',
    );
    const { problems } = await checkModuleArgs([file]);
    expect(problems).toEqual([
      `${file}: task 'bad': google.cloud.gcp_compute_address has no option 'regoin'`,
      `${file}: task 'bad': google.cloud.gcp_compute_address has no option 'zonee'`,
    ]);
  });

  it('when the task files are read, then none of them hard-codes a value that qs_cloud carries', () => {
    // The embedded defaults, but for the resource group: its default, "queryshield", is also the tags' prefix.
    const v = cloudVars(loadConfig({ QS_COMPUTE: 'cloud', QS_AZURE_RESOURCE_GROUP: 'qs-rg' }), 'ssh-ed25519 AAAA');
    const values = [
      v.aws.ami, v.aws.instance_type, v.aws.region, v.aws.access_key, v.gcp.project, v.gcp.zone, v.gcp.region, v.gcp.network, v.gcp.image,
      v.gcp.machine_type, v.azure.resource_group, v.azure.location, v.azure.image, v.azure.vm_size, v.azure.address_space,
      v.azure.subnet_prefix, ...v.ssh_source_cidr, String(v.engine_port),
    ];
    for (const file of CLOUDS.flatMap(taskFiles)) {
      const text = readFileSync(file, 'utf8');
      for (const value of values) expect(text.includes(value), `${path.relative(REPO_ROOT, file)} contains ${value}`).toBe(false);
      // nor any cloud id, account or absolute path of its own
      expect(text).not.toMatch(/\b(ami|subnet|vpc|sg)-[0-9a-f]{6,}\b|\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b|["' ]\/(etc|root|opt|tmp|work)\//);
    }
  });

  it.each([
    ['aws', 'amazon.aws.ec2_security_group'],
    ['gcp', 'google.cloud.gcp_compute_firewall'],
    ['azure', 'azure.azcollection.azure_rm_securitygroup'],
  ])("when %s's firewall pass is read, then the engine port's only source is the job's parties' /32 list", (cloud, module) => {
    const text = readFileSync(path.join(ANSIBLE_DIR, 'providers', cloud, 'firewall.yml'), 'utf8').split('\n').filter((l) => !l.trim().startsWith('#')).join('\n');
    expect(text).toContain(module);
    // One engine rule, its port from qs_cloud, its sources the /32 list create_vms renders; SSH from the controller's range.
    expect(text.match(/qs_cloud\.engine_port/g)).toHaveLength(1);
    expect(text.match(/"\{\{ qs_peer_cidrs \}\}"/g)).toHaveLength(1);
    // GCP keeps SSH in a rule of its own (create.yml); AWS and Azure set the group's rules whole here.
    if (cloud !== 'gcp') expect(text).toContain('qs_cloud.ssh_source_cidr');
    expect(text).not.toMatch(/0\.0\.0\.0|source_tags|address_space/);
  });

  it('when create_vms renders the firewall sources, then each party address becomes one /32', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'qs-cidrs-'));
    const pb = path.join(dir, 'cidrs.yml');
    const create = readFileSync(path.join(ANSIBLE_DIR, 'create_vms.yml'), 'utf8');
    const expr = /qs_peer_cidrs: "(.*)"/.exec(create)![1];
    writeFileSync(pb, `- hosts: localhost\n  gather_facts: false\n  vars:\n    qs_hosts: [{index: 1, address: 198.51.100.7}, {index: 0, address: 203.0.113.9}]\n  tasks:\n    - ansible.builtin.debug: { msg: "{{ (${expr.replace(/^\{\{ | \}\}$/g, '')}) | to_json }}" }\n`);
    const { stdout } = await run(path.join(VENV_BIN, 'ansible-playbook'), ['-i', 'localhost,', '-c', 'local', pb], { cwd: ANSIBLE_DIR, env: { ...process.env, ANSIBLE_STDOUT_CALLBACK: 'json' } });
    const msg = JSON.parse(stdout).plays[0].tasks[0].hosts.localhost.msg;
    expect(JSON.parse(msg)).toEqual(['203.0.113.9/32', '198.51.100.7/32']);
  });
});
