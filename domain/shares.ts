// Share files: the contract between data owners, the parties and the analyst. One small module used
// by the CLI (sharing and reconstructing), the submit validation (the header) and the tests.
//
// n parties (3 semi, 4 mal), k = n - 1. For each schema column c, in schema order, party i's file has
// c_0 … c_{k-1} (additive shares: the n global shares sum to the value mod 2^32) then [c]_0 … [c]_{k-1}
// (XOR shares: the n global shares XOR to the value), where local column j holds global share
// (i + j) mod n. So each party misses exactly one global share (replicated secret sharing), and any
// k parties' files together still miss nothing. Every value is a signed 32-bit integer in decimal (the
// two's complement reading of the uint32 share); a header row; LF line ends; no spaces.
//
// Result files (written by the engine) have the same layout with the query's output names, additive
// blocks only: o_0 … o_{k-1} per output in SELECT order, then _valid_0 … _valid_{k-1} (issue 17's contract);
// resultTable rebuilds them into the valid rows. reconstructResult also reads XOR blocks [name]_j (TVA).
//
// No Node built-ins: the web app's owner page bundles this very module (web/src) and shares in the
// browser. The random source is Web Crypto's getRandomValues (globalThis.crypto in browsers and in
// Node >= 19), or one passed in.

/** Returns n uniformly random 32-bit words. */
export type Rng = (n: number) => Uint32Array;

/** The part of Web Crypto the random source needs (window.crypto, Node's globalThis.crypto). */
export interface RandomSource {
  getRandomValues<T extends Uint32Array>(array: T): T;
}

/** getRandomValues fills at most 65,536 bytes per call. */
const RNG_CHUNK = 16_384;
/** A CSPRNG-backed Rng over a Web Crypto source (default: globalThis.crypto). */
export function cryptoRng(source: RandomSource | undefined = (globalThis as { crypto?: RandomSource }).crypto): Rng {
  if (!source || typeof source.getRandomValues !== 'function') throw new Error('no Web Crypto random source (crypto.getRandomValues) is available');
  const src = source;
  return (n) => {
    const out = new Uint32Array(n);
    for (let off = 0; off < n; off += RNG_CHUNK) src.getRandomValues(out.subarray(off, Math.min(n, off + RNG_CHUNK)));
    return out;
  };
}

export const INT32_MIN = -(2 ** 31);
export const INT32_MAX = 2 ** 31 - 1;
/** The signed reading of a 32-bit word (what the files hold). */
export const toInt32 = (u: number): number => u | 0;
/** The unsigned 32-bit word of a signed value (what the arithmetic uses). */
export const toUint32 = (v: number): number => v >>> 0;

/** Column and output names appear bare in CSV headers, so they must be plain names. */
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function isInt32(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= INT32_MIN && v <= INT32_MAX;
}

function checkParties(parties: number): void {
  if (parties !== 3 && parties !== 4) throw new Error(`parties must be 3 (semi) or 4 (mal), got ${parties}`);
}

function checkColumns(columns: string[]): void {
  if (columns.length === 0) throw new Error('a share file needs at least one column');
  for (const c of columns) if (!NAME.test(c)) throw new Error(`column name ${JSON.stringify(c)} must be letters, digits and _ (not starting with a digit)`);
  const dup = columns.find((c, i) => columns.indexOf(c) !== i);
  if (dup !== undefined) throw new Error(`column ${JSON.stringify(dup)} appears twice`);
}

/** The header of any party's share file (the same for every party). */
export function shareHeader(columns: string[], parties: number): string[] {
  checkParties(parties);
  checkColumns(columns);
  const k = parties - 1;
  const local = Array.from({ length: k }, (_, j) => j);
  return columns.flatMap((c) => [...local.map((j) => `${c}_${j}`), ...local.map((j) => `[${c}]_${j}`)]);
}

