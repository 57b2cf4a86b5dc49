// JobStorage against the three emulators, through the real SDKs and real HTTP.
import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { JobStorage, MANIFEST_BLOB, StorageCreationError, cloudStorages, InvalidOwnerIdError } from '../../infra/storage/index.js';
import { createStorageActivities } from '../../activities/storage.js';
import { createHash } from 'node:crypto';
import { BUCKET_PREFIX, jobParties } from '../../domain/names.js';
import type { CloudStorage } from '../../infra/storage/types.js';
import type { Provider } from '../../domain/job.js';
import { testConfig } from '../helpers/env.js';
import { passThrough } from '../infra/storage/http-pass-through.js';

const config = testConfig();
const clouds = cloudStorages(config);
const storage = new JobStorage(clouds, { uploadSeconds: 600, readSeconds: 600 });
const job = (level: 'semi' | 'mal' = 'semi', providers: Provider[] = ['aws', 'gcp', 'azure']) => ({ jobId: randomUUID(), securityLevel: level, cloudProviders: providers });

describe('JobStorage.create', () => {
  it('when run twice, then the same buckets exist on each party cloud and no error', async () => {
    const parties = jobParties(job('mal'));
    await storage.create(parties);
    await storage.create(parties);
    expect(parties.map((p) => p.provider)).toEqual(['aws', 'gcp', 'azure', 'aws']);
    for (const p of parties) {
      expect(await clouds[p.provider].bucketExists(p.inputBucket)).toBe(true);
      expect(await clouds[p.provider].bucketExists(p.outputBucket)).toBe(true);
    }
    await storage.delete(parties);
    await storage.delete(parties);
    for (const p of parties) expect(await clouds[p.provider].bucketExists(p.inputBucket)).toBe(false);
  });

  it('when one cloud fails, then nothing this attempt created is left in the others', async () => {
    const broken: CloudStorage = { ...clouds.azure, provider: 'azure', ensureBucket: async () => { throw new Error('simulated outage'); } } as CloudStorage;
    const failing = new JobStorage({ aws: clouds.aws, gcp: clouds.gcp, azure: broken }, { uploadSeconds: 60, readSeconds: 60 });
    const parties = jobParties(job());
    const err = await failing.create(parties).catch((e) => e);
    expect(err).toBeInstanceOf(StorageCreationError);
    expect(err.message).toBe('Buckets creation error: azure: simulated outage');
    for (const p of parties.filter((x) => x.provider !== 'azure')) {
      expect(await clouds[p.provider].bucketExists(p.inputBucket)).toBe(false);
      expect(await clouds[p.provider].bucketExists(p.outputBucket)).toBe(false);
    }
  });

  it('when a cloud refuses the CORS rule of a bucket it just created, then that bucket is removed as well', async () => {
    // Each bucket is created, then its CORS rule is set; the pass-throughs refuse only the second step.
    const s3 = await passThrough(config.s3.endpoint!, (r) => (/^PUT \/qs-[^/?]+\?cors/.test(r.line) ? 403 : undefined));
    const gcs = await passThrough(config.gcs.endpoint!, (r) => (r.line.startsWith('PATCH /storage/v1/b/qs-') ? 403 : undefined));
    try {
      const faulty = cloudStorages(testConfig({ QS_S3_ENDPOINT: s3.url, QS_GCS_ENDPOINT: gcs.url, QS_CORS_ORIGINS: '*' }));
      const parties = jobParties(job('semi', ['aws', 'gcp']));
      const err = await new JobStorage(faulty, { uploadSeconds: 60, readSeconds: 60 }).create(parties).catch((e) => e);
      expect(err).toBeInstanceOf(StorageCreationError);
      expect(err.message).toMatch(/^Buckets creation error: (aws|gcp): /);
      expect(s3.seen.some((r) => r.line.startsWith('PUT /qs-') && !r.line.includes('?'))).toBe(true); // really created
      for (const p of parties) {
        expect(await clouds[p.provider].bucketExists(p.inputBucket), p.inputBucket).toBe(false);
        expect(await clouds[p.provider].bucketExists(p.outputBucket), p.outputBucket).toBe(false);
      }
    } finally {
      await Promise.all([s3.close(), gcs.close()]);
    }
  });

  it('when create_job (fresh) meets a name that exists, then it fails on that cloud and removes only what it made', async () => {
    const parties = jobParties(job());
    const gcpParty = parties.find((p) => p.provider === 'gcp')!;
    await clouds.gcp.ensureBucket(gcpParty.inputBucket);
    const err = await storage.create(parties, { fresh: true }).catch((e) => e);
    expect(err).toBeInstanceOf(StorageCreationError);
    expect(err.message).toMatch(/^Buckets creation error: gcp: /);
    expect(await clouds.gcp.bucketExists(gcpParty.inputBucket)).toBe(true);
    for (const p of parties) {
      expect(await clouds[p.provider].bucketExists(p.outputBucket), p.outputBucket).toBe(false);
      if (p !== gcpParty) expect(await clouds[p.provider].bucketExists(p.inputBucket), p.inputBucket).toBe(false);
    }
    await storage.delete(parties);
  });

  it('when buckets already existed before a failed attempt, then they are kept', async () => {
    const parties = jobParties(job());
    await storage.create(parties);
    const broken = { ...clouds.azure, provider: 'azure', ensureBucket: async () => { throw new Error('down'); } } as CloudStorage;
    const failing = new JobStorage({ aws: clouds.aws, gcp: clouds.gcp, azure: broken }, { uploadSeconds: 60, readSeconds: 60 });
    await expect(failing.create(parties)).rejects.toThrow(/azure: down/);
    expect(await clouds.aws.bucketExists(parties[0].inputBucket)).toBe(true);
    await storage.delete(parties);
  });
});

