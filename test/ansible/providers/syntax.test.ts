// GCP and Azure have no emulator here: their task files are syntax-checked through a wrapper playbook,
// and the variables they receive are checked to come from configuration only.
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../../activities/config.js';
import { cloudVars } from '../../../activities/stages/plan.js';
import { testConfig } from '../../helpers/env.js';

const run = promisify(execFile);

describe('cloud provider task files', () => {
  it.each(['aws', 'gcp', 'azure', 'local'])('when %s create/delete are included by a playbook, then ansible-playbook --syntax-check passes', async (provider) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'qs-syntax-'));
    const wrapper = path.join(dir, 'wrapper.yml');
    const base = path.join(REPO_ROOT, 'ansible', 'providers', provider);
    // include_tasks is dynamic: syntax-check the task files through import_tasks, which is static.
    writeFileSync(wrapper, `- hosts: localhost\n  gather_facts: false\n  tasks:\n    - ansible.builtin.import_tasks: ${base}/create.yml\n    - ansible.builtin.import_tasks: ${base}/delete.yml\n`);
    await run(path.join(REPO_ROOT, '.venv', 'bin', 'ansible-playbook'), ['--syntax-check', '-i', 'localhost,', wrapper], { cwd: path.join(REPO_ROOT, 'ansible') });
  });

  it.each(['create_vms.yml', 'setup_auth.yml', 'deploy_engine.yml', 'run_experiment.yml', 'delete_vms.yml'])('when %s is syntax-checked, then it passes', async (playbook) => {
    await run(path.join(REPO_ROOT, '.venv', 'bin', 'ansible-playbook'), ['--syntax-check', '-i', 'localhost,', playbook], { cwd: path.join(REPO_ROOT, 'ansible') });
  });

  it('when cloud vars are rendered, then every value comes from configuration', () => {
    const config = testConfig({
      QS_GCP_PROJECT: 'proj-x', QS_GCP_ZONE: 'europe-west1-b', QS_GCP_IMAGE: 'img-x', QS_GCP_MACHINE_TYPE: 'mt-x', QS_GCP_CREDENTIALS_FILE: '/k/gcp.json',
      QS_AZURE_SUBSCRIPTION_ID: 'sub-x', QS_AZURE_RESOURCE_GROUP: 'rg-x', QS_AZURE_LOCATION: 'loc-x', QS_AZURE_IMAGE: 'p:o:s:v', QS_AZURE_VM_SIZE: 'size-x', QS_AZURE_CREDENTIALS_FILE: '/k/az.json',
      QS_AWS_AMI: 'ami-x', QS_AWS_INSTANCE_TYPE: 'it-x', QS_AWS_SUBNET_ID: 'subnet-x', QS_VM_SSH_USER: 'alice',
    });
    const v = cloudVars(config, 'ssh-ed25519 AAAA');
    expect(v).toMatchObject({
      ssh_user: 'alice',
      ssh_public_key: 'ssh-ed25519 AAAA',
      aws: { ami: 'ami-x', instance_type: 'it-x', subnet_id: 'subnet-x' },
      gcp: { project: 'proj-x', zone: 'europe-west1-b', image: 'img-x', machine_type: 'mt-x', credentials_file: '/k/gcp.json' },
      azure: { subscription_id: 'sub-x', resource_group: 'rg-x', location: 'loc-x', image: 'p:o:s:v', vm_size: 'size-x', credentials_file: '/k/az.json' },
    });
  });
});
