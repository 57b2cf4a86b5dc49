// `npm run dev`'s launcher on free ports: everything comes up, /healthz says ok, and SIGINT (Ctrl-C)
// stops every process it started.
import { describe, expect, it } from 'vitest';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, freePort } from '../../scripts/services.js';
import { isRunning } from '../../activities/ansible/process-group.js';

function descendants(pid: number): number[] {
  const out = execFileSync('ps', ['-eo', 'pid=,ppid='], { encoding: 'utf8' });
  const children = new Map<number, number[]>();
  for (const line of out.trim().split('\n')) {
    const [p, pp] = line.trim().split(/\s+/).map(Number);
    children.set(pp, [...(children.get(pp) ?? []), p]);
  }
  const all: number[] = [];
  const walk = (p: number) => (children.get(p) ?? []).forEach((c) => (all.push(c), walk(c)));
  walk(pid);
  return all;
}

/** Running, not a zombie: this container's init does not reap orphans, and a zombie holds nothing. */
const alive = isRunning;

describe('npm run dev', () => {
  it('when started, then every part answers; when interrupted, then nothing it started is left', { timeout: 240_000 }, async () => {
    const data = mkdtempSync(path.join(os.tmpdir(), 'qs-dev-'));
    mkdirSync(data, { recursive: true });
    copyFileSync(path.join(ROOT, '.data', 'gcs-key.json'), path.join(data, 'gcs-key.json'));
    const [api, temporal, ui, moto, gcs, azurite] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort(), freePort()]);
    const env = {
      ...process.env,
      PORT: String(api), TEMPORAL_ADDRESS: `127.0.0.1:${temporal}`, TEMPORAL_UI_PORT: String(ui),
      QS_MOTO_PORT: String(moto), QS_GCS_PORT: String(gcs), QS_AZURITE_PORT: String(azurite), QS_DATA_DIR: data, QS_SWEEP_INTERVAL: '0',
    };
    const dev = spawn(process.execPath, ['--import', 'tsx', 'scripts/dev.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    dev.stdout!.on('data', (d) => (out += d));
    dev.stderr!.on('data', (d) => (out += d));
    const deadline = Date.now() + 180_000;
    while (!out.includes('QueryShield is up') && Date.now() < deadline && dev.exitCode === null) await new Promise((r) => setTimeout(r, 250));
    expect(out).toContain('QueryShield is up');
    const health = await (await fetch(`http://127.0.0.1:${api}/healthz`)).json();
    expect(health).toMatchObject({ temporal: 'ok', worker: 'ok' });
    expect((await fetch(`http://127.0.0.1:${ui}/`)).status).toBe(200);
    const started = descendants(dev.pid!);
    expect(started.length).toBeGreaterThanOrEqual(6);

    const exited = new Promise((r) => dev.once('exit', r));
    dev.kill('SIGINT');
    await exited;
    // Grandchildren get SIGKILL after the grace period; give them a moment to go.
    for (let i = 0; i < 40 && started.some(alive); i++) await new Promise((r) => setTimeout(r, 250));
    expect(started.filter(alive).map((pid) => { try { return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').slice(0, 120); } catch { return String(pid); } })).toEqual([]);
  });
});
