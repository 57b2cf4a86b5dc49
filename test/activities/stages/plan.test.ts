// What the stage playbooks receive, rendered from a job and the configuration alone.
import { describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../../infra/config.js';
import { commonVars, engineArgv, engineSourceHash, engineVars, jobDir, knownHostsFile, loopbackPorts, partyInventory, partyPlans, peerList, sshDir } from '../../../activities/stages/plan.js';
import { REPO_ROOT } from '../../../infra/config.js';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { JobConfig, PartyHost } from '../../../domain/job.js';

const job = (over: Partial<JobConfig> = {}): JobConfig => ({
  jobId: '0b7e4c1a-2f3d-4e5f-8a9b-0c1d2e3f4a5b',
  analysisName: 'payroll',
  querySql: 'SELECT COUNT(*) FROM payroll',
  securityLevel: 'semi',
  cloudProviders: ['aws', 'gcp'],
  schema: { age: 'years' },
  createdAt: '2026-01-01T00:00:00Z',
  ...over,
});
const config = (env: Record<string, string> = {}): Config => loadConfig({ QS_DATA_DIR: '/srv/qs', ...env });

const localHosts: PartyHost[] = [2, 0, 1].map((i) => ({ index: i, name: `party${i}`, address: '127.0.0.1', compute: 'local', workdir: `/srv/qs/jobs/j/party${i}` }));
const nsHosts: PartyHost[] = [0, 1, 2].map((i) => ({ index: i, name: `party${i}`, address: `10.213.4.${i + 10}`, compute: 'local', workdir: `/srv/qs/jobs/j/party${i}` }));
const cloudHosts: PartyHost[] = [0, 1, 2].map((i) => ({ index: i, name: `party${i}`, address: `10.0.0.${i + 1}`, compute: i === 1 ? 'gcp' : 'aws' }));

describe('partyPlans', () => {
  it('when compute is local, then every party is a local host named party<i> on its provider round-robin', () => {
    expect(partyPlans(config(), job())).toEqual([
      { index: 0, name: 'party0', provider: 'aws', compute: 'local', job_id: job().jobId },
      { index: 1, name: 'party1', provider: 'gcp', compute: 'local', job_id: job().jobId },
      { index: 2, name: 'party2', provider: 'aws', compute: 'local', job_id: job().jobId },
    ]);
  });

  it('when compute is cloud and the job is mal, then four parties each compute on their own provider', () => {
    expect(partyPlans(config({ QS_COMPUTE: 'cloud' }), job({ securityLevel: 'mal' })).map((p) => p.compute)).toEqual(['aws', 'gcp', 'aws', 'gcp']);
  });
});

describe('commonVars', () => {
  it('when rendered, then the job folder is <dataDir>/jobs/<jobId> and the party count follows the security level', () => {
    const v = commonVars(config(), job({ securityLevel: 'mal' }));
    expect(v.qs_job_dir).toBe(`/srv/qs/jobs/${job().jobId}`);
    expect(v.qs_job_dir).toBe(jobDir(config(), job().jobId));
    expect(v.qs_party_count).toBe(4);
  });
});

describe('partyInventory', () => {
  it('when hosts are local, then each is reached with the local connection and the playbook Python', () => {
    const inv = partyInventory(config(), job(), localHosts) as { all: { children: { parties: { hosts: Record<string, Record<string, unknown>> } } } };
    expect(inv.all.children.parties.hosts.party1).toEqual({
      qs_index: 1,
      qs_compute: 'local',
      qs_workdir: '/srv/qs/jobs/j/party1',
      ansible_connection: 'local',
      ansible_python_interpreter: '{{ ansible_playbook_python }}',
    });
  });

  it("when hosts are cloud VMs, then each is reached over SSH with the controller's key, only if it shows the host key recorded at creation", () => {
    const inv = partyInventory(config({ QS_VM_SSH_USER: 'ubuntu' }), job(), cloudHosts) as { all: { children: { parties: { hosts: Record<string, Record<string, unknown>> } } } };
    expect(inv.all.children.parties.hosts.party2).toMatchObject({
      ansible_host: '10.0.0.3',
      ansible_user: 'ubuntu',
      ansible_ssh_private_key_file: `${sshDir(config(), job().jobId)}/id_ed25519`,
      ansible_ssh_common_args: `-o StrictHostKeyChecking=yes -o UserKnownHostsFile=/srv/qs/jobs/${job().jobId}/known_hosts`,
      qs_compute: 'aws',
    });
    expect(knownHostsFile(config(), job().jobId)).toBe(`/srv/qs/jobs/${job().jobId}/known_hosts`);
    expect(JSON.stringify(inv)).not.toContain('StrictHostKeyChecking=no');
  });

  it('when local hosts have addresses of their own, then each carries its namespace', () => {
    const inv = partyInventory(config(), job(), nsHosts) as { all: { children: { parties: { hosts: Record<string, Record<string, unknown>> } } } };
    expect(inv.all.children.parties.hosts.party1.qs_netns).toBe(`qs-${job().jobId}-p1`);
  });
});

describe('engineVars', () => {
  it('when the source is the reference engine folder, then it is copied as a folder and built as qs-engine', () => {
    expect(engineVars(config(), job())).toMatchObject({ kind: 'reference', source_kind: 'folder', binary: 'qs-engine', cmake_args: [] });
  });

  it.each([
    ['https://github.com/CASP-Systems-BU/tva.git', 'git'],
    ['git@example.org:tva.git', 'git'],
    ['https://example.org/tva-1.0.tar.gz', 'archive'],
    ['/opt/tva.zip', 'archive'],
  ])('when the source is %s, then it is fetched as %s', (source, kind) => {
    expect(engineVars(config({ QS_ENGINE_SOURCE: source }), job()).source_kind).toBe(kind);
  });

  it('when the job is mal, then its build is the semi job\'s (one binary; the protocol follows the party count)', () => {
    const semi = engineVars(config(), job());
    const mal = engineVars(config(), job({ securityLevel: 'mal' }));
    expect(mal).toMatchObject({ binary: 'qs-engine', cmake_args: [], hash: semi.hash });
  });
});

describe('peerList and engineArgv', () => {
  it('when parties are namespaces or cloud VMs, then every party listens on the engine port 7100 and is dialled at its address', () => {
    expect(peerList(job(), nsHosts)).toEqual(nsHosts.map((h) => ({ index: h.index, name: h.name, address: h.address, port: 7100 })));
    expect(peerList(job(), cloudHosts).map((p) => p.port)).toEqual([7100, 7100, 7100]);
  });

  it('when parties share loopback, then each has a port of its own from a window derived from the job id', () => {
    const ports = peerList(job(), localHosts).map((p) => p.port);
    expect(ports).toEqual(loopbackPorts(job().jobId, 3));
    expect(ports[1] - ports[0]).toBe(1);
    expect(ports[0]).toBeGreaterThanOrEqual(20000);
    expect(ports[2]).toBeLessThan(32768); // below the ephemeral range
    expect(loopbackPorts('another-job', 3)).not.toEqual(ports);
  });

  it("when parties are namespaces, then each engine runs inside its party's namespace with its own key, peers and files", () => {
    const argv = engineArgv(config(), job(), nsHosts);
    const { hash } = engineVars(config(), job()) as { hash: string };
    expect(argv['1']).toEqual([
      'ip', 'netns', 'exec', `qs-${job().jobId}-p1`, `/srv/qs/engine-builds/${hash}/qs-engine`, 'run', '--party', '1', '--parties', '3',
      '--key', 'party.key', '--peers', 'peers.txt', '--plan', 'plan.txt', '--input', 'input.csv', '--output', 'result.csv',
      '--listen', '0.0.0.0:7100', '--connect-timeout', '60', '--link-timeout', '30',
    ]);
  });

  it('when the engine vars deploy_engine ran with are given, then every party runs that build (engine/ may have changed since)', () => {
    const deployed = { ...engineVars(config(), job()), hash: 'f'.repeat(32) };
    const argv = engineArgv(config(), job(), nsHosts, deployed);
    for (const a of Object.values(argv)) expect(a).toContain(`/srv/qs/engine-builds/${'f'.repeat(32)}/qs-engine`);
  });

  it('when parties share loopback, then each engine listens on 127.0.0.1 only, on its own port; on a cloud VM it runs the host\'s build', () => {
    const loop = engineArgv(config(), job(), localHosts);
    expect(loop['2'][0]).toMatch(/^\/srv\/qs\/engine-builds\/[0-9a-f]{32}\/qs-engine$/);
    expect(loop['2']).toContain(`127.0.0.1:${loopbackPorts(job().jobId, 3)[2]}`);
    expect(loop['2'].slice(loop['2'].indexOf('--parties'), loop['2'].indexOf('--parties') + 2)).toEqual(['--parties', '3']);
    const cloud = engineArgv(config({ QS_VM_SSH_USER: 'ubuntu' }), job(), cloudHosts);
    expect(cloud['0'][0]).toMatch(/^\/home\/ubuntu\/queryshield\/engine-builds\/[0-9a-f]{32}\/qs-engine$/);
    expect(cloud['0']).toContain('0.0.0.0:7100');
  });
});

describe('engineSourceHash', () => {
  it('when a source file changes, then the hash changes; when nothing does, it stays; files outside CMakeLists.txt and src/ do not count', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'qs-hash-'));
    cpSync(path.join(REPO_ROOT, 'engine'), dir, { recursive: true });
    const first = engineSourceHash(dir);
    expect(engineSourceHash(dir)).toBe(first);
    writeFileSync(path.join(dir, 'README.md'), 'changed');
    expect(engineSourceHash(dir)).toBe(first);
    writeFileSync(path.join(dir, 'src', 'new.hpp'), '// new');
    expect(engineSourceHash(dir)).not.toBe(first);
  });

  it('when the source is git, then the build key follows the ref, and no MPI package is installed', () => {
    const at = (ref: string) => (engineVars(config({ QS_ENGINE_SOURCE: 'https://example.org/e.git', QS_ENGINE_REF: ref }), job()) as { hash: string }).hash;
    expect(at('v1')).not.toBe(at('v2'));
    expect(engineVars(config(), job())).not.toHaveProperty('packages', expect.arrayContaining(['openmpi-bin']));
  });
});