/** Secret-shares a table (rows of int32 values in `columns` order): returns one CSV text per party. */
export function shareTable(columns: string[], rows: number[][], parties: number, rng: Rng = cryptoRng()): string[] {
  const header = shareHeader(columns, parties).join(',');
  const n = parties;
  const k = n - 1;
  const lines: string[][] = Array.from({ length: n }, () => [header]);
  const add = new Array<number>(n);
  const xor = new Array<number>(n);
  rows.forEach((row, r) => {
    if (row.length !== columns.length) throw new Error(`row ${r + 1} has ${row.length} values, expected ${columns.length}`);
    // k random additive and k random XOR words per value; the last global share completes the secret.
    const rand = rng(row.length * 2 * k);
    if (rand.length < row.length * 2 * k) throw new Error(`the random source returned ${rand.length} words, ${row.length * 2 * k} were asked`);
    const fields: string[][] = Array.from({ length: n }, () => []);
    row.forEach((value, c) => {
      if (!isInt32(value)) throw new Error(`row ${r + 1}, column ${columns[c]}: ${value} is not a 32-bit integer`);
      let sum = 0;
      let x = 0;
      for (let s = 0; s < k; s++) {
        add[s] = rand[c * 2 * k + s] >>> 0;
        xor[s] = rand[c * 2 * k + k + s] >>> 0;
        sum = (sum + add[s]) >>> 0;
        x = (x ^ xor[s]) >>> 0;
      }
      add[k] = (toUint32(value) - sum) >>> 0;
      xor[k] = (toUint32(value) ^ x) >>> 0;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < k; j++) fields[i].push(String(toInt32(add[(i + j) % n])));
        for (let j = 0; j < k; j++) fields[i].push(String(toInt32(xor[(i + j) % n])));
      }
    });
    for (let i = 0; i < n; i++) lines[i].push(fields[i].join(','));
  });
  return lines.map((l) => `${l.join('\n')}\n`);
}

export interface ShareCsv {
  header: string[];
  rows: number[][];
}

const DECIMAL = /^-?\d+$/;

/** Parses a share or result file; every value must be a 32-bit integer in decimal. CRLF and blank
 *  lines are tolerated (the engine tolerates them too). */
export function parseShareCsv(text: string): ShareCsv {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  const headerLine = lines.findIndex((l) => l !== '');
  if (headerLine < 0) throw new Error('empty file: no header');
  const header = lines[headerLine].split(',');
  const dup = header.find((h, i) => h === '' || header.indexOf(h) !== i);
  if (dup !== undefined) throw new Error(dup === '' ? 'the header has an empty column name' : `the header names ${JSON.stringify(dup)} twice`);
  const rows: number[][] = [];
  for (let i = headerLine + 1; i < lines.length; i++) {
    if (lines[i] === '') continue;
    const cells = lines[i].split(',');
    if (cells.length !== header.length) throw new Error(`line ${i + 1}: ${cells.length} values, the header has ${header.length}`);
    rows.push(
      cells.map((cell, c) => {
        const v = Number(cell);
        if (!DECIMAL.test(cell) || !isInt32(v)) throw new Error(`line ${i + 1}, column ${header[c]}: ${JSON.stringify(cell.slice(0, 40))} is not a 32-bit integer`);
        return v;
      }),
    );
  }
  return { header, rows };
}

export interface Table {
  columns: string[];
  rows: number[][];
}

/** The outputs of a result header, in order: `name` with where its additive `name_0` and XOR `[name]_0`
 *  columns are (either may be absent, not both). */
function resultOutputs(header: string[]): { name: string; add: number; xor: number }[] {
  const outs: { name: string; add: number; xor: number }[] = [];
  for (const h of header) {
    const m = /^(\[?)([A-Za-z_][A-Za-z0-9_]*)\]?_(\d+)$/.exec(h);
    if (!m || (m[1] === '[') !== h.includes(']')) throw new Error(`result column ${JSON.stringify(h)} is not name_<j> or [name]_<j>`);
    if (!outs.some((o) => o.name === m[2])) outs.push({ name: m[2], add: header.indexOf(`${m[2]}_0`), xor: header.indexOf(`[${m[2]}]_0`) });
  }
  for (const o of outs) if (o.add < 0 && o.xor < 0) throw new Error(`result output ${o.name} has no ${o.name}_0 or [${o.name}]_0 column`);
  return outs;
}

