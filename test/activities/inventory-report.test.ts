// Cloud-reported values in inventories are data, not templates (issue 18 follow-up): what create_vms
// reports (a cloud's address, a workdir) reaches the inventory file Ansible templates, so partyInventory
// accepts only well-formed addresses and paths, and the values it accepts come through unchanged.
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { partyInventory } from '../../activities/stages/plan.js';
import type { JobConfig, PartyHost } from '../../domain/job.js';
import { testConfig } from '../helpers/env.js';

const config = testConfig({ QS_COMPUTE: 'cloud' });
const job: JobConfig = {
  jobId: '0f8fad5b-d9cb-469f-a165-70867728950e', analysisName: 'x', querySql: 'SELECT COUNT(*) FROM t', securityLevel: 'semi',
  cloudProviders: ['aws', 'gcp', 'azure'], schema: { a: 'u' }, createdAt: new Date(0).toISOString(),
};
const workdir = `/home/${config.vms.sshUser}/queryshield/${job.jobId}`;
const good: PartyHost[] = [
  { index: 0, name: 'party0', address: '203.0.113.9', compute: 'aws', workdir },
  { index: 1, name: 'party1', address: '2001:db8::7', compute: 'gcp', workdir },
  { index: 2, name: 'party2', address: '10.213.4.5', compute: 'local', workdir: path.join(config.dataDir, 'jobs', job.jobId, 'party2') },
];
const hostsOf = (inv: Record<string, unknown>) => (inv as { all: { children: { parties: { hosts: Record<string, Record<string, unknown>> } } } }).all.children.parties.hosts;

describe('partyInventory and what a cloud reported', () => {
  it('when every reported address and workdir is well-formed, then they reach the inventory unchanged', () => {
    const hosts = hostsOf(partyInventory(config, job, good));
    expect(hosts.party0).toMatchObject({ ansible_host: '203.0.113.9', qs_workdir: workdir });
    expect(hosts.party1).toMatchObject({ ansible_host: '2001:db8::7' });
    expect(hosts.party2).toMatchObject({ qs_workdir: good[2].workdir });
  });

  it.each([
    ['address', { address: "{{ lookup('ansible.builtin.pipe', 'id') }}" }],
    ['address', { address: 'evil.example.com -o ProxyCommand=sh' }],
    ['address', { address: '203.0.113.9 ' }],
    ['address', { address: '' }],
    ['workdir', { workdir: '/home/u/{{ 7 * 7 }}' }],
    ['workdir', { workdir: '/home/u/../../etc' }],
    ['workdir', { workdir: 'relative/dir' }],
    ['workdir', { workdir: '/home/u/$(id)' }],
    ['name', { name: 'party9' }],
    ['index', { index: -1, name: 'party-1' }],
    ['compute', { compute: 'mars' }],
  ] as const)('when a reported %s is %j, then the stage fails without retries naming it', (what, change) => {
    const hosts = [{ ...good[0], ...change } as PartyHost, good[1]];
    expect(() => partyInventory(config, job, hosts)).toThrow(expect.objectContaining({ nonRetryable: true, type: 'MalformedHostReport', message: expect.stringContaining(`malformed ${what}`) }));
  });

  it("when a local party's workdir is its configured folder, then any character the data dir has is accepted; otherwise the path rule holds", () => {
    const odd = testConfig({ QS_DATA_DIR: '/tmp/my data+dir' });
    const folder = path.join('/tmp/my data+dir', 'jobs', job.jobId, 'party2');
    expect(hostsOf(partyInventory(odd, job, [{ ...good[2], workdir: folder }])).party2).toMatchObject({ qs_workdir: folder });
    expect(() => partyInventory(config, job, [{ ...good[2], workdir: '/tmp/else where/party2' }])).toThrow(/malformed workdir/);
  });
});
