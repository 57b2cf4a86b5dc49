// The sweep: finds what jobs left behind (party hosts, VMs, buckets) whose workflows are closed or
// unknown — after a `temporal workflow terminate`, say, which skips teardown — and removes it.
// Retention: a job that succeeded loses its input shares at once (QS_DELETE_INPUTS_ON_END); a failed or
// cancelled one keeps them; either's buckets go QS_RESULT_TTL after it closed, or, once Temporal has
// forgotten the job, after its last blob was written.
// Only what this deployment made is considered (sweep-find.ts, infra/deployment.ts): cloud resources
// carrying its id (VMs, addresses, networks and buckets on AWS, GCP and Azure), local namespace leases
// recording it, and its own data dir's job folders.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { Context } from '@temporalio/activity';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../infra/config.js';
import { localNetworkMode, NETNS_SCRIPT } from '../infra/local-network.js';
import type { CloudStorage } from '../infra/storage/types.js';
import { RESULT_BLOB, isJobId } from '../domain/names.js';
import type { Provider } from '../domain/job.js';
import { JOB_WORKFLOW_TYPE, STATUS_SEARCH_ATTRIBUTE } from '../workflows/messages.js';
import type { SweepActivities, SweepReport, SweepScope } from '../workflows/activity-types.js';
import { runPlaybook } from './ansible/runner.js';
import { cloudVars, controllerInventory, jobDir, localHostsLedger } from './stages/plan.js';
import { findLeftovers, type Found } from './sweep-find.js';

export { parseCloudFindings, parseNetnsLeases, type CloudFinding } from './sweep-find.js';

const statusKey = defineSearchAttributeKey(STATUS_SEARCH_ATTRIBUTE, SearchAttributeType.KEYWORD);

/**
 * A job id with buckets but no workflow is looked at again this much later before its buckets go:
 * create_job makes the buckets, then starts the workflow, so for a moment a new job's buckets exist
 * before its workflow does. The API gives up on a start after START_DEADLINE_MS (and then removes
 * the buckets itself), so by then the job is either known or abandoned.
 */
export const UNKNOWN_JOB_GRACE_MS = 15_000;

interface SweepDeps {
  config: Config;
  client: Client;
  clouds: Record<Provider, CloudStorage>;
}

type JobState = { state: 'open' } | { state: 'closed'; closedAt: number; succeeded: boolean } | { state: 'gone' };

export function createSweepActivities(deps: SweepDeps): SweepActivities {
  return { sweepOrphans: (scope: SweepScope = {}) => sweepOrphans(deps, scope) };
}

async function sweepOrphans(deps: SweepDeps, scope: SweepScope): Promise<SweepReport> {
  const report: SweepReport = { jobsChecked: 0, hostsRemoved: 0, vmsRemoved: 0, bucketsRemoved: 0, inputBucketsEmptied: 0, skippedOpen: 0, malformedVmsRemoved: 0 };
  const { byJob: found, malformedRemoved } = await findLeftovers(deps.config, deps.clouds, !scope.jobIds || scope.malformed === true);
  report.malformedVmsRemoved = malformedRemoved;
  const states = new Map<string, JobState>();
  for (const jobId of found.keys()) {
    if (scope.jobIds && !scope.jobIds.includes(jobId)) continue;
    states.set(jobId, await jobState(deps.client, jobId));
  }
  const unknown = [...states].filter(([, st]) => st.state === 'gone').map(([id]) => id);
  if (unknown.length) {
    await sleepHeartbeating(UNKNOWN_JOB_GRACE_MS, { unknownJobs: unknown.length });
    for (const jobId of unknown) states.set(jobId, await jobState(deps.client, jobId));
  }
  for (const [jobId, known] of states) await sweepJob(deps, jobId, known, found.get(jobId)!, report);
  return report;
}

/** One job's leftovers: its hosts go once it is not open; its buckets by its retention. */
async function sweepJob(deps: SweepDeps, jobId: string, known: JobState, f: Found, report: SweepReport): Promise<void> {
  const { config, clouds } = deps;
  // Temporal forgets closed workflows after its retention (a day on the dev server): a job it no
  // longer knows whose buckets hold blobs (uploads, results) is kept for QS_RESULT_TTL from the last
  // write, as if it had closed then (a failed one keeps its inputs that long too). A job with empty
  // buckets (its API died before the workflow started) has nothing to keep.
  const st = known.state === 'gone' ? ((await lastWrittenAt(clouds, f)) ?? known) : known;
  Context.current().heartbeat({ jobId });
  report.jobsChecked++;
  if (st.state === 'open') {
    report.skippedOpen++;
    return;
  }
  if (f.localParties.length || f.vms.length || f.leftovers.length) {
    await removeHosts(config, jobId, f);
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

/** open: running; closed: ended at closeTime; gone: no such workflow (or not a job). */
async function jobState(client: Client, jobId: string): Promise<JobState> {
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

/** For a job Temporal no longer knows: the newest blob's time as its close, when its buckets hold any
 *  (succeeded when results are among them); never earlier than the buckets' own creation time. */
async function lastWrittenAt(clouds: Record<Provider, CloudStorage>, f: Found): Promise<{ state: 'closed'; closedAt: number; succeeded: boolean } | undefined> {
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

async function removeHosts(config: Config, jobId: string, f: Found): Promise<void> {
  if (!isJobId(jobId)) throw new Error('refusing to remove hosts of a job id that is not a job id'); // findLeftovers lets none through
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

async function sleepHeartbeating(ms: number, details: unknown): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    Context.current().heartbeat(details);
    await Context.current().sleep(Math.min(2000, end - Date.now()));
  }
}
