// Google Cloud Storage (fake-gcs-server in the embedded default). V4 signed URLs are made locally with
// the service-account key; against the emulator the SDK must be given apiEndpoint (it ignores
// STORAGE_EMULATOR_HOST for signing) so the URLs point at it.
import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Storage, type Bucket } from '@google-cloud/storage';
import type { Config } from '../config.js';
import { tagsOf, type BlobInfo, type BucketInfo, type BucketTags, type CloudStorage } from './types.js';

/** Label keys (GCS labels: lower-case letters, digits, - and _). */
const LABEL = { deployment: 'queryshield-deployment', created: 'queryshield-created' } as const;

const notFound = (err: unknown) => (err as { code?: number })?.code === 404;

export class GcsStorage implements CloudStorage {
  readonly provider = 'gcp' as const;
  private readonly gcs: Storage;

  constructor(
    private readonly config: Config['gcs'],
    private readonly corsOrigins: string[],
    private readonly tags: () => BucketTags,
    /** the largest upload a write URL admits: signed into it (x-goog-content-length-range) */
    private readonly maxUploadBytes?: number,
  ) {
    this.gcs = new Storage({
      projectId: config.projectId,
      keyFilename: config.keyFile,
      apiEndpoint: config.endpoint,
      // The emulator accepts any token; real GCS needs the key's OAuth flow.
      ...(config.endpoint ? { useAuthWithCustomEndpoint: false, token: 'emulator' } : {}),
      retryOptions: { autoRetry: true, maxRetries: 2, totalTimeout: 30 },
      timeout: 30_000,
    } as ConstructorParameters<typeof Storage>[0]);
    signWithParsedKey(this.gcs.authClient, config.keyFile);
  }

  private bucket(name: string): Bucket {
    return this.gcs.bucket(name);
  }

  async bucketExists(bucket: string): Promise<boolean> {
    const [exists] = await this.bucket(bucket).exists();
    return exists;
  }

  async ensureBucket(bucket: string): Promise<boolean> {
    let created = false;
    if (!(await this.bucketExists(bucket))) {
      try {
        await this.gcs.createBucket(bucket, { labels: this.labels() });
        created = true;
      } catch (err) {
        if ((err as { code?: number }).code !== 409) throw err;
      }
    }
    try {
      await this.bucket(bucket).setCorsConfiguration(this.corsRule());
    } catch (err) {
      // The caller only learns "created" from a success: a bucket made here must not outlive the failure.
      if (created) await this.deleteBucket(bucket).catch(() => undefined);
      throw err;
    }
    return created;
  }

  async createNewBucket(bucket: string): Promise<void> {
    // GCS takes the CORS rule and the labels in the creation call itself: one call.
    await this.gcs.createBucket(bucket, { cors: this.corsRule(), labels: this.labels() });
  }

  private labels(): Record<string, string> {
    const t = this.tags();
    return { [LABEL.deployment]: t.deployment, [LABEL.created]: String(Math.floor(t.createdMs / 1000)) };
  }

  private corsRule() {
    // GCS answers a preflight's Access-Control-Allow-Headers from responseHeader too: a browser's PUT sends
    // the content type and the size limit signed into its URL.
    return [{ origin: this.corsOrigins, method: ['PUT', 'GET', 'HEAD'], responseHeader: ['Content-Type', 'ETag', 'x-goog-content-length-range'], maxAgeSeconds: 3600 }];
  }

  async deleteBucket(bucket: string): Promise<void> {
    if (!(await this.bucketExists(bucket))) return;
    const [files] = await this.bucket(bucket).getFiles();
    await Promise.all(files.map((f) => f.delete({ ignoreNotFound: true })));
    try {
      await this.bucket(bucket).delete();
    } catch (err) {
      if (!notFound(err)) throw err;
    }
  }

  private async sign(bucket: string, blob: string, ttlSeconds: number, action: 'read' | 'write', extensionHeaders?: Record<string, string>): Promise<string> {
    const [url] = await this.bucket(bucket)
      .file(blob)
      .getSignedUrl({
        version: 'v4',
        action,
        expires: Date.now() + ttlSeconds * 1000,
        ...(extensionHeaders ? { extensionHeaders } : {}),
      });
    return url;
  }

  /** GCS checks a signed x-goog-content-length-range against the body: a larger upload is refused by the
   *  store itself, before validation ever sees it. The PUT must then send the header (uploadHeaders). */
  signUploadUrl(bucket: string, blob: string, ttlSeconds: number): Promise<string> {
    return this.sign(bucket, blob, ttlSeconds, 'write', this.lengthRange());
  }

