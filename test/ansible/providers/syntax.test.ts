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
import { loadConfig, REPO_ROOT } from '../../../activities/config.js';
import { cloudVars } from '../../../activities/compute/cloud-vars.js';

const run = promisify(execFile);
const VENV_BIN = path.join(REPO_ROOT, '.venv', 'bin');
const ANSIBLE_DIR = path.join(REPO_ROOT, 'ansible');
const CLOUDS = ['aws', 'gcp', 'azure'] as const;
const taskFiles = (provider: string) => ['create.yml', 'delete.yml'].map((f) => path.join(ANSIBLE_DIR, 'providers', provider, f));

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

  it.each(['create_vms.yml', 'delete_vms.yml'])('when %s (which includes the provider files) is syntax-checked, then it passes', async (playbook) => {
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
      v.azure.subnet_prefix, v.ssh_source_cidr, String(v.mpi_ports.from), String(v.mpi_ports.to),
    ];
    for (const file of CLOUDS.flatMap(taskFiles)) {
      const text = readFileSync(file, 'utf8');
      for (const value of values) expect(text.includes(value), `${path.relative(REPO_ROOT, file)} contains ${value}`).toBe(false);
      // nor any cloud id, account or absolute path of its own
      expect(text).not.toMatch(/\b(ami|subnet|vpc|sg)-[0-9a-f]{6,}\b|\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b|["' ]\/(etc|root|opt|tmp|work)\//);
    }
  });
});
