// JobStorage: a job's buckets across the three clouds, and the URLs its users and parties get. Each
// cloud sits behind the CloudStorage interface; clients are built on first use, once per process.
import type { Config } from '../config.js';
import type { PartyInfo, Provider } from '../../domain/job.js';
import { AzureStorage } from './azure.js';
import { GcsStorage } from './gcs.js';
import { OWNER_ID_PATTERN, RESULT_BLOB, isValidOwnerId } from '../../domain/names.js';
import { S3Storage } from './s3.js';
import type { CloudStorage } from './types.js';
import { deploymentId } from '../deployment.js';
import { MANIFEST_BLOB, ManifestError, digestStream, parseManifest, type InputDigest, type Manifest } from './manifest.js';

export type { CloudStorage } from './types.js';
export { MANIFEST_BLOB, ManifestError, type InputDigest, type Manifest } from './manifest.js';

export class StorageCreationError extends Error {
  constructor(
    readonly provider: Provider,
    reason: string,
  ) {
    super(`Buckets creation error: ${provider}: ${reason}`);
    this.name = 'StorageCreationError';
  }
}

export class InvalidOwnerIdError extends Error {
  constructor(owner: unknown) {
    super(`invalid data owner id ${JSON.stringify(String(owner).slice(0, 60))}: must match ${OWNER_ID_PATTERN.source}`);
    this.name = 'InvalidOwnerIdError';
  }
}

/**
 * Whether GCS upload URLs sign the share-file size limit (QS_MAX_SHARE_BYTES) by default. A GCS URL signed
 * with x-goog-content-length-range refuses a PUT without that header, whose value the URL does not show:
 * register_data_owner's answer lists it per party (upload_headers, from uploadHeaders), and qs upload and
 * the web app send what it lists.
 */
export const SIGN_UPLOAD_SIZE_LIMIT = true;

/** One client per cloud, built lazily: a deployment without Azure credentials never touches Azure. */
export function cloudStorages(config: Config, opts: { signUploadSizeLimit?: boolean } = {}): Record<Provider, CloudStorage> {
  const sizeLimit = (opts.signUploadSizeLimit ?? SIGN_UPLOAD_SIZE_LIMIT) ? config.maxShareBytes : undefined;
  const made: Partial<Record<Provider, CloudStorage>> = {};
  // Read at each bucket's creation: the id may be generated into the data dir on first use.
  const tags = () => ({ deployment: deploymentId(config), createdMs: Date.now() });
  const make: Record<Provider, () => CloudStorage> = {
    aws: () => new S3Storage(config.s3, config.corsOrigins, tags),
    gcp: () => new GcsStorage(config.gcs, config.corsOrigins, tags, sizeLimit),
    azure: () => new AzureStorage(config.azure, config.corsOrigins, tags),
  };
  return new Proxy({} as Record<Provider, CloudStorage>, {
    get: (_t, p: string) => {
      if (!(p in make)) return undefined;
      return (made[p as Provider] ??= make[p as Provider]());
    },
  });
}

function reasonOf(err: unknown): string {
  const e = err as { message?: string; code?: string; name?: string };
  const msg = (e?.message || e?.code || e?.name || String(err)).split('\n')[0];
  return msg.length > 300 ? `${msg.slice(0, 300)}…` : msg;
}

export class JobStorage {
  constructor(
    private readonly clouds: Record<Provider, CloudStorage>,
    private readonly ttl: { uploadSeconds: number; readSeconds: number },
  ) {}

  private cloud(party: PartyInfo): CloudStorage {
    return this.clouds[party.provider];
  }

  /** Every party's input and output bucket, all in parallel. On any failure, removes what this call
   *  created (never what already existed) and throws StorageCreationError naming the first failing cloud.
   *  `fresh`: the names are new (a job id just drawn), so no existence checks: fewer calls, and a name
   *  that does exist fails instead. */
  async create(parties: PartyInfo[], opts: { fresh?: boolean } = {}): Promise<void> {
    const wanted = parties.flatMap((p) => [
      { party: p, bucket: p.inputBucket },
      { party: p, bucket: p.outputBucket },
    ]);
    const make = (w: (typeof wanted)[number]) =>
      opts.fresh ? this.cloud(w.party).createNewBucket(w.bucket).then(() => true) : this.cloud(w.party).ensureBucket(w.bucket);
    const results = await Promise.allSettled(wanted.map(make));
    const failedAt = results.findIndex((r) => r.status === 'rejected');
    if (failedAt === -1) return;
    const created = wanted.filter((_, i) => results[i].status === 'fulfilled' && (results[i] as PromiseFulfilledResult<boolean>).value);
    await Promise.allSettled(created.map((w) => this.cloud(w.party).deleteBucket(w.bucket)));
    const failure = results[failedAt] as PromiseRejectedResult;
    throw new StorageCreationError(wanted[failedAt].party.provider, reasonOf(failure.reason));
  }

