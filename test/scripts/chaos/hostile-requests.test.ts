// The hostile-request generator (fast-check): the same seed gives the same requests, every kind of
// hostility turns up, and when a request faults, fire() shrinks it under fast-check to a smallest one that
// still faults and says which seed and path replay it. The fault here is planted in a small node:http
// server (a 500 for a create_job body over 1000 characters); the real API is test/api/chaos.test.ts's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { fire, hostileRequests } from '../../../scripts/chaos/hostile-requests.js';

let server: Server;
let url = '';
beforeAll(async () => {
  server = createServer((req, res) => {
    let length = 0;
    req.on('data', (d: Buffer) => (length += d.length));
    req.on('end', () => {
      const planted = req.url === '/create_job' && length > 1000;
      res.writeHead(planted ? 500 : 400, { 'content-type': 'application/json' }).end('{"error":"no","code":"QS_X"}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

describe('hostileRequests', () => {
  it('when called twice with a seed, then the requests are the same; another seed gives others; every kind occurs', () => {
    const a = hostileRequests(150, 5, ['j1']);
    expect(hostileRequests(150, 5, ['j1'])).toEqual(a);
    expect(hostileRequests(150, 6, ['j1'])).not.toEqual(a);
    expect(new Set(a.map((r) => r.kind))).toEqual(new Set(['invalid-json', 'wrong-types', 'huge', 'deep', 'unicode', 'path', 'nul', 'long-id', 'content-type', 'token', 'query']));
    for (const r of a) if (r.method === 'GET' || r.method === 'DELETE') expect(r.body).toBeUndefined();
  });

  it('when a request faults, then fire reports it and fast-check shrinks it to one just past the fault, with its replay seed and path', async () => {
    const result = await fire(url, hostileRequests(100, 7, ['j1']), 8);
    expect(result.serverErrors.length).toBeGreaterThan(0);
    const first = Math.min(...result.serverErrors.map((e) => e.index));
    expect(result.shrunk).toMatchObject({ seed: 7, path: expect.stringMatching(new RegExp(`^${first}(:\\d+)*$`)), request: { method: 'POST', path: '/create_job' } });
    // Shrinking keeps the fault (over 1000 characters) and drops what it does not need.
    expect(result.shrunk!.bodyLength).toBeGreaterThan(1000);
    expect(result.shrunk!.bodyLength).toBeLessThan(5000);
  });
});
