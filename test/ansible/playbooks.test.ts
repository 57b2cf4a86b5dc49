// The stage playbooks for real, in the order the job workflow runs them, against three `local` parties,
// each (where this machine allows it, as it does in CI and here) a network namespace of its own on the
// bridge qsbr0: create_vms → setup_auth (each party's own X25519 key, peers.txt) → deploy_engine (one
// shared build keyed by the engine's source hash) → run_experiment (each party's engine in its namespace,
// inputs from the suite's S3/GCS/Azure emulators, results back to them; a capture on the bridge) →
// delete_vms. The vars and inventories are the ones the stage activities render
// (activities/stages/plan.ts); only the Temporal context is left out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runPlaybook, type PlaybookResult } from '../../activities/ansible/runner.js';
import type { Config } from '../../infra/config.js';
import { LOCAL_BRIDGE, NETNS_SCRIPT, localNetworkMode } from '../../infra/local-network.js';
import { compileJobQuery, planFile } from '../../domain/job-query.js';
import { resultTable, shareTable } from '../../domain/shares.js';
import { commonVars, controllerInventory, engineArgv, engineBinary, engineVars, jobDir, partyInventory, partyNamespace, peerList } from '../../activities/stages/plan.js';
import { JobStorage, cloudStorages } from '../../infra/storage/index.js';
import { jobParties } from '../../domain/names.js';
import type { JobConfig, PartyHost } from '../../domain/job.js';
import { testConfig } from '../helpers/env.js';
import { PAYROLL_OWNERS, payrollJob } from '../helpers/jobs.js';
import { expectNothingLeft, jobLeases as jobLeasesOf, jobNamespaces, jobProcesses as jobProcessesOf } from '../helpers/local-parties.js';

const job: JobConfig = payrollJob();
const columns = Object.keys(job.schema);
const owners = PAYROLL_OWNERS;
const parties = jobParties(job);

let dataDir: string;
let config: Config;
let storage: JobStorage;
let hosts: PartyHost[];
/** Every share file cell the parties received, to look for in the capture. */
const shareCells = new Set<number>();

const play = async (playbook: string, inventory: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<PlaybookResult> =>
  runPlaybook({ playbook, inventory, extraVars: { ...commonVars(config, job), ...extra }, timeoutMs: 170_000, tailLines: 60 });

const expectOk = (r: PlaybookResult) => expect(r.ok, r.logTail.join('\n')).toBe(true);

/** The vars runExperiment renders: read URLs for each party's own bucket, a PUT URL for its result. */
async function experimentVars(): Promise<Record<string, unknown>> {
  const compiled = compileJobQuery(job.querySql, columns);
  if (!compiled.ok) throw new Error(compiled.error);
  const sorted = Object.keys(owners).sort();
  const qs_inputs: Record<string, unknown> = {};
  const qs_results: Record<string, unknown> = {};
  for (const p of parties) {
    qs_inputs[p.index] = await storage.inputReadUrls(p, sorted);
    qs_results[p.index] = await storage.resultUploadUrl(p);
  }
  return { qs_inputs, qs_results, qs_plan: planFile(compiled.plan), qs_engine_argv: engineArgv(config, job, hosts) };
}

async function reconstructed() {
  const urls = await storage.resultReadUrls(parties);
  const { columns, rows } = resultTable(await Promise.all(urls.map(async (u) => (await fetch(u)).text())));
  return { columns, rows };
}

const jobProcesses = () => jobProcessesOf(job.jobId, jobDir(config, job.jobId), parties.length);
const jobLeases = () => jobLeasesOf(job.jobId);
const namespaces = () => jobNamespaces(job.jobId);
const ns = (i: number) => partyNamespace(job.jobId, i);
const inNs = (i: number, argv: string[]) => spawnSync('ip', ['netns', 'exec', ns(i), ...argv], { encoding: 'utf8', timeout: 20_000 });

/** Whether the engine under engine/ speaks the link protocol (`run` with --peers); the MPI one does not. */
function engineHasLinks(): boolean {
  try {
    const binary = engineBinary(config, job, hosts[0]);
    const help = spawnSync(binary, ['--help'], { encoding: 'utf8' });
    return `${help.stdout}${help.stderr}`.includes('--peers');
  } catch {
    return false;
  }
}

/** Every file under a folder (recursively). */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'qs-playbooks-'));
  // Only the job folders move to a temp dir; the emulators' settings (GCS key file included) stay.
  config = { ...testConfig(), dataDir };
  storage = new JobStorage(cloudStorages(config), { uploadSeconds: 600, readSeconds: 600 });
  await storage.create(parties);
  for (const [owner, rows] of Object.entries(owners)) {
    const files = shareTable(columns, rows, parties.length);
    for (const f of files) for (const line of f.trim().split('\n').slice(1)) for (const cell of line.split(',')) shareCells.add(Number(cell));
    const urls = await storage.uploadUrls(parties, owner);
    await Promise.all(
      parties.map(async (p, i) => {
        const res = await fetch(urls[i], { method: 'PUT', body: files[i], headers: storage.uploadHeaders(p) });
        expect(res.ok, `${owner} → party ${i}: ${res.status}`).toBe(true);
      }),
    );
  }
}, 60_000);

