import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { loadConfig } from '../../infra/config.js';
import { ROOT } from '../../scripts/services.js';
import { expectConfigError } from '../helpers/config-error.js';

const run = promisify(execFile);

describe('configuration', () => {
  it('when nothing is set, then the embedded default: local Temporal and the three emulators', () => {
    const c = loadConfig({});
    expect(c.port).toBe(5000);
    expect(c.host).toBe('127.0.0.1');
    expect(c.temporal).toMatchObject({ address: '127.0.0.1:7233', namespace: 'default', taskQueue: 'queryshield' });
    expect(c.embedded).toBe(true);
    expect(c.corsOrigins).toEqual(['*']);
    expect(c.providers).toEqual(['aws', 'gcp', 'azure']);
    expect(c.s3.endpoint).toBe('http://127.0.0.1:4566');
    expect(c.uploadUrlTtlSeconds).toBe(3600);
    expect(c.jobTtlSeconds).toBe(7 * 24 * 3600);
    // logs at info with every request; stages get a minute when a worker stops; no worker metrics endpoint
    expect([c.logLevel, c.logRequests, c.worker.shutdownGraceSeconds, c.worker.metricsAddress, c.deprecations]).toEqual(['info', true, 60, undefined, []]);
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ QS_PROVIDERS: 'aws,ibm' }, 'QS_PROVIDERS'],
    [{ QS_COMPUTE: 'mainframe' }, 'QS_COMPUTE'],
    [{ QS_S3_ENDPOINT: 'not a url' }, 'QS_S3_ENDPOINT'],
    [{ QS_UPLOAD_URL_TTL: '-5' }, 'QS_UPLOAD_URL_TTL'],
    [{ QS_UPLOAD_URL_TTL: '604801' }, 'QS_UPLOAD_URL_TTL'], // past 7 days: S3 and GCS refuse to sign
    [{ QS_READ_URL_TTL: '31536000' }, 'QS_READ_URL_TTL'],
    [{ QS_READ_URL_TTL: '0' }, 'QS_READ_URL_TTL'],
    [{ QS_API_TOKEN_HASHES: 'root:' + 'a'.repeat(64) }, 'QS_API_TOKEN_HASHES'],
    [{ TEMPORAL_TLS_CERT: '/c.pem' }, 'TEMPORAL_TLS_KEY'],
    [{ QS_S3_ENDPOINT: 'https://s3.example.com' }, 'QS_CORS_ORIGINS'],
    [{ QS_ENGINE: 'tva' }, 'QS_ENGINE'], // TVA is retired: its catalogue ran nothing and it could not read uploaded shares
    [{ QS_LOG_LEVEL: 'verbose' }, 'QS_LOG_LEVEL'],
    [{ QS_SHUTDOWN_GRACE: '-1' }, 'QS_SHUTDOWN_GRACE'],
    [{ QS_WORKER_METRICS: '9464' }, 'QS_WORKER_METRICS'], // host:port, not a bare port
  ])('when %j, then a ConfigError names %s', expectConfigError);

  it('when the API starts with PORT=abc, then it stops with one line naming the variable, no stack trace', async () => {
    const err = await run(process.execPath, ['--import', 'tsx', 'api/server.ts'], { cwd: ROOT, env: { ...process.env, PORT: 'abc' } }).then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    expect(err?.code).toBe(1);
    const lines = err!.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^configuration error: PORT="abc"/);
  });

  it('when the worker starts with an unknown provider, then it stops with one line naming the variable', async () => {
    const err = await run(process.execPath, ['--import', 'tsx', 'worker/main.ts'], { cwd: ROOT, env: { ...process.env, QS_PROVIDERS: 'aws,oracle' } }).then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    expect(err?.code).toBe(1);
    expect(err!.stderr.trim().split('\n')).toHaveLength(1);
    expect(err!.stderr).toMatch(/QS_PROVIDERS/);
  });
});
