// Upload URLs are write-only, read URLs read-only, each for exactly one blob until its expiry. Azurite
// enforces SAS itself; moto and fake-gcs-server accept any signature, so their URLs are checked with
// independent verifiers (test/helpers/signature-verifiers.ts).
import { describe, expect, it } from 'vitest';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { JobStorage, SIGN_UPLOAD_SIZE_LIMIT, cloudStorages } from '../../../infra/storage/index.js';
import { jobParties } from '../../../domain/names.js';
import { testConfig } from '../../helpers/env.js';
import { verifyGcsV4, verifySigV4 } from '../../helpers/signature-verifiers.js';

const config = testConfig();
const clouds = cloudStorages(config);
const storage = new JobStorage(clouds, { uploadSeconds: config.uploadUrlTtlSeconds, readSeconds: config.readUrlTtlSeconds });
const later = (s: number) => new Date(Date.now() + s * 1000);
const gcsKey = () => (JSON.parse(readFileSync(config.gcs.keyFile, 'utf8')) as { private_key: string }).private_key;
/** A service-account key that did not sign anything. */
const otherRsaKey = () => generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey;

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
    expect(verifySigV4(url, secret, { method: 'PUT', path, now: later(config.uploadUrlTtlSeconds + 5) })).toEqual({ ok: false, reason: 'expired' });
    expect(verifySigV4(url, 'another-secret', { method: 'PUT', path, now: new Date() }).ok).toBe(false);
    expect(new URL(url).searchParams.get('X-Amz-Expires')).toBe(String(config.uploadUrlTtlSeconds));
  });
});

