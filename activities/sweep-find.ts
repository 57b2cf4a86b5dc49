// What the sweep looks at: everything a job of this deployment may have left (buckets, local party folders
// and namespaces, cloud VMs, addresses and network resources), gathered by job id. Whatever a cloud listing
// or tag says is checked here before it names a job, a party, a path or a playbook variable.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Config } from '../infra/config.js';
import { deploymentId } from '../infra/deployment.js';
import { localNetworkMode, NETNS_SCRIPT } from '../infra/local-network.js';
import type { CloudStorage } from '../infra/storage/types.js';
import { BUCKET_PREFIX, isJobId, jobIdOfBucket } from '../domain/names.js';
import type { Provider } from '../domain/job.js';
import { runPlaybook } from './ansible/runner.js';
import { cloudVars, controllerInventory } from './stages/plan.js';

/** What one job left, as found. */
export interface Found {
  /** createdMs: the bucket's own creation time, from its tags */
  buckets: { provider: Provider; name: string; createdMs?: number }[];
  localParties: string[];
  vms: { party: number; compute: Provider }[];
  /** addresses, NICs, firewall rules, groups and networks left without (or beside) a VM, by party (0 for a job's) */
  leftovers: { party: number; compute: Provider }[];
}

/** One thing a cloud listing named, once checked: a job's VM, a party's address or NIC, a job's network resource. */
export interface CloudFinding {
  jobId: string;
  party: number;
  compute: Provider;
  kind: 'vm' | 'address' | 'network';
}

const JOB_ID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const PARTY_NAME = new RegExp(`^qs-(${JOB_ID})-p([0-9]{1,2})$`);
const JOB_NAME = new RegExp(`^qs-(${JOB_ID})$`);
const GCP_FIREWALL_NAME = new RegExp(`^qs-(${JOB_ID})-(ssh|engine|mpi)$`);
const partyIndex = (v: unknown): number | undefined => (typeof v === 'string' && /^[0-9]{1,2}$/.test(v) ? Number(v) : typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < 100 ? v : undefined);

/**
 * The `resources` sweep_find.yml reports (GCP and Azure VMs, addresses, NICs, firewall rules, networks; AWS
 * security groups), as the clouds named and tagged them: whatever anyone with access to the account wrote.
 * Keeps only what carries this deployment's id (a tag or label, or for GCP addresses and firewall rules,
 * which have no labels, `queryshield-deployment=<id>` in the description) and whose job and party are
 * well-formed: a VM by its job and party tags (what the provider's delete.yml looks for), anything else by
 * the name create.yml gave it (what delete.yml removes it by). Nothing else comes through.
 */
export function parseCloudFindings(resources: unknown, deployment: string): CloudFinding[] {
  const out: CloudFinding[] = [];
  if (!Array.isArray(resources)) return out;
  const marker = new RegExp(`(^|\\s)queryshield-deployment=${deployment.replace(/[^a-z0-9_-]/g, '')}(:|\\s|$)`);
  for (const r of resources as Record<string, unknown>[]) {
    if (!r || typeof r !== 'object') continue;
    const compute = r.compute;
    if (compute !== 'aws' && compute !== 'gcp' && compute !== 'azure') continue;
    const kind = r.kind;
    if (kind !== 'vm' && kind !== 'address' && kind !== 'network') continue;
    const name = typeof r.name === 'string' ? r.name : '';
    const ours = r.deployment === deployment || (compute === 'gcp' && kind !== 'vm' && typeof r.description === 'string' && marker.test(r.description));
    if (!ours) continue;
    if (kind === 'vm') {
      const party = partyIndex(r.party);
      if (isJobId(r.job) && party !== undefined) out.push({ jobId: r.job, party, compute, kind });
      continue;
    }
    let m: RegExpExecArray | null;
    if (kind === 'address' && (m = PARTY_NAME.exec(name))) out.push({ jobId: m[1], party: Number(m[2]), compute, kind });
    else if (kind === 'network' && (m = (compute === 'gcp' ? GCP_FIREWALL_NAME : JOB_NAME).exec(name))) out.push({ jobId: m[1], party: 0, compute, kind });
  }
  return out;
}

/** `netns.sh list` lines of this deployment: "<job> <party> <address> <deployment>", checked. */
export function parseNetnsLeases(text: string, deployment: string): { jobId: string; party: number }[] {
  const out: { jobId: string; party: number }[] = [];
  for (const line of text.split('\n')) {
    const [job, party, address, dep, ...rest] = line.trim().split(/\s+/);
    if (rest.length || dep !== deployment || !isJobId(job) || !/^10\.213\.[0-9]{1,3}\.[0-9]{1,3}$/.test(address ?? '')) continue;
    const p = partyIndex(party);
    if (p !== undefined) out.push({ jobId: job, party: p });
  }
  return out;
}

