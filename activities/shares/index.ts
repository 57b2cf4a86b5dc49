// Share files: the contract between data owners, the parties and the analyst. One small module used
// by the CLI, the submit validation and the tests.
//
// n parties (3 semi, 4 mal), k = n - 1. For each schema column c, in schema order, party i's file has
// c_0 … c_{k-1} (additive shares: the n global shares sum to the value mod 2^32) then [c]_0 … [c]_{k-1}
// (XOR shares), where local column j holds global share (i + j) mod n. Every value is a signed 32-bit
// integer in decimal; a header row; LF line ends.
import { webcrypto } from 'node:crypto';

export type Rng = (n: number) => Uint32Array;

const cryptoRng: Rng = (n) => {
  const out = new Uint32Array(n);
  // getRandomValues fills at most 65,536 bytes per call.
  for (let off = 0; off < n; off += 16_384) webcrypto.getRandomValues(out.subarray(off, Math.min(n, off + 16_384)));
  return out;
};

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
export const toInt32 = (u: number) => u | 0;
export const toUint32 = (v: number) => v >>> 0;

/** The header of any party's share file (the same for every party). */
export function shareHeader(columns: string[], parties: number): string[] {
  const k = parties - 1;
  return columns.flatMap((c) => [...Array.from({ length: k }, (_, j) => `${c}_${j}`), ...Array.from({ length: k }, (_, j) => `[${c}]_${j}`)]);
}

export function isInt32(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= INT32_MIN && v <= INT32_MAX;
}

/** Secret-shares a table: returns one CSV text per party. */
export function shareTable(columns: string[], rows: number[][], parties: number, rng: Rng = cryptoRng): string[] {
  if (parties !== 3 && parties !== 4) throw new Error(`parties must be 3 or 4, got ${parties}`);
  const n = parties;
  const k = n - 1;
  const header = shareHeader(columns, n).join(',');
  const lines: string[][] = Array.from({ length: n }, () => [header]);
  rows.forEach((row, r) => {
    if (row.length !== columns.length) throw new Error(`row ${r + 1} has ${row.length} values, expected ${columns.length}`);
    const fields: string[][] = Array.from({ length: n }, () => []);
    row.forEach((value, c) => {
      if (!isInt32(value)) throw new Error(`row ${r + 1}, column ${columns[c]}: ${value} is not a 32-bit integer`);
      const rand = rng(2 * (n - 1));
      const add = new Array<number>(n);
      const xor = new Array<number>(n);
      let sum = 0;
      let x = 0;
      for (let s = 0; s < n - 1; s++) {
        add[s] = rand[s] >>> 0;
        xor[s] = rand[n - 1 + s] >>> 0;
        sum = (sum + add[s]) >>> 0;
        x = (x ^ xor[s]) >>> 0;
      }
      add[n - 1] = (toUint32(value) - sum) >>> 0;
      xor[n - 1] = (toUint32(value) ^ x) >>> 0;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < k; j++) fields[i].push(String(toInt32(add[(i + j) % n])));
        for (let j = 0; j < k; j++) fields[i].push(String(toInt32(xor[(i + j) % n])));
      }
    });
    for (let i = 0; i < n; i++) lines[i].push(fields[i].join(','));
  });
  return lines.map((l) => `${l.join('\n')}\n`);
}

export interface Csv {
  header: string[];
  rows: number[][];
}

/** Parses a share or result file; every value must be a 32-bit integer. */
export function parseShareCsv(text: string): Csv {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, '')).filter((l) => l !== '');
  if (lines.length === 0) throw new Error('empty file: no header');
  const header = lines[0].split(',');
  const rows = lines.slice(1).map((line, i) => {
    const cells = line.split(',');
    if (cells.length !== header.length) throw new Error(`line ${i + 2}: ${cells.length} values, header has ${header.length}`);
    return cells.map((cell, c) => {
      const v = Number(cell);
      if (!/^-?\d+$/.test(cell) || !isInt32(v)) throw new Error(`line ${i + 2}, column ${header[c]}: ${JSON.stringify(cell)} is not a 32-bit integer`);
      return v;
    });
  });
  return { header, rows };
}

/** Output names of a result file: `name_0` additive, `[name]_0` XOR. */
function resultNames(header: string[]): { name: string; col: number; xor: boolean }[] {
  return header
    .map((h, col) => ({ h, col }))
    .filter(({ h }) => h.endsWith('_0'))
    .map(({ h, col }) => {
      const base = h.slice(0, -2);
      const xor = base.startsWith('[') && base.endsWith(']');
      return { name: xor ? base.slice(1, -1) : base, col, xor };
    });
}

/** The analyst's side: party i's `name_0` column is global share i; the n of them add up mod 2^32
 *  (XOR for `[name]_0`). Returns one row per result row. */
export function reconstructResult(partyCsvs: string[]): { columns: string[]; rows: number[][] } {
  const parsed = partyCsvs.map(parseShareCsv);
  const outs = resultNames(parsed[0].header).filter((o, i, all) => all.findIndex((x) => x.name === o.name) === i);
  const rowCount = parsed[0].rows.length;
  for (const p of parsed) if (p.rows.length !== rowCount) throw new Error('result files disagree on the number of rows');
  const rows = Array.from({ length: rowCount }, (_, r) =>
    outs.map((o) => {
      let acc = 0;
      for (const p of parsed) {
        const col = p.header.indexOf(o.xor ? `[${o.name}]_0` : `${o.name}_0`);
        if (col < 0) throw new Error(`a result file has no column ${o.name}_0`);
        acc = o.xor ? (acc ^ toUint32(p.rows[r][col])) >>> 0 : (acc + toUint32(p.rows[r][col])) >>> 0;
      }
      return toInt32(acc);
    }),
  );
  return { columns: outs.map((o) => o.name), rows };
}

/** For tests: rebuilds the original table from all parties' input share files, checking that the
 *  additive and XOR sharings and every replicated copy agree. */
export function reconstructTable(columns: string[], partyCsvs: string[]): number[][] {
  const n = partyCsvs.length;
  const k = n - 1;
  const parsed = partyCsvs.map(parseShareCsv);
  const rows = parsed[0].rows.length;
  return Array.from({ length: rows }, (_, r) =>
    columns.map((_, c) => {
      const add = new Array<number | undefined>(n);
      const xor = new Array<number | undefined>(n);
      parsed.forEach((p, i) => {
        for (let j = 0; j < k; j++) {
          const g = (i + j) % n;
          const a = toUint32(p.rows[r][c * 2 * k + j]);
          const x = toUint32(p.rows[r][c * 2 * k + k + j]);
          if (add[g] !== undefined && add[g] !== a) throw new Error(`replicated additive share ${g} disagrees at row ${r + 1}`);
          if (xor[g] !== undefined && xor[g] !== x) throw new Error(`replicated XOR share ${g} disagrees at row ${r + 1}`);
          add[g] = a;
          xor[g] = x;
        }
      });
      const sum = add.reduce<number>((s, v) => (s + (v ?? 0)) >>> 0, 0);
      const x = xor.reduce<number>((s, v) => (s ^ (v ?? 0)) >>> 0, 0);
      if (sum !== x) throw new Error(`additive and XOR sharings disagree at row ${r + 1}`);
      return toInt32(sum);
    }),
  );
}
