// Cloud hosts are reached only if they show the SSH host key recorded when they were made. This checks the
// ssh command line Ansible really builds from the inventory plan.ts renders, under the runner's own
// environment (which sets ANSIBLE_HOST_KEY_CHECKING=False): StrictHostKeyChecking=yes against the job's
// known_hosts, and never =no. The connection goes to a closed port of loopback and is refused.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../infra/config.js';
import { knownHostsFile, partyInventory } from '../../activities/stages/plan.js';
import type { JobConfig } from '../../domain/job.js';
import { testConfig } from '../helpers/env.js';

const job: JobConfig = {
  jobId: '5f0e1c2d-3b4a-4c5d-8e9f-0a1b2c3d4e5f',
  analysisName: 'host keys',
  querySql: 'SELECT COUNT(*) FROM t',
  securityLevel: 'semi',
  cloudProviders: ['aws'],
  schema: { a: 'u' },
  createdAt: new Date().toISOString(),
};

describe('pinned host keys', () => {
  it("when the controller connects to a cloud host, then ssh runs with StrictHostKeyChecking=yes and the job's known_hosts only", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'qs-hostkeys-'));
    const config = { ...testConfig(), dataDir: dir };
    const inventory = partyInventory(config, job, [{ index: 0, name: 'party0', address: '127.0.0.1', compute: 'aws' }]) as {
      all: { children: { parties: { hosts: Record<string, Record<string, unknown>> } } };
    };
    inventory.all.children.parties.hosts.party0.ansible_port = 1; // nothing listens there
    writeFileSync(path.join(dir, 'inventory.json'), JSON.stringify(inventory));
    writeFileSync(path.join(dir, 'ping.yml'), '- hosts: parties\n  gather_facts: false\n  tasks:\n    - ansible.builtin.ping:\n');
    const r = spawnSync(path.join(REPO_ROOT, '.venv', 'bin', 'ansible-playbook'), ['-vvvv', '-i', path.join(dir, 'inventory.json'), path.join(dir, 'ping.yml')], {
      encoding: 'utf8',
      cwd: path.join(REPO_ROOT, 'ansible'),
      env: { ...process.env, ANSIBLE_CONFIG: path.join(REPO_ROOT, 'ansible', 'ansible.cfg'), ANSIBLE_HOST_KEY_CHECKING: 'False' },
      timeout: 60_000,
    });
    const exec = r.stdout.split('\n').find((l) => l.includes('SSH: EXEC'));
    expect(exec, r.stdout.slice(-2000)).toBeDefined();
    expect(exec).toContain('StrictHostKeyChecking=yes');
    expect(exec).toContain(`UserKnownHostsFile=${knownHostsFile(config, job.jobId)}`);
    expect(exec).not.toContain('StrictHostKeyChecking=no');
    expect(r.status).not.toBe(0); // refused: no host there
  });
});
