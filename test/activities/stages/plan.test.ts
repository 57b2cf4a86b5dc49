// What the stage playbooks receive, rendered from a job and the configuration alone.
import { describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../../activities/config.js';
import { commonVars, engineVars, jobDir, mpirunArgv, partyInventory, partyPlans, sshDir } from '../../../activities/stages/plan.js';
import type { JobConfig, PartyHost } from '../../../workflows/types.js';

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

  it("when hosts are cloud VMs, then each is reached over SSH with the job's key as the configured user", () => {
    const inv = partyInventory(config({ QS_VM_SSH_USER: 'ubuntu' }), job(), cloudHosts) as { all: { children: { parties: { hosts: Record<string, Record<string, unknown>> } } } };
    expect(inv.all.children.parties.hosts.party2).toMatchObject({
      ansible_host: '10.0.0.3',
      ansible_user: 'ubuntu',
      ansible_ssh_private_key_file: `${sshDir(config(), job().jobId)}/id_ed25519`,
      qs_compute: 'aws',
    });
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

  it('when the engine is TVA and the job is mal, then cmake selects Fantastic Four; semi passes no protocol', () => {
    const tva = config({ QS_ENGINE: 'tva', QS_ENGINE_REF: 'main' });
    expect(engineVars(tva, job({ securityLevel: 'mal' }))).toMatchObject({ source_kind: 'git', ref: 'main', binary: 'tva', cmake_args: ['-DPROTOCOL_VAR=-DUSE_FANTASTIC_FOUR'] });
    expect(engineVars(tva, job()).cmake_args).toEqual([]);
  });
});

describe('mpirunArgv', () => {
  it('when parties are local, then one MPMD mpirun on loopback runs one rank per party in index order, each in its folder', () => {
    const argv = mpirunArgv(localHosts, job(), (h) => h.workdir!, false);
    expect(argv.slice(0, 8)).toEqual(['mpirun', '--oversubscribe', '--mca', 'btl', 'self,tcp', '--mca', 'btl_tcp_if_include', 'lo']);
    expect(argv).not.toContain('--allow-run-as-root');
    expect(argv).not.toContain('--host');
    const apps = argv.join(' ').split(' : ');
    expect(apps).toHaveLength(3);
    apps.forEach((app, i) => {
      expect(app).toContain(`--wdir /srv/qs/jobs/j/party${i} /srv/qs/jobs/j/party${i}/engine/build/qs-engine --party ${i} --parties 3`);
      expect(app).toContain('--program program.txt --input input.csv --output result.csv');
    });
  });

  it('when parties are cloud VMs and the worker is root, then each rank runs on its party by name and root is allowed', () => {
    const argv = mpirunArgv(cloudHosts, job(), (h) => `/opt/queryshield/j/${h.name}`, true);
    expect(argv[1]).toBe('--allow-run-as-root');
    expect(argv.join(' ').split(' : ').map((a) => /--host (\S+)/.exec(a)?.[1])).toEqual(['party0', 'party1', 'party2']);
  });
});
