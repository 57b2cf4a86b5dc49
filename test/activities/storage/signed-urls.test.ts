// Upload URLs are write-only, for exactly one blob, until their expiry. Azurite enforces SAS itself;
// moto and fake-gcs-server accept anything, so those URLs are checked with independent verifiers.
import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { JobStorage, cloudStorages } from '../../../activities/storage/index.js';
import { jobParties } from '../../../activities/storage/names.js';
import { testConfig } from '../../helpers/env.js';
import { verifyGcsV4, verifySigV4 } from '../../helpers/signature-verifiers.js';

const config = testConfig();
const clouds = cloudStorages(config);
const storage = new JobStorage(clouds, { uploadSeconds: config.uploadUrlTtlSeconds, readSeconds: config.readUrlTtlSeconds });
const later = (s: number) => new Date(Date.now() + s * 1000);

describe('S3 upload URLs (verified with an independent SigV4 verifier)', () => {
  it('when checked for PUT of that key now, then valid; for GET, another key or after expiry, then not', async () => {
    const [party] = jobParties({ jobId: randomUUID(), securityLevel: 'semi', cloudProviders: ['aws'] });
    const [url] = await storage.uploadUrls([party], 'alice');
    const path = `/${party.inputBucket}/alice`;
    const secret = config.s3.secretAccessKey;
    expect(verifySigV4(url, secret, { method: 'PUT', path, now: new Date() })).toEqual({ ok: true });
    expect(verifySigV4(url, secret, { method: 'GET', path, now: new Date() }).ok).toBe(false);
    expect(verifySigV4(url, secret, { method: 'PUT', path: `/${party.inputBucket}/mallory`, now: new Date() }).ok).toBe(false);
    expect(verifySigV4(url, secret, { method: 'PUT', path: `/${party.outputBucket}/alice`, now: new Date() }).ok).toBe(false);
    expect(verifySigV4(url, secret, { method: 'PUT', path, now: later(3600 + 5) })).toEqual({ ok: false, reason: 'expired' });
    expect(verifySigV4(url, 'another-secret', { method: 'PUT', path, now: new Date() }).ok).toBe(false);
    expect(new URL(url).searchParams.get('X-Amz-Expires')).toBe(String(config.uploadUrlTtlSeconds));
  });
});

describe('GCS upload URLs (verified with an independent V4 verifier)', () => {
  it('when checked for PUT of that object now, then valid; for GET, another object or after expiry, then not', async () => {
    const [party] = jobParties({ jobId: randomUUID(), securityLevel: 'semi', cloudProviders: ['gcp'] });
    const [url] = await storage.uploadUrls([party], 'alice');
    const key = (JSON.parse(readFileSync(config.gcs.keyFile, 'utf8')) as { private_key: string }).private_key;
    const path = `/${party.inputBucket}/alice`;
    expect(verifyGcsV4(url, key, { method: 'PUT', path, now: new Date() })).toEqual({ ok: true });
    expect(verifyGcsV4(url, key, { method: 'GET', path, now: new Date() }).ok).toBe(false);
    expect(verifyGcsV4(url, key, { method: 'PUT', path: `/${party.inputBucket}/mallory`, now: new Date() }).ok).toBe(false);
    expect(verifyGcsV4(url, key, { method: 'PUT', path, now: later(3600 + 5) })).toEqual({ ok: false, reason: 'expired' });
    expect(new URL(url).searchParams.get('X-Goog-Expires')).toBe(String(config.uploadUrlTtlSeconds));
  });
});

describe('Azure upload URLs (Azurite enforces the SAS)', () => {
  it('when used to PUT the blob, then it works; to read it or write another blob, then 403', async () => {
    const parties = jobParties({ jobId: randomUUID(), securityLevel: 'semi', cloudProviders: ['azure'] });
    await storage.create(parties);
    const [url] = await storage.uploadUrls(parties, 'alice');
    const headers = storage.uploadHeaders(parties[0]);
    expect((await fetch(url, { method: 'PUT', headers, body: 'a_0\n1\n' })).status).toBe(201);
    expect((await fetch(url)).status).toBe(403);
    const other = url.replace('/alice?', '/mallory?');
    expect((await fetch(other, { method: 'PUT', headers, body: 'x' })).status).toBe(403);
    await storage.delete(parties);
  });

  it('when the URL has expired, then the PUT is refused', async () => {
    const parties = jobParties({ jobId: randomUUID(), securityLevel: 'semi', cloudProviders: ['azure'] });
    await storage.create(parties);
    const short = new JobStorage(clouds, { uploadSeconds: 1, readSeconds: 1 });
    // The SAS starts a minute in the past (clock skew), so expiry is 1 s after signing.
    const [url] = await short.uploadUrls(parties, 'alice');
    await new Promise((r) => setTimeout(r, 2500));
    expect((await fetch(url, { method: 'PUT', headers: storage.uploadHeaders(parties[0]), body: 'x' })).status).toBe(403);
    await storage.delete(parties);
  });
});

describe('CORS', () => {
  it('when a browser preflights a PUT from an allowed origin, then Azurite and moto allow it', async () => {
    for (const provider of ['azure', 'aws'] as const) {
      const parties = jobParties({ jobId: randomUUID(), securityLevel: 'semi', cloudProviders: [provider] });
      await storage.create(parties);
      const [url] = await storage.uploadUrls(parties, 'alice');
      const res = await fetch(url, { method: 'OPTIONS', headers: { Origin: 'https://app.example.org', 'Access-Control-Request-Method': 'PUT', 'Access-Control-Request-Headers': 'content-type' } });
      expect(res.status, provider).toBe(200);
      expect(res.headers.get('access-control-allow-origin'), provider).toMatch(/^(\*|https:\/\/app\.example\.org)$/);
      await storage.delete(parties);
    }
  });

  it('when the configured origins do not include the caller, then moto refuses the preflight', async () => {
    const restricted = cloudStorages(testConfig({ QS_CORS_ORIGINS: 'https://app.example.org' }));
    const s = new JobStorage(restricted, { uploadSeconds: 60, readSeconds: 60 });
    const parties = jobParties({ jobId: randomUUID(), securityLevel: 'semi', cloudProviders: ['aws'] });
    await s.create(parties);
    const [url] = await s.uploadUrls(parties, 'alice');
    const preflight = (origin: string) => fetch(url, { method: 'OPTIONS', headers: { Origin: origin, 'Access-Control-Request-Method': 'PUT' } });
    expect((await preflight('https://app.example.org')).status).toBe(200);
    const evil = await preflight('https://evil.example.com');
    expect(evil.status === 403 || evil.headers.get('access-control-allow-origin') === null).toBe(true);
    await s.delete(parties);
  });
});
