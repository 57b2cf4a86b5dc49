// AWS S3 (moto in the embedded default). Presigned PUT/GET URLs are signed locally with SigV4.
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  GetBucketTaggingCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutBucketCorsCommand,
  PutBucketTaggingCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { Config } from '../config.js';
import { tagsOf, type BlobInfo, type BucketInfo, type BucketTags, type CloudStorage } from './types.js';

/** The tag keys, as on the deployment's EC2 instances. */
const TAG = { deployment: 'queryshield:deployment', created: 'queryshield:created' } as const;

const notFound = (err: unknown) =>
  err instanceof S3ServiceException && (err.$metadata?.httpStatusCode === 404 || ['NotFound', 'NoSuchBucket', 'NoSuchKey'].includes(err.name));

export class S3Storage implements CloudStorage {
  readonly provider = 'aws' as const;
  private readonly s3: S3Client;

  constructor(
    config: Config['s3'],
    private readonly corsOrigins: string[],
    private readonly tags: () => BucketTags,
  ) {
    this.s3 = new S3Client({
      endpoint: config.endpoint,
      region: config.region,
      forcePathStyle: config.forcePathStyle,
      credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
      // Without these the SDK adds CRC32 checksums to presigned PUTs, which a plain PUT cannot satisfy.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 3,
      requestHandler: { requestTimeout: 30_000, connectionTimeout: 5_000 },
    });
  }

  async bucketExists(bucket: string): Promise<boolean> {
    try {
      await this.s3.send(new HeadBucketCommand({ Bucket: bucket }));
      return true;
    } catch (err) {
      if (notFound(err)) return false;
      throw err;
    }
  }

  async ensureBucket(bucket: string): Promise<boolean> {
    let created = false;
    if (!(await this.bucketExists(bucket))) {
      try {
        await this.s3.send(new CreateBucketCommand({ Bucket: bucket }));
        created = true;
      } catch (err) {
        if (!(err instanceof S3ServiceException && ['BucketAlreadyOwnedByYou'].includes(err.name))) throw err;
      }
    }
    try {
      // An existing bucket keeps its tags: they say who made it and when.
      await Promise.all([this.putCors(bucket), created ? this.putTags(bucket) : undefined]);
    } catch (err) {
      // The caller only learns "created" from a success: a bucket made here must not outlive the failure.
      if (created) await this.deleteBucket(bucket).catch(() => undefined);
      throw err;
    }
    return created;
  }

  async createNewBucket(bucket: string): Promise<void> {
    // S3 has no CORS or tags at creation: one call, then two at once. (In us-east-1 S3 answers 200 to its
    // owner re-creating a bucket, which is why ensureBucket asks first; a new name needs no asking.)
    await this.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    try {
      await Promise.all([this.putCors(bucket), this.putTags(bucket)]);
    } catch (err) {
      await this.deleteBucket(bucket).catch(() => undefined);
      throw err;
    }
  }

  private async putCors(bucket: string): Promise<void> {
    await this.s3.send(
      new PutBucketCorsCommand({
        Bucket: bucket,
        CORSConfiguration: {
          CORSRules: [{ AllowedMethods: ['PUT', 'GET', 'HEAD'], AllowedOrigins: this.corsOrigins, AllowedHeaders: ['*'], ExposeHeaders: ['ETag'], MaxAgeSeconds: 3600 }],
        },
      }),
    );
  }

  private async putTags(bucket: string): Promise<void> {
    const t = this.tags();
    await this.s3.send(
      new PutBucketTaggingCommand({ Bucket: bucket, Tagging: { TagSet: [{ Key: TAG.deployment, Value: t.deployment }, { Key: TAG.created, Value: String(Math.floor(t.createdMs / 1000)) }] } }),
    );
  }

