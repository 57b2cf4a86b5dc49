// What each stage's playbook receives: the inventory of party hosts and the extra vars. Pure functions
// of the job and the configuration (no I/O), so a retried or resumed stage renders the same thing.
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../../infra/config.js';
import { REPO_ROOT } from '../../infra/config.js';
import { jobParties } from '../../domain/names.js';
import type { JobConfig, PartyHost, Provider } from '../../domain/job.js';
import { partyCount } from '../../domain/job.js';
import { cloudVars, ENGINE_PORT } from '../compute/cloud-vars.js';
import { localNetworkMode, NETNS_SCRIPT, type LocalNetworkMode } from '../../infra/local-network.js';

export interface PartyPlan {
  index: number;
  name: string;
  provider: Provider;
  compute: 'local' | Provider;
  job_id: string;
}

export const jobDir = (config: Config, jobId: string) => path.join(config.dataDir, 'jobs', jobId);
export const sshDir = (config: Config, jobId: string) => path.join(jobDir(config, jobId), 'ssh');
/** The cloud hosts' SSH host keys, recorded at their first contact in create_vms and required ever after. */
export const knownHostsFile = (config: Config, jobId: string) => path.join(jobDir(config, jobId), 'known_hosts');
/** Where local parties share engine builds, one folder per source hash. */
export const localEngineBuilds = (config: Config) => path.join(config.dataDir, 'engine-builds');
/** A local party's network namespace (ansible/providers/local/netns.sh names it the same way). */
export const partyNamespace = (jobId: string, index: number) => `qs-${jobId}-p${index}`;
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

