// Properties of the sharing, with the real crypto random source: sharing then reconstructing is the
// identity on random tables, every share column of a constant secret is uniform, and any set of fewer
// than n global shares (in particular every party's own view of k shares) shows no structure.
//
// The tables come from fast-check (fc.assert): a failing table is shrunk to a smallest one that still
// fails, and the message names the seed and path that replay it (fc.assert(…, { seed, path })).
//
// Uniformity is a chi-square test over 16 buckets (15 degrees of freedom) of the top and of the low four
// bits. The threshold 64 is the 1 - 1e-7 quantile, so the few hundred checks here fail by chance about
// once in 30,000 runs, while a leak (a constant, a bias, a value-dependent share) scores in the thousands.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseShareCsv, reconstructResult, reconstructTable, shareHeader, shareTable } from '../../domain/shares.js';

const CHI2_LIMIT = 64;
const SAMPLES = 4000;

const EDGES = [0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 1000, -2500];
/** A signed 32-bit value, the edges one time in five (the shares stay crypto-random whatever the table). */
const int32 = fc.oneof({ arbitrary: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), weight: 4 }, { arbitrary: fc.constantFrom(...EDGES), weight: 1 });
/** 1 to 4 columns c0…, 0 to 11 rows. */
const table = fc.integer({ min: 1, max: 4 }).chain((width) =>
  fc.record({ cols: fc.constant(Array.from({ length: width }, (_, i) => `c${i}`)), rows: fc.array(fc.array(int32, { minLength: width, maxLength: width }), { maxLength: 11 }) }),
);

function chiSquare(words: number[], bucketOf: (u: number) => number): number {
  const counts = new Array<number>(16).fill(0);
  for (const w of words) counts[bucketOf(w >>> 0)]++;
  const expected = words.length / 16;
  return counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
}
const HIGH = (u: number) => u >>> 28;
const LOW = (u: number) => u & 15;

function expectUniform(words: number[], what: string): void {
  for (const [bits, f] of [['top', HIGH], ['low', LOW]] as const) {
    const chi2 = chiSquare(words, f);
    expect(chi2, `${what}: chi-square of the ${bits} 4 bits is ${chi2.toFixed(1)}`).toBeLessThan(CHI2_LIMIT);
  }
}

/** The n global additive and XOR shares of each row of a one-column table, read from the files. */
function globalShares(files: string[]): { add: number[][]; xor: number[][] } {
  const n = files.length;
  const k = n - 1;
  // Party g's local column 0 is global share g.
  const parsed = files.map(parseShareCsv);
  return {
    add: parsed[0].rows.map((_, r) => parsed.map((p) => p.rows[r][0] >>> 0)),
    xor: parsed[0].rows.map((_, r) => parsed.map((p) => p.rows[r][k] >>> 0)),
  };
}

/** Every non-empty proper subset of {0 … n-1}. */
const properSubsets = (n: number) =>
  Array.from({ length: 2 ** n - 2 }, (_, m) => Array.from({ length: n }, (_, i) => i).filter((i) => ((m + 1) >> i) & 1));

describe('the chi-square check itself', () => {
  it('when the words are constant or value-dependent, then it scores far above the limit', () => {
    expect(chiSquare(Array(SAMPLES).fill(7), LOW)).toBeGreaterThan(CHI2_LIMIT * 10);
    expect(chiSquare(Array.from({ length: SAMPLES }, (_, i) => i & 0x7fffffff), HIGH)).toBeGreaterThan(CHI2_LIMIT * 10);
  });
});

describe.each([3, 4])('with %i parties', (parties) => {
  it('when 200 random tables are shared, then reconstructTable gives each table back and every file has the share header', () => {
    fc.assert(
      fc.property(table, ({ cols, rows }) => {
        const files = shareTable(cols, rows, parties);
        expect(files).toHaveLength(parties);
        for (const f of files) expect(parseShareCsv(f).header).toEqual(shareHeader(cols, parties));
        expect(reconstructTable(cols, files)).toEqual(rows);
      }),
      { numRuns: 200 },
    );
  });

  it('when the additive blocks of random one-row tables are read as result files, then reconstructResult gives the row back', () => {
    fc.assert(
      fc.property(fc.tuple(int32, int32), (row) => {
        const files = shareTable(['a', 'b'], [row], parties).map((f) => {
          const lines = f.trimEnd().split('\n').map((l) => l.split(','));
          const keep = lines[0].map((h, i) => (h.startsWith('[') ? -1 : i)).filter((i) => i >= 0);
          return lines.map((l) => keep.map((i) => l[i]).join(',')).join('\n') + '\n';
        });
        expect(reconstructResult(files, parties)).toEqual({ columns: ['a', 'b'], rows: [row] });
      }),
      { numRuns: 100 },
    );
  });

  it.each([0, -1, -(2 ** 31), 123_456])('when the secret %i is shared many times, then every local share column of every party is uniform', (secret) => {
    const files = shareTable(['v'], Array.from({ length: SAMPLES }, () => [secret]), parties).map(parseShareCsv);
    for (const [i, f] of files.entries()) {
      for (const [c, name] of f.header.entries()) expectUniform(f.rows.map((r) => r[c]), `party ${i} column ${name}`);
    }
  });

  it.each([0, 2 ** 31 - 1])('when the secret %i is shared, then sums, XORs and their mix over any fewer than n global shares are uniform', (secret) => {
    const { add, xor } = globalShares(shareTable(['v'], Array.from({ length: SAMPLES }, () => [secret]), parties));
    for (const subset of properSubsets(parties)) {
      const sums = add.map((g) => subset.reduce((s, i) => (s + g[i]) >>> 0, 0));
      const xors = xor.map((g) => subset.reduce((s, i) => (s ^ g[i]) >>> 0, 0));
      expectUniform(sums, `sum of additive shares {${subset}}`);
      expectUniform(xors, `XOR of XOR shares {${subset}}`);
      // A party holds both sharings of the same value: their combination must not cancel the secret out.
      expectUniform(sums.map((s, r) => (s - xors[r]) >>> 0), `additive sum minus XOR over {${subset}}`);
    }
    // All n together do give the secret: the statistics above would see it.
    const all = Array.from({ length: parties }, (_, i) => i);
    expect(new Set(add.map((g) => all.reduce((s, i) => (s + g[i]) >>> 0, 0) | 0))).toEqual(new Set([secret]));
    expect(new Set(xor.map((g) => all.reduce((s, i) => (s ^ g[i]) >>> 0, 0) | 0))).toEqual(new Set([secret]));
  });
});
