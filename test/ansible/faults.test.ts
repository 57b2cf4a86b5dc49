// Faults on the engine's links through the real stages (issue 15, "What it must show"): the stage activities
// themselves (activities/stages/index.ts: real ansible-playbook, real netns.sh, real engines) run against
// three `local` parties, each a network namespace on the bridge qsbr0, under a stand-in activity context,
// with inputs in the suite's S3/GCS/Azure emulators.
//
// - A relay that flips one byte of the encrypted stream between party 1 and party 0: every engine exits
//   non-zero, no result is written or uploaded, and the stage's failure message (the activity's own,
//   through engineFailure) names the link.
// - kill -9 of one party's engine mid-run: the others abort within the link timeout, the stage fails, its
//   retry succeeds with the right answer, and deleteVMs leaves nothing of the job.
// - A peer presenting the wrong key is covered in test/ansible/playbooks.test.ts ("when party 0 runs an
//   engine with its own key claiming to be party 1, then the other parties refuse its link, naming it").
//
// Where the relay sits: each party's engine port admits only the job's other parties' addresses (nftables
// in its namespace), so a relay on the bridge address 10.213.0.1 would be dropped by party 0 before any
// byte reached its engine. The relay runs inside party 1's namespace instead (party 1's peers.txt sends
// its link to party 0 through 127.0.0.1:7101 there), so what it forwards leaves from party 1's address and
// crosses the bridge as the real link does. run_experiment kills every process of a party's namespace
// before starting the engines, so the relay is started when the stage reaches "Run the engine" (party 1
// keeps dialing until its connect deadline).
//
// The one test-only change to the stage: for the kill case, the run's qs_engine_argv gets
// `--debug-pause-ms` for the party to be killed (appended in a wrapper around heartbeatingRun), so that
// the kill lands mid-run however fast the machine is.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { asyncLocalStorage } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Config } from '../../infra/config.js';
import { NETNS_SCRIPT, localNetworkMode } from '../../infra/local-network.js';
import { resultTable, shareTable } from '../../domain/shares.js';
import { createStageActivities, engineFailure } from '../../activities/stages/index.js';
import { deployedEngineFile, ENGINE_TIMEOUTS, jobDir, partyNamespace } from '../../activities/stages/plan.js';
import { JobStorage, cloudStorages } from '../../infra/storage/index.js';
import { jobParties } from '../../domain/names.js';
import type { StageActivities } from '../../workflows/activity-types.js';
import type { JobConfig, PartyHost } from '../../domain/job.js';
import { testConfig } from '../helpers/env.js';
import { PAYROLL_OWNERS, payrollJob } from '../helpers/jobs.js';
import { expectNothingLeft, jobLeases, jobProcesses as jobProcessesOf } from '../helpers/local-parties.js';
import { isRunning } from '../../activities/ansible/process-group.js';

/** What the test adds to the next run_experiment: engine arguments per party, a hook on each task start. */
const hooks = vi.hoisted(() => ({
  engineArgs: undefined as Record<string, string[]> | undefined,
  onTask: undefined as ((task: string) => void) | undefined,
}));

vi.mock('../../activities/ansible/heartbeat.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../activities/ansible/heartbeat.js')>();
  return {
    ...real,
    heartbeatingRun: (run: Parameters<typeof real.heartbeatingRun>[0], opts: Parameters<typeof real.heartbeatingRun>[1]) => {
      if (run.playbook !== 'run_experiment.yml') return real.heartbeatingRun(run, opts);
      const argv = run.extraVars.qs_engine_argv as Record<string, string[]>;
      const extra = hooks.engineArgs ?? {};
      const onTask = hooks.onTask;
      return real.heartbeatingRun({
        ...run,
        extraVars: { ...run.extraVars, qs_engine_argv: Object.fromEntries(Object.entries(argv).map(([i, a]) => [i, [...a, ...(extra[i] ?? [])]])) },
        onProgress: (task) => {
          onTask?.(task);
          run.onProgress?.(task);
        },
      }, opts);
    },
  };
});

const job: JobConfig = payrollJob();
const columns = Object.keys(job.schema);
const owners = PAYROLL_OWNERS;
const all = [...owners.alice, ...owners.bob];
const plaintext = { columns: ['total', 'n'], rows: [[all.reduce((s, r) => s + r[1], 0), all.length]] };
const parties = jobParties(job);

