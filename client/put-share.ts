// PUTs one share file through a write-only presigned URL and checks what we can from the answer. The
// body is streamed in 64 KiB chunks with its Content-Length (stores refuse chunked uploads), and each
// chunk the connection takes is reported to `onProgress`, so a large file shows its bytes going out.
// The URL cannot read back, so verification is: a 2xx status for a body of exactly the share's bytes
// (a body shorter or longer than its Content-Length fails the request), and, where the
// store echoes a digest of what it stored (S3/GCS ETag of a single PUT, GCS x-goog-hash, Azure
// Content-MD5), that digest equals the MD5 of our bytes.
import { createHash } from 'node:crypto';
import { causeOf } from './http.js';
import { CliError, EXIT } from './errors.js';

/** Azure (and Azurite) refuse a PUT without x-ms-blob-type; the other clouds need only the type. */
export function isAzureUrl(url: string): boolean {
  const u = new URL(url);
  return u.hostname.includes('.blob.') || u.pathname.startsWith('/devstoreaccount1/') || (u.searchParams.get('sr') === 'b' && u.searchParams.has('sig'));
}

export function uploadHeaders(url: string, provider?: string): Record<string, string> {
  return provider === 'azure' || isAzureUrl(url) ? { 'content-type': 'text/csv', 'x-ms-blob-type': 'BlockBlob' } : { 'content-type': 'text/csv' };
}

export interface PutResult {
  bytes: number;
  status: number;
  /** 'md5' when the store's digest matched ours; 'status' when it only answered 2xx */
  verified: 'md5' | 'status';
}

/** The store's MD5 of what it received, when it tells us (hex), else undefined. */
function storedMd5(res: Response): string | undefined {
  const contentMd5 = res.headers.get('content-md5');
  if (contentMd5) return Buffer.from(contentMd5, 'base64').toString('hex');
  // GCS's XML API: x-goog-hash: crc32c=…,md5=<base64>
  const googMd5 = /(?:^|,)\s*md5=([^,\s]+)/.exec(res.headers.get('x-goog-hash') ?? '')?.[1];
  if (googMd5) return Buffer.from(googMd5, 'base64').toString('hex');
  // A single-part PUT's ETag is the MD5 on S3 and GCS; multipart/encrypted ETags differ in shape, so skip them.
  const etag = res.headers.get('etag')?.replace(/^W\//, '').replace(/"/g, '');
  return etag && /^[0-9a-f]{32}$/i.test(etag) ? etag.toLowerCase() : undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const CHUNK = 64 * 1024;

/** The bytes as a stream that hands out one chunk each time the connection asks for more. */
function chunks(bytes: Buffer, onProgress: (sent: number) => void): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= bytes.length) return controller.close();
      const chunk = bytes.subarray(sent, sent + CHUNK);
      sent += chunk.length;
      controller.enqueue(chunk);
      onProgress(sent);
    },
  });
}

/** Uploads with up to 3 attempts: a presigned PUT is idempotent, and a network blip should not make
 *  the owner start again. 4xx answers are not retried (an expired or wrong URL stays wrong). */
export async function putShare(url: string, body: string, what: string, provider?: string, onProgress: (sent: number, total: number) => void = () => {}, signed: Record<string, string> = {}): Promise<PutResult> {
  const bytes = Buffer.from(body, 'utf8');
  const md5 = createHash('md5').update(bytes).digest('hex');
  let lastError = '';
  for (let attempt = 1; attempt <= 3; attempt++) {
    if (attempt > 1) await sleep(500 * 2 ** (attempt - 2));
    let res: Response;
    try {
      onProgress(0, bytes.length);
      // `signed`: headers the URL was signed with, as register's upload_headers gives them (GCS's size limit)
      const headers = { ...uploadHeaders(url, provider), ...signed, 'content-length': String(bytes.length) };
      const init = { method: 'PUT', headers, body: chunks(bytes, (sent) => onProgress(sent, bytes.length)), duplex: 'half', signal: AbortSignal.timeout(600_000) };
      res = await fetch(url, init as RequestInit);
    } catch (err) {
      lastError = causeOf(err);
      continue;
    }
    const text = await res.text().catch(() => '');
    if (res.ok) {
      const theirs = storedMd5(res);
      if (theirs !== undefined && theirs !== md5) throw new CliError(`${what}: the store holds different bytes than were sent (MD5 ${theirs}, expected ${md5})`, EXIT.failure, 'QS_UPLOAD_FAILED');
      return { bytes: bytes.length, status: res.status, verified: theirs === undefined ? 'status' : 'md5' };
    }
    lastError = `HTTP ${res.status}${storeMessage(text)}`;
    if (res.status < 500 && res.status !== 429) break;
  }
  throw new CliError(`${what}: upload failed: ${lastError}`, EXIT.failure, 'QS_UPLOAD_FAILED');
}

/** S3, GCS and Azure answer errors as XML with <Code> and <Message>. */
function storeMessage(xml: string): string {
  const code = /<Code>([^<]*)<\/Code>/.exec(xml)?.[1];
  const message = /<Message>([^<]*)<\/Message>/.exec(xml)?.[1]?.split('\n')[0];
  return code || message ? `: ${[code, message].filter(Boolean).join(' ')}` : '';
}
