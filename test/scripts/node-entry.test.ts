// Starting a node entry and waiting for its ready line, with throw-away entries in a temporary folder.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startNodeEntry, stopNodeEntry } from '../../scripts/node-entry.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'qs-entry-'));
function entry(name: string, code: string): string {
  const file = path.join(dir, `${name}.mjs`);
  writeFileSync(file, code);
  return file;
}

describe('startNodeEntry', () => {
  it('when an entry starts, then on the Node running the caller (Node 24 under npm), not a node found on PATH', async () => {
    const script = entry('version', `console.log('serving ' + process.version + ' ' + process.execPath);`);
    const logFile = path.join(dir, 'version.log');
    // a PATH whose first node is another program: the entry must not be started with it
    const decoy = mkdtempSync(path.join(os.tmpdir(), 'qs-decoy-'));
    writeFileSync(path.join(decoy, 'node'), '#!/bin/sh\necho decoy; exit 9\n', { mode: 0o755 });
    const { child, ready } = startNodeEntry({ name: 'version', script, env: { ...process.env, PATH: `${decoy}:${process.env.PATH}` }, readyLine: 'serving', logFile });
    await ready;
    await once(child, 'close');
    await new Promise((r) => setTimeout(r, 50)); // the log's last write
    expect(readFileSync(logFile, 'utf8').trim()).toBe(`serving ${process.version} ${process.execPath}`);
    expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(24);
  });

  it('when the ready line comes split over two writes, then it is still seen, and stdout and stderr both reach the log', async () => {
    const script = entry('split', `process.stdout.write('serv'); setTimeout(() => { process.stdout.write('ing now\\n'); console.error('a warning'); setTimeout(() => process.exit(0), 100); }, 200);`);
    const logFile = path.join(dir, 'split.log');
    const { child, ready } = startNodeEntry({ name: 'split', script, env: process.env, readyLine: 'serving now', logFile });
    await ready;
    await once(child, 'close');
    await new Promise((r) => setTimeout(r, 50)); // the log's last write
    const log = readFileSync(logFile, 'utf8');
    expect(log).toContain('serving now');
    expect(log).toContain('a warning');
  });

  it('when the entry exits before its ready line, then ready rejects naming the exit code and the log', async () => {
    const script = entry('crash', `console.error('no config'); process.exit(3);`);
    const logFile = path.join(dir, 'crash.log');
    const { ready } = startNodeEntry({ name: 'crash', script, env: process.env, readyLine: 'serving', logFile });
    await expect(ready).rejects.toThrow(`crash exited (3) before it was ready; see ${logFile}`);
  });

  it('when stopped and it ignores SIGTERM, then it is killed once the grace is over', async () => {
    const script = entry('stubborn', `process.on('SIGTERM', () => {}); console.log('serving'); setInterval(() => {}, 1000);`);
    const { child, ready } = startNodeEntry({ name: 'stubborn', script, env: process.env, readyLine: 'serving', logFile: path.join(dir, 'stubborn.log') });
    await ready;
    await stopNodeEntry(child, 500);
    expect(child.signalCode).toBe('SIGKILL');
  });

  it('when started again with appendLog, then the log of the earlier run is kept; without it, the log starts anew', async () => {
    const script = entry('twice', `console.log('serving ' + process.env.RUN);`);
    const logFile = path.join(dir, 'twice.log');
    const run = async (RUN: string, appendLog: boolean) => {
      const { child, ready } = startNodeEntry({ name: 'twice', script, env: { ...process.env, RUN }, readyLine: 'serving', logFile, appendLog });
      await ready;
      await once(child, 'close');
      await new Promise((r) => setTimeout(r, 50)); // the log's last write
    };
    await run('one', false);
    await run('two', true);
    expect(readFileSync(logFile, 'utf8')).toBe('serving one\nserving two\n');
    await run('three', false);
    expect(readFileSync(logFile, 'utf8')).toBe('serving three\n');
  });
});
