// The owner's CSV as qs reads it (csv-parse, then the domain's check): the dialects spreadsheets write —
// quoted cells, `;` separators, a UTF-8 BOM, CRLF — and the errors a malformed file gets, with its line.
import { describe, expect, it } from 'vitest';
import { detectDelimiter, readDataCsv } from '../../client/csv.js';
import { CsvCheckError } from '../../domain/csv-check.js';

const cols = ['age', 'salary'];

describe('readDataCsv', () => {
  it('when cells are quoted, then their values are read ("30" is 30, "" escapes inside quotes are kept as text)', () => {
    expect(readDataCsv('"age","salary"\n"30","1000"\n41,"-2500"\n', cols)).toEqual([[30, 1000], [41, -2500]]);
    expect(() => readDataCsv('age,salary\n"3""0",1\n', cols)).toThrow('line 2, column age: "3\\"0" is not an integer');
  });

  it('when the header is ;-separated, then ; is the delimiter, and a comma inside a cell is not', () => {
    expect(readDataCsv('age;salary\n30;1000\n"41" ; "-2500"\n', cols)).toEqual([[30, 1000], [41, -2500]]);
    expect(() => readDataCsv('age;salary\n30;"1,5"\n', cols)).toThrow('line 2, column salary: "1,5" is not an integer');
  });

  it('when the file starts with a BOM and uses CRLF (a spreadsheet export), then it reads the same', () => {
    const text = '\uFEFFage;salary\r\n"30";"1000"\r\n\r\n-0;2147483647\r\n';
    expect(readDataCsv(text, cols)).toEqual([[30, 1000], [0, 2147483647]]);
  });

  it('when lines are blank or only spaces, then they are skipped and line numbers stay those of the file', () => {
    expect(() => readDataCsv('age,salary\n\n   \n1,2\n3\n', cols)).toThrow(/line 5: 1 value, expected 2/);
  });

  it('when a quote is left open or text follows a closing quote, then the error names the line', () => {
    expect(() => readDataCsv('age,salary\n"30,1000\n41,2\n', cols, 'a.csv')).toThrow(/^a\.csv: line \d: Quote Not Closed \(CSV_QUOTE_NOT_CLOSED\)$/);
    expect(() => readDataCsv('age,salary\n"30"x,1000\n', cols, 'a.csv')).toThrow('a.csv: line 2: Invalid Closing Quote (CSV_INVALID_CLOSING_QUOTE)');
    expect(() => readDataCsv('age,salary\n"30"x,1000\n', cols)).toThrow(CsvCheckError);
  });

  it('when the header differs from the schema, then it says so as before (the domain check)', () => {
    expect(() => readDataCsv('salary;age\n1;2\n', cols)).toThrow(/line 1: header is salary,age.*different order/);
    expect(() => readDataCsv('', cols)).toThrow(/empty file/);
  });
});

describe('detectDelimiter', () => {
  it('when the header has more ; than , outside quotes, then ;, else ,', () => {
    expect(detectDelimiter('a;b;c\n1,5;2;3')).toBe(';');
    expect(detectDelimiter('a,b\n1;2')).toBe(',');
    expect(detectDelimiter('"a;b;c",d\n')).toBe(',');
    expect(detectDelimiter('\n\n\uFEFFsalary\n1')).toBe(',');
  });
});
