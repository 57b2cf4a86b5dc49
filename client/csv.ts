// Reads a data owner's CSV with csv-parse (a kept parser: quoted cells, "" escapes, CRLF, a UTF-8 BOM) and
// hands the cells to the domain's check. The delimiter is `,` or `;` (spreadsheets in many locales write
// `;`), chosen from the header line: whichever occurs more often outside quotes, `,` on a tie.
import { parse, CsvError } from 'csv-parse/sync';
import { checkDataRecords, CsvCheckError, type CsvRecord } from '../domain/csv-check.js';

export type Delimiter = ',' | ';';

/** The delimiter of the file's first non-blank line. */
export function detectDelimiter(text: string): Delimiter {
  const first = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/).find((l) => l.trim() !== '') ?? '';
  let quoted = false;
  let commas = 0;
  let semicolons = 0;
  for (const ch of first) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === ',') commas++;
    else if (!quoted && ch === ';') semicolons++;
  }
  return semicolons > commas ? ';' : ',';
}

/** The file's non-blank records with the line each ends on; a malformed file (an unclosed quote, text
 *  after a closing quote) is a CsvCheckError naming the line. */
export function readCsvRecords(text: string, file?: string): { delimiter: Delimiter; records: CsvRecord[] } {
  const delimiter = detectDelimiter(text);
  try {
    const out = parse(text, {
      bom: true,
      delimiter,
      record_delimiter: ['\r\n', '\n', '\r'],
      skip_empty_lines: true,
      // Spaces around a cell, quoted or not (`"41" ; "-2500"`), are not part of it.
      trim: true,
      // A wrong cell count is the check's to report, with the line and the expected columns.
      relax_column_count: true,
      info: true,
    }) as unknown as { info: { lines: number }; record: string[] }[];
    // A line of spaces is blank too (the plain reader skips it as well).
    const records = out.filter((r) => !(r.record.length === 1 && r.record[0].trim() === '')).map((r) => ({ line: r.info.lines, cells: r.record }));
    return { delimiter, records };
  } catch (err) {
    if (err instanceof CsvError) {
      const line = (err as CsvError & { lines?: number }).lines;
      throw new CsvCheckError([`${line ? `line ${line}: ` : ''}${err.message.replace(/ at line \d+/, '').replace(/:.*$/, '')} (${err.code})`], file);
    }
    throw err;
  }
}

/** Reads and checks a data owner's CSV against the job's columns: the rows as int32s, in file order. */
export function readDataCsv(text: string, columns: string[], file?: string): number[][] {
  return checkDataRecords(readCsvRecords(text, file).records, columns, file);
}
