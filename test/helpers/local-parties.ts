// What a job's local parties leave on this machine (folders, namespaces, leases, veths, processes), for the
// stage tests that run the real playbooks: one reading of each, so every test checks "nothing left" alike.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { partyNamespace } from '../../activities/stages/plan.js';
import type { PartyHost } from '../../domain/job.js';

const LEASES = '/run/queryshield/netns/leases';

/** The lease slots (file names under the lease folder) that the job's parties hold. */
export const jobLeases = (jobId: string): string[] =>
  existsSync(LEASES) ? readdirSync(LEASES).filter((f) => readFileSync(path.join(LEASES, f), 'utf8').startsWith(`${jobId} `)) : [];

/** The job's party namespaces that exist now. */
export const jobNamespaces = (jobId: string): string[] =>
  execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').map((l) => l.split(' ')[0]).filter((n) => n.startsWith(`qs-${jobId}-`));

/** Processes whose command line names the job's folder, or that run in one of its parties' namespaces. */
export function jobProcesses(jobId: string, jobFolder: string, parties: number): string[] {
  // pgrep exits 1 when nothing matches: an empty stdout then.
  const named = spawnSync('pgrep', ['-af', '--', jobFolder], { encoding: 'utf8' }).stdout.trim().split('\n').filter((l) => l && !l.includes('pgrep'));
  const inNamespaces = Array.from({ length: parties }, (_, i) => i).flatMap((i) => {
    const r = spawnSync('ip', ['netns', 'pids', partyNamespace(jobId, i)], { encoding: 'utf8' });
    return r.status === 0 ? r.stdout.trim().split('\n').filter(Boolean) : [];
  });
  return [...named, ...inNamespaces];
}

/** After delete_vms: no party folder, namespace, lease, veth (of the `leases` the job had) or process is left. */
export function expectNothingLeft(jobId: string, jobFolder: string, hosts: PartyHost[], leases: string[]): void {
  for (const h of hosts) expect(existsSync(h.workdir!)).toBe(false);
  expect(jobNamespaces(jobId)).toEqual([]);
  expect(jobLeases(jobId)).toEqual([]);
  const links = execFileSync('ip', ['-br', 'link'], { encoding: 'utf8' });
  for (const slot of leases) expect(links).not.toContain(`qsh${Number(slot).toString(16)}`);
  expect(jobProcesses(jobId, jobFolder, hosts.length)).toEqual([]);
}
