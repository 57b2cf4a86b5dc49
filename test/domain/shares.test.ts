// The share-file contract: the exact layout (who holds which global share), the validation of what
// gets shared, and the analyst's reconstruction of result files.
import { describe, expect, it } from 'vitest';
import { parseShareCsv, reconstructResult, reconstructTable, shareHeader, shareTable, type Rng } from '../../domain/shares.js';

/** A random source that hands out 1, 2, 3, … so every share is predictable. */
function countingRng(): Rng {
  let next = 1;
  return (n) => Uint32Array.from({ length: n }, () => next++);
}

/** Keeps only the columns a result file would have: the additive and/or XOR block of each name. */
function asResult(file: string, keep: (header: string) => boolean): string {
  const { header, rows } = parseShareCsv(file);
  const cols = header.map((h, i) => (keep(h) ? i : -1)).filter((i) => i >= 0);
  return [cols.map((i) => header[i]), ...rows.map((r) => cols.map((i) => r[i]))].map((l) => l.join(',')).join('\n') + '\n';
}

describe('shareHeader', () => {
  it('when 3 parties share two columns, then each column has 2 additive then 2 XOR columns', () => {
    expect(shareHeader(['age', 'salary'], 3)).toEqual(['age_0', 'age_1', '[age]_0', '[age]_1', 'salary_0', 'salary_1', '[salary]_0', '[salary]_1']);
  });

  it('when 4 parties share a column, then it has 3 of each', () => {
    expect(shareHeader(['x'], 4)).toEqual(['x_0', 'x_1', 'x_2', '[x]_0', '[x]_1', '[x]_2']);
  });

  it('when the party count or a column name is invalid, then it throws', () => {
    expect(() => shareHeader(['x'], 2)).toThrow(/3 \(semi\) or 4 \(mal\)/);
    expect(() => shareHeader(['a,b'], 3)).toThrow(/letters, digits/);
    expect(() => shareHeader(['x', 'x'], 3)).toThrow(/twice/);
    expect(() => shareHeader([], 3)).toThrow(/at least one/);
  });
});

describe('shareTable', () => {
  it('when 3 parties share a value, then party i local column j holds global share (i + j) mod 3', () => {
    // rng gives additive globals 1, 2 and XOR globals 3, 4; the last globals complete the secret 10.
    const files = shareTable(['v'], [[10]], 3, countingRng());
    const g = { add: [1, 2, 10 - 3], xor: [3, 4, 10 ^ 3 ^ 4] };
    files.forEach((f, i) => {
      const { rows } = parseShareCsv(f);
      expect(rows[0]).toEqual([g.add[i], g.add[(i + 1) % 3], g.xor[i], g.xor[(i + 1) % 3]]);
    });
  });

  it('when 4 parties share a value, then each party misses exactly global share (i - 1) mod 4', () => {
    const files = shareTable(['v'], [[-5]], 4, countingRng());
    const add = [1, 2, 3, (-5 - 6) | 0];
    files.forEach((f, i) => {
      const local = parseShareCsv(f).rows[0].slice(0, 3);
      expect(local).toEqual([add[i], add[(i + 1) % 4], add[(i + 2) % 4]]);
      expect(local).not.toContain(add[(i + 3) % 4]);
    });
  });

  it('when shares wrap past 2^31, then they are written as signed int32 decimals', () => {
    const files = shareTable(['v'], [[0]], 3, (n) => new Uint32Array(n).fill(0xffffffff));
    const [row] = parseShareCsv(files[0]).rows;
    expect(row).toEqual([-1, -1, -1, -1]);
    expect(parseShareCsv(files[2]).rows[0]).toEqual([2, -1, 0, -1]); // 0 - 2·(2^32 - 1) ≡ 2; -1 ^ -1 = 0
  });

  it('when a file is written, then it has LF line ends, a final LF, no spaces and canonical decimals', () => {
    for (const f of shareTable(['a', 'b'], [[1, -2], [2 ** 31 - 1, -(2 ** 31)]], 4)) {
      expect(f).not.toMatch(/[\r ]/);
      expect(f.endsWith('\n')).toBe(true);
      for (const line of f.trimEnd().split('\n').slice(1)) for (const cell of line.split(',')) expect(cell).toMatch(/^(0|-?[1-9]\d*)$/);
    }
  });

  it('when a table has no rows, then every party gets just the header', () => {
    expect(shareTable(['a'], [], 3)).toEqual(Array(3).fill('a_0,a_1,[a]_0,[a]_1\n'));
  });

  it.each([[2 ** 31], [-(2 ** 31) - 1], [1.5], [Number.NaN]])('when a value is %s, then it is refused as not a 32-bit integer', (v) => {
    expect(() => shareTable(['a'], [[v]], 3)).toThrow(/row 1, column a: .* not a 32-bit integer/);
  });

  it('when a row has the wrong width or the party count is not 3 or 4, then it throws', () => {
    expect(() => shareTable(['a', 'b'], [[1]], 3)).toThrow(/row 1 has 1 values, expected 2/);
    expect(() => shareTable(['a'], [[1]], 5)).toThrow(/3 \(semi\) or 4 \(mal\)/);
  });
});