afterAll(async () => {
  await storage?.delete(parties, 'all').catch(() => undefined);
  // Whatever a failed test left: the job's namespaces, veths and leases.
  for (const p of parties) spawnSync('sh', [NETNS_SCRIPT, 'down', job.jobId, String(p.index)]);
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('the stage playbooks on three local parties', { sequential: true }, () => {
  it('when this machine is root with ip netns, then local parties run in namespaces (as CI does)', () => {
    expect(localNetworkMode()).toBe('namespaces');
  });

  it('when create_vms runs twice, then both runs report the same three hosts, each a 0700 folder and a namespace with an address of its own', async () => {
    const first = await play('create_vms.yml', controllerInventory());
    expectOk(first);
    const second = await play('create_vms.yml', controllerInventory());
    expectOk(second);
    expect(second.reported).toEqual(first.reported);
    hosts = (first.reported as { hosts: PartyHost[] }).hosts;
    const root = jobDir(config, job.jobId);
    expect(hosts.map((h) => ({ ...h, address: 'x' }))).toEqual([0, 1, 2].map((i) => ({ index: i, name: `party${i}`, address: 'x', compute: 'local', workdir: path.join(root, `party${i}`) })));
    const addresses = hosts.map((h) => h.address);
    expect(new Set(addresses).size).toBe(3);
    for (const a of addresses) expect(a).toMatch(/^10\.213\.\d+\.\d+$/);
    for (const h of hosts) {
      expect(statSync(h.workdir!).mode & 0o777).toBe(0o700);
      // Inside its namespace: loopback up, eth0 with the party's address, nothing else.
      const links = inNs(h.index, ['ip', '-br', 'addr']).stdout;
      expect(links).toMatch(/^lo\s+UNKNOWN\s+127\.0\.0\.1\/8/m);
      expect(links).toContain(`${h.address}/16`);
      expect(links.trim().split('\n')).toHaveLength(2);
    }
    expect(namespaces().sort()).toEqual([0, 1, 2].map(ns));
    expect(jobLeases()).toHaveLength(3);
    // The parties reach each other across the bridge.
    expect(inNs(1, ['python3', '-c', `import socket; s=socket.socket(); s.settimeout(2)\ntry: s.connect(('${hosts[0].address}', 9))\nexcept ConnectionRefusedError: print('refused')`]).stdout).toContain('refused');
  });

  it('when setup_auth runs twice, then each party holds only its own X25519 key (kept on retry) and every peers.txt lists all parties with their public keys', async () => {
    const peers = peerList(job, hosts);
    expectOk(await play('setup_auth.yml', partyInventory(config, job, hosts), { qs_peers: peers }));
    const keys = hosts.map((h) => readFileSync(path.join(h.workdir!, 'party.key')));
    expectOk(await play('setup_auth.yml', partyInventory(config, job, hosts), { qs_peers: peers }));
    const pub = (h: PartyHost) => execFileSync('sh', ['-c', `openssl pkey -inform DER -in ${path.join(h.workdir!, 'party.key')} -pubout -outform DER | tail -c 32 | od -An -tx1 | tr -d ' \\n'`], { encoding: 'utf8' });
    const expected = hosts.map((h) => `${h.index} ${h.address} 7100 ${pub(h)}`).join('\n') + '\n';
    hosts.forEach((h, i) => {
      const key = path.join(h.workdir!, 'party.key');
      expect(statSync(key).mode & 0o777).toBe(0o600);
      expect(readFileSync(key)).toEqual(keys[i]); // a retry keeps the key the peers already know
      expect(pub(h)).toMatch(/^[0-9a-f]{64}$/);
      expect(readFileSync(path.join(h.workdir!, 'peers.txt'), 'utf8')).toBe(expected);
    });
    expect(new Set(hosts.map(pub)).size).toBe(3);
  });

  it('when setup_auth has run, then no party folder holds a private key but its own party.key, nor anything that logs in to another party', () => {
    for (const h of hosts) {
      const files = filesUnder(h.workdir!).map((f) => path.relative(h.workdir!, f));
      expect(files.sort()).toEqual(['PARTY', 'party.key', 'peers.txt']); // and the empty inputs/ folder
      for (const f of files) {
        const text = readFileSync(path.join(h.workdir!, f), 'latin1');
        if (f !== 'party.key') expect(text, f).not.toMatch(/PRIVATE KEY|ssh-(ed25519|rsa)|X-Amz-|sig=|AccountKey/);
      }
    }
    // The controller's own SSH key is not in any party's folder either (it is not made for local jobs at all).
    expect(existsSync(path.join(jobDir(config, job.jobId), 'ssh'))).toBe(false);
  });

  it("when something listens on a party's engine port, then the job's other parties reach it and this machine's own address does not", () => {
    const server = spawn('ip', ['netns', 'exec', ns(0), 'python3', '-c', "import socket,time\ns=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('0.0.0.0', 7100)); s.listen(8); print('up', flush=True); time.sleep(30)"], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      spawnSync('sleep', ['0.5']);
      const probe = `import socket; s=socket.socket(); s.settimeout(1.5)\ntry:\n  s.connect(('${hosts[0].address}', 7100)); print('open')\nexcept Exception as e: print('closed', type(e).__name__)`;
      expect(inNs(1, ['python3', '-c', probe]).stdout).toContain('open');
      expect(inNs(2, ['python3', '-c', probe]).stdout).toContain('open');
      // From the host side of the bridge (10.213.0.1): dropped by the party's own nftables rule.
      expect(spawnSync('python3', ['-c', probe], { encoding: 'utf8' }).stdout).toMatch(/closed (timeout|TimeoutError)/);
    } finally {
      server.kill('SIGKILL');
    }
  });

  it('when deploy_engine runs twice, then the three parties share one build keyed by the source hash, reused the second time', { timeout: 300_000 }, async () => {
    const vars = engineVars(config, job) as { hash: string };
    expectOk(await play('deploy_engine.yml', partyInventory(config, job, hosts), { qs_engine: vars }));
    const binary = engineBinary(config, job, hosts[0]);
    expect(binary).toBe(path.join(dataDir, 'engine-builds', vars.hash, 'qs-engine'));
    execFileSync(binary, ['--version']);
    for (const h of hosts) expect(engineBinary(config, job, h)).toBe(binary);
    const before = statSync(binary).mtimeMs;
    const started = Date.now();
    const again = await play('deploy_engine.yml', partyInventory(config, job, hosts), { qs_engine: vars });
    expectOk(again);
    expect(statSync(binary).mtimeMs).toBe(before);
    expect(Date.now() - started).toBeLessThan(15_000);
    // Nothing of a build is left in the party folders or half-made beside the build.
    for (const h of hosts) expect(existsSync(path.join(h.workdir!, 'engine'))).toBe(false);
    expect(readdirSync(path.join(dataDir, 'engine-builds')).sort()).toEqual([vars.hash, `${vars.hash}.lock`]);
  });

  it("when a party's read URL is broken, then run_experiment fails at the download task", async () => {
    const vars = await experimentVars();
    const inputs = vars.qs_inputs as Record<string, { owner: string; url: string }[]>;
    // Nothing listens on port 9 of loopback: the download is refused.
    inputs['1'] = inputs['1'].map((i) => ({ ...i, url: `http://127.0.0.1:9/${i.owner}?X-Amz-Signature=secret` }));
    const r = await play('run_experiment.yml', partyInventory(config, job, hosts), vars);
    expect(r.ok).toBe(false);
    expect(r.failedTask).toMatch(/^Download this party's own input shares/);
    expect(r.logTail.join('\n')).not.toContain('X-Amz-Signature'); // no_log keeps signed URLs out of the log
  });

  it('when run_experiment runs twice while the bridge is captured, then the result equals the plaintext and the capture holds no input or share value', { timeout: 240_000 }, async (ctx) => {
    if (!engineHasLinks()) ctx.skip(); // the engine with its own links has not landed in engine/ yet
    const all = [...owners.alice, ...owners.bob];
    const plaintext = { columns: ['total', 'n'], rows: [[all.reduce((s, r) => s + r[1], 0), all.length]] };
    const pcap = path.join(dataDir, 'bridge.pcap');
    const filter = `host ${hosts[0].address} or host ${hosts[1].address} or host ${hosts[2].address}`;
    const dump: ChildProcess = spawn('tcpdump', ['-i', LOCAL_BRIDGE.name, '-U', '-s', '0', '-w', pcap, filter], { stdio: 'ignore' });
    try {
      spawnSync('sleep', ['1']);
      for (let attempt = 0; attempt < 2; attempt++) {
        expectOk(await play('run_experiment.yml', partyInventory(config, job, hosts), await experimentVars()));
        expect(await reconstructed()).toEqual(plaintext);
      }
    } finally {
      dump.kill('SIGINT');
      await new Promise((r) => dump.once('exit', r));
    }
    const bytes = readFileSync(pcap);
    expect(bytes.length).toBeGreaterThan(1000); // the links did cross the bridge
    const values = new Set<number>([...all.flat(), ...shareCells, plaintext.rows[0][0], plaintext.rows[0][1]]);
    const text = bytes.toString('latin1');
    for (const v of values) {
      const word = Buffer.alloc(4);
      word.writeInt32LE(v | 0);
      if (String(v).length >= 4) expect(text.includes(String(v)), `decimal ${v}`).toBe(false);
      if (Math.abs(v) >= 256) expect(bytes.includes(word), `int32le ${v}`).toBe(false);
    }
    expect(jobProcesses()).toEqual([]);
  });

  it('when party 0 runs an engine with its own key claiming to be party 1, then the other parties refuse its link, naming it', { timeout: 120_000 }, async (ctx) => {
    if (!engineHasLinks()) ctx.skip();
    const argv = engineArgv(config, job, hosts);
    const set = (a: string[], option: string, value: string) => a.map((x, i) => (a[i - 1] === option ? value : x));
    const quick = (i: number) => set(set(argv[String(i)], '--connect-timeout', '10'), '--output', path.join(dataDir, `forged-${i}.csv`));
    const shell = (a: string[]) => a.map((x) => `'${x}'`).join(' ');
    // Party 0's host writes itself a peer list where party 1's public key is its own (and its own entry
    // some other key, which nobody checks against it), and runs from party 1's address with its own key.
    const peers = readFileSync(path.join(hosts[0].workdir!, 'peers.txt'), 'utf8').trim().split('\n').map((l) => l.split(' '));
    const junk = path.join(dataDir, 'junk.key');
    execFileSync('openssl', ['genpkey', '-algorithm', 'X25519', '-outform', 'DER', '-out', junk]);
    const junkPub = execFileSync('sh', ['-c', `openssl pkey -inform DER -in ${junk} -pubout -outform DER | tail -c 32 | od -An -tx1 | tr -d ' \\n'`], { encoding: 'utf8' });
    const forgedPeers = path.join(dataDir, 'forged-peers.txt');
    writeFileSync(forgedPeers, peers.map((p, i) => [...p.slice(0, 3), i === 0 ? junkPub : i === 1 ? peers[0][3] : p[3]].join(' ')).join('\n') + '\n');
    const stderr = (p: ChildProcess) => new Promise<string>((res) => {
      let e = '';
      p.stderr!.on('data', (d) => (e += d));
      const kill = setTimeout(() => p.kill('SIGKILL'), 40_000); // an engine that never gives up must not hang the test
      p.on('exit', () => { clearTimeout(kill); res(e); });
    });
    const honest = [0, 2].map((i) => spawn('sh', ['-c', `cd ${hosts[i].workdir} && exec ${shell(quick(i))}`], { stdio: ['ignore', 'ignore', 'pipe'] }));
    const honestErr = honest.map(stderr);
    await new Promise((r) => setTimeout(r, 500));
    const forged = spawn('sh', ['-c', `cd ${hosts[1].workdir} && exec ${shell(set(set(quick(1), '--key', path.join(hosts[0].workdir!, 'party.key')), '--peers', forgedPeers))}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    const forgedErr = await stderr(forged);
    const [err0, err2] = await Promise.all(honestErr);
    expect(honest.map((p) => p.exitCode)).not.toContain(0);
    expect(forged.exitCode).not.toBe(0);
    expect(err0).toMatch(/link party0 <-> party1: handshake failed/);
    expect(`${err2}\n${forgedErr}`).toMatch(/handshake failed/);
    expect(existsSync(path.join(dataDir, 'forged-1.csv'))).toBe(false);
  });

  it('when delete_vms runs twice, then no party folder, namespace, veth, lease or engine process of the job is left', async () => {
    const leases = jobLeases();
    expectOk(await play('delete_vms.yml', controllerInventory()));
    expectOk(await play('delete_vms.yml', controllerInventory()));
    expectNothingLeft(job.jobId, jobDir(config, job.jobId), hosts, leases);
  });
});
