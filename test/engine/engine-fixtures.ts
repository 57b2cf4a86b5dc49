// What test/engine/engine.test.ts runs the engine on: a seeded table over two columns, the plan files the stages
// would write for its queries (domain/job-query.ts) with evaluatePlan's plaintext answers, a tampered share file,
// and a TCP relay to put between two parties.
import net from 'node:net';
import { compileJobQuery, planFile } from '../../domain/job-query.js';
import { evaluatePlan } from '../../domain/sql/index.js';

export const columns = ['age', 'salary'];

/** Seeded, so a failure can be replayed: values over the whole int32 range, so sums wrap. */
export function randomTable(rows: number, seed: number): number[][] {
  let a = seed >>> 0;
  const next = () => {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    return a | 0;
  };
  return Array.from({ length: rows }, (_, r) => [r % 3 === 0 ? -(r + 1) : next() % 1000, next()]);
}
export const plainSum = (rows: number[][], c: number) => rows.reduce((s, r) => (s + r[c]) | 0, 0);

/** The plan file the stages write for `sql` over `schema` (compileJobQuery, then planFile). */
export function plan(sql: string, schema = columns): string {
  const compiled = compileJobQuery(sql, schema);
  if (!compiled.ok) throw new Error(compiled.error);
  return planFile(compiled.plan);
}
/** evaluatePlan's answer for `sql` on the plaintext rows: every output row, `_valid` last. */
export function plaintext(sql: string, rows: number[][]): { columns: string[]; rows: number[][] } {
  const compiled = compileJobQuery(sql, columns);
  if (!compiled.ok) throw new Error(compiled.error);
  return evaluatePlan(compiled.plan, { columns, rows });
}
export const QUERY = 'SELECT SUM(salary) AS total, COUNT(*) AS n, SUM(age) FROM people';
export const COUNT = 'SELECT COUNT(*) AS n FROM people';

/** Changes one cell of a share file (data row `row`, column `col`) by +1. */
export function tamper(file: string, row: number, col: number): string {
  const lines = file.split('\n');
  const cells = lines[row + 1].split(',');
  cells[col] = String((Number(cells[col]) + 1) | 0);
  lines[row + 1] = cells.join(',');
  return lines.join('\n');
}

/**
 * A TCP relay to 127.0.0.1:target() standing between two parties: it retries its upstream connection
 * until the target listens (the parties start in any order, and a relay that hung up on an early dialer
 * would look like a refused handshake), and passes each direction's bytes through a tap.
 */
export async function relay(target: () => number, up: (d: Buffer) => Buffer, down: (d: Buffer) => Buffer = (d) => d): Promise<{ port: number; close: () => void }> {
  const server = net.createServer((client) => {
    client.pause();
    client.on('error', () => {});
    const connect = (tries: number) => {
      const upstream = net.connect(target(), '127.0.0.1');
      upstream.once('error', () => (tries > 0 ? setTimeout(() => connect(tries - 1), 50) : client.destroy()));
      upstream.once('connect', () => {
        upstream.removeAllListeners('error');
        upstream.on('error', () => client.destroy());
        client.on('error', () => upstream.destroy());
        client.on('data', (d: Buffer) => upstream.write(up(d)));
        upstream.on('data', (d: Buffer) => client.write(down(d)));
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
        client.resume();
      });
    };
    connect(400);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as net.AddressInfo).port, close: () => server.close() };
}
