// Azure Blob Storage (Azurite in the embedded default). SAS tokens are signed locally with the account
// key: create+write for uploads, read for downloads, each for exactly one blob.
import {
  BlobSASPermissions,
  BlobServiceClient,
  RestError,
  SASProtocol,
  StorageSharedKeyCredential,
  generateBlobSASQueryParameters,
} from '@azure/storage-blob';
import type { Config } from '../config.js';
import { tagsOf, type BlobInfo, type BucketInfo, type BucketTags, type CloudStorage } from './types.js';

/** Container metadata keys (Azure metadata names are C# identifiers). */
const META = { deployment: 'queryshield_deployment', created: 'queryshield_created' } as const;

const notFound = (err: unknown) => err instanceof RestError && err.statusCode === 404;

export class AzureStorage implements CloudStorage {
  readonly provider = 'azure' as const;
  private readonly credential: StorageSharedKeyCredential;
  private readonly service: BlobServiceClient;
  private corsDone?: Promise<void>;

  constructor(
    private readonly config: Config['azure'],
    private readonly corsOrigins: string[],
    private readonly tags: () => BucketTags,
  ) {
    this.credential = new StorageSharedKeyCredential(config.account, config.key);
    this.service = new BlobServiceClient(config.endpoint, this.credential, { retryOptions: { maxTries: 3, tryTimeoutInMs: 30_000 } });
  }

  private container(name: string) {
    return this.service.getContainerClient(name);
  }

  /** CORS is an account-level setting on Azure: QueryShield's rule is added to the account's rules (the
   *  others, which other applications of the account rely on, are kept), once per process, idempotently. */
  private ensureCors(): Promise<void> {
    const ours = { allowedOrigins: this.corsOrigins.join(','), allowedMethods: 'PUT,GET,HEAD', allowedHeaders: '*', exposedHeaders: 'etag', maxAgeInSeconds: 3600 };
    // A rule with QueryShield's methods and headers is QueryShield's (an earlier configuration's origins):
    // replaced, so that origins removed from QS_CORS_ORIGINS stop being allowed.
    const queryShields = (r: typeof ours) => r.allowedMethods === ours.allowedMethods && r.allowedHeaders === ours.allowedHeaders && r.exposedHeaders === ours.exposedHeaders && r.maxAgeInSeconds === ours.maxAgeInSeconds;
    this.corsDone ??= this.service
      .getProperties()
      .then(async (props) => {
        const rules = props.cors ?? [];
        const others = rules.filter((r) => !queryShields(r));
        if (others.length === rules.length - 1 && rules.some((r) => queryShields(r) && r.allowedOrigins === ours.allowedOrigins)) return;
        // Azure allows five rules per account: ours goes in even then, in place of the last other one.
        await this.service.setProperties({ cors: [...others.slice(0, 4), ours] });
      })
      .then(() => undefined)
      .catch((err) => {
        this.corsDone = undefined;
        throw err;
      });
    return this.corsDone;
  }

  bucketExists(bucket: string): Promise<boolean> {
    return this.container(bucket).exists();
  }

  async ensureBucket(bucket: string): Promise<boolean> {
    await this.ensureCors();
    const res = await this.container(bucket).createIfNotExists({ metadata: this.metadata() });
    return res.succeeded;
  }

  async createNewBucket(bucket: string): Promise<void> {
    await this.ensureCors();
    await this.container(bucket).create({ metadata: this.metadata() });
  }

  private metadata(): Record<string, string> {
    const t = this.tags();
    return { [META.deployment]: t.deployment, [META.created]: String(Math.floor(t.createdMs / 1000)) };
  }

  async deleteBucket(bucket: string): Promise<void> {
    await this.container(bucket).deleteIfExists();
  }

  private sign(bucket: string, blob: string, ttlSeconds: number, permissions: string): string {
    const startsOn = new Date(Date.now() - 60_000); // tolerate small clock skew
    const sas = generateBlobSASQueryParameters(
      {
        containerName: bucket,
        blobName: blob,
        permissions: BlobSASPermissions.parse(permissions),
        startsOn,
        expiresOn: new Date(Date.now() + ttlSeconds * 1000),
        protocol: this.config.endpoint.startsWith('https:') ? SASProtocol.Https : SASProtocol.HttpsAndHttp,
      },
      this.credential,
    ).toString();
    return `${this.container(bucket).getBlockBlobClient(blob).url}?${sas}`;
  }

  async signUploadUrl(bucket: string, blob: string, ttlSeconds: number): Promise<string> {
    return this.sign(bucket, blob, ttlSeconds, 'cw');
  }

  async signReadUrl(bucket: string, blob: string, ttlSeconds: number): Promise<string> {
    return this.sign(bucket, blob, ttlSeconds, 'r');
  }

  async blobSize(bucket: string, blob: string): Promise<number | undefined> {
    try {
      const props = await this.container(bucket).getBlobClient(blob).getProperties();
      return props.contentLength ?? 0;
    } catch (err) {
      if (notFound(err)) return undefined;
      throw err;
    }
  }

  async readBlobHead(bucket: string, blob: string, maxBytes: number): Promise<string | undefined> {
    try {
      const size = await this.blobSize(bucket, blob);
      if (size === undefined) return undefined;
      if (size === 0 || maxBytes <= 0) return ''; // a count of 0 would mean "to the end"
      const buf = await this.container(bucket).getBlobClient(blob).downloadToBuffer(0, Math.min(size, maxBytes));
      return buf.toString('utf8');
    } catch (err) {
      if (notFound(err)) return undefined;
      throw err;
    }
  }

  async listBlobs(bucket: string): Promise<BlobInfo[]> {
    const out: BlobInfo[] = [];
    for await (const b of this.container(bucket).listBlobsFlat()) out.push({ name: b.name, size: b.properties.contentLength ?? 0, modifiedMs: b.properties.lastModified?.getTime() });
    return out;
  }

  async deleteBlob(bucket: string, blob: string): Promise<void> {
    await this.container(bucket).getBlobClient(blob).deleteIfExists();
  }

  async listBuckets(prefix: string): Promise<string[]> {
    const out: string[] = [];
    for await (const c of this.service.listContainers({ prefix })) out.push(c.name);
    return out.sort();
  }

  async listTaggedBuckets(prefix: string): Promise<BucketInfo[]> {
    const out: BucketInfo[] = [];
    for await (const c of this.service.listContainers({ prefix, includeMetadata: true })) {
      out.push({ name: c.name, ...tagsOf(c.metadata?.[META.deployment], c.metadata?.[META.created]) });
    }
    return out;
  }

  async readBlobStream(bucket: string, blob: string): Promise<AsyncIterable<Uint8Array> | undefined> {
    try {
      const res = await this.container(bucket).getBlobClient(blob).download();
      return res.readableStreamBody as AsyncIterable<Uint8Array> | undefined;
    } catch (err) {
      if (notFound(err)) return undefined;
      throw err;
    }
  }

  async putBlob(bucket: string, blob: string, body: string, contentType: string): Promise<void> {
    await this.container(bucket).getBlockBlobClient(blob).upload(body, Buffer.byteLength(body), { blobHTTPHeaders: { blobContentType: contentType } });
  }

  uploadHeaders(): Record<string, string> {
    return { 'content-type': 'text/csv', 'x-ms-blob-type': 'BlockBlob' };
  }
}
