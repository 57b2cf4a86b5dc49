// The streamed upload (put-share.ts) against a local store (node:http): the body goes out in chunks with
// its Content-Length (never chunked transfer encoding, which S3 and Azure refuse), and the progress
// callback sees every byte counted, in order, up to the file's size.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createHash } from 'node:crypto';
import { putShare } from '../../client/put-share.js';

let server: Server;
let base = '';
const got: { headers: IncomingHttpHeaders; bytes: number; md5: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const hash = createHash('md5');
    let bytes = 0;
    req.on('data', (d: Buffer) => {
      bytes += d.length;
      hash.update(d);
    });
    req.on('end', () => {
      const md5 = hash.digest('hex');
      got.push({ headers: req.headers, bytes, md5 });
      res.writeHead(200, { etag: `"${md5}"` }).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

describe('putShare', () => {
  it('when a share file of 300 kB is uploaded, then it is streamed with its Content-Length and progress reaches every byte', async () => {
    const body = 'c_0,c_1,[c]_0,[c]_1\n' + '123456789,-987654321,42,7\n'.repeat(12_000);
    const total = Buffer.byteLength(body);
    const progress: number[] = [];
    const r = await putShare(`${base}/bucket/alice`, body, 'party 1/3', 'aws', (sent, of) => {
      expect(of).toBe(total);
      progress.push(sent);
    });
    expect(r).toEqual({ bytes: total, status: 200, verified: 'md5' });
    expect(got.at(-1)).toMatchObject({ bytes: total, md5: createHash('md5').update(body).digest('hex') });
    expect(got.at(-1)?.headers['content-length']).toBe(String(total));
    expect(got.at(-1)?.headers['transfer-encoding']).toBeUndefined();
    // 0 first, then one step per 64 KiB chunk, never backwards, ending at the full size.
    expect(progress[0]).toBe(0);
    expect(progress.at(-1)).toBe(total);
    expect(progress.length).toBeGreaterThanOrEqual(1 + Math.ceil(total / 65536));
    expect(progress.every((v, i) => i === 0 || v >= progress[i - 1])).toBe(true);
  });

  it('when register names headers the URL was signed with (GCS: the size limit), then the PUT sends them', async () => {
    await putShare(`${base}/bucket/bob`, 'a_0\n1\n', 'party 2/3', 'gcp', undefined, { 'x-goog-content-length-range': '0,1000' });
    expect(got.at(-1)?.headers['x-goog-content-length-range']).toBe('0,1000');
    expect(got.at(-1)?.headers['content-type']).toBe('text/csv');
  });
});