let dataDir: string;
let config: Config;
let storage: JobStorage;
let acts: StageActivities;
let hosts: PartyHost[];
const mine: ChildProcess[] = [];

/** Runs a stage activity the way the worker does, under a stand-in context (heartbeats dropped). */
function stage<T>(call: (a: StageActivities) => Promise<T>): Promise<T> {
  const ctx = { heartbeat: () => undefined, cancellationSignal: new AbortController().signal, sleep: (ms: number) => new Promise((r) => setTimeout(r, ms)) };
  return asyncLocalStorage.run(ctx as never, () => call(acts));
}

const ns = (i: number) => partyNamespace(job.jobId, i);
const stageLog = () => path.join(jobDir(config, job.jobId), 'logs', 'runExperiment.log');
const logSize = () => (existsSync(stageLog()) ? statSync(stageLog()).size : 0);
/** What the stage log got since `from` (the runner appends every attempt to the same file). */
const logSince = (from: number) => readFileSync(stageLog()).subarray(from).toString('utf8');
/**
 * "party<i>: engine exited <rc>: <last stderr line>" of every party, as engineFailure reads it from
 * run_experiment's check task (each party's first such line: ansible repeats the message, folded).
 */
function engineExits(log: string): Record<number, { rc: number; line: string }> {
  const exits: Record<number, { rc: number; line: string }> = {};
  for (const l of log.split('\n')) {
    const m = /^party(\d+): engine exited (\d+): (.*)$/.exec(engineFailure([l]) ?? '');
    if (m) exits[Number(m[1])] ??= { rc: Number(m[2]), line: m[3] };
  }
  return exits;
}

async function runExperiment(): Promise<{ failure?: ApplicationFailure; log: string; ms: number }> {
  const from = logSize();
  const started = Date.now();
  const failure = await stage((a) => a.runExperiment(job, hosts, Object.keys(owners))).then(() => undefined, (e: unknown) => e as ApplicationFailure);
  return { failure, log: logSince(from), ms: Date.now() - started };
}

/** Each party's result blob: its text, or the HTTP status when there is none. */
async function resultBlobs(): Promise<(string | number)[]> {
  const urls = await storage.resultReadUrls(parties);
  return Promise.all(urls.map(async (u) => {
    const res = await fetch(u);
    return res.ok ? res.text() : res.status;
  }));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until<T>(what: string, probe: () => T | undefined | false, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}
/** The pid in a party's engine.pid, once that process is the engine itself (ip netns exec has exec'd it). */
const enginePid = (i: number): number | undefined => {
  try {
    const pid = Number(readFileSync(path.join(hosts[i].workdir!, 'engine.pid'), 'utf8').trim());
    return readlinkSync(`/proc/${pid}/exe`).endsWith('/qs-engine') ? pid : undefined;
  } catch {
    return undefined;
  }
};
const established = (i: number) => spawnSync('ip', ['netns', 'exec', ns(i), 'ss', '-Htn', 'state', 'established'], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean).length;

const jobProcesses = () => jobProcessesOf(job.jobId, jobDir(config, job.jobId), parties.length);

/**
 * A TCP relay run inside a party's namespace: listens on 127.0.0.1:<port> there and forwards to
 * <address>:7100, retrying its upstream until that listens (a relay that hung up on an early dialer would
 * look like a refused handshake). On the dialer's direction it flips one bit at byte 90: past the preamble
 * (20) and the first handshake message (4 + 48), inside the first sealed frame. Prints what it does.
 */
const RELAY = `
const net = require('net');
const [address, port] = process.argv.slice(1);
let first = true;
net.createServer((client) => {
  client.pause();
  client.on('error', () => {});
  const flip = first; first = false;
  let offset = 0;
  console.log('accepted');
  const connect = (tries) => {
    const up = net.connect(7100, address);
    up.once('error', () => (tries > 0 ? setTimeout(() => connect(tries - 1), 50) : client.destroy()));
    up.once('connect', () => {
      up.removeAllListeners('error');
      up.on('error', () => client.destroy());
      client.on('error', () => up.destroy());
      client.on('data', (d) => {
        if (flip && offset <= 90 && offset + d.length > 90) { d = Buffer.from(d); d[90 - offset] ^= 1; console.log('flipped byte 90'); }
        offset += d.length;
        up.write(d);
      });
      up.on('data', (d) => client.write(d));
      client.on('close', () => up.destroy());
      up.on('close', () => client.destroy());
      client.resume();
    });
  };
  connect(600);
}).listen(Number(port), '127.0.0.1', () => console.log('listening'));
`;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'qs-faults-'));
  config = { ...testConfig(), dataDir };
  storage = new JobStorage(cloudStorages(config), { uploadSeconds: 600, readSeconds: 600 });
  acts = createStageActivities({ config, storage });
  await storage.create(parties);
  for (const [owner, rows] of Object.entries(owners)) {
    const files = shareTable(columns, rows, parties.length);
    const urls = await storage.uploadUrls(parties, owner);
    await Promise.all(parties.map(async (p, i) => {
      const res = await fetch(urls[i], { method: 'PUT', body: files[i], headers: storage.uploadHeaders(p) });
      expect(res.ok, `${owner} → party ${i}: ${res.status}`).toBe(true);
    }));
  }
}, 60_000);

