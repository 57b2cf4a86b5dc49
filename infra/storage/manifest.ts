// What validation saw at submit, per party: each owner's share file's SHA-256 and size. Kept in the party's
// own input bucket; the run stage hands each party the SHA-256 of every file it downloads, and the party
// refuses a file that differs (a write through an upload URL after submit, say). What was validated is
// what is computed.
import { createHash } from 'node:crypto';
import { isValidOwnerId } from '../../domain/names.js';

/** The manifest's blob name: it starts with "_", which no owner id does, so no upload URL can name it. */
export const MANIFEST_BLOB = '_queryshield-validated.json';

export interface Manifest {
  party: number;
  /** by owner id */
  files: Record<string, { sha256: string; size: number }>;
}

export interface InputDigest {
  size: number;
  sha256: string;
  /** the first bytes, as text (for the header check) */
  head: string;
  /** reading stopped past the limit: size and sha256 are of the part read */
  tooLarge: boolean;
}

export class ManifestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ManifestError';
  }
}

/** Hashes a blob as it streams, keeping only its first headBytes bytes. */
export async function digestStream(stream: AsyncIterable<Uint8Array>, headBytes: number, maxBytes?: number): Promise<InputDigest> {
  const hash = createHash('sha256');
  const head: Buffer[] = [];
  let kept = 0;
  let size = 0;
  for await (const chunk of stream) {
    const buf = Buffer.from(chunk);
    size += buf.length;
    hash.update(buf);
    if (kept < headBytes) {
      head.push(buf.subarray(0, headBytes - kept));
      kept += Math.min(buf.length, headBytes - kept);
    }
    if (maxBytes !== undefined && size > maxBytes) {
      (stream as { destroy?: () => void }).destroy?.();
      return { size, sha256: hash.digest('hex'), head: Buffer.concat(head).toString('utf8'), tooLarge: true };
    }
  }
  return { size, sha256: hash.digest('hex'), head: Buffer.concat(head).toString('utf8'), tooLarge: false };
}

/** A manifest as read back, checked: only well-formed owner ids and hex digests come through. */
export function parseManifest(text: string, party: number): Manifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ManifestError(`party ${party}: the record of validated share files is not JSON`);
  }
  const files: Manifest['files'] = {};
  const given = (raw as { files?: unknown })?.files;
  if (!given || typeof given !== 'object' || (raw as { party?: unknown }).party !== party) throw new ManifestError(`party ${party}: the record of validated share files is malformed`);
  for (const [owner, v] of Object.entries(given as Record<string, unknown>)) {
    const { sha256, size } = (v ?? {}) as { sha256?: unknown; size?: unknown };
    if (!isValidOwnerId(owner) || typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(sha256) || !Number.isSafeInteger(size)) {
      throw new ManifestError(`party ${party}: the record of validated share files is malformed`);
    }
    files[owner] = { sha256, size: size as number };
  }
  return { party, files };
}
