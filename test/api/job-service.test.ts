// create_job's two halves run at once: the workflow's start and the buckets. When Temporal cannot take
// the job, the buckets made meanwhile must not stay behind (real emulators, a Temporal that is not there).
import { describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { JobStorage, cloudStorages } from '../../activities/storage/index.js';
import type { PartyInfo } from '../../workflows/types.js';
import { JobService } from '../../api/job-service.js';
import { QsError } from '../../api/errors.js';
import { testConfig } from '../helpers/env.js';

/** Remembers which parties create_job made buckets for (the job id is never answered on failure). */
class WatchedStorage extends JobStorage {
  made: PartyInfo[] = [];
  override async create(parties: PartyInfo[], opts?: { fresh?: boolean }): Promise<void> {
    await super.create(parties, opts);
    this.made.push(...parties);
  }
}

describe('JobService.createJob', () => {
  it('when Temporal is unreachable, then 503 QS_TEMPORAL_UNAVAILABLE and the buckets made meanwhile are removed', { timeout: 60_000 }, async () => {
    const config = testConfig({ TEMPORAL_ADDRESS: '127.0.0.1:9' });
    const storage = new WatchedStorage(cloudStorages(config), { uploadSeconds: 60, readSeconds: 60 });
    const connection = Connection.lazy({ address: config.temporal.address });
    const service = new JobService(new Client({ connection }), storage, config);
    const err = await service
      .createJob({ analysisName: 'x', querySql: 'SELECT COUNT(*) AS n FROM t', securityLevel: 'semi', cloudProviders: ['aws', 'gcp', 'azure'], schema: { a: 'u' } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QsError);
    expect((err as QsError).code).toBe('QS_TEMPORAL_UNAVAILABLE');
    expect(storage.made).toHaveLength(3);
    const clouds = cloudStorages(config);
    for (const p of storage.made) {
      expect(await clouds[p.provider].bucketExists(p.inputBucket)).toBe(false);
      expect(await clouds[p.provider].bucketExists(p.outputBucket)).toBe(false);
    }
    await connection.close();
  });
});
