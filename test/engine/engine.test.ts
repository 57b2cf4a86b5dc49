// The reference engine computes on secret shares for real: build it with cmake, run one engine process
// per party (each in its own folder, with its own key, linked over loopback TCP by the engine's own
// Noise KK links) on the plan the stages would write (domain/job-query.ts), rebuild the result with
// resultTable, compare with the plaintext answer and evaluatePlan's; files that do not fit together
// (tampered, truncated, mixed up) make every party stop; and so do a link tampered with in flight, a peer
// with the wrong key, a party killed or frozen mid-run. The engine's C++ test programs run through ctest.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultTable, shareTable } from '../../domain/shares.js';
import { buildEngine, makeKey, runEngine, startParties, type PartyResult } from '../helpers/engine.js';
import { columns, COUNT, plainSum, plan, plaintext, QUERY, randomTable, relay, tamper } from './engine-fixtures.js';

const run = promisify(execFile);

let engine: string;
// The build and every run folder (the helper's too) go under one private temp root, removed at the end;
// this file runs in its own worker process, so TMPDIR changes nothing elsewhere.
const tmpRoot = mkdtempSync(path.join(os.tmpdir(), 'qs-engine-test-'));
process.env.TMPDIR = tmpRoot;
beforeAll(async () => {
  engine = await buildEngine();
}, 900_000);
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));

/** Runs the engine and returns what it failed with (every party's stderr), or fails the test if it ran. */
async function failure(shares: string[], planText: string): Promise<string> {
  try {
    await runEngine(engine, shares, planText);
  } catch (err) {
    return String((err as Error).message);
  }
  throw new Error('expected the engine to fail');
}

