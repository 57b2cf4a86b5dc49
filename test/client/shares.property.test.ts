// Properties of what qs uploads, with fast-check (a failing case is shrunk, and the message names the seed
// and path that replay it): any int32 table, written in any dialect a spreadsheet saves (`,` or `;`,
// quoted cells or not, a BOM, CRLF, spaces around cells, blank lines), is read back by readDataCsv as
// the same rows, and shareTable's files reconstruct it (3 and 4 parties). A share column carries no
// information: for a constant secret its values are uniform (the top two bits: four buckets of ~25%).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readDataCsv } from '../../client/csv.js';
import { reconstructTable, shareTable, parseShareCsv } from '../../domain/shares.js';

const EDGES = [0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 1000, -2500];
const int32 = fc.oneof({ arbitrary: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), weight: 4 }, { arbitrary: fc.constantFrom(...EDGES), weight: 1 });
const table = fc.integer({ min: 1, max: 4 }).chain((width) =>
  fc.record({ cols: fc.constant(Array.from({ length: width }, (_, i) => `c${i}`)), rows: fc.array(fc.array(int32, { minLength: width, maxLength: width }), { minLength: 1, maxLength: 11 }) }),
);
const dialect = fc.record({
  delimiter: fc.constantFrom(',', ';'),
  quote: fc.boolean(),
  bom: fc.boolean(),
  eol: fc.constantFrom('\n', '\r\n'),
  pad: fc.constantFrom('', ' '),
  blankLineAfter: fc.option(fc.nat({ max: 11 }), { nil: undefined }),
});

type Dialect = { delimiter: string; quote: boolean; bom: boolean; eol: string; pad: string; blankLineAfter?: number };

function write({ cols, rows }: { cols: string[]; rows: number[][] }, d: Dialect): string {
  const cell = (v: string | number) => `${d.pad}${d.quote ? `"${v}"` : v}${d.pad}`;
  const lines = [cols, ...rows].map((r) => r.map(cell).join(d.delimiter));
  if (d.blankLineAfter !== undefined) lines.splice(1 + Math.min(d.blankLineAfter, rows.length), 0, '');
  return `${d.bom ? '\uFEFF' : ''}${lines.join(d.eol)}${d.eol}`;
}

describe.each([3, 4])('with %i parties', (parties) => {
  it('a table written in any spreadsheet dialect is read back as its rows, and its share files reconstruct it', () => {
    fc.assert(
      fc.property(table, dialect, (t, d) => {
        const rows = readDataCsv(write(t, d), t.cols);
        expect(rows).toEqual(t.rows);
        expect(reconstructTable(t.cols, shareTable(t.cols, rows, parties))).toEqual(t.rows);
      }),
      { numRuns: 150 },
    );
  });

  it('each share column of a constant secret is ~uniform (top-2-bit buckets within 25% ± 6%)', () => {
    const N = 2000;
    const rows = Array.from({ length: N }, () => [2000]);
    const files = shareTable(['v'], rows, parties).map(parseShareCsv);
    const k = parties - 1;
    // Party 0's first additive column (v_0) and first XOR column ([v]_0); the same holds for all.
    for (const col of [0, k]) {
      const buckets = [0, 0, 0, 0];
      for (const r of files[0].rows) buckets[r[col] >>> 30]++;
      for (const b of buckets) expect(Math.abs(b / N - 0.25), `${files[0].header[col]} buckets ${buckets}`).toBeLessThanOrEqual(0.06);
    }
    // And the last party's share (the one computed from the secret) is just as uniform.
    const last = files[parties - 1];
    const buckets = [0, 0, 0, 0];
    for (const r of last.rows) buckets[r[0] >>> 30]++;
    for (const b of buckets) expect(Math.abs(b / N - 0.25)).toBeLessThanOrEqual(0.06);
  });
});
