// Dockerfile and compose.yaml (at the repository's root). No container engine on the machine this was
// written on, so their structure is checked here: compose.yaml parsed by a real YAML parser (PyYAML, from
// the setup step's .venv) and held to what the services need; the Dockerfile's essentials linted.
// Where Docker exists, `docker compose config` checks the file too.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ENV_SCHEMA, loadConfig } from '../infra/config.js';
import { ROOT, VENV_BIN } from '../scripts/services.js';

interface Service {
  image?: string;
  build?: string;
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, unknown>;
  network_mode?: string;
  ports?: unknown;
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  stop_grace_period?: string;
}
const compose = JSON.parse(
  execFileSync(path.join(VENV_BIN, 'python'), ['-c', 'import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))', path.join(ROOT, 'compose.yaml')], { encoding: 'utf8' }),
) as { services: Record<string, Service>; volumes: Record<string, unknown> };
const services = compose.services;
const args = (s: Service) => [...(s.entrypoint ?? []), ...(s.command ?? [])];
/** The value after a flag in a service's command line. */
const flag = (s: Service, name: string) => {
  const a = args(s);
  const i = a.indexOf(name);
  return i >= 0 ? a[i + 1] : undefined;
};
const seconds = (d: string) => Number(/^(\d+)s$/.exec(d)?.[1] ?? NaN);
const defaults = loadConfig({});
const env = (s: Service) => Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, String(v)]));

