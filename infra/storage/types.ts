// One interface for the three clouds' object stores. Every implementation is idempotent: creating what
// exists is not an error, deleting what is gone is not an error.
import type { Provider } from '../../domain/job.js';

export interface BlobInfo {
  name: string;
  size: number;
  /** when the blob was last written (ms since the epoch), where the store says */
  modifiedMs?: number;
}

/** What every bucket is tagged (S3), labelled (GCS) or given as metadata (Azure) with at its creation:
 *  which deployment made it and when, so the sweep removes only its own deployment's buckets and can keep
 *  results by the bucket's own time when Temporal has forgotten the job. */
export interface BucketTags {
  deployment: string;
  createdMs: number;
}

/** A bucket as a listing names it, with the tags it carries (deployment absent: made without tags). */
export interface BucketInfo {
  name: string;
  deployment?: string;
  createdMs?: number;
}

export interface CloudStorage {
  readonly provider: Provider;
  /** Creates the bucket (or container) if missing, with CORS for the configured origins.
   *  Returns true when this call created it, false when it already existed. */
  ensureBucket(bucket: string): Promise<boolean>;
  /** Creates a bucket whose name is new (a fresh job id's), with the same CORS rule, in as few calls as
   *  the cloud allows (no existence check first); fails if it exists. create_job's path: ensureBucket
   *  stays the idempotent way for everything that may retry. */
  createNewBucket(bucket: string): Promise<void>;
  deleteBucket(bucket: string): Promise<void>;
  bucketExists(bucket: string): Promise<boolean>;
  /** A URL that lets a plain PUT write exactly this blob (and nothing else) until the expiry. */
  signUploadUrl(bucket: string, blob: string, ttlSeconds: number): Promise<string>;
  /** A URL that lets a GET read exactly this blob until the expiry. */
  signReadUrl(bucket: string, blob: string, ttlSeconds: number): Promise<string>;
  /** size in bytes, or undefined when the blob does not exist */
  blobSize(bucket: string, blob: string): Promise<number | undefined>;
  listBlobs(bucket: string): Promise<BlobInfo[]>;
  /** Deletes one blob; a missing one is fine. */
  deleteBlob(bucket: string, blob: string): Promise<void>;
  /** The first maxBytes of a blob (for checking a share file's header), or undefined when missing. */
  readBlobHead(bucket: string, blob: string, maxBytes: number): Promise<string | undefined>;
  /** Headers a plain PUT through an upload URL must carry on this cloud (Azure: x-ms-blob-type). */
  uploadHeaders(): Record<string, string>;
  /** Lists buckets whose names start with the prefix (for the sweep). */
  listBuckets(prefix: string): Promise<string[]>;
  /** The same, each with its deployment and creation tags (for the sweep). */
  listTaggedBuckets(prefix: string): Promise<BucketInfo[]>;
  /** A blob's bytes as they come (one GET: one version of it), or undefined when it does not exist. */
  readBlobStream(bucket: string, blob: string): Promise<AsyncIterable<Uint8Array> | undefined>;
  /** Writes a small blob with the controller's own credentials (the validation manifest). */
  putBlob(bucket: string, blob: string, body: string, contentType: string): Promise<void>;
}

/** A bucket's tag values as read back (anyone with access to the account can tag): a deployment id only
 *  when well-formed, the creation time from the tag, else from the store's own creation date. */
export function tagsOf(deployment: string | undefined, createdSeconds: string | undefined, createdFallback?: Date | string): { deployment?: string; createdMs?: number } {
  // A deployment tag that is there but malformed still says "not this deployment's".
  const dep = deployment === undefined ? undefined : /^[a-z0-9][a-z0-9_-]{0,39}$/.test(deployment) ? deployment : '?';
  const fallback = createdFallback === undefined ? NaN : new Date(createdFallback).getTime();
  const created = createdSeconds && /^[0-9]{1,12}$/.test(createdSeconds) ? Number(createdSeconds) * 1000 : Number.isFinite(fallback) ? fallback : undefined;
  return { ...(dep !== undefined ? { deployment: dep } : {}), ...(created !== undefined ? { createdMs: created } : {}) };
}
