// Checks a data owner's plaintext CSV before anything leaves the machine: the server only ever sees
// shares, so this is the last place a wrong column order or a non-integer can be caught with a line
// number the owner understands. Reading the file (quotes, the delimiter, a BOM) is the caller's: the CLI
// uses csv-parse (client/csv.ts) and hands the cells here; checkDataCsv is the browser's plain reader,
// kept package-free so the web bundle stays small.
import { isInt32 } from './shares.js';

export class CsvCheckError extends Error {
  constructor(
    readonly problems: string[],
    file = 'the CSV',
  ) {
    super(`${file}: ${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : ''}`);
    this.name = 'CsvCheckError';
  }
}

/** One non-empty record of the file: its (1-based) line and its cells as read. */
export interface CsvRecord {
  line: number;
  cells: string[];
}

const MAX_PROBLEMS = 20;

/** Returns the rows as numbers, in file order; throws CsvCheckError listing up to 20 problems, each
 *  naming its line and column. The first record is the header, which must equal the job's columns in
 *  order; values are plain decimal integers in the signed 32-bit range (surrounding spaces ignored). */
export function checkDataRecords(records: CsvRecord[], columns: string[], file?: string): number[][] {
  if (records.length === 0) throw new CsvCheckError([`empty file: expected the header ${columns.join(',')}`], file);
  const [head, ...body] = records;
  const header = head.cells.map((h) => h.trim());
  if (header.join(',') !== columns.join(',')) {
    const hint = [...header].sort().join(',') === [...columns].sort().join(',') ? ' (same columns, different order: reorder them)' : '';
    throw new CsvCheckError([`line ${head.line}: header is ${header.join(',')}, the job's schema needs ${columns.join(',')} in this order${hint}`], file);
  }
  if (body.length === 0) throw new CsvCheckError([`no data rows after the header (line ${head.line})`], file);
  const problems: string[] = [];
  const rows: number[][] = [];
  for (const rec of body) {
    const cells = rec.cells.map((c) => c.trim());
    if (cells.length !== columns.length) {
      problems.push(`line ${rec.line}: ${cells.length} value${cells.length === 1 ? '' : 's'}, expected ${columns.length} (${columns.join(',')})`);
    } else {
      const row: number[] = [];
      cells.forEach((cell, c) => {
        const v = Number(cell);
        if (!/^-?\d+$/.test(cell)) problems.push(`line ${rec.line}, column ${columns[c]}: ${JSON.stringify(cell)} is not an integer`);
        else if (!isInt32(v)) problems.push(`line ${rec.line}, column ${columns[c]}: ${cell} is outside the 32-bit range -2147483648..2147483647`);
        else row.push(v === 0 ? 0 : v); // -0 → 0
      });
      rows.push(row);
    }
    if (problems.length >= MAX_PROBLEMS) break;
  }
  if (problems.length) throw new CsvCheckError(problems, file);
  return rows;
}

/** The plain reader: one record per non-blank line, cells split on commas (no quoting); CRLF and a
 *  UTF-8 BOM are accepted (spreadsheets write both). */
export function checkDataCsv(text: string, columns: string[], file?: string): number[][] {
  const records = text
    .replace(/^\uFEFF/, '')
    .split('\n')
    .map((l, i) => ({ line: i + 1, text: l.replace(/\r$/, '') }))
    .filter((l) => l.text.trim() !== '')
    .map((l) => ({ line: l.line, cells: l.text.split(',') }));
  return checkDataRecords(records, columns, file);
}