/** The clouds whose compute this deployment can have used: configured, with credentials for GCP/Azure. */
function sweptClouds(config: Config): Provider[] {
  if (config.compute !== 'cloud') return [];
  return config.providers.filter((p) =>
    p === 'aws' ? true : p === 'gcp' ? Boolean(config.vms.gcp.credentialsFile) : Boolean(config.vms.azure.credentialsFile && config.vms.azure.subscriptionId),
  );
}

export interface Findings {
  byJob: Map<string, Found>;
  malformedRemoved: number;
}

type Entry = (jobId: string) => Found;

/** Every job this deployment left something of, with what it left. */
export async function findLeftovers(config: Config, clouds: Record<Provider, CloudStorage>, removeMalformed: boolean): Promise<Findings> {
  const byJob = new Map<string, Found>();
  const entry: Entry = (id) => {
    let f = byJob.get(id);
    if (!f) byJob.set(id, (f = { buckets: [], localParties: [], vms: [], leftovers: [] }));
    return f;
  };
  const deployment = deploymentId(config);
  await findBuckets(config, clouds, deployment, entry);
  await findLocalParties(config, deployment, entry);
  const malformedRemoved = await findCloudResources(config, deployment, removeMalformed, entry);
  return { byJob, malformedRemoved };
}

/** A bucket tagged with another deployment's id is that deployment's: never touched here. One with no
 *  deployment tag at all is swept as before tags existed (a bucket of an older release, or on
 *  fake-gcs-server, which drops labels): otherwise this deployment's own older buckets would stay forever. */
async function findBuckets(config: Config, clouds: Record<Provider, CloudStorage>, deployment: string, entry: Entry): Promise<void> {
  for (const provider of config.providers) {
    for (const b of await clouds[provider].listTaggedBuckets(BUCKET_PREFIX)) {
      const id = jobIdOfBucket(b.name);
      if (id && (b.deployment === undefined || b.deployment === deployment)) entry(id).buckets.push({ provider, name: b.name, createdMs: b.createdMs });
    }
  }
}

/** Job folders in this deployment's data dir, and local party namespaces and leases wherever their job
 *  folder went (a crashed create, a removed data dir): the leases are machine-wide, so only those
 *  recording this deployment. */
async function findLocalParties(config: Config, deployment: string, entry: Entry): Promise<void> {
  const jobsRoot = path.join(config.dataDir, 'jobs');
  if (existsSync(jobsRoot)) {
    for (const id of (await readdir(jobsRoot)).filter(isJobId)) {
      const parties = (await readdir(path.join(jobsRoot, id)).catch(() => [] as string[])).filter((f) => /^party\d+$/.test(f) || f === 'ssh');
      if (parties.length) entry(id).localParties.push(...parties);
    }
  }
  if (localNetworkMode() === 'namespaces') {
    const { stdout } = await promisify(execFile)('sh', [NETNS_SCRIPT, 'list'], { timeout: 60_000 });
    for (const { jobId, party } of parseNetnsLeases(stdout, deployment)) {
      const f = entry(jobId);
      if (!f.localParties.includes(`party${party}`)) f.localParties.push(`party${party}`);
    }
  }
}

/** VMs, addresses and network resources on the clouds this deployment computes on; the count of
 *  malformed VMs removed (when asked to). */
async function findCloudResources(config: Config, deployment: string, removeMalformed: boolean, entry: Entry): Promise<number> {
  const swept = sweptClouds(config);
  if (!swept.length) return 0;
  const res = await runPlaybook({
    playbook: 'sweep_find.yml',
    inventory: controllerInventory(),
    extraVars: { qs_cloud: cloudVars(config), qs_sweep_providers: swept, qs_sweep_remove_malformed: removeMalformed },
  });
  if (!res.ok) throw new Error(`listing VMs failed: ${res.logTail.slice(-3).join(' | ')}`);
  // The playbook keeps only well-formed tags; this checks again, since whatever came from a cloud
  // reaches paths and the next playbook's vars.
  for (const vm of (res.reported.vms ?? []) as unknown[]) {
    const { job_id, party, compute } = (vm ?? {}) as { job_id?: unknown; party?: unknown; compute?: unknown };
    if (isJobId(job_id) && Number.isInteger(party) && (party as number) >= 0 && (party as number) < 100 && compute === 'aws') entry(job_id).vms.push({ party: party as number, compute });
  }
  for (const r of parseCloudFindings(res.reported.resources, deployment)) {
    const f = entry(r.jobId);
    const list = r.kind === 'vm' ? f.vms : f.leftovers;
    if (!list.some((x) => x.party === r.party && x.compute === r.compute)) list.push({ party: r.party, compute: r.compute });
  }
  return removeMalformed ? ((res.reported.malformed ?? []) as unknown[]).length : 0;
}
