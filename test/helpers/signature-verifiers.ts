// Independent verifiers for presigned URLs, for the emulators that do not check signatures (moto and
// fake-gcs-server). They recompute the signature from scratch with node:crypto over the canonical
// request for a given method and object, and check the expiry against a given time.
import { createHash, createHmac, createPublicKey, verify } from 'node:crypto';

const sha256hex = (s: string) => createHash('sha256').update(s).digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();
const rfc3986 = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** Encodes each path segment the way both signers do (S3: no double encoding). */
function canonicalPath(p: string): string {
  return p.split('/').map((seg) => rfc3986(decodeURIComponent(seg))).join('/');
}

function canonicalQuery(params: URLSearchParams, skip: string): string {
  return [...params.entries()]
    .filter(([k]) => k !== skip)
    .map(([k, v]) => [rfc3986(k), rfc3986(v)])
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

/** "20261128T142858Z" → Date */
function parseAmzDate(s: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) throw new Error(`bad date ${s}`);
  return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
}

export interface Claim {
  /** the HTTP method the caller wants to use */
  method: string;
  /** the path the caller wants to reach, e.g. /bucket/key (path-style) */
  path: string;
  now: Date;
  /** headers the request sends besides host (lower-case names): a signed header must be among them, with
   *  the value signed */
  headers?: Record<string, string>;
}

/** The canonical headers and signed-header list of a claim, or why the URL's signed headers cannot be met. */
function canonicalHeaders(host: string, signedHeaders: string, claim: Claim): { text: string } | { reason: string } {
  const names = signedHeaders.split(';');
  const sent: Record<string, string> = { ...claim.headers, host };
  const missing = names.filter((n) => sent[n] === undefined);
  if (missing.length) return { reason: `signs headers the request does not send: ${missing.join(', ')}` };
  return { text: names.map((n) => `${n}:${sent[n].trim()}\n`).join('') };
}

/** SigV4 query-string auth (S3 presigned URLs). */
export function verifySigV4(url: string, secretAccessKey: string, claim: Claim): { ok: boolean; reason?: string } {
  const u = new URL(url);
  const q = u.searchParams;
  const signature = q.get('X-Amz-Signature');
  const credential = q.get('X-Amz-Credential');
  const date = q.get('X-Amz-Date');
  const expires = Number(q.get('X-Amz-Expires'));
  const signedHeaders = q.get('X-Amz-SignedHeaders');
  if (!signature || !credential || !date || !signedHeaders || !expires) return { ok: false, reason: 'not a SigV4 presigned URL' };
  if (signedHeaders !== 'host') return { ok: false, reason: `signs headers a plain request cannot know: ${signedHeaders}` };
  const [, day, region, service] = credential.split('/');
  const canonical = [claim.method.toUpperCase(), canonicalPath(claim.path), canonicalQuery(q, 'X-Amz-Signature'), `host:${u.host}\n`, signedHeaders, 'UNSIGNED-PAYLOAD'].join('\n');
  const scope = `${day}/${region}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', date, scope, sha256hex(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, day), region), service), 'aws4_request');
  const expected = createHmac('sha256', key).update(toSign).digest('hex');
  if (expected !== signature) return { ok: false, reason: 'signature does not match this method and object' };
  if (claim.now.getTime() > parseAmzDate(date).getTime() + expires * 1000) return { ok: false, reason: 'expired' };
  return { ok: true };
}

/** GCS V4 signed URLs (GOOG4-RSA-SHA256), checked with the service account's public key. */
export function verifyGcsV4(url: string, privateKeyPem: string, claim: Claim): { ok: boolean; reason?: string } {
  const u = new URL(url);
  const q = u.searchParams;
  const signature = q.get('X-Goog-Signature');
  const credential = q.get('X-Goog-Credential');
  const date = q.get('X-Goog-Date');
  const expires = Number(q.get('X-Goog-Expires'));
  const signedHeaders = q.get('X-Goog-SignedHeaders');
  if (q.get('X-Goog-Algorithm') !== 'GOOG4-RSA-SHA256' || !signature || !credential || !date || !signedHeaders) return { ok: false, reason: 'not a V4 signed URL' };
  // @google-cloud/storage signs the host without its port (real GCS has none: storage.googleapis.com).
  const headers = canonicalHeaders(u.hostname, signedHeaders, claim);
  if ('reason' in headers) return { ok: false, reason: headers.reason };
  const scope = credential.split('/').slice(1).join('/');
  const canonical = [claim.method.toUpperCase(), canonicalPath(claim.path), canonicalQuery(q, 'X-Goog-Signature'), headers.text, signedHeaders, 'UNSIGNED-PAYLOAD'].join('\n');
  const toSign = ['GOOG4-RSA-SHA256', date, scope, sha256hex(canonical)].join('\n');
  const publicKey = createPublicKey(privateKeyPem);
  if (!verify('RSA-SHA256', Buffer.from(toSign), publicKey, Buffer.from(signature, 'hex'))) return { ok: false, reason: 'signature does not match this method and object' };
  if (claim.now.getTime() > parseAmzDate(date).getTime() + expires * 1000) return { ok: false, reason: 'expired' };
  return { ok: true };
}