afterAll(async () => {
  for (const p of mine) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  await storage?.delete(parties, 'all').catch(() => undefined);
  for (const p of parties) spawnSync('sh', [NETNS_SCRIPT, 'down', job.jobId, String(p.index)]);
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('faults on the links, through the real stages, three parties in namespaces', { sequential: true }, () => {
  it('when createVMs, setupAuthentication and deployTvaCore run, then three namespace parties hold their keys, peers and a shared engine build', { timeout: 240_000 }, async () => {
    expect(localNetworkMode()).toBe('namespaces');
    const t = Date.now();
    hosts = (await stage((a) => a.createVMs(job))).facts!.hosts as PartyHost[];
    expect(hosts.map((h) => h.index)).toEqual([0, 1, 2]);
    for (const h of hosts) expect(h.address).toMatch(/^10\.213\.\d+\.\d+$/);
    await stage((a) => a.setupAuthentication(job, hosts));
    await stage((a) => a.deployTvaCore(job, hosts));
    for (const h of hosts) {
      expect(statSync(path.join(h.workdir!, 'party.key')).mode & 0o777).toBe(0o600);
      expect(readFileSync(path.join(h.workdir!, 'peers.txt'), 'utf8').trim().split('\n')).toHaveLength(3);
    }
    expect(existsSync(deployedEngineFile(config, job.jobId))).toBe(true);
    console.log(`create + setup + deploy: ${Date.now() - t} ms`);
  });

  it('when a relay between party 1 and party 0 flips one byte of the encrypted stream, then every engine exits non-zero, no result is written, and the stage fails naming the link', { timeout: 120_000 }, async () => {
    const peersFile = path.join(hosts[1].workdir!, 'peers.txt');
    const original = readFileSync(peersFile, 'utf8');
    // Party 1 dials party 0 (the higher index dials the lower) through the relay in its own namespace.
    writeFileSync(peersFile, original.split('\n').map((l) => (l.startsWith('0 ') ? l.replace(/^0 \S+ 7100 /, '0 127.0.0.1 7101 ') : l)).join('\n'));
    let relayOut = '';
    let relay: ChildProcess | undefined;
    hooks.onTask = (task) => {
      if (task !== 'Run the engine' || relay) return;
      relay = spawn('ip', ['netns', 'exec', ns(1), process.execPath, '-e', RELAY, hosts[0].address, '7101'], { stdio: ['ignore', 'pipe', 'pipe'] });
      mine.push(relay);
      relay.stdout!.on('data', (d) => (relayOut += d));
      relay.stderr!.on('data', (d) => (relayOut += d));
    };
    try {
      const { failure, log, ms } = await runExperiment();
      console.log(`flip: stage failed after ${ms} ms: ${failure?.message}`);
      expect(relayOut).toContain('flipped byte 90');
      expect(failure, 'the stage succeeded').toBeInstanceOf(ApplicationFailure);
      expect(failure!.type).toBe('StageFailed');
      // The activity's own message: the failed task, then the first engine's error line, naming a link.
      expect(failure!.message).toMatch(/^runExperiment failed at task 'Check the engine succeeded': party\d: engine exited 2: qs-engine party \d: .*link party\d <-> party\d/);
      const exits = engineExits(log);
      console.log(`flip: engine exits ${JSON.stringify(exits)}`);
      for (const i of [0, 1, 2]) {
        expect(exits[i]?.rc, `party ${i}: ${log.slice(-3000)}`).toBe(2);
        expect(exits[i].line).toMatch(new RegExp(`qs-engine party ${i}: .*link party${i} <-> party\\d`));
      }
      // The party that received the flipped frame says so.
      expect(exits[0].line).toMatch(/link party0 <-> party1: a frame failed authentication/);
      for (const h of hosts) expect(existsSync(path.join(h.workdir!, 'result.csv')), h.name).toBe(false);
      expect(await resultBlobs()).toEqual([404, 404, 404]);
    } finally {
      hooks.onTask = undefined;
      if (relay && relay.exitCode === null && relay.signalCode === null) {
        const exited = new Promise((r) => relay!.once('exit', r));
        relay.kill('SIGKILL');
        await exited;
      }
      writeFileSync(peersFile, original);
    }
    expect(jobProcesses()).toEqual([]);
  });

  it("when one party's engine is killed with -9 mid-run, then the others abort within the link timeout, the stage fails, its retry succeeds with the right answer, and deleteVMs leaves nothing", { timeout: 180_000 }, async () => {
    // Party 1 pauses before computing (after the consistency round: every link is up), so the kill lands
    // mid-run; the others are then waiting on their links for its messages.
    hooks.engineArgs = { 1: ['--debug-pause-ms', '60000'] };
    const run = runExperiment();
    let killedAt = 0;
    let killedRun: number[] = [];
    const others: Record<number, number> = {};
    try {
      const pids = await until('the three engines', () => {
        const p = [0, 1, 2].map(enginePid);
        return p.every((x) => x !== undefined) && (p as number[]);
      }, 90_000);
      killedRun = pids;
      // Each party has its two links up (party 0 and 1 accept, 1 and 2 dial).
      await until('every link established', () => [0, 1, 2].every((i) => established(i) >= 2), 60_000);
      await sleep(1000);
      expect(isRunning(pids[0]) && isRunning(pids[2])).toBe(true);
      process.kill(pids[1], 'SIGKILL');
      killedAt = Date.now();
      // Polled every 100 ms: the figures are good to that.
      await until('the other engines to exit', () => {
        for (const i of [0, 2]) if (others[i] === undefined && !isRunning(pids[i])) others[i] = Date.now() - killedAt;
        return others[0] !== undefined && others[2] !== undefined;
      }, ENGINE_TIMEOUTS.link * 1000 + 10_000);
    } finally {
      hooks.engineArgs = undefined;
    }
    const { failure, log, ms } = await run;
    console.log(`kill -9: parties 0 and 2 exited ${others[0]} ms and ${others[2]} ms after the kill (link timeout ${ENGINE_TIMEOUTS.link} s); stage failed after ${ms} ms: ${failure?.message}`);
    for (const i of [0, 2]) expect(others[i]).toBeLessThan(ENGINE_TIMEOUTS.link * 1000);
    expect(failure, 'the stage succeeded').toBeInstanceOf(ApplicationFailure);
    expect(failure!.type).toBe('StageFailed');
    // engineFailure prefers a line that names a link, so the killed party's own "Killed" is never the message.
    expect(failure!.message).toMatch(/^runExperiment failed at task 'Check the engine succeeded': party[02]: engine exited 2: .*link party\d <-> party1/);
    const exits = engineExits(log);
    console.log(`kill -9: engine exits ${JSON.stringify(exits)}`);
    expect(exits[1]?.rc).toBe(137); // the shell's status for a child killed by SIGKILL
    for (const i of [0, 2]) {
      expect(exits[i]?.rc, log.slice(-3000)).toBe(2);
      expect(exits[i].line).toMatch(new RegExp(`qs-engine party ${i}: .*link party${i} <-> party1: `));
    }
    expect(await resultBlobs()).toEqual([404, 404, 404]);

    // The stage's retry: the same activity again, no pause.
    const retry = await runExperiment();
    console.log(`retry: ${retry.failure ? `failed: ${retry.failure.message}` : 'ok'} after ${retry.ms} ms`);
    expect(retry.failure, retry.log.slice(-3000)).toBeUndefined();
    const { columns: names, rows } = resultTable((await resultBlobs()) as string[]);
    expect({ columns: names, rows }).toEqual(plaintext);
    expect(jobProcesses()).toEqual([]);

    const leases = jobLeases(job.jobId);
    expect(leases).toHaveLength(3);
    await stage((a) => a.deleteVMs(job));
    expectNothingLeft(job.jobId, jobDir(config, job.jobId), hosts, leases);
    expect(killedRun.filter(isRunning)).toEqual([]);
  });
});