  /** Idempotent. 'inputs' and 'results' remove blobs only; 'all' removes the buckets too. */
  async delete(parties: PartyInfo[], what: 'all' | 'inputs' | 'results' = 'all'): Promise<void> {
    await Promise.all(
      parties.map(async (p) => {
        const cloud = this.cloud(p);
        if (what === 'all') {
          await Promise.all([cloud.deleteBucket(p.inputBucket), cloud.deleteBucket(p.outputBucket)]);
          return;
        }
        const bucket = what === 'inputs' ? p.inputBucket : p.outputBucket;
        if (!(await cloud.bucketExists(bucket))) return;
        const blobs = await cloud.listBlobs(bucket);
        await Promise.all(blobs.map((b) => cloud.deleteBlob(bucket, b.name)));
      }),
    );
  }

  /** One write-only URL per party (party order) for the owner's blob in that party's input bucket.
   *  The owner id is checked before any cloud call: it becomes a blob name. */
  uploadUrls(parties: PartyInfo[], ownerId: string): Promise<string[]> {
    if (!isValidOwnerId(ownerId)) return Promise.reject(new InvalidOwnerIdError(ownerId));
    return Promise.all(parties.map((p) => this.cloud(p).signUploadUrl(p.inputBucket, ownerId, this.ttl.uploadSeconds)));
  }

  /** What a plain PUT through that party's upload URL must carry. */
  uploadHeaders(party: PartyInfo): Record<string, string> {
    return this.cloud(party).uploadHeaders();
  }

  /** For the analyst: one read URL per party for its result blob. */
  resultReadUrls(parties: PartyInfo[]): Promise<string[]> {
    return Promise.all(parties.map((p) => this.cloud(p).signReadUrl(p.outputBucket, RESULT_BLOB, this.ttl.readSeconds)));
  }

  /** For one compute party: read URLs for its OWN input blobs. Takes a single party by design: there is
   *  no call that hands a party URLs for another party's bucket. Once the job is submitted (validation
   *  wrote the party's manifest) each URL comes with the SHA-256 validation recorded for that file, which
   *  the party checks its download against; an owner the manifest does not list is refused (ManifestError).
   *  Before submit (no manifest: tests of the playbooks alone, a copy for a rerun) there is none to give. */
  async inputReadUrls(party: PartyInfo, ownerIds: string[]): Promise<{ owner: string; url: string; sha256?: string }[]> {
    for (const o of ownerIds) if (!isValidOwnerId(o)) throw new InvalidOwnerIdError(o);
    const manifest = await this.readManifest(party);
    return Promise.all(
      ownerIds.map(async (owner) => {
        const url = await this.cloud(party).signReadUrl(party.inputBucket, owner, this.ttl.readSeconds);
        if (!manifest) return { owner, url };
        const entry = manifest.files[owner];
        if (!entry) throw new ManifestError(`owner '${owner}', party ${party.index} (${party.provider}): the share file was not validated at submit`);
        return { owner, url, sha256: entry.sha256 };
      }),
    );
  }

  /** One GET of an input blob: its size, SHA-256 and first headBytes bytes, all of the same bytes.
   *  Reading stops past maxBytes (the answer then says tooLarge). undefined when it does not exist. */
  async digestInput(party: PartyInfo, ownerId: string, headBytes: number, maxBytes?: number): Promise<InputDigest | undefined> {
    const stream = await this.cloud(party).readBlobStream(party.inputBucket, ownerId);
    return stream && digestStream(stream, headBytes, maxBytes);
  }

  /** Records what validation saw in the party's own input bucket, under a name no owner id (so no upload
   *  URL) can have. Written with the controller's credentials; parties only ever get read URLs. */
  writeManifest(party: PartyInfo, manifest: Manifest): Promise<void> {
    return this.cloud(party).putBlob(party.inputBucket, MANIFEST_BLOB, JSON.stringify(manifest), 'application/json');
  }

  async readManifest(party: PartyInfo): Promise<Manifest | undefined> {
    const text = await this.cloud(party).readBlobHead(party.inputBucket, MANIFEST_BLOB, 64 * 1024 * 1024);
    return text === undefined ? undefined : parseManifest(text, party.index);
  }

  /** For one compute party: a write URL for its own result blob. */
  async resultUploadUrl(party: PartyInfo): Promise<{ url: string; headers: Record<string, string> }> {
    const cloud = this.cloud(party);
    return { url: await cloud.signUploadUrl(party.outputBucket, RESULT_BLOB, this.ttl.uploadSeconds), headers: cloud.uploadHeaders() };
  }

  inputSizes(parties: PartyInfo[], ownerIds: string[]): Promise<{ party: number; owner: string; size?: number }[]> {
    return Promise.all(
      parties.flatMap((p) => ownerIds.map(async (owner) => ({ party: p.index, owner, size: await this.cloud(p).blobSize(p.inputBucket, owner) }))),
    );
  }

  readInputHead(party: PartyInfo, ownerId: string, maxBytes: number): Promise<string | undefined> {
    return this.cloud(party).readBlobHead(party.inputBucket, ownerId, maxBytes);
  }

  /** The owners' share files in the party's input bucket (not the validation manifest). */
  async listInputs(party: PartyInfo) {
    return (await this.cloud(party).listBlobs(party.inputBucket)).filter((b) => b.name !== MANIFEST_BLOB);
  }
}
