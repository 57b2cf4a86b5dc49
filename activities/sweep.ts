// The sweep: finds what jobs left behind (party hosts, VMs, buckets) whose workflows are closed or
// unknown — after a `temporal workflow terminate`, say, which skips teardown — and removes it.
// Retention: a job that succeeded loses its input shares at once (QS_DELETE_INPUTS_ON_END); a failed or
// cancelled one keeps them; either's buckets go QS_RESULT_TTL after it closed, or, once Temporal has
// forgotten the job, after its last blob was written.
// Only what this deployment made is considered (infra/deployment.ts): cloud resources carrying its id
// (VMs, addresses, networks and buckets on AWS, GCP and Azure), local namespace leases recording it, and its
// own data dir's job folders.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { Context } from '@temporalio/activity';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../infra/config.js';
import { deploymentId } from './compute/deployment.js';
import { localNetworkMode, NETNS_SCRIPT } from '../infra/local-network.js';
import { runPlaybook } from './ansible/runner.js';
import { cloudVars, controllerInventory, jobDir, localHostsLedger } from './stages/plan.js';
import { BUCKET_PREFIX, RESULT_BLOB, isJobId, jobIdOfBucket } from '../domain/names.js';
import type { CloudStorage } from '../infra/storage/types.js';
import type { Provider } from '../domain/job.js';
import { JOB_WORKFLOW_TYPE, STATUS_SEARCH_ATTRIBUTE } from '../workflows/messages.js';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

const statusKey = defineSearchAttributeKey(STATUS_SEARCH_ATTRIBUTE, SearchAttributeType.KEYWORD);
import type { SweepActivities, SweepReport, SweepScope } from '../workflows/activity-types.js';


/**
 * A job id with buckets but no workflow is looked at again this much later before its buckets go:
 * create_job makes the buckets, then starts the workflow, so for a moment a new job's buckets exist
 * before its workflow does. The API gives up on a start after START_DEADLINE_MS (and then removes
 * the buckets itself), so by then the job is either known or abandoned.
 */
export const UNKNOWN_JOB_GRACE_MS = 15_000;

