// What each stage's playbook receives: the inventory of party hosts and the extra vars. Pure functions
// of the job and the configuration (no I/O), so a retried or resumed stage renders the same thing.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.js';
import { REPO_ROOT } from '../config.js';
import { jobParties } from '../storage/names.js';
import type { JobConfig, PartyHost, Provider } from '../../workflows/types.js';
import { partyCount } from '../../workflows/types.js';
import { cloudVars } from '../compute/cloud-vars.js';

export interface PartyPlan {
  index: number;
  name: string;
  provider: Provider;
  compute: 'local' | Provider;
  job_id: string;
}

export const jobDir = (config: Config, jobId: string) => path.join(config.dataDir, 'jobs', jobId);
export const sshDir = (config: Config, jobId: string) => path.join(jobDir(config, jobId), 'ssh');
/** The local provider's stand-in for a cloud's instance history: one line per host created or removed. */
export const localHostsLedger = (config: Config) => path.join(config.dataDir, 'local-hosts.log');

export function partyPlans(config: Config, job: JobConfig): PartyPlan[] {
  return jobParties(job).map((p) => ({
    index: p.index,
    name: `party${p.index}`,
    provider: p.provider,
    compute: config.compute === 'local' ? 'local' : p.provider,
    job_id: job.jobId,
  }));
}

/** Cloud settings for the provider task files: one renderer, shared with the provider tests. */
export { cloudVars };

/** Vars every playbook gets. */
export function commonVars(config: Config, job: JobConfig): Record<string, unknown> {
  return {
    qs_job_id: job.jobId,
    qs_job_dir: jobDir(config, job.jobId),
    qs_local_ledger: localHostsLedger(config),
    qs_parties: partyPlans(config, job),
    qs_party_count: partyCount(job.securityLevel),
    qs_cloud: cloudVars(config),
  };
}

/** The controller: every create/delete runs here with the worker's own Python (it has boto3). */
export function controllerInventory(): Record<string, unknown> {
  return { all: { hosts: { localhost: { ansible_connection: 'local', ansible_python_interpreter: '{{ ansible_playbook_python }}' } } } };
}

/** One host per party, as create_vms reported them. */
export function partyInventory(config: Config, job: JobConfig, hosts: PartyHost[]): Record<string, unknown> {
  const entries = hosts.map((h) => {
    const common = { qs_index: h.index, qs_compute: h.compute, qs_workdir: h.workdir ?? `/opt/queryshield/${job.jobId}/${h.name}` };
    if (h.compute === 'local') {
      return [h.name, { ...common, ansible_connection: 'local', ansible_python_interpreter: '{{ ansible_playbook_python }}' }];
    }
    return [h.name, { ...common, ansible_host: h.address, ansible_user: config.vms.sshUser, ansible_ssh_private_key_file: path.join(sshDir(config, job.jobId), 'id_ed25519') }];
  });
  return { all: { children: { parties: { hosts: Object.fromEntries(entries) } } } };
}

let ccache: boolean | undefined;
/** Whether ccache is on this machine's PATH (looked up once): local parties build through it. */
function hasCcache(): boolean {
  ccache ??= (process.env.PATH ?? '').split(path.delimiter).some((dir) => dir && existsSync(path.join(dir, 'ccache')));
  return ccache;
}

/** How the engine is fetched and built. */
export function engineVars(config: Config, job: JobConfig): Record<string, unknown> {
  const source = config.engine.source;
  const kind = /^(git@|ssh:|https?:.*\.git$|file:)/.test(source) || source.endsWith('.git') ? 'git' : /\.(tar\.gz|tgz|zip|tar)$/.test(source) ? 'archive' : 'folder';
  const tva = config.engine.kind === 'tva';
  return {
    kind: config.engine.kind,
    source: kind === 'folder' ? path.resolve(REPO_ROOT, source) : source,
    source_kind: kind,
    ref: config.engine.ref ?? '',
    binary: tva ? 'tva' : 'qs-engine',
    cmake_args: tva && job.securityLevel === 'mal' ? ['-DPROTOCOL_VAR=-DUSE_FANTASTIC_FOUR'] : [],
    local_cmake_args: hasCcache() ? ['-DCMAKE_CXX_COMPILER_LAUNCHER=ccache'] : [],
    packages: ['openmpi-bin', 'libopenmpi-dev', 'libsodium-dev', 'cmake', 'g++', 'git'],
  };
}

/** One MPMD mpirun: one rank per party, each in its own folder (on its own host for cloud parties). */
export function mpirunArgv(hosts: PartyHost[], job: JobConfig, workdir: (h: PartyHost) => string, asRoot: boolean): string[] {
  const n = partyCount(job.securityLevel);
  const local = hosts.every((h) => h.compute === 'local');
  const flags = local
    ? ['--oversubscribe', '--mca', 'btl', 'self,tcp', '--mca', 'btl_tcp_if_include', 'lo', '--mca', 'plm_rsh_agent', '']
    : ['--mca', 'btl', 'self,tcp', '--mca', 'plm_rsh_args', '-o StrictHostKeyChecking=no -i .ssh/id_ed25519'];
  const apps = [...hosts]
    .sort((a, b) => a.index - b.index)
    .flatMap((h, i) => [
      ...(i ? [':'] : []),
      '-np', '1',
      ...(local ? [] : ['--host', h.name]),
      '--wdir', workdir(h),
      `${workdir(h)}/engine/build/qs-engine`,
      '--party', String(h.index), '--parties', String(n), '--program', 'program.txt', '--input', 'input.csv', '--output', 'result.csv',
    ]);
  return ['mpirun', ...(asRoot ? ['--allow-run-as-root'] : []), ...flags, ...apps];
}