/** Vars every playbook gets. `network` is how local parties reach each other (detected once per process). */
export function commonVars(config: Config, job: JobConfig, network: LocalNetworkMode = localNetworkMode()): Record<string, unknown> {
  return {
    qs_local_network: network,
    qs_netns_script: NETNS_SCRIPT,
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

/** A local party in its own namespace has an address of its own; on loopback it shares 127.0.0.1. */
const inNamespace = (h: PartyHost) => h.compute === 'local' && h.address !== '127.0.0.1';

/**
 * A host as create_vms reported it is what a cloud (or netns.sh) answered: its address and workdir reach the
 * inventory file, which Ansible reads as templates. Only data passes: an IP address (v4 or v6), a workdir that
 * is an absolute path of plain characters with no `..` (or a local party's configured folder), a party name
 * and index that agree, a known compute. Anything else
 * fails the stage without retries (a retry would read the same report).
 */
function checkReportedHost(config: Config, job: JobConfig, h: PartyHost): void {
  const bad = (what: string, value: unknown) => {
    throw ApplicationFailure.nonRetryable(`create_vms reported a host with a malformed ${what}: ${JSON.stringify(value)?.slice(0, 80)}`, 'MalformedHostReport');
  };
  if (!h || typeof h !== 'object') bad('entry', h);
  if (!Number.isInteger(h.index) || h.index < 0 || h.index > 99) bad('index', h.index);
  if (h.name !== `party${h.index}`) bad('name', h.name);
  if (!['local', 'aws', 'gcp', 'azure'].includes(h.compute)) bad('compute', h.compute);
  if (typeof h.address !== 'string' || isIP(h.address) === 0) bad('address', h.address);
  // A local party's folder may be the one the configuration names (whatever characters the data dir has).
  const plainPath = (p: unknown) => typeof p === 'string' && /^\/[A-Za-z0-9._\/-]{1,4095}$/.test(p) && !p.split('/').includes('..');
  const configured = h.compute === 'local' && h.workdir === path.join(jobDir(config, job.jobId), h.name);
  if (h.workdir !== undefined && !configured && !plainPath(h.workdir)) bad('workdir', h.workdir);
}

/**
 * One host per party, as create_vms reported them. Cloud hosts are reached with the controller's own key,
 * and only if they show the host key recorded at creation (StrictHostKeyChecking=yes against the job's
 * known_hosts); local parties carry their namespace, if they have one.
 */
export function partyInventory(config: Config, job: JobConfig, hosts: PartyHost[]): Record<string, unknown> {
  for (const h of hosts) checkReportedHost(config, job, h);
  const entries = hosts.map((h) => {
    const common = { qs_index: h.index, qs_compute: h.compute, qs_workdir: h.workdir ?? `/opt/queryshield/${job.jobId}/${h.name}` };
    if (h.compute === 'local') {
      return [h.name, { ...common, ...(inNamespace(h) ? { qs_netns: partyNamespace(job.jobId, h.index) } : {}), ansible_connection: 'local', ansible_python_interpreter: '{{ ansible_playbook_python }}' }];
    }
    return [h.name, {
      ...common,
      ansible_host: h.address,
      ansible_user: config.vms.sshUser,
      ansible_ssh_private_key_file: path.join(sshDir(config, job.jobId), 'id_ed25519'),
      // A host var outranks the runner's ANSIBLE_HOST_KEY_CHECKING=False, which would put
      // StrictHostKeyChecking=no first on ssh's command line (the first value of an ssh option wins).
      ansible_host_key_checking: true,
      ansible_ssh_common_args: `-o StrictHostKeyChecking=yes -o UserKnownHostsFile=${knownHostsFile(config, job.jobId)}`,
    }];
  });
  return { all: { children: { parties: { hosts: Object.fromEntries(entries) } } } };
}

/**
 * Ports for local parties that share loopback: a window of consecutive ports derived from the job id (so
 * concurrent jobs rarely meet), in 20000-32767: below Linux's ephemeral range (32768-60999), where every
 * outgoing connection on the machine takes a port and a window there was found taken in CI. setup_auth
 * checks they are free before any engine runs.
 */
export function loopbackPorts(jobId: string, parties: number): number[] {
  const h = createHash('sha256').update(jobId).digest().readUInt32BE(0);
  const base = 20000 + (h % 2550) * 5;
  return Array.from({ length: parties }, (_, i) => base + i);
}

export interface Peer {
  index: number;
  name: string;
  address: string;
  port: number;
}

/** Every party's address and engine port, in index order: what goes into each party's peers.txt. */
export function peerList(job: JobConfig, hosts: PartyHost[]): Peer[] {
  const sorted = [...hosts].sort((a, b) => a.index - b.index);
  const loopback = loopbackPorts(job.jobId, sorted.length);
  return sorted.map((h, i) => ({
    index: h.index,
    name: h.name,
    address: h.address,
    port: h.compute === 'local' && !inNamespace(h) ? loopback[i] : ENGINE_PORT,
  }));
}

let ccache: boolean | undefined;
/** Whether ccache is on this machine's PATH (looked up once): local parties build through it. */
function hasCcache(): boolean {
  ccache ??= (process.env.PATH ?? '').split(path.delimiter).some((dir) => dir && existsSync(path.join(dir, 'ccache')));
  return ccache;
}

const ENGINE_SOURCE_FILES = /^(CMakeLists\.txt|src\/.*)$/;

/**
 * The reference engine's identity: SHA-256 over the path and content of engine/CMakeLists.txt and every
 * file under engine/src, in path order. Builds are kept under this hash and reused until a file changes.
 */
export function engineSourceHash(folder: string): string {
  const files: string[] = [];
  const walk = (rel: string) => {
    for (const entry of readdirSync(path.join(folder, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (child === 'src' || child.startsWith('src/')) walk(child);
      } else if (ENGINE_SOURCE_FILES.test(child) && statSync(path.join(folder, child)).isFile()) files.push(child);
    }
  };
  walk('');
  const hash = createHash('sha256');
  for (const f of files.sort()) hash.update(`${f}\0`).update(readFileSync(path.join(folder, f))).update('\0');
  return hash.digest('hex');
}

/** How the engine is fetched and built, and where its build is kept (keyed by source hash and cmake flags). */
export function engineVars(config: Config, job: JobConfig): Record<string, unknown> {
  const source = config.engine.source;
  const kind = /^(git@|ssh:|https?:.*\.git$|file:)/.test(source) || source.endsWith('.git') ? 'git' : /\.(tar\.gz|tgz|zip|tar)$/.test(source) ? 'archive' : 'folder';
  const resolved = kind === 'folder' ? path.resolve(REPO_ROOT, source) : source;
  // One binary serves both levels: the protocol follows the party count at run time (3 → replicated
  // 3PC, 4 → Fantastic Four), so nothing in the build depends on the job.
  const cmakeArgs: string[] = [];
  const binary = 'qs-engine';
  // A folder is hashed by content; a git or archive source by what names it (a branch ref moves: pin a
  // commit or tag to reuse builds safely).
  const identity = kind === 'folder' ? engineSourceHash(resolved) : `${kind}:${source}#${config.engine.ref ?? ''}`;
  const hash = createHash('sha256').update(`${identity}\n${binary}\n${cmakeArgs.join(' ')}`).digest('hex').slice(0, 32);
  return {
    kind: config.engine.kind,
    source: resolved,
    source_kind: kind,
    ref: config.engine.ref ?? '',
    binary,
    hash,
    cmake_args: cmakeArgs,
    local_cmake_args: hasCcache() ? ['-DCMAKE_CXX_COMPILER_LAUNCHER=ccache'] : [],
    local_builds: localEngineBuilds(config),
    cloud_builds: `/home/${config.vms.sshUser}/queryshield/engine-builds`,
    packages: ['libsodium-dev', 'cmake', 'g++', 'git', 'curl'],
  };
}

/** The engine binary a party runs: the shared local build, or the host's own build on a cloud VM. */
export function engineBinary(config: Config, job: JobConfig, host: PartyHost, vars = engineVars(config, job)): string {
  const e = vars as { hash: string; binary: string; local_builds: string; cloud_builds: string };
  return `${host.compute === 'local' ? e.local_builds : e.cloud_builds}/${e.hash}/${e.binary}`;
}

/**
 * The engine vars deploy_engine ran with are kept in the job's folder (`engine.json`), so that run_experiment
 * starts the build that was deployed even when engine/ changed in between (a folder source is hashed by
 * content: an edit would otherwise point run_experiment at a build that was never made).
 */
export const deployedEngineFile = (config: Config, jobId: string) => path.join(jobDir(config, jobId), 'engine.json');

/** How long an engine waits for its peers to connect, and for a message on an open link (seconds). */
export const ENGINE_TIMEOUTS = { connect: 60, link: 30 } as const;

/**
 * Each party's engine command line, run on its own host from its folder (peers.txt, party.key, plan.txt
 * and input.csv are there): inside its namespace for local namespace parties; on loopback only reachable
 * from this machine (--listen 127.0.0.1:<port>); on a cloud VM on every interface at the engine port.
 */
export function engineArgv(config: Config, job: JobConfig, hosts: PartyHost[], vars: Record<string, unknown> = engineVars(config, job)): Record<string, string[]> {
  const n = partyCount(job.securityLevel);
  const peers = peerList(job, hosts);
  return Object.fromEntries(
    hosts.map((h) => {
      const port = peers.find((p) => p.index === h.index)!.port;
      const run = [
        engineBinary(config, job, h, vars), 'run', '--party', String(h.index), '--parties', String(n),
        '--key', 'party.key', '--peers', 'peers.txt', '--plan', 'plan.txt', '--input', 'input.csv', '--output', 'result.csv',
        '--listen', `${h.compute === 'local' && !inNamespace(h) ? '127.0.0.1' : '0.0.0.0'}:${port}`,
        '--connect-timeout', String(ENGINE_TIMEOUTS.connect), '--link-timeout', String(ENGINE_TIMEOUTS.link),
      ];
      return [String(h.index), inNamespace(h) ? ['ip', 'netns', 'exec', partyNamespace(job.jobId, h.index), ...run] : run];
    }),
  );
}
