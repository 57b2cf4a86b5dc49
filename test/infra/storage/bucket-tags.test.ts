// Every bucket says which deployment made it and when (issue 18): S3 tags and Azure container metadata,
// read back from moto and Azurite; GCS labels, which fake-gcs-server drops, checked in the creation call
// the SDK sends (a recording hop in front of the emulator), both for create_job's path and the idempotent one.
import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { JobStorage, cloudStorages } from '../../../infra/storage/index.js';
import { tagsOf } from '../../../infra/storage/types.js';
import { BUCKET_PREFIX, jobParties } from '../../../domain/names.js';
import { testConfig } from '../../helpers/env.js';
import { passThrough } from './http-pass-through.js';

const deployment = `t${randomUUID().slice(0, 8)}`;
const parties = (providers: ('aws' | 'gcp' | 'azure')[]) => jobParties({ jobId: randomUUID(), securityLevel: 'semi', cloudProviders: providers });

describe('bucket tags', () => {
  it.each([false, true])('when buckets are made on S3 and Azure (fresh: %s), then each carries the deployment id and its creation time', async (fresh) => {
    const clouds = cloudStorages(testConfig({ QS_DEPLOYMENT_ID: deployment }));
    const storage = new JobStorage(clouds, { uploadSeconds: 60, readSeconds: 60 });
    const ps = parties(['aws', 'azure']);
    const before = Math.floor(Date.now() / 1000) * 1000;
    await storage.create(ps, { fresh });
    const after = Date.now();
    try {
      for (const p of ps.slice(0, 2)) {
        const listed = await clouds[p.provider].listTaggedBuckets(BUCKET_PREFIX);
        for (const bucket of [p.inputBucket, p.outputBucket]) {
          const b = listed.find((x) => x.name === bucket);
          expect(b, `${p.provider} ${bucket}`).toMatchObject({ name: bucket, deployment });
          expect(b!.createdMs).toBeGreaterThanOrEqual(before);
          expect(b!.createdMs).toBeLessThanOrEqual(after);
        }
      }
    } finally {
      await storage.delete(ps);
    }
  });

  it.each([false, true])('when a GCS bucket is made (fresh: %s), then the deployment id and creation time go in the creation call as labels', async (fresh) => {
    const recorder = await passThrough(testConfig().gcs.endpoint!);
    try {
      const storage = new JobStorage(cloudStorages(testConfig({ QS_DEPLOYMENT_ID: deployment, QS_GCS_ENDPOINT: recorder.url, QS_CORS_ORIGINS: '*' })), { uploadSeconds: 60, readSeconds: 60 });
      const [p] = parties(['gcp']);
      await storage.create([p], { fresh });
      for (const bucket of [p.inputBucket, p.outputBucket]) {
        const posts = recorder.seen.filter((r) => r.line.startsWith('POST /storage/v1/b') && JSON.parse(r.body || '{}').name === bucket);
        expect(posts, bucket).toHaveLength(1);
        expect(JSON.parse(posts[0].body).labels).toEqual({ 'queryshield-deployment': deployment, 'queryshield-created': expect.stringMatching(/^[0-9]{10}$/) });
      }
      await storage.delete([p]);
    } finally {
      await recorder.close();
    }
  });

  it('when tags read back are malformed or missing, then a deployment is kept only when well-formed, and the store date stands in for the time', () => {
    expect(tagsOf('prod-eu', '1796000000')).toEqual({ deployment: 'prod-eu', createdMs: 1796000000000 });
    expect(tagsOf("{{ lookup('pipe', 'id') }}", 'soon')).toEqual({ deployment: '?' });
    expect(tagsOf(undefined, undefined, '2026-11-30T02:01:00.154Z')).toEqual({ createdMs: Date.parse('2026-11-30T02:01:00.154Z') });
    expect(tagsOf(undefined, undefined)).toEqual({});
  });
});
