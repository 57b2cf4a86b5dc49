// The workflow's storage activities: create a job's buckets, validate the owners' uploads at submit,
// remove a job's storage. All I/O goes through JobStorage (one module per cloud behind one interface).
import { ApplicationFailure } from '@temporalio/common';
import type { StorageActivities, StorageScope } from '../workflows/activity-types.js';
import type { JobConfig, ValidationResult } from '../domain/job.js';
import { FAILURE } from '../workflows/messages.js';
import { jobParties } from '../domain/names.js';
import { StorageCreationError, type JobStorage, type Manifest } from '../infra/storage/index.js';
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
      // enough for the whole header line however wide the schema (256 columns of 63 characters, 4
      // parties: over 100 KB), and no more than that
      const probe = Math.max(HEADER_PROBE_BYTES, Buffer.byteLength(expected) + 2);
      const details: string[] = [];
      const manifests = parties.map((p): Manifest => ({ party: p.index, files: {} }));
      const sizes = await storage.inputSizes(parties, owners);
      await eachLimited(sizes, 16, async ({ party, owner, size }) => {
        const where = `owner '${owner}', party ${party} (${parties[party].provider})`;
        const tooLarge = (n: number) => `${where}: share file is ${n} bytes, over the limit of ${limits.maxShareBytes} (QS_MAX_SHARE_BYTES)`;
        if (size === undefined) return void details.push(`${where}: share file is missing`);
        if (limits.maxShareBytes !== undefined && size > limits.maxShareBytes) return void details.push(tooLarge(size));
        // One read gives the header checked, the size and the SHA-256 recorded: all of the same bytes,
        // whatever is written to the blob meanwhile.
        const digest = await storage.digestInput(parties[party], owner, probe, limits.maxShareBytes);
        if (digest === undefined) return void details.push(`${where}: share file is missing`);
        if (digest.tooLarge) return void details.push(tooLarge(digest.size));
        if (digest.size === 0) return void details.push(`${where}: share file is empty`);
        const header = digest.head.split('\n', 1)[0].replace(/\r$/, '');
        if (header !== expected) return void details.push(headerMismatch(where, header, expected, parties.length));
        manifests[party].files[owner] = { sha256: digest.sha256, size: digest.size };
      });
      details.sort();
      if (details.length === 0) await Promise.all(parties.map((p) => storage.writeManifest(p, manifests[p.index])));
      return { ok: details.length === 0, details };
    },

    async deleteJobStorage(job: JobConfig, scope: StorageScope): Promise<void> {
      await storage.delete(jobParties(job), scope);
    },
  };
}

/** What is wrong with a header, by its shape only: nothing of the file goes into the answer (or the
 *  workflow's history), since its first line may be a row of plaintext an owner uploaded by mistake. */
function headerMismatch(where: string, header: string, expected: string, parties: number): string {
  const got = header.split(',');
  const want = expected.split(',');
  const at = want.findIndex((w, i) => got[i] !== w);
  const where2 = at === -1 ? `it has ${got.length - want.length} field(s) too many` : `field ${at + 1} is not "${want[at]}"`;
  return `${where}: header does not match the schema for ${parties} parties (expected "${expected}"; the file's first line has ${got.length} field(s) and ${where2})`;
}

/** Runs fn over the items, at most `limit` at once: each share file is streamed whole. */
async function eachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