describe('qs-engine', () => {
  it.each([3, 4])('when %i parties run SUM and COUNT on shares, then the reconstructed result equals the plaintext (with int32 wrap)', async (n) => {
    const rows = [[30, 2_000_000_000], [-41, 2_000_000_000], [52, -7], [0, 123_456], ...randomTable(40, n)];
    const { results } = await runEngine(engine, shareTable(columns, rows, n), plan(QUERY));
    const k = n - 1;
    // The plan's result file: k additive shares per output, then the _valid column's.
    const header = ['total', 'n', 'sum_age', '_valid'].flatMap((name) => Array.from({ length: k }, (_, j) => `${name}_${j}`)).join(',');
    for (const r of results) expect(r.split('\n')[0]).toBe(header);
    const got = resultTable(results, n);
    expect({ columns: got.columns, rows: got.rows }).toEqual({ columns: ['total', 'n', 'sum_age'], rows: [[plainSum(rows, 1), rows.length, plainSum(rows, 0)]] });
    expect(got.padded).toEqual(plaintext(QUERY, rows));
  });

  it('when COUNT(*) is computed, then the files are a valid replicated sharing of the count: every party\'s copy of a global share agrees', async () => {
    const rows = randomTable(7, 1);
    const { results } = await runEngine(engine, shareTable(columns, rows, 4), plan('SELECT COUNT(*) FROM t'));
    // resultTable throws when two parties' copies of one global share differ (party i's local column j is global share (i + j) mod 4).
    const got = resultTable(results, 4);
    expect(got.padded).toEqual({ columns: ['count', '_valid'], rows: [[7, 1]] });
  });

  it('when each party concatenates two owners\' files (one header), then the result covers both owners\' rows', async () => {
    const alice = randomTable(5, 11);
    const bob = randomTable(6, 12);
    const [a, b] = [shareTable(columns, alice, 3), shareTable(columns, bob, 3)];
    const joined = a.map((f, i) => f + b[i].split('\n').slice(1).join('\n'));
    const { results } = await runEngine(engine, joined, plan(QUERY));
    const all = [...alice, ...bob];
    expect(resultTable(results, 3).rows).toEqual([[plainSum(all, 1), all.length, plainSum(all, 0)]]);
  });

  it('when the share files have no rows, then SUM and COUNT are 0', async () => {
    const { results } = await runEngine(engine, shareTable(columns, [], 3), plan(QUERY));
    expect(resultTable(results, 3).rows).toEqual([[0, 0, 0]]);
    expect(resultTable(results, 3).padded).toEqual(plaintext(QUERY, []));
  });

  it.each([
    [3, 1, 1, 'column age (additive): party 1\'s copy of global share 2'], // age_1
    [4, 1, 2, 'column age (additive): party 1\'s copy of global share 3'], // age_2: compared two hops away
    [4, 2, 2 * 3 + 3 + 1, 'column salary (XOR): party 2\'s copy of global share 3'], // [salary]_1
  ])('when %i parties run and party %i holds a tampered replicated share (file column %i), then every party refuses and exits non-zero', async (n, party, col, detail) => {
    const shares = shareTable(columns, randomTable(4, 3), n);
    shares[party] = tamper(shares[party], 2, col);
    const message = await failure(shares, plan(QUERY));
    expect(message).toMatch(/replicated shares are inconsistent/);
    expect(message).toContain(detail);
    expect(message).toMatch(/stopping: party \d failed checking the parties' shares agree/);
  });

  it('when one party\'s file lost a row, then the parties refuse because the row counts differ', async () => {
    const shares = shareTable(columns, randomTable(4, 5), 3);
    shares[2] = shares[2].split('\n').slice(0, -2).join('\n') + '\n';
    expect(await failure(shares, plan(COUNT))).toMatch(/different row counts/);
  });

  it('when one party holds a file for another schema, then the parties refuse because the headers differ', async () => {
    const shares = shareTable(columns, randomTable(2, 6), 3);
    shares[1] = shareTable(['age', 'wage'], randomTable(2, 6), 3)[1];
    expect(await failure(shares, plan(COUNT))).toMatch(/party 1's share file has another header/);
  });

  it('when the plan reads a column the files do not have, or cannot be read, then it fails naming the problem', async () => {
    const shares = shareTable(columns, randomTable(2, 7), 3);
    expect(await failure(shares, plan('SELECT SUM(wage) AS x FROM t', ['age', 'wage']))).toMatch(/reading the share file failed: the plan reads column wage, which the share file does not have/);
    // Line 8 of QUERY's plan is its first aggregate, `agg sum r0`.
    const bad = plan(QUERY).replace(/^agg sum r0$/m, 'agg median r0');
    expect(bad).not.toBe(plan(QUERY));
    expect(await failure(shares, bad)).toMatch(/reading the program failed: plan line 8: unknown aggregate 'median'/);
    // A file of the retired SUM/COUNT program format is no plan.
    expect(await failure(shares, 'count n\n')).toMatch(/reading the program failed: the plan does not start with queryshield-plan\/1/);
  });

  it('when a share value is not a 32-bit integer, then that party says which line', async () => {
    const shares = shareTable(columns, randomTable(2, 8), 3);
    shares[0] = shares[0].replace(/\n-?\d+,/, '\n2147483648,');
    expect(await failure(shares, plan(COUNT))).toMatch(/party 0: reading the share file failed: line 2, column 1: '2147483648' is not a 32-bit integer/);
  });

  it('when asked for --version, then it answers (deploy_engine.yml checks the build this way)', async () => {
    const { stdout } = await run(engine, ['--version']);
    expect(stdout).toMatch(/^qs-engine \d+\.\d+/);
  });

  it('when asked for the public key of an openssl X25519 key file, then it prints the hex the Ansible stage computes with openssl', async () => {
    for (let i = 0; i < 3; i++) {
      const file = path.join(tmpRoot, `pub${i}.key`);
      const expected = await makeKey(file);
      expect(expected).toMatch(/^[0-9a-f]{64}$/);
      const { stdout } = await run(engine, ['pubkey', '--key', file]);
      expect(stdout).toBe(`${expected}\n`);
    }
  });

  it('when the key file is not a DER X25519 key, then pubkey refuses and says what it expects', async () => {
    const pem = path.join(tmpRoot, 'pem.key');
    await run('openssl', ['genpkey', '-algorithm', 'X25519', '-out', pem]);
    await expect(run(engine, ['pubkey', '--key', pem])).rejects.toThrow(/is PEM, not DER/);
    const ed = path.join(tmpRoot, 'ed.key');
    await run('openssl', ['genpkey', '-algorithm', 'ED25519', '-outform', 'DER', '-out', ed]);
    await expect(run(engine, ['pubkey', '--key', ed])).rejects.toThrow(/is not an X25519 private key in PKCS#8 DER/);
  });
});

describe('qs-engine links', () => {
  const everyParty = (runs: PartyResult[]) => {
    for (const r of runs) {
      expect(r.code, `party ${r.party}: ${r.stderr}`).not.toBe(0);
      expect(r.stderr, `party ${r.party}`).toMatch(new RegExp(`qs-engine party ${r.party}: .*link party${r.party} <-> party\\d`));
    }
  };

  it('when the engine\'s C++ test programs run (ctest), then they all pass', async () => {
    const { stdout } = await run('ctest', ['--output-on-failure', '--timeout', '300'], { cwd: path.dirname(engine), maxBuffer: 64 << 20, timeout: 900_000 }).catch((err) => {
      const out = String(err.stdout);
      const summary = out.split('\n').filter((l) => /Test +#\d+:/.test(l)).join('\n');
      throw new Error(`ctest failed:\n${summary}\n--- output (end) ---\n${out.slice(-4000)}`);
    });
    expect(stdout).toMatch(/100% tests passed/);
    expect(stdout).toMatch(/noise_test/);
    expect(stdout).toMatch(/tcp_communicator_test/);
  }, 900_000);

  it('when a run succeeds, then each party prints the payload bytes per link, and the traffic carries no share value in clear', async () => {
    const rows = randomTable(30, 21);
    const shares = shareTable(columns, rows, 3);
    // A relay between parties 1 and 0 records what crosses the link.
    let seen = Buffer.alloc(0);
    let target = 0;
    const record = (d: Buffer) => {
      seen = Buffer.concat([seen, d]);
      return d;
    };
    const proxy = await relay(() => target, record, record);
    const proxyPort = proxy.port;
    try {
      const { results, runs } = await runEngine(engine, shares, plan(QUERY), {
        peersFor: (p, peers) => {
          target = peers[0].port;
          return p === 1 ? peers.map((l) => (l.index === 0 ? { ...l, port: proxyPort } : l)) : peers;
        },
      });
      expect(resultTable(results, 3).rows).toEqual([[plainSum(rows, 1), rows.length, plainSum(rows, 0)]]);
      for (const r of runs) {
        for (const p of [0, 1, 2].filter((q) => q !== r.party)) {
          expect(r.stdout).toMatch(new RegExp(`link party${r.party} <-> party${p}: payload sent \\d+ B in \\d+ messages, received \\d+ B`));
        }
      }
      expect(seen.length).toBeGreaterThan(300);
      // Only sealed frames cross (digests, step outcomes, protocol messages): no file's header or step status appears.
      const text = seen.toString('latin1');
      expect(text).not.toContain('salary');
      expect(text).not.toContain('step 1 ok');
    } finally {
      proxy.close();
    }
  });

  it('when a relay between parties 0 and 1 flips one byte in flight, then every party exits non-zero and names a link; the one that saw it names the tampering', async () => {
    const shares = shareTable(columns, randomTable(20, 22), 3);
    let target = 0;
    let offset = 0;
    const proxy = await relay(() => target, (d) => {
      // Past the preamble (20) and the first handshake message (4 + 48), inside the first sealed frame's
      // ciphertext (a flipped length prefix is refused too, as an impossible frame length).
      if (offset <= 90 && offset + d.length > 90) {
        d = Buffer.from(d);
        d[90 - offset] ^= 0x01;
      }
      offset += d.length;
      return d;
    });
    const proxyPort = proxy.port;
    try {
      const parties = await startParties(engine, shares, plan(QUERY), {
        linkTimeout: 10,
        peersFor: (p, peers) => {
          target = peers[0].port;
          return p === 1 ? peers.map((l) => (l.index === 0 ? { ...l, port: proxyPort } : l)) : peers;
        },
      });
      const runs = await parties.done;
      everyParty(runs);
      expect(runs[0].stderr).toMatch(/link party0 <-> party1: a frame failed authentication/);
      for (const r of runs) expect(r.ms).toBeLessThan(10_000);
    } finally {
      proxy.close();
    }
  });

  it('when a party runs with a key the others do not know, then the handshake refuses it and every party exits non-zero naming a link', async () => {
    const parties = await startParties(engine, shareTable(columns, randomTable(3, 23), 3), plan(COUNT), { wrongKey: [2], connectTimeout: 20 });
    const runs = await parties.done;
    everyParty(runs);
    expect(runs.map((r) => r.stderr).join('')).toMatch(/link party[01] <-> party2: handshake failed: the peer does not hold the expected key/);
    expect(runs[2].stderr).toMatch(/link party2 <-> party[01]: handshake failed/);
  });

  it('when the key file does not match the party\'s own line of the peers file, then it refuses before any connection', async () => {
    const other = await makeKey(path.join(tmpRoot, 'other.key'));
    const parties = await startParties(engine, shareTable(columns, randomTable(3, 24), 3), plan(COUNT), {
      connectTimeout: 3,
      peersFor: (p, peers) => (p === 1 ? peers.map((l) => (l.index === 1 ? { ...l, pubkey: other } : l)) : peers),
    });
    const runs = await parties.done;
    expect(runs[1].stderr).toMatch(/qs-engine party 1: reading the keys failed: the key file party.key has the public key [0-9a-f]{64}, but the peers file gives party 1/);
    for (const r of runs) expect(r.code).not.toBe(0);
  });

  it.each([3, 4])('when one party\'s engine of %i is killed with -9 mid-run, then the others exit non-zero at once, naming the link', async (n) => {
    const parties = await startParties(engine, shareTable(columns, randomTable(10, 25), n), plan(QUERY), {
      linkTimeout: 5,
      extraArgs: (p) => (p === 1 ? ['--debug-pause-ms', '60000'] : []),
    });
    await parties.stderrHas(1, 'pausing 60000 ms');
    const killed = Date.now();
    parties.procs[1].kill('SIGKILL');
    const runs = await parties.done;
    expect(runs[1].signal).toBe('SIGKILL');
    for (const r of runs.filter((x) => x.party !== 1)) {
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/link party\d <-> party1: the (stream ended where a frame was due|connection was reset)/);
    }
    expect(Date.now() - killed).toBeLessThan(5_000);
  });

  it('when one party\'s host goes silent (the process frozen: no keep-alives, no FIN), then the others exit non-zero within the link timeout', async () => {
    const parties = await startParties(engine, shareTable(columns, randomTable(10, 26), 3), plan(QUERY), {
      linkTimeout: 2,
      extraArgs: (p) => (p === 2 ? ['--debug-pause-ms', '60000'] : []),
    });
    await parties.stderrHas(2, 'pausing 60000 ms');
    const stopped = Date.now();
    parties.procs[2].kill('SIGSTOP');
    const others = await Promise.race([
      Promise.all([0, 1].map((p) => new Promise<number>((r) => parties.procs[p].on('close', () => r(Date.now() - stopped))))),
      new Promise<number[]>((r) => setTimeout(() => r([99_999]), 15_000)),
    ]);
    parties.procs[2].kill('SIGKILL');
    const runs = await parties.done;
    for (const ms of others) expect(ms).toBeLessThan(2_000 + 2_500);
    // The first to time out names the silent link; the other may learn it from that one's closing notice.
    for (const r of runs.filter((x) => x.party !== 2)) {
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(new RegExp(`qs-engine party ${r.party}: .*link party${r.party} <-> party\\d`));
    }
    expect(runs.map((r) => r.stderr).join('')).toMatch(/link party[01] <-> party2: nothing received for 2 s \(link timeout/);
  });

  it.each([3, 4])('when one party of %i keeps its links alive but never sends what the round expects, then the others exit non-zero within the round timeout, naming the link', async (n) => {
    // Keep-alives reset the link timeout, so before the round timeout the others waited for ever.
    const parties = await startParties(engine, shareTable(columns, randomTable(10, 28), n), plan(QUERY), {
      linkTimeout: 1,
      roundTimeout: 3,
      extraArgs: (p) => (p === 1 ? ['--debug-pause-ms', '60000'] : []),
    });
    await parties.stderrHas(1, 'pausing 60000 ms');
    const paused = Date.now();
    const honest = [...Array(n).keys()].filter((p) => p !== 1);
    const others = await Promise.race([
      Promise.all(honest.map((p) => new Promise<number>((r) => parties.procs[p].on('close', () => r(Date.now() - paused))))),
      new Promise<number[]>((r) => setTimeout(() => r([99_999]), 20_000)),
    ]);
    parties.procs[1].kill('SIGKILL');
    const runs = await parties.done;
    for (const ms of others) expect(ms).toBeLessThan(3_000 + 2_500);
    for (const r of runs.filter((x) => x.party !== 1)) {
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`qs-engine party ${r.party}: computing failed: link party${r.party} <-> party1: no message within 3 s \\(round timeout`));
    }
  });

  it('when a party of the peers file never starts, then the parties that listen for it exit non-zero within the connect timeout, naming it', async () => {
    // Parties 0 and 1 of 3: both listen for party 2 (the higher party dials), which never comes.
    const parties = await startParties(engine, shareTable(columns, randomTable(3, 29), 3), plan(COUNT), { connectTimeout: 4, only: [0, 1] });
    const timer = setTimeout(() => parties.procs.forEach((p) => p?.kill('SIGKILL')), 30_000);
    const runs = await parties.done.finally(() => clearTimeout(timer));
    expect(runs.map((r) => r.party)).toEqual([0, 1]);
    for (const r of runs) {
      expect(r.code, r.stderr).toBe(2);
      expect(r.ms).toBeLessThan(4_000 + 3_000);
      expect(r.stderr).toMatch(new RegExp(`qs-engine party ${r.party}: connecting to the other parties failed: link party${r.party} <-> party\\d: .*party 2 did not connect within 4 s`));
    }
  });

  it('when a long local computation keeps a party busy beyond the link timeout, then keep-alives hold the links and the run succeeds', async () => {
    const rows = randomTable(5, 27);
    const { results } = await runEngine(engine, shareTable(columns, rows, 3), plan(QUERY), {
      linkTimeout: 1,
      extraArgs: (p) => (p === 0 ? ['--debug-pause-ms', '3000'] : []),
    });
    expect(resultTable(results, 3).rows).toEqual([[plainSum(rows, 1), rows.length, plainSum(rows, 0)]]);
  });
});