/** The analyst's side: party i's `name_0` column is global share i, and the n of them add up mod 2^32
 *  to the value (read as int32); `[name]_0` columns XOR up instead. When a file has both, they must
 *  agree. `partyCsvs` is in party order; `parties` (default: the number of files) checks the count. */
export function reconstructResult(partyCsvs: string[], parties: number = partyCsvs.length): Table {
  checkParties(parties);
  if (partyCsvs.length !== parties) throw new Error(`expected ${parties} result files (one per party), got ${partyCsvs.length}`);
  const parsed = partyCsvs.map((text, i) => {
    try {
      return parseShareCsv(text);
    } catch (err) {
      throw new Error(`party ${i}'s result: ${(err as Error).message}`);
    }
  });
  const header = parsed[0].header.join(',');
  parsed.forEach((p, i) => {
    if (p.header.join(',') !== header) throw new Error(`party ${i}'s result header differs from party 0's`);
    if (p.rows.length !== parsed[0].rows.length) throw new Error(`party ${i}'s result has ${p.rows.length} rows, party 0's has ${parsed[0].rows.length}`);
  });
  const outs = resultOutputs(parsed[0].header);
  const rows = parsed[0].rows.map((_, r) =>
    outs.map((o) => {
      let sum = 0;
      let x = 0;
      for (const p of parsed) {
        if (o.add >= 0) sum = (sum + toUint32(p.rows[r][o.add])) >>> 0;
        if (o.xor >= 0) x = (x ^ toUint32(p.rows[r][o.xor])) >>> 0;
      }
      if (o.add >= 0 && o.xor >= 0 && sum !== x) throw new Error(`row ${r + 1}, output ${o.name}: the additive and XOR shares reconstruct to different values`);
      return toInt32(o.add >= 0 ? sum : x);
    }),
  );
  return { columns: outs.map((o) => o.name), rows };
}

/** For tests and checks: rebuilds the original table from all parties' input share files (in party
 *  order), checking the headers, that every replicated copy of a share agrees, and that the additive
 *  and XOR sharings give the same value. */
export function reconstructTable(columns: string[], partyCsvs: string[]): number[][] {
  const n = partyCsvs.length;
  const k = n - 1;
  const expected = shareHeader(columns, n).join(',');
  const parsed = partyCsvs.map(parseShareCsv);
  parsed.forEach((p, i) => {
    if (p.header.join(',') !== expected) throw new Error(`party ${i}'s header is not the share header for these columns`);
    if (p.rows.length !== parsed[0].rows.length) throw new Error(`party ${i} has ${p.rows.length} rows, party 0 has ${parsed[0].rows.length}`);
  });
  const add = new Array<number | undefined>(n);
  const xor = new Array<number | undefined>(n);
  return parsed[0].rows.map((_, r) =>
    columns.map((column, c) => {
      add.fill(undefined);
      xor.fill(undefined);
      parsed.forEach((p, i) => {
        for (let j = 0; j < k; j++) {
          const g = (i + j) % n;
          const a = toUint32(p.rows[r][c * 2 * k + j]);
          const x = toUint32(p.rows[r][c * 2 * k + k + j]);
          if (add[g] !== undefined && add[g] !== a) throw new Error(`row ${r + 1}, column ${column}: the copies of additive share ${g} disagree`);
          if (xor[g] !== undefined && xor[g] !== x) throw new Error(`row ${r + 1}, column ${column}: the copies of XOR share ${g} disagree`);
          add[g] = a;
          xor[g] = x;
        }
      });
      const sum = add.reduce<number>((s, v) => (s + (v ?? 0)) >>> 0, 0);
      const x = xor.reduce<number>((s, v) => (s ^ (v ?? 0)) >>> 0, 0);
      if (sum !== x) throw new Error(`row ${r + 1}, column ${column}: the additive and XOR sharings disagree`);
      return toInt32(sum);
    }),
  );
}

