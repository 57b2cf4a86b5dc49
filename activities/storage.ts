// The workflow's storage activities: create a job's buckets, validate the owners' uploads at submit,
// remove a job's storage. All I/O goes through JobStorage (one module per cloud behind one interface).
import { ApplicationFailure } from '@temporalio/common';
import type { StorageActivities, StorageScope } from '../workflows/activity-types.js';
import type { JobConfig, ValidationResult } from '../domain/job.js';
import { FAILURE } from '../workflows/messages.js';
import { jobParties } from '../domain/names.js';
import { StorageCreationError, type JobStorage } from '../infra/storage/index.js';
import { shareHeader } from '../domain/shares.js';

/** Bytes read from the start of each share file to check its header (at least: a wider header is read whole). */
const HEADER_PROBE_BYTES = 64 * 1024;

export function createStorageActivities(storage: JobStorage, limits: { maxShareBytes?: number } = {}): StorageActivities {
  return {
    async createJobStorage(job: JobConfig): Promise<void> {
      try {
        await storage.create(jobParties(job));
      } catch (err) {
        if (err instanceof StorageCreationError) {
          // What this attempt created is already removed; a retry starts clean.
          throw ApplicationFailure.create({ type: FAILURE.storageCreation, message: err.message });
        }
        throw err;
      }
    },

    async validateUploads(job: JobConfig, owners: string[]): Promise<ValidationResult> {
      const parties = jobParties(job);
      const expected = shareHeader(Object.keys(job.schema), parties.length).join(',');
      const details: string[] = [];
      const sizes = await storage.inputSizes(parties, owners);
      await Promise.all(
        sizes.map(async ({ party, owner, size }) => {
          const where = `owner '${owner}', party ${party} (${parties[party].provider})`;
          if (size === undefined) return void details.push(`${where}: share file is missing`);
          if (size === 0) return void details.push(`${where}: share file is empty`);
          if (limits.maxShareBytes !== undefined && size > limits.maxShareBytes) return void details.push(`${where}: share file is ${size} bytes, over the limit of ${limits.maxShareBytes} (QS_MAX_SHARE_BYTES)`);
          // enough for the whole header line however wide the schema (256 columns of 63 characters, 4
          // parties: over 100 KB), and no more than that
          const head = await storage.readInputHead(parties[party], owner, Math.max(HEADER_PROBE_BYTES, Buffer.byteLength(expected) + 2));
          const header = (head ?? '').split('\n', 1)[0].replace(/\r$/, '');
          if (header !== expected) {
            // Nothing of the file goes into the answer (or the workflow's history): its first line may be a
            // row of plaintext an owner uploaded by mistake. Only its shape is described.
            const got = header.split(',');
            const want = expected.split(',');
            const at = want.findIndex((w, i) => got[i] !== w);
            const where2 = at === -1 ? `it has ${got.length - want.length} field(s) too many` : `field ${at + 1} is not "${want[at]}"`;
            details.push(`${where}: header does not match the schema for ${parties.length} parties (expected "${expected}"; the file's first line has ${got.length} field(s) and ${where2})`);
          }
        }),
      );
      details.sort();
      return { ok: details.length === 0, details };
    },

    async deleteJobStorage(job: JobConfig, scope: StorageScope): Promise<void> {
      await storage.delete(jobParties(job), scope);
    },
  };
}