  private lengthRange(): Record<string, string> | undefined {
    return this.maxUploadBytes === undefined ? undefined : { 'x-goog-content-length-range': `0,${this.maxUploadBytes}` };
  }

  signReadUrl(bucket: string, blob: string, ttlSeconds: number): Promise<string> {
    return this.sign(bucket, blob, ttlSeconds, 'read');
  }

  async blobSize(bucket: string, blob: string): Promise<number | undefined> {
    try {
      const [meta] = await this.bucket(bucket).file(blob).getMetadata();
      return Number(meta.size ?? 0);
    } catch (err) {
      if (notFound(err)) return undefined;
      throw err;
    }
  }

  async readBlobHead(bucket: string, blob: string, maxBytes: number): Promise<string | undefined> {
    // Size first: a range read of an empty object is a 416, after which fake-gcs-server leaves the
    // kept-alive connection broken for the next request.
    const size = await this.blobSize(bucket, blob);
    if (size === undefined) return undefined;
    if (size === 0 || maxBytes <= 0) return '';
    try {
      const [buf] = await this.bucket(bucket).file(blob).download({ start: 0, end: Math.min(size, maxBytes) - 1, validation: false });
      return buf.toString('utf8');
    } catch (err) {
      if (notFound(err)) return undefined;
      throw err;
    }
  }

  async listBlobs(bucket: string): Promise<BlobInfo[]> {
    const [files] = await this.bucket(bucket).getFiles();
    return files.map((f) => {
      const updated = f.metadata.updated ?? f.metadata.timeCreated;
      return { name: f.name, size: Number(f.metadata.size ?? 0), modifiedMs: updated ? Date.parse(String(updated)) : undefined };
    });
  }

  async deleteBlob(bucket: string, blob: string): Promise<void> {
    await this.bucket(bucket).file(blob).delete({ ignoreNotFound: true });
  }

  async listBuckets(prefix: string): Promise<string[]> {
    const [buckets] = await this.gcs.getBuckets({ prefix });
    return buckets.map((b) => b.name).filter((n) => n.startsWith(prefix)).sort();
  }

  async listTaggedBuckets(prefix: string): Promise<BucketInfo[]> {
    const [buckets] = await this.gcs.getBuckets({ prefix });
    return buckets
      .filter((b) => b.name.startsWith(prefix))
      .map((b) => {
        const labels = (b.metadata.labels ?? {}) as Record<string, string | undefined>;
        return { name: b.name, ...tagsOf(labels[LABEL.deployment], labels[LABEL.created], b.metadata.timeCreated) };
      });
  }

  async readBlobStream(bucket: string, blob: string): Promise<AsyncIterable<Uint8Array> | undefined> {
    // Existence first: the stream reports a 404 only once read.
    if ((await this.blobSize(bucket, blob)) === undefined) return undefined;
    return this.bucket(bucket).file(blob).createReadStream({ validation: false });
  }

  async putBlob(bucket: string, blob: string, body: string, contentType: string): Promise<void> {
    await this.bucket(bucket).file(blob).save(body, { contentType, resumable: false, validation: false });
  }

  uploadHeaders(): Record<string, string> {
    return { 'content-type': 'text/csv', ...this.lengthRange() };
  }
}

/**
 * The SDK's V4 signer parses the PEM key again for every URL (about 1 ms of CPU each: most of a
 * register call's signing) and asks for the account's e-mail each time. The parsed key and the
 * credentials are kept instead. Only the RSA step changes: the canonical request and the string to
 * sign stay the SDK's, and the signed-URL tests check the result with an independent verifier.
 */
function signWithParsedKey(auth: Storage['authClient'], keyFile: string): void {
  let key: KeyObject | undefined;
  auth.sign = async (data: string) => {
    key ??= createPrivateKey((JSON.parse(readFileSync(keyFile, 'utf8')) as { private_key: string }).private_key);
    return sign('sha256', Buffer.from(data), key).toString('base64');
  };
  const credentials = auth.getCredentials.bind(auth) as () => Promise<unknown>;
  let kept: Promise<unknown> | undefined;
  const getCredentials = () => (kept ??= credentials().catch((err: unknown) => ((kept = undefined), Promise.reject(err))));
  auth.getCredentials = getCredentials as unknown as typeof auth.getCredentials;
}
