// create_job's two halves run at once: the workflow's (delayed) start and the buckets; their report
// follows the answer. When Temporal cannot take the job, the buckets made meanwhile must not stay behind
// (real emulators, a Temporal that is not there); when the API stops, the reports on their way arrive.
import { describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { JobStorage, cloudStorages } from '../../../infra/storage/index.js';
import type { PartyInfo } from '../../../domain/job.js';
import { statusQuery } from '../../../workflows/messages.js';
import { buildApi } from '../../../api/app.js';
import { QsError } from '../../../api/errors.js';
import { TemporalGateway } from '../../../api/temporal-gateway.js';
import { makeContext } from '../../../api/use-cases/context.js';
import { createJob } from '../../../api/use-cases/create.js';
import { testConfig } from '../../helpers/env.js';
import { fakeStages } from '../../helpers/fake-stages.js';
import { jobBody } from '../../helpers/jobs.js';
import { jobParties } from '../../../domain/names.js';
import { startStack } from '../../helpers/stack.js';

/** Remembers which parties create_job made buckets for (the job id is never answered on failure). */
class WatchedStorage extends JobStorage {
  made: PartyInfo[] = [];
  override async create(parties: PartyInfo[], opts?: { fresh?: boolean }): Promise<void> {
    await super.create(parties, opts);
    this.made.push(...parties);
  }
}

describe('createJob', () => {
  it('when Temporal is unreachable, then 503 QS_TEMPORAL_UNAVAILABLE and the buckets made meanwhile are removed', { timeout: 60_000 }, async () => {
    const config = testConfig({ TEMPORAL_ADDRESS: '127.0.0.1:9' });
    const storage = new WatchedStorage(cloudStorages(config), { uploadSeconds: 60, readSeconds: 60 });
    const connection = Connection.lazy({ address: config.temporal.address });
    const ctx = makeContext(new TemporalGateway(new Client({ connection }), config), storage, config);
    const err = await createJob(ctx, { analysisName: 'x', querySql: 'SELECT COUNT(*) AS n FROM t', securityLevel: 'semi', cloudProviders: ['aws', 'gcp', 'azure'], schema: { a: 'u' } }).catch((e: unknown) => e);
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

  it('when the API stops right after create_job answered, then the storage report still reaches the job, which opens at once', async () => {
    const stack = await startStack({ activities: fakeStages() });
    try {
      // An API of its own, closed the way `npm run api` closes it: the connection goes last.
      const connection = await Connection.connect({ address: stack.config.temporal.address });
      const app = await buildApi(stack.config, { client: new Client({ connection }), storage: stack.storage, release: () => connection.close() });
      const res = await app.inject({ method: 'POST', url: '/create_job', payload: jobBody() });
      expect(res.statusCode, res.body).toBe(200);
      const jobId = res.json().job_id as string;
      await app.close();
      // Without its report the job would not run before its start delay (a minute) ends.
      const handle = stack.client.workflow.getHandle(jobId);
      await expect.poll(() => handle.query(statusQuery).then((s) => s.phase, () => 'not running'), { timeout: 10_000 }).toBe('Open');
      await handle.cancel();
      await stack.storage.delete(jobParties({ jobId, securityLevel: 'semi', cloudProviders: ['aws', 'gcp', 'azure'] }), 'all');
    } finally {
      await stack.close();
    }
  });
});