describe('GCS upload URLs (verified with an independent V4 verifier)', () => {
  it('when checked for PUT of that object now, then valid; for GET, another object or after expiry, then not', async () => {
    const [party] = jobParties({ jobId: randomUUID(), securityLevel: 'semi', cloudProviders: ['gcp'] });
    const [url] = await storage.uploadUrls([party], 'alice');
    const key = gcsKey();
    const path = `/${party.inputBucket}/alice`;
    const headers = storage.uploadHeaders(party);
    expect(verifyGcsV4(url, key, { method: 'PUT', path, now: new Date(), headers })).toEqual({ ok: true });
    expect(verifyGcsV4(url, key, { method: 'GET', path, now: new Date(), headers }).ok).toBe(false);
    expect(verifyGcsV4(url, key, { method: 'PUT', path: `/${party.inputBucket}/mallory`, now: new Date(), headers }).ok).toBe(false);
    expect(verifyGcsV4(url, key, { method: 'PUT', path, now: later(config.uploadUrlTtlSeconds + 5), headers })).toEqual({ ok: false, reason: 'expired' });
    expect(verifyGcsV4(url, otherRsaKey(), { method: 'PUT', path, now: new Date(), headers }).ok).toBe(false);
    expect(new URL(url).searchParams.get('X-Goog-Expires')).toBe(String(config.uploadUrlTtlSeconds));
  });

  it('when an upload is larger than QS_MAX_SHARE_BYTES, then GCS refuses it itself: the length range is signed into the URL', async () => {
    const [party] = jobParties({ jobId: randomUUID(), securityLevel: 'semi', cloudProviders: ['gcp'] });
    const storage = new JobStorage(cloudStorages(config, { signUploadSizeLimit: true }), { uploadSeconds: 60, readSeconds: 60 });
    const [url] = await storage.uploadUrls([party], 'alice');
    const path = `/${party.inputBucket}/alice`;
    const range = `0,${config.maxShareBytes}`;
    expect(new URL(url).searchParams.get('X-Goog-SignedHeaders')).toBe('host;x-goog-content-length-range');
    // what register's clients are told to send (JobStorage.uploadHeaders) is what was signed
    expect(storage.uploadHeaders(party)['x-goog-content-length-range']).toBe(range);
    expect(verifyGcsV4(url, gcsKey(), { method: 'PUT', path, now: new Date(), headers: { 'x-goog-content-length-range': range } })).toEqual({ ok: true });
    // a PUT without the header, or claiming a wider range, does not match the signature
    expect(verifyGcsV4(url, gcsKey(), { method: 'PUT', path, now: new Date() })).toEqual({ ok: false, reason: 'signs headers the request does not send: x-goog-content-length-range' });
    expect(verifyGcsV4(url, gcsKey(), { method: 'PUT', path, now: new Date(), headers: { 'x-goog-content-length-range': `0,${config.maxShareBytes * 2}` } }).ok).toBe(false);
    // a smaller limit is signed as such
    const small = new JobStorage(cloudStorages(testConfig({ QS_MAX_SHARE_BYTES: '1000' }), { signUploadSizeLimit: true }), { uploadSeconds: 60, readSeconds: 60 });
    const [smallUrl] = await small.uploadUrls([party], 'alice');
    expect(verifyGcsV4(smallUrl, gcsKey(), { method: 'PUT', path, now: new Date(), headers: { 'x-goog-content-length-range': '0,1000' } })).toEqual({ ok: true });
    // on by default (register's answer tells clients the header); off, the URL signs only the host
    expect(SIGN_UPLOAD_SIZE_LIMIT).toBe(true);
    const [plain] = await new JobStorage(cloudStorages(config, { signUploadSizeLimit: false }), { uploadSeconds: 60, readSeconds: 60 }).uploadUrls([party], 'alice');
    expect(new URL(plain).searchParams.get('X-Goog-SignedHeaders')).toBe('host');
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

describe('read URLs', () => {
  it('when an S3 or GCS read URL is checked, then it is valid for GET of that blob only', async () => {
    const now = new Date();
    for (const provider of ['aws', 'gcp'] as const) {
      const [party] = jobParties({ jobId: randomUUID(), securityLevel: 'semi', cloudProviders: [provider] });
      const [{ url: input }] = await storage.inputReadUrls(party, ['alice']);
      const [result] = await storage.resultReadUrls([party]);
      const verify = (url: string, method: string, path: string) =>
        provider === 'aws' ? verifySigV4(url, config.s3.secretAccessKey, { method, path, now }) : verifyGcsV4(url, gcsKey(), { method, path, now });
      expect(verify(input, 'GET', `/${party.inputBucket}/alice`), provider).toEqual({ ok: true });
      expect(verify(input, 'PUT', `/${party.inputBucket}/alice`).ok, provider).toBe(false);
      expect(verify(input, 'GET', `/${party.inputBucket}/bob`).ok, provider).toBe(false);
      expect(verify(result, 'GET', `/${party.outputBucket}/result`), provider).toEqual({ ok: true });
      expect(verify(result, 'PUT', `/${party.outputBucket}/result`).ok, provider).toBe(false);
      expect(verify(result, 'GET', `/${party.inputBucket}/result`).ok, provider).toBe(false);
    }
  });

  it('when an Azure read URL is used, then it reads that blob and nothing else, and cannot write', async () => {
    const parties = jobParties({ jobId: randomUUID(), securityLevel: 'semi', cloudProviders: ['azure'] });
    const [party] = parties;
    await storage.create(parties);
    const headers = storage.uploadHeaders(party);
    for (const owner of ['alice', 'bob']) {
      const [put] = await storage.uploadUrls([party], owner);
      expect((await fetch(put, { method: 'PUT', headers, body: `${owner}\n` })).status).toBe(201);
    }
    const { url: resultPut, headers: resultHeaders } = await storage.resultUploadUrl(party);
    expect((await fetch(resultPut, { method: 'PUT', headers: resultHeaders, body: 'total_0\n7\n' })).status).toBe(201);

    const [{ url: alice }] = await storage.inputReadUrls(party, ['alice']);
    const get = await fetch(alice);
    expect(get.status).toBe(200);
    expect(await get.text()).toBe('alice\n');
    expect((await fetch(alice.replace('/alice?', '/bob?'))).status).toBe(403);
    expect((await fetch(alice, { method: 'PUT', headers, body: 'overwritten' })).status).toBe(403);

    const [result] = await storage.resultReadUrls([party]);
    expect(await (await fetch(result)).text()).toBe('total_0\n7\n');
    expect((await fetch(result, { method: 'PUT', headers, body: 'forged' })).status).toBe(403);
    expect((await fetch(result.replace(`/${party.outputBucket}/`, `/${party.inputBucket}/`).replace('/result?', '/alice?'))).status).toBe(403);
    await storage.delete(parties);
  });
});
