// The local provider's namespaces under concurrency (providers/local/netns.sh, as create.yml and
// delete.yml call it): many parties made at once get distinct addresses, one lease each; the same party
// made twice at once gets one lease; down removes namespace, veth and lease, and is idempotent.
import { describe, expect, it } from 'vitest';
import { execFile, execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { localNetworkMode, NETNS_SCRIPT } from '../../../infra/local-network.js';

const run = promisify(execFile);
const LEASES = '/run/queryshield/netns/leases';
const leasesOf = (job: string) => (existsSync(LEASES) ? readdirSync(LEASES).filter((f) => readFileSync(path.join(LEASES, f), 'utf8').startsWith(`${job} `)) : []);

describe.runIf(localNetworkMode() === 'namespaces')('local party namespaces', () => {
  it('when 24 parties of 8 jobs are made at once and one party twice at once, then every party has one address of its own; down leaves nothing', { timeout: 120_000 }, async () => {
    const jobs = Array.from({ length: 8 }, () => randomUUID());
    const parties = jobs.flatMap((job) => [0, 1, 2].map((p) => [job, String(p)] as const));
    const ups = await Promise.all([...parties, parties[0]].map(([job, p]) => run('sh', [NETNS_SCRIPT, 'up', job, p])));
    const addresses = ups.map((u) => u.stdout.trim().split(' ')[1]);
    expect(addresses[addresses.length - 1]).toBe(addresses[0]); // the same party twice: the same lease
    expect(new Set(addresses.slice(0, -1)).size).toBe(parties.length);
    for (const a of addresses) expect(a).toMatch(/^10\.213\.\d+\.\d+$/);
    for (const job of jobs) expect(leasesOf(job)).toHaveLength(3);
    // What a sweep reads: every lease as "<job> <party> <address>".
    const listed = (await run('sh', [NETNS_SCRIPT, 'list'])).stdout.trim().split('\n');
    for (const [i, [job, p]] of parties.entries()) expect(listed).toContain(`${job} ${p} ${addresses[i]}`);
    const links = execFileSync('ip', ['-br', 'link'], { encoding: 'utf8' });
    for (const job of jobs) for (const slot of leasesOf(job)) expect(links).toContain(`qsh${Number(slot).toString(16)}`);

    const slots = jobs.flatMap(leasesOf);
    await Promise.all(parties.map(([job, p]) => run('sh', [NETNS_SCRIPT, 'down', job, p])));
    await Promise.all(parties.slice(0, 3).map(([job, p]) => run('sh', [NETNS_SCRIPT, 'down', job, p]))); // again: nothing to do
    const after = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
    for (const job of jobs) {
      expect(after).not.toContain(job);
      expect(leasesOf(job)).toEqual([]);
    }
    const left = execFileSync('ip', ['-br', 'link'], { encoding: 'utf8' });
    for (const slot of slots) expect(left).not.toMatch(new RegExp(`^qsh${Number(slot).toString(16)}[@ ]`, 'm'));
  });
});
