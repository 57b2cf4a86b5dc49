// Where this machine does not allow network namespaces, local parties fall back to loopback: address
// 127.0.0.1 and a port each from a window derived from the job id. Here (root, namespaces allowed) the
// fallback is forced through the var the stages render (qs_local_network), for create_vms and setup_auth:
// no namespace is made, peers.txt carries the loopback ports, and a port another program holds stops the
// stage before any engine runs, naming the port.
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { runPlaybook, type PlaybookResult } from '../../activities/ansible/runner.js';
import type { Config } from '../../infra/config.js';
import { commonVars, controllerInventory, engineArgv, loopbackPorts, partyInventory, peerList } from '../../activities/stages/plan.js';
import type { JobConfig, PartyHost } from '../../domain/job.js';
import { testConfig } from '../helpers/env.js';

const job: JobConfig = {
  jobId: randomUUID(),
  analysisName: 'loopback',
  querySql: 'SELECT COUNT(*) FROM t',
  securityLevel: 'semi',
  cloudProviders: ['aws'],
  schema: { a: 'u' },
  createdAt: new Date().toISOString(),
};
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'qs-loopback-'));
const config: Config = { ...testConfig(), dataDir };
const play = (playbook: string, inventory: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<PlaybookResult> =>
  runPlaybook({ playbook, inventory, extraVars: { ...commonVars(config, job, 'loopback'), ...extra }, timeoutMs: 120_000, tailLines: 40 });

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('local parties on loopback (no namespaces)', { sequential: true }, () => {
  let hosts: PartyHost[];

  it('when create_vms and setup_auth run, then every party is 127.0.0.1 with its own port in peers.txt and no namespace exists', { timeout: 120_000 }, async () => {
    const created = await play('create_vms.yml', controllerInventory());
    expect(created.ok, created.logTail.join('\n')).toBe(true);
    hosts = (created.reported as { hosts: PartyHost[] }).hosts;
    expect(hosts.map((h) => h.address)).toEqual(['127.0.0.1', '127.0.0.1', '127.0.0.1']);
    expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toContain(job.jobId);
    const auth = await play('setup_auth.yml', partyInventory(config, job, hosts), { qs_peers: peerList(job, hosts) });
    expect(auth.ok, auth.logTail.join('\n')).toBe(true);
    const ports = loopbackPorts(job.jobId, 3);
    const lines = readFileSync(path.join(hosts[2].workdir!, 'peers.txt'), 'utf8').trim().split('\n').map((l) => l.split(' ').slice(0, 3).join(' '));
    expect(lines).toEqual(ports.map((p, i) => `${i} 127.0.0.1 ${p}`));
    // Each engine listens on loopback only, on its own port, outside any namespace.
    expect(engineArgv(config, job, hosts)['1'].slice(0, 2)).not.toContain('ip');
    expect(engineArgv(config, job, hosts)['1']).toContain(`127.0.0.1:${ports[1]}`);
  });

  it("when another program holds a party's port, then setup_auth fails naming that port", { timeout: 120_000 }, async () => {
    const port = loopbackPorts(job.jobId, 3)[1];
    const server = net.createServer();
    // Another program may hold it already (the premise of this test either way); anything else is an error.
    await new Promise<void>((resolve, reject) => {
      server.once('listening', () => resolve());
      server.once('error', (e: NodeJS.ErrnoException) => (e.code === 'EADDRINUSE' ? resolve() : reject(e)));
      server.listen(port, '127.0.0.1');
    });
    try {
      const auth = await play('setup_auth.yml', partyInventory(config, job, hosts), { qs_peers: peerList(job, hosts) });
      expect(auth.ok).toBe(false);
      expect(auth.failedTask).toBe("Check this party's engine port is free");
      expect(auth.logTail.join('\n')).toContain(`port ${port} of loopback is taken`);
    } finally {
      server.close();
    }
  });

  it('when delete_vms runs, then the party folders are gone', { timeout: 120_000 }, async () => {
    const r = await play('delete_vms.yml', controllerInventory());
    expect(r.ok, r.logTail.join('\n')).toBe(true);
    for (const h of hosts) expect(existsSync(h.workdir!)).toBe(false);
  });
});