  async deleteBucket(bucket: string): Promise<void> {
    if (!(await this.bucketExists(bucket))) return;
    for (;;) {
      const list = await this.s3.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 1000 }));
      const keys = (list.Contents ?? []).map((o) => ({ Key: o.Key! }));
      if (keys.length === 0) break;
      await this.s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }));
    }
    try {
      await this.s3.send(new DeleteBucketCommand({ Bucket: bucket }));
    } catch (err) {
      if (!notFound(err)) throw err;
    }
  }

  signUploadUrl(bucket: string, blob: string, ttlSeconds: number): Promise<string> {
    // Content-Type is not signed: a plain PUT with any content type (text/csv) is accepted.
    return getSignedUrl(this.s3, new PutObjectCommand({ Bucket: bucket, Key: blob }), { expiresIn: ttlSeconds });
  }

  signReadUrl(bucket: string, blob: string, ttlSeconds: number): Promise<string> {
    return getSignedUrl(this.s3, new GetObjectCommand({ Bucket: bucket, Key: blob }), { expiresIn: ttlSeconds });
  }

  async blobSize(bucket: string, blob: string): Promise<number | undefined> {
    try {
      const head = await this.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: blob }));
      return head.ContentLength ?? 0;
    } catch (err) {
      if (notFound(err)) return undefined;
      throw err;
    }
  }

  async readBlobHead(bucket: string, blob: string, maxBytes: number): Promise<string | undefined> {
    if (maxBytes <= 0) return (await this.blobSize(bucket, blob)) === undefined ? undefined : '';
    try {
      const res = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: blob, Range: `bytes=0-${maxBytes - 1}` }));
      return await res.Body!.transformToString('utf8');
    } catch (err) {
      if (notFound(err)) return undefined;
      // A range of an empty object is "not satisfiable": the blob is there, with no bytes.
      if (err instanceof S3ServiceException && err.name === 'InvalidRange') return '';
      throw err;
    }
  }

  async listBlobs(bucket: string): Promise<BlobInfo[]> {
    const out: BlobInfo[] = [];
    let token: string | undefined;
    do {
      const res = await this.s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
      for (const o of res.Contents ?? []) out.push({ name: o.Key!, size: o.Size ?? 0, modifiedMs: o.LastModified?.getTime() });
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (token);
    return out;
  }

  async deleteBlob(bucket: string, blob: string): Promise<void> {
    await this.s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: blob }], Quiet: true } })).catch((err) => {
      if (!notFound(err)) throw err;
    });
  }

  async listBuckets(prefix: string): Promise<string[]> {
    const res = await this.s3.send(new ListBucketsCommand({}));
    return (res.Buckets ?? []).map((b) => b.Name!).filter((n) => n.startsWith(prefix)).sort();
  }

  async listTaggedBuckets(prefix: string): Promise<BucketInfo[]> {
    return Promise.all(
      (await this.listBuckets(prefix)).map(async (name) => {
        try {
          const res = await this.s3.send(new GetBucketTaggingCommand({ Bucket: name }));
          const tag = (k: string) => res.TagSet?.find((x) => x.Key === k)?.Value;
          return { name, ...tagsOf(tag(TAG.deployment), tag(TAG.created)) };
        } catch (err) {
          // no tag set at all (a bucket from before tags, or not ours), or gone since the listing
          if (err instanceof S3ServiceException && ['NoSuchTagSet', 'NoSuchTagSetError', 'NoSuchBucket'].includes(err.name)) return { name };
          throw err;
        }
      }),
    );
  }

  async readBlobStream(bucket: string, blob: string): Promise<AsyncIterable<Uint8Array> | undefined> {
    try {
      const res = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: blob }));
      return res.Body as AsyncIterable<Uint8Array>;
    } catch (err) {
      if (notFound(err)) return undefined;
      throw err;
    }
  }

  async putBlob(bucket: string, blob: string, body: string, contentType: string): Promise<void> {
    await this.s3.send(new PutObjectCommand({ Bucket: bucket, Key: blob, Body: body, ContentType: contentType }));
  }

  uploadHeaders(): Record<string, string> {
    return { 'content-type': 'text/csv' };
  }
}