describe('compose.yaml', () => {
  it('when parsed, then it has Temporal, the three emulators, the key step, the worker and the API, each from a pinned image or this build', () => {
    expect(Object.keys(services).sort()).toEqual(['api', 'azurite', 'gcs', 'init', 'moto', 'temporal', 'worker']);
    for (const [name, s] of Object.entries(services)) {
      expect(s.image ?? s.build, name).toBeTruthy();
      if (!s.build) expect(s.image, name).toMatch(/:[0-9][\w.-]*$/); // a version, never latest
    }
    for (const name of ['init', 'worker', 'api']) expect(services[name]).toMatchObject({ build: '.', image: 'queryshield:local' });
    expect(args(services.worker)).toEqual(['node', 'dist/worker/main.js']);
    expect(args(services.api)).toEqual(['node', 'dist/api/server.js']);
    const scripts = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts;
    expect(scripts.start).toBe('node dist/api/server.js');
    expect(scripts['start:worker']).toBe('node dist/worker/main.js');
  });

  it('when the services listen, then on the host network, 127.0.0.1 only, on the ports the configuration defaults to', () => {
    for (const [name, s] of Object.entries(services)) {
      expect(s.network_mode, name).toBe('host');
      expect(s.ports, `${name}: ports are ignored on the host network`).toBeUndefined();
    }
    const t = services.temporal;
    expect([flag(t, '--ip'), flag(t, '--port'), flag(t, '--ui-port')]).toEqual(['127.0.0.1', defaults.temporal.address.split(':')[1], String(defaults.devPorts.temporalUi)]);
    expect(args(t)).toEqual(expect.arrayContaining(['QueryShieldStatus=Keyword', 'QueryShieldAnalyst=Keyword']));
    expect([flag(services.moto, '-H'), flag(services.moto, '-p')]).toEqual(['127.0.0.1', String(defaults.devPorts.moto)]);
    expect([flag(services.gcs, '-host'), flag(services.gcs, '-port'), flag(services.gcs, '-external-url')]).toEqual(['127.0.0.1', String(defaults.devPorts.gcs), defaults.gcs.endpoint]);
    expect([flag(services.azurite, '--blobHost'), flag(services.azurite, '--blobPort')]).toEqual(['127.0.0.1', String(defaults.devPorts.azurite)]);
    const api = loadConfig(env(services.api));
    const worker = loadConfig(env(services.worker));
    expect([api.host, api.temporal.address, worker.temporal.address]).toEqual(['127.0.0.1', defaults.temporal.address, defaults.temporal.address]);
    const ports = [7233, defaults.devPorts.temporalUi, defaults.devPorts.moto, defaults.devPorts.gcs, defaults.devPorts.azurite, api.port, Number(worker.worker.metricsAddress!.split(':')[1])];
    expect(new Set(ports).size).toBe(ports.length);
    expect(worker.worker.metricsAddress).toMatch(/^127\.0\.0\.1:/);
  });

  it('when the API and the worker read their environment, then every variable is one the configuration knows, none a secret', () => {
    const known = new Set(Object.keys(ENV_SCHEMA.properties));
    for (const name of ['api', 'worker']) {
      for (const [k, v] of Object.entries(services[name].environment ?? {})) {
        expect(known.has(k), `${name}: ${k}`).toBe(true);
        expect(typeof v, `${name}: ${k} must be a string`).toBe('string');
        expect(k, `${name}: no secret in the compose file`).not.toMatch(/SECRET|PASSWORD|TOKEN|API_KEY|_KEY$/);
      }
      expect(() => loadConfig(env(services[name]))).not.toThrow();
    }
  });

  it('when services wait for each other, then on existing services, health checks where health is awaited, no cycle', () => {
    const conditions = new Set(['service_started', 'service_healthy', 'service_completed_successfully']);
    for (const [name, s] of Object.entries(services)) {
      for (const [dep, { condition }] of Object.entries(s.depends_on ?? {})) {
        expect(services[dep], `${name} → ${dep}`).toBeDefined();
        expect(conditions.has(condition), `${name} → ${dep}: ${condition}`).toBe(true);
        if (condition === 'service_healthy') expect(services[dep].healthcheck?.test, `${dep} needs a healthcheck`).toBeDefined();
      }
    }
    const visiting = new Set<string>();
    const visit = (n: string, seen: Set<string>): void => {
      expect(visiting.has(n), `cycle through ${n}`).toBe(false);
      if (seen.has(n)) return;
      visiting.add(n);
      for (const d of Object.keys(services[n].depends_on ?? {})) visit(d, seen);
      visiting.delete(n);
      seen.add(n);
    };
    const seen = new Set<string>();
    for (const n of Object.keys(services)) visit(n, seen);
    for (const name of ['worker', 'api']) {
      expect(Object.keys(services[name].depends_on ?? {})).toEqual(expect.arrayContaining(['init', 'temporal', 'moto', 'gcs', 'azurite']));
    }
  });

  it('when the worker is stopped, then compose waits longer than its shutdown grace; named volumes are declared', () => {
    const w = services.worker;
    expect(seconds(w.stop_grace_period!)).toBeGreaterThan(loadConfig(env(w)).worker.shutdownGraceSeconds);
    for (const s of Object.values(services)) {
      for (const v of s.volumes ?? []) expect(Object.keys(compose.volumes)).toContain(v.split(':')[0]);
    }
    // the worker and the API share the data folder (the GCS signing key the init step makes)
    expect(services.worker.volumes).toContain('qs-data:/data');
    expect(services.api.volumes).toContain('qs-data:/data');
  });

  const docker = (() => {
    try {
      execFileSync('docker', ['compose', 'version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  it.skipIf(!docker)('when Docker is there, then `docker compose config` accepts the file', () => {
    expect(() => execFileSync('docker', ['compose', '-f', path.join(ROOT, 'compose.yaml'), 'config', '-q'], { stdio: 'pipe' })).not.toThrow();
  });
});

describe('Dockerfile', () => {
  const text = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const instructions = lines.map((l) => ({ op: l.split(/\s+/)[0].toUpperCase(), rest: l.slice(l.indexOf(' ') + 1).trim() }));
  const of = (op: string) => instructions.filter((i) => i.op === op).map((i) => i.rest);

  it('when read, then it builds on Node of .nvmrc in two stages, installs from the lockfile and runs npm run build', () => {
    const major = readFileSync(path.join(ROOT, '.nvmrc'), 'utf8').trim();
    const froms = of('FROM');
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const f of froms) expect(f).toMatch(new RegExp(`^node:${major}-[\\w.-]+( AS \\w+)?$`));
    expect(of('COPY')).toContain('package.json package-lock.json ./');
    expect(of('RUN').some((r) => /npm ci\b/.test(r))).toBe(true);
    expect(of('RUN').some((r) => /npm run build\b/.test(r))).toBe(true);
  });

  it('when it runs, then as a non-root user, through an init for signals, the API by default (exec form), port 5000 exposed', () => {
    const user = instructions.findIndex((i) => i.op === 'USER');
    expect(user).toBeGreaterThan(0);
    expect(instructions[user].rest).not.toMatch(/^(root|0)$/);
    expect(user).toBeLessThan(instructions.findIndex((i) => i.op === 'CMD'));
    expect(JSON.parse(of('ENTRYPOINT')[0])).toEqual(['/usr/bin/tini', '--']);
    expect(JSON.parse(of('CMD')[0])).toEqual(['node', 'dist/api/server.js']);
    expect(of('EXPOSE').join(' ').split(/\s+/)).toContain(String(loadConfig({}).port));
  });

  it('when it installs system packages, then every one the stages need (as the setup step lists them, less the test-only ones)', () => {
    const setup = readFileSync(path.join(ROOT, 'scripts', 'setup.sh'), 'utf8');
    const debs = /^debs=\(([^)]*)\)/m.exec(setup)![1].split(/\s+/).filter(Boolean).filter((p) => !['tcpdump', 'chromium'].includes(p));
    const apt = of('RUN').find((r) => r.includes('apt-get install'))!;
    for (const p of [...debs, 'python3', 'python3-venv', 'tini', 'curl']) expect(apt.split(/\s+/), p).toContain(p);
    expect(of('RUN').some((r) => r.includes('scripts/requirements.txt'))).toBe(true);
  });

  it('when it copies, then only paths that exist, and the build context leaves out local state', () => {
    for (const c of of('COPY').filter((c) => !c.startsWith('--from'))) {
      const parts = c.split(/\s+/);
      for (const src of parts.slice(0, -1)) expect(existsSync(path.join(ROOT, src)), src).toBe(true);
    }
    const ignore = readFileSync(path.join(ROOT, '.dockerignore'), 'utf8').split('\n');
    for (const p of ['node_modules', 'dist', '.venv', '.data', '.git']) expect(ignore).toContain(p);
  });
});