describe('parseShareCsv', () => {
  it('when the file has CRLF line ends and blank lines, then it still parses', () => {
    expect(parseShareCsv('a_0,a_1\r\n1,-2\r\n\r\n3,4\r\n')).toEqual({ header: ['a_0', 'a_1'], rows: [[1, -2], [3, 4]] });
  });

  it('when a cell is not a 32-bit decimal or a row has the wrong width, then the error gives the line', () => {
    expect(() => parseShareCsv('a_0\n2147483648\n')).toThrow(/line 2, column a_0/);
    expect(() => parseShareCsv('a_0\n 1\n')).toThrow(/line 2/);
    expect(() => parseShareCsv('a_0\n0x10\n')).toThrow(/line 2/);
    expect(() => parseShareCsv('a_0,a_1\n1\n')).toThrow(/line 2: 1 values, the header has 2/);
    expect(() => parseShareCsv('\n\n')).toThrow(/no header/);
    expect(() => parseShareCsv('a_0,a_0\n')).toThrow(/twice/);
  });
});

describe('reconstructResult', () => {
  const values = [[2_000_000_000, -7, 0]];
  const names = ['total', 'n', 'z'];

  it.each([3, 4])('when %i parties hand in additive-only result files, then their name_0 columns add up to the values', (n) => {
    const files = shareTable(names, values, n).map((f) => asResult(f, (h) => !h.startsWith('[')));
    expect(reconstructResult(files, n)).toEqual({ columns: names, rows: values });
    expect(reconstructResult(files)).toEqual({ columns: names, rows: values });
  });

  it('when the result files carry only XOR shares, then [name]_0 columns XOR up to the values', () => {
    const files = shareTable(names, values, 3).map((f) => asResult(f, (h) => h.startsWith('[')));
    expect(reconstructResult(files, 3)).toEqual({ columns: names, rows: values });
  });

  it('when both blocks are present and agree, then the value is returned; when they disagree, then it throws', () => {
    const files = shareTable(['x'], [[42]], 3);
    expect(reconstructResult(files, 3).rows).toEqual([[42]]);
    const lines = files[0].split('\n');
    lines[1] = lines[1].replace(/^-?\d+/, (v) => String((Number(v) + 1) | 0));
    files[0] = lines.join('\n');
    expect(() => reconstructResult(files, 3)).toThrow(/additive and XOR shares reconstruct to different values/);
  });

  it('when the number of files, their headers or their row counts differ, then it throws', () => {
    const files = shareTable(['x'], [[1]], 3).map((f) => asResult(f, (h) => !h.startsWith('[')));
    expect(() => reconstructResult(files.slice(0, 2), 3)).toThrow(/expected 3 result files/);
    expect(() => reconstructResult([files[0], files[1], files[2].replace('x_', 'y_')], 3)).toThrow(/header differs/);
    expect(() => reconstructResult([files[0], files[1], 'x_0,x_1\n'], 3)).toThrow(/0 rows/);
    expect(() => reconstructResult(['weird\n1\n', 'weird\n1\n', 'weird\n1\n'])).toThrow(/not name_<j>/);
  });
});

describe('reconstructTable', () => {
  it('when one replicated copy was changed, then it says which share disagrees', () => {
    const files = shareTable(['a'], [[5]], 3);
    const cells = files[1].split('\n');
    cells[1] = cells[1].replace(/^-?\d+/, (v) => String((Number(v) + 1) | 0));
    files[1] = cells.join('\n');
    expect(() => reconstructTable(['a'], files)).toThrow(/row 1, column a: the copies of additive share 1 disagree/);
  });

  it('when a file has another header, then it throws', () => {
    const files = shareTable(['a'], [[5]], 3);
    expect(() => reconstructTable(['b'], files)).toThrow(/header/);
  });
});
