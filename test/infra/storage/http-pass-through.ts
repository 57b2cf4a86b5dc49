// A real HTTP hop in front of an emulator: forwards every request unchanged and records it, or answers
// with a fault instead, for what an emulator cannot show (a rule the SDK sent, a cloud failing mid-way).
import { createServer, request, type Server } from 'node:http';

export interface SeenRequest {
  /** "PATCH /storage/v1/b/name?…" */
  line: string;
  body: string;
}

export interface PassThrough {
  url: string;
  seen: SeenRequest[];
  close(): Promise<void>;
}

/** fault(req) returning a status answers with it instead of forwarding. */
export async function passThrough(target: string, fault: (r: SeenRequest) => number | undefined = () => undefined): Promise<PassThrough> {
  const to = new URL(target);
  const seen: SeenRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const r = { line: `${req.method} ${req.url}`, body: body.toString('utf8') };
      seen.push(r);
      const status = fault(r);
      if (status !== undefined) {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: status, message: 'injected by the test pass-through' } }));
        return;
      }
      const out = request({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: { ...req.headers, host: to.host } }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      out.on('error', () => res.destroy());
      out.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  return {
    url: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`,
    seen,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