describe('upload and read URLs', () => {
  it('when a data owner PUTs through each upload URL, then the blob is there and readable only through a read URL', async () => {
    const parties = jobParties(job());
    await storage.create(parties);
    const urls = await storage.uploadUrls(parties, 'alice@example.org');
    expect(urls).toHaveLength(3);
    for (const [i, p] of parties.entries()) {
      const body = `a_0,a_1,[a]_0,[a]_1\n${i},2,3,4\n`;
      const put = await fetch(urls[i], { method: 'PUT', headers: storage.uploadHeaders(p), body });
      expect(put.status, `${p.provider}: ${await put.text()}`).toBeLessThan(300);
      expect((await storage.inputSizes([p], ['alice@example.org']))[0].size).toBe(body.length);
      expect(await storage.readInputHead(p, 'alice@example.org', 12)).toBe(body.slice(0, 12));
      const [{ url }] = await storage.inputReadUrls(p, ['alice@example.org']);
      const get = await fetch(url);
      expect(get.status, p.provider).toBe(200);
      expect(await get.text()).toBe(body);
    }
    expect((await storage.listInputs(parties[0])).map((b) => b.name)).toEqual(['alice@example.org']);
    await storage.delete(parties, 'inputs');
    expect(await storage.listInputs(parties[0])).toEqual([]);
    await storage.delete(parties);
  });

  it('when an input blob is empty or missing, then its head is "" or undefined on every cloud', async () => {
    const parties = jobParties(job());
    await storage.create(parties);
    const urls = await storage.uploadUrls(parties, 'empty');
    for (const [i, p] of parties.entries()) {
      expect((await fetch(urls[i], { method: 'PUT', headers: storage.uploadHeaders(p), body: '' })).status, p.provider).toBeLessThan(300);
      expect(await storage.inputSizes([p], ['empty', 'missing']), p.provider).toEqual([
        { party: i, owner: 'empty', size: 0 },
        { party: i, owner: 'missing', size: undefined },
      ]);
      expect(await storage.readInputHead(p, 'empty', 10), p.provider).toBe('');
      expect(await storage.readInputHead(p, 'missing', 10), p.provider).toBeUndefined();
    }
    await storage.delete(parties);
  });

  it('when a party uploads its result and the analyst reads it, then each party result is reachable', async () => {
    const parties = jobParties(job('semi', ['gcp', 'azure']));
    await storage.create(parties);
    for (const p of parties) {
      const { url, headers } = await storage.resultUploadUrl(p);
      expect((await fetch(url, { method: 'PUT', headers, body: `total_0\n${p.index}\n` })).status).toBeLessThan(300);
    }
    const reads = await storage.resultReadUrls(parties);
    const texts = await Promise.all(reads.map(async (u) => (await fetch(u)).text()));
    expect(texts).toEqual(['total_0\n0\n', 'total_0\n1\n', 'total_0\n2\n']);
    await storage.delete(parties);
  });

  it('when an owner id is unsafe, then it is refused before any cloud call', async () => {
    let calls = 0;
    const spy = new Proxy(clouds.aws, { get: (t, k) => { calls++; return Reflect.get(t, k); } });
    const s = new JobStorage({ aws: spy, gcp: spy, azure: spy }, { uploadSeconds: 60, readSeconds: 60 });
    const parties = jobParties(job('semi', ['aws']));
    for (const bad of ['../x', 'a/b', '', '.x', 'a'.repeat(129), 'é', 'a\u0000b', 'a b']) {
      await expect(s.uploadUrls(parties, bad)).rejects.toBeInstanceOf(InvalidOwnerIdError);
      await expect(s.inputReadUrls(parties[0], [bad])).rejects.toBeInstanceOf(InvalidOwnerIdError);
    }
    expect(calls).toBe(0);
  });

  it('when listing by prefix, then only QueryShield buckets are listed', async () => {
    const parties = jobParties(job());
    await storage.create(parties);
    for (const provider of ['aws', 'gcp', 'azure'] as const) {
      const names = await clouds[provider].listBuckets(BUCKET_PREFIX);
      expect(names).toContain(parties.find((p) => p.provider === provider)!.inputBucket);
      expect(names.every((n) => n.startsWith(BUCKET_PREFIX))).toBe(true);
    }
    await storage.delete(parties);
  });
});

