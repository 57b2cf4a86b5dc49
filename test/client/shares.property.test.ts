// Properties of the share files qs uploads: sharing then reconstructing is the identity for random
// tables (3 and 4 parties), and a share column carries no information: for a constant secret its
// values are uniform (checked on the top two bits: four buckets of ~25%).
import { describe, expect, it } from 'vitest';
import { randomInt } from 'node:crypto';
import { reconstructTable, shareHeader, shareTable, parseShareCsv } from '../../domain/shares.js';

const EDGES = [0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 1000, -2500];
const randomValue = () => (Math.random() < 0.2 ? EDGES[randomInt(EDGES.length)] : randomInt(-(2 ** 31), 2 ** 31 - 1));

describe.each([3, 4])('with %i parties', (parties) => {
  it('reconstructTable(shareTable(table)) is the table, for 200 random tables', () => {
    for (let trial = 0; trial < 200; trial++) {
      const cols = Array.from({ length: 1 + randomInt(4) }, (_, i) => `c${i}`);
      const rows = Array.from({ length: randomInt(12) }, () => cols.map(randomValue));
      const files = shareTable(cols, rows, parties);
      expect(files).toHaveLength(parties);
      for (const f of files) expect(parseShareCsv(f).header).toEqual(shareHeader(cols, parties));
      expect(reconstructTable(cols, files)).toEqual(rows);
    }
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
