// CORS on every bucket lets a browser PUT/GET through the signed URLs from the configured origins only.
// What each emulator enforces: Azurite and moto answer preflights by the configured rules; fake-gcs-server
// neither stores nor enforces a bucket's CORS (it answers every preflight with "*"), so for GCS the
// rule the SDK sends is read off the wire by a recording pass-through in front of the emulator.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { JobStorage, cloudStorages } from '../../../infra/storage/index.js';
import { jobParties } from '../../../domain/names.js';
import type { Provider } from '../../../domain/job.js';
import { startAzurite, startOnFreePort, stopService, type Service } from '../../../scripts/services.js';
import { testConfig } from '../../helpers/env.js';
import { passThrough } from './http-pass-through.js';

const ALLOWED = 'https://app.example.org';
const OTHER = 'https://evil.example.com';

const preflight = (url: string, origin: string) =>
  fetch(url, { method: 'OPTIONS', headers: { Origin: origin, 'Access-Control-Request-Method': 'PUT', 'Access-Control-Request-Headers': 'content-type' } });

/** A preflight is refused when the answer is an error or does not name the origin (nor "*"). */
const refused = (res: Response) => res.status >= 400 || !['*', OTHER].includes(res.headers.get('access-control-allow-origin') ?? '');

/** `fresh`: the buckets made the way create_job makes them (createNewBucket), else by ensureBucket. */
async function uploadUrlOn(storage: JobStorage, provider: Provider, fresh = false) {
  const parties = jobParties({ jobId: randomUUID(), securityLevel: 'semi', cloudProviders: [provider] });
  await storage.create(parties, { fresh });
  const [url] = await storage.uploadUrls(parties, 'alice');
  return { parties, url };
}

describe('CORS with the embedded default (all origins)', () => {
  it('when a browser preflights a PUT, then Azurite and moto allow it', async () => {
    const storage = new JobStorage(cloudStorages(testConfig()), { uploadSeconds: 60, readSeconds: 60 });
    for (const provider of ['azure', 'aws'] as const) {
      const { parties, url } = await uploadUrlOn(storage, provider);
      const res = await preflight(url, ALLOWED);
      expect(res.status, provider).toBe(200);
      expect(res.headers.get('access-control-allow-origin'), provider).toMatch(/^(\*|https:\/\/app\.example\.org)$/);
      await storage.delete(parties);
    }
  });
});

describe('CORS restricted to one origin', () => {
  // Azure CORS is account-wide: restricting it on the suite's shared Azurite would race with other test
  // files that set it back to "*". This file gets its own Azurite.
  let azurite: Service;
  let dir: string;
  let storage: JobStorage;
  let clouds: ReturnType<typeof cloudStorages>;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'qs-cors-'));
    azurite = await startOnFreePort((port) => startAzurite(port, path.join(dir, 'azurite'), path.join(dir, 'logs')));
    clouds = cloudStorages(testConfig({ QS_CORS_ORIGINS: ALLOWED, QS_AZURE_ENDPOINT: azurite.url }));
    storage = new JobStorage(clouds, { uploadSeconds: 60, readSeconds: 60 });
  });

  afterAll(async () => {
    if (azurite) await stopService(azurite);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.each([false, true])('when the caller is the configured origin, then Azurite and moto allow the preflight; from another origin, they refuse it (fresh: %s)', async (fresh) => {
    for (const provider of ['azure', 'aws'] as const) {
      const { parties, url } = await uploadUrlOn(storage, provider, fresh);
      const ok = await preflight(url, ALLOWED);
      expect(ok.status, provider).toBe(200);
      expect(ok.headers.get('access-control-allow-origin'), provider).toBe(ALLOWED);
      expect(refused(await preflight(url, OTHER)), provider).toBe(true);
      await storage.delete(parties);
    }
  });

  it("when the Azure account has another application's CORS rule, then making buckets adds QueryShield's rule and keeps it", async () => {
    const config = testConfig({ QS_CORS_ORIGINS: ALLOWED, QS_AZURE_ENDPOINT: azurite.url });
    const service = new BlobServiceClient(azurite.url, new StorageSharedKeyCredential(config.azure.account, config.azure.key));
    const foreign = { allowedOrigins: 'https://other-app.example', allowedMethods: 'GET', allowedHeaders: 'x-other', exposedHeaders: '', maxAgeInSeconds: 60 };
    const before = (await service.getProperties()).cors ?? [];
    await service.setProperties({ cors: [...before, foreign] });
    // a fresh process's view (ensureCors runs once per AzureStorage), configured for one origin
    const fresh = new JobStorage(cloudStorages(testConfig({ QS_CORS_ORIGINS: ALLOWED, QS_AZURE_ENDPOINT: azurite.url })), { uploadSeconds: 60, readSeconds: 60 });
    const { parties } = await uploadUrlOn(fresh, 'azure');
    const rules = (await service.getProperties()).cors ?? [];
    expect(rules).toEqual(expect.arrayContaining([expect.objectContaining({ allowedOrigins: 'https://other-app.example', allowedMethods: 'GET' }), expect.objectContaining({ allowedOrigins: ALLOWED, allowedMethods: 'PUT,GET,HEAD' })]));
    expect(rules.filter((r) => r.allowedMethods === 'PUT,GET,HEAD')).toHaveLength(1);
    await fresh.delete(parties);
  });

  it('when a GCS bucket is created, then the CORS rule sent for it names only the configured origin for PUT, GET and HEAD', async () => {
    const { gcs } = testConfig();
    const recorder = await passThrough(gcs.endpoint!);
    try {
      const through = cloudStorages(testConfig({ QS_CORS_ORIGINS: ALLOWED, QS_GCS_ENDPOINT: recorder.url }));
      const { parties } = await uploadUrlOn(new JobStorage(through, { uploadSeconds: 60, readSeconds: 60 }), 'gcp');
      for (const bucket of [parties[0].inputBucket, parties[0].outputBucket]) {
        const patches = recorder.seen.filter((r) => r.line === `PATCH /storage/v1/b/${bucket}` || r.line.startsWith(`PATCH /storage/v1/b/${bucket}?`));
        expect(patches, bucket).toHaveLength(1);
        expect(JSON.parse(patches[0].body).cors).toEqual([expect.objectContaining({ origin: [ALLOWED], method: ['PUT', 'GET', 'HEAD'] })]);
      }
      await storage.delete(parties);
    } finally {
      await recorder.close();
    }
  });

  it('when create_job makes a GCS bucket, then the same CORS rule goes in the creation call itself', async () => {
    const { gcs } = testConfig();
    const recorder = await passThrough(gcs.endpoint!);
    try {
      const through = cloudStorages(testConfig({ QS_CORS_ORIGINS: ALLOWED, QS_GCS_ENDPOINT: recorder.url }));
      const { parties } = await uploadUrlOn(new JobStorage(through, { uploadSeconds: 60, readSeconds: 60 }), 'gcp', true);
      for (const bucket of [parties[0].inputBucket, parties[0].outputBucket]) {
        const posts = recorder.seen.filter((r) => r.line.startsWith('POST /storage/v1/b') && JSON.parse(r.body || '{}').name === bucket);
        expect(posts, bucket).toHaveLength(1);
        expect(JSON.parse(posts[0].body).cors).toEqual([expect.objectContaining({ origin: [ALLOWED], method: ['PUT', 'GET', 'HEAD'] })]);
      }
      expect(recorder.seen.filter((r) => r.line.startsWith('PATCH '))).toEqual([]);
      await storage.delete(parties);
    } finally {
      await recorder.close();
    }
  });
});