describe('validateUploads and the manifest', () => {
  const sha = (s: string) => createHash('sha256').update(s).digest('hex');
  const schemaJob = (providers: Provider[]) => ({ ...job('semi', providers), analysisName: 'x', querySql: 'SELECT SUM(a) FROM t', schema: { a: 'n' }, createdAt: new Date().toISOString() });

  it('when every file is valid, then each party\'s manifest records the SHA-256 and size of the bytes validated, and the read URLs carry it', async () => {
    const j = schemaJob(['aws', 'gcp', 'azure']);
    const parties = jobParties(j);
    await storage.create(parties);
    const urls = await storage.uploadUrls(parties, 'alice');
    const bodies = parties.map((p) => `a_0,a_1,[a]_0,[a]_1\n${p.index},2,3,4\n`);
    for (const [i, p] of parties.entries()) expect((await fetch(urls[i], { method: 'PUT', headers: storage.uploadHeaders(p), body: bodies[i] })).ok).toBe(true);
    expect(await storage.readManifest(parties[0])).toBeUndefined();
    expect((await storage.inputReadUrls(parties[0], ['alice']))[0].sha256).toBeUndefined(); // before submit: none to give
    expect(await createStorageActivities(storage).validateUploads(j, ['alice'])).toEqual({ ok: true, details: [] });
    for (const [i, p] of parties.entries()) {
      expect(await storage.readManifest(p), p.provider).toEqual({ party: i, files: { alice: { sha256: sha(bodies[i]), size: bodies[i].length } } });
      expect((await storage.inputReadUrls(p, ['alice']))[0].sha256).toBe(sha(bodies[i]));
      // the manifest is not an input: listings of owners' files and their removal do not count it as one
      expect((await storage.listInputs(p)).map((b) => b.name)).toEqual(['alice']);
    }
    expect(MANIFEST_BLOB).toMatch(/^_/); // no owner id starts with "_": no upload URL can name it
    await expect(storage.uploadUrls(parties, MANIFEST_BLOB)).rejects.toBeInstanceOf(InvalidOwnerIdError);
    await storage.delete(parties);
  });

  it('when a file is over QS_MAX_SHARE_BYTES or has a wrong header, then no manifest is written', async () => {
    const j = schemaJob(['aws']);
    const parties = jobParties(j);
    await storage.create(parties);
    const urls = await storage.uploadUrls(parties, 'bob');
    for (const [i, p] of parties.entries()) await fetch(urls[i], { method: 'PUT', headers: storage.uploadHeaders(p), body: `a_0,a_1,[a]_0,[a]_1\n${'1,2,3,4\n'.repeat(20)}` });
    const r = await createStorageActivities(storage, { maxShareBytes: 100 }).validateUploads(j, ['bob']);
    expect(r.ok).toBe(false);
    expect(r.details).toEqual(parties.map((p) => `owner 'bob', party ${p.index} (aws): share file is 180 bytes, over the limit of 100 (QS_MAX_SHARE_BYTES)`));
    expect(await storage.readManifest(parties[0])).toBeUndefined();
    await storage.delete(parties);
  });
});