interface Found {
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

export function createSweepActivities(deps: { config: Config; client: Client; clouds: Record<Provider, CloudStorage> }): SweepActivities {
  const { config, client, clouds } = deps;

  /** open: running; closed: ended at closeTime; gone: no such workflow (or not a job). */
  async function jobState(jobId: string): Promise<{ state: 'open' } | { state: 'closed'; closedAt: number; succeeded: boolean } | { state: 'gone' }> {
    try {
      const d = await client.workflow.getHandle(jobId).describe();
      if (d.type !== JOB_WORKFLOW_TYPE) return { state: 'gone' };
      if (d.status.name === 'RUNNING') return { state: 'open' };
      return { state: 'closed', closedAt: d.closeTime?.getTime() ?? 0, succeeded: d.typedSearchAttributes.get(statusKey) === 'Success' };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return { state: 'gone' };
      throw err;
    }
  }

  async function find(removeMalformed: boolean): Promise<{ byJob: Map<string, Found>; malformedRemoved: number }> {
    let malformedRemoved = 0;
    const byJob = new Map<string, Found>();
    const entry = (id: string) => {
      let f = byJob.get(id);
      if (!f) byJob.set(id, (f = { buckets: [], localParties: [], vms: [], leftovers: [] }));
      return f;
    };
    const deployment = deploymentId(config);
    // A bucket tagged with another deployment's id is that deployment's: never touched here. One with no
    // deployment tag at all is swept as before tags existed (a bucket of an older release, or on
    // fake-gcs-server, which drops labels): otherwise this deployment's own older buckets would stay forever.
    for (const provider of config.providers) {
      for (const b of await clouds[provider].listTaggedBuckets(BUCKET_PREFIX)) {
        const id = jobIdOfBucket(b.name);
        if (id && (b.deployment === undefined || b.deployment === deployment)) entry(id).buckets.push({ provider, name: b.name, createdMs: b.createdMs });
      }
    }
    const jobsRoot = path.join(config.dataDir, 'jobs');
    if (existsSync(jobsRoot)) {
      for (const id of (await readdir(jobsRoot)).filter(isJobId)) {
        const parties = (await readdir(path.join(jobsRoot, id)).catch(() => [] as string[])).filter((f) => /^party\d+$/.test(f) || f === 'ssh');
        if (parties.length) entry(id).localParties.push(...parties);
      }
    }
    // Local parties' namespaces and leases, wherever their job folder went (a crashed create, a removed
    // data dir): the leases are machine-wide, so only those recording this deployment.
    if (localNetworkMode() === 'namespaces') {
      const { stdout } = await promisify(execFile)('sh', [NETNS_SCRIPT, 'list'], { timeout: 60_000 });
      for (const { jobId, party } of parseNetnsLeases(stdout, deployment)) {
        const f = entry(jobId);
        if (!f.localParties.includes(`party${party}`)) f.localParties.push(`party${party}`);
      }
    }
    const swept = sweptClouds(config);
    if (swept.length) {
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
      if (removeMalformed) malformedRemoved = ((res.reported.malformed ?? []) as unknown[]).length;
    }
    return { byJob, malformedRemoved };
  }

  /** For a job Temporal no longer knows: the newest blob's time as its close, when its buckets hold any
   *  (succeeded when results are among them); never earlier than the buckets' own creation time. */
  async function lastWrittenAt(f: Found): Promise<{ state: 'closed'; closedAt: number; succeeded: boolean } | undefined> {
    let newest: number | undefined;
    let results = false;
    const made = Math.max(0, ...f.buckets.map((b) => b.createdMs ?? 0));
    for (const b of f.buckets) {
      for (const blob of await clouds[b.provider].listBlobs(b.name)) {
        newest = Math.max(newest ?? 0, made, blob.modifiedMs ?? Date.now());
        if (b.name.endsWith('-out') && blob.name === RESULT_BLOB) results = true;
      }
    }
    return newest === undefined ? undefined : { state: 'closed', closedAt: newest, succeeded: results };
  }

  async function removeHosts(jobId: string, f: Found): Promise<void> {
    if (!isJobId(jobId)) throw new Error('refusing to remove hosts of a job id that is not a job id'); // find() lets none through
    const localIdx = f.localParties.filter((p) => p.startsWith('party')).map((p) => Number(p.slice(5)));
    const parties = [
      ...localIdx.map((index) => ({ index, name: `party${index}`, compute: 'local', provider: 'aws', job_id: jobId })),
      ...f.vms.map((v) => ({ index: v.party, name: `party${v.party}`, compute: v.compute, provider: v.compute, job_id: jobId })),
      // an address or network with no VM beside it: the party's delete (idempotent) removes it by name
      ...f.leftovers.filter((l) => !f.vms.some((v) => v.party === l.party && v.compute === l.compute)).map((l) => ({ index: l.party, name: `party${l.party}`, compute: l.compute, provider: l.compute, job_id: jobId })),
    ];
    if (parties.length) {
      const res = await runPlaybook({
        playbook: 'delete_vms.yml',
        inventory: controllerInventory(),
        extraVars: { qs_job_id: jobId, qs_job_dir: jobDir(config, jobId), qs_local_ledger: localHostsLedger(config), qs_parties: parties, qs_cloud: cloudVars(config), qs_local_network: localNetworkMode(), qs_netns_script: NETNS_SCRIPT },
        owner: jobId, // a closed job's runs still going (a crashed worker's orphans) stop first
      });
      if (!res.ok) throw new Error(`teardown of ${jobId} failed: ${res.logTail.slice(-3).join(' | ')}`);
    }
    await rm(path.join(jobDir(config, jobId), 'ssh'), { recursive: true, force: true });
  }

  return {
    async sweepOrphans(scope: SweepScope = {}): Promise<SweepReport> {
      const report: SweepReport = { jobsChecked: 0, hostsRemoved: 0, vmsRemoved: 0, bucketsRemoved: 0, inputBucketsEmptied: 0, skippedOpen: 0, malformedVmsRemoved: 0 };
      const { byJob: found, malformedRemoved } = await find(!scope.jobIds || scope.malformed === true);
      report.malformedVmsRemoved = malformedRemoved;
      const states = new Map<string, Awaited<ReturnType<typeof jobState>>>();
      for (const jobId of found.keys()) {
        if (scope.jobIds && !scope.jobIds.includes(jobId)) continue;
        states.set(jobId, await jobState(jobId));
      }
      const unknown = [...states].filter(([, st]) => st.state === 'gone').map(([id]) => id);
      if (unknown.length) {
        await sleepHeartbeating(UNKNOWN_JOB_GRACE_MS, { unknownJobs: unknown.length });
        for (const jobId of unknown) states.set(jobId, await jobState(jobId));
      }
      for (const [jobId, known] of states) {
        const f = found.get(jobId)!;
        // Temporal forgets closed workflows after its retention (a day on the dev server): a job it no
        // longer knows whose buckets hold blobs (uploads, results) is kept for QS_RESULT_TTL from the last
        // write, as if it had closed then (a failed one keeps its inputs that long too). A job with empty
        // buckets (its API died before the workflow started) has nothing to keep.
        const st = known.state === 'gone' ? ((await lastWrittenAt(f)) ?? known) : known;
        Context.current().heartbeat({ jobId });
        report.jobsChecked++;
        if (st.state === 'open') {
          report.skippedOpen++;
          continue;
        }
        if (f.localParties.length || f.vms.length || f.leftovers.length) {
          await removeHosts(jobId, f);
          report.hostsRemoved += f.localParties.filter((p) => p.startsWith('party')).length;
          report.vmsRemoved += f.vms.length;
        }
        const resultsExpired = st.state === 'gone' || Date.now() > st.closedAt + config.resultTtlSeconds * 1000;
        if (st !== known && !resultsExpired) report.resultsKept = (report.resultsKept ?? 0) + 1;
        for (const b of f.buckets) {
          const cloud = clouds[b.provider];
          if (resultsExpired) {
            await cloud.deleteBucket(b.name);
            report.bucketsRemoved++;
          } else if (b.name.endsWith('-in') && st.state === 'closed' && st.succeeded && config.deleteInputsOnEnd) {
            // A failed or cancelled job keeps its owners' inputs until its retention ends (above).
            const blobs = await cloud.listBlobs(b.name);
            await Promise.all(blobs.map((x) => cloud.deleteBlob(b.name, x.name)));
            if (blobs.length) report.inputBucketsEmptied++;
          }
        }
      }
      return report;
    },
  };
}

async function sleepHeartbeating(ms: number, details: unknown): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    Context.current().heartbeat(details);
    await Context.current().sleep(Math.min(2000, end - Date.now()));
  }
}