/** The reserved validity column of result files (domain/sql's VALID_COLUMN). */
export const VALID = '_valid';

export interface ResultTable extends Table {
  /** every output row the parties wrote (padding included), with `_valid` last: evaluatePlan's table */
  padded: Table;
}

/**
 * The result of a query as the analyst reads it (issue 17's result file contract): party i's file has, for
 * every output `o` in SELECT order, `o_0 … o_{k-1}`, then `_valid_0 … _valid_{k-1}`; local column j holds
 * global share (i + j) mod n. Each cell is rebuilt by adding its n global shares mod 2^32 (signed reading),
 * after checking that every replicated copy of a global share agrees across the parties' files; the result
 * is the rows whose `_valid` is 1, in file order (ORDER BY order when the query has one). A `_valid` other
 * than 0 or 1 is an error. Files of the earlier SUM/COUNT engine (one row, no `_valid`) read as one valid row.
 */
export function resultTable(partyCsvs: string[], parties: number = partyCsvs.length): ResultTable {
  checkParties(parties);
  if (partyCsvs.length !== parties) throw new Error(`expected ${parties} result files (one per party), got ${partyCsvs.length}`);
  const n = parties;
  const k = n - 1;
  const parsed = partyCsvs.map((text, i) => {
    try {
      return parseShareCsv(text);
    } catch (err) {
      throw new Error(`party ${i}'s result: ${(err as Error).message}`);
    }
  });
  const header = parsed[0].header;
  parsed.forEach((p, i) => {
    if (p.header.join(',') !== header.join(',')) throw new Error(`party ${i}'s result header differs from party 0's`);
    if (p.rows.length !== parsed[0].rows.length) throw new Error(`party ${i}'s result has ${p.rows.length} rows, party 0's has ${parsed[0].rows.length}`);
  });
  if (header.length % k !== 0) throw new Error(`the result header has ${header.length} columns, not a multiple of k = ${k}`);
  const names: string[] = [];
  for (let c = 0; c < header.length; c += k) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)_0$/.exec(header[c]);
    if (!m) throw new Error(`result column ${JSON.stringify(header[c])} should be <name>_0`);
    for (let j = 1; j < k; j++) if (header[c + j] !== `${m[1]}_${j}`) throw new Error(`result column ${JSON.stringify(header[c + j])} should be ${m[1]}_${j}`);
    if (names.includes(m[1])) throw new Error(`the result header names output ${m[1]} twice`);
    names.push(m[1]);
  }
  const validAt = names.indexOf(VALID);
  if (validAt >= 0 && validAt !== names.length - 1) throw new Error(`${VALID} must be the last output of a result file`);
  if (validAt === 0) throw new Error('the result file has no output besides _valid');
  const share = new Array<number | undefined>(n);
  const padded = parsed[0].rows.map((_, r) =>
    names.map((name, o) => {
      share.fill(undefined);
      parsed.forEach((p, i) => {
        for (let j = 0; j < k; j++) {
          const g = (i + j) % n;
          const v = toUint32(p.rows[r][o * k + j]);
          if (share[g] !== undefined && share[g] !== v) throw new Error(`row ${r + 1}, output ${name}: the parties' copies of global share ${g} disagree`);
          share[g] = v;
        }
      });
      return toInt32(share.reduce<number>((s, v) => (s + (v ?? 0)) >>> 0, 0));
    }),
  );
  if (validAt < 0) return { columns: names, rows: padded, padded: { columns: [...names, VALID], rows: padded.map((row) => [...row, 1]) } };
  const outputs = names.slice(0, -1);
  padded.forEach((row, r) => {
    if (row[validAt] !== 0 && row[validAt] !== 1) throw new Error(`row ${r + 1}: ${VALID} rebuilds to ${row[validAt]}, not 0 or 1 (a corrupted result file)`);
  });
  return { columns: outputs, rows: padded.filter((row) => row[validAt] === 1).map((row) => row.slice(0, validAt)), padded: { columns: names, rows: padded } };
}
