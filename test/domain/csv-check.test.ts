// The data owner's CSV check: what passes, and that every failure names its line and column. checkDataRecords
// checks cells a reader already split (the CLI's csv-parse); checkDataCsv is the web app's plain reader on top.
import { describe, expect, it } from 'vitest';
import { CsvCheckError, checkDataCsv, checkDataRecords } from '../../domain/csv-check.js';

const cols = ['age', 'salary'];

describe('checkDataCsv', () => {
  it('returns the rows of a good file, accepting CRLF, a BOM, blank lines and spaces around values', () => {
    expect(checkDataCsv('age,salary\n30,1000\n41,-2500\n', cols)).toEqual([[30, 1000], [41, -2500]]);
    expect(checkDataCsv('\uFEFFage, salary\r\n30 , 1000\r\n\r\n-0,2147483647\r\n', cols)).toEqual([[30, 1000], [0, 2147483647]]);
    expect(checkDataCsv('age,salary\n-2147483648,0', cols)).toEqual([[-2147483648, 0]]);
  });

  it('requires the header to equal the schema columns, in order', () => {
    expect(() => checkDataCsv('salary,age\n1,2\n', cols)).toThrow(/line 1: header is salary,age.*needs age,salary in this order.*different order/);
    expect(() => checkDataCsv('age,wage\n1,2\n', cols)).toThrow(/line 1: header is age,wage/);
    expect(() => checkDataCsv('age\n1\n', cols)).toThrow(/line 1/);
  });

  it('names the line and column of a value that is not an integer', () => {
    expect(() => checkDataCsv('age,salary\n30,1000\n41,12.5\n', cols, 'data.csv')).toThrow('data.csv: line 3, column salary: "12.5" is not an integer');
    for (const bad of ['abc', '', '1e3', '0x10', '+5', '"7"']) {
      expect(() => checkDataCsv(`age,salary\n${bad},1\n`, cols)).toThrow(`line 2, column age: ${JSON.stringify(bad)} is not an integer`);
    }
  });

  it('rejects values outside the signed 32-bit range', () => {
    expect(() => checkDataCsv('age,salary\n1,2147483648\n', cols)).toThrow(/line 2, column salary: 2147483648 is outside the 32-bit range/);
    expect(() => checkDataCsv('age,salary\n-2147483649,1\n', cols)).toThrow(/line 2, column age: -2147483649 is outside/);
    expect(() => checkDataCsv('age,salary\n1,99999999999999999999\n', cols)).toThrow(/outside/);
  });

  it('counts lines as the file has them, blank lines included', () => {
    expect(() => checkDataCsv('age,salary\n\n1,2\n\n3\n', cols)).toThrow(/line 5: 1 value, expected 2/);
    expect(() => checkDataCsv('age,salary\n1,2,3\n', cols)).toThrow(/line 2: 3 values, expected 2/);
  });

  it('lists every problem (up to 20) and says how many more there are', () => {
    try {
      checkDataCsv('age,salary\nx,1\n2,y\n3,4\n', cols);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(CsvCheckError);
      expect((err as CsvCheckError).problems).toEqual(['line 2, column age: "x" is not an integer', 'line 3, column salary: "y" is not an integer']);
      expect((err as Error).message).toMatch(/\(and 1 more problem\)$/);
    }
    const many = `age,salary\n${'a,b\n'.repeat(100)}`;
    expect(() => checkDataCsv(many, cols)).toThrow(CsvCheckError);
    try {
      checkDataCsv(many, cols);
    } catch (err) {
      expect((err as CsvCheckError).problems.length).toBe(20);
    }
  });

  it('rejects an empty file and a header without rows', () => {
    expect(() => checkDataCsv('', cols)).toThrow(/empty file/);
    expect(() => checkDataCsv('age,salary\n', cols)).toThrow(/no data rows/);
  });
});

describe('checkDataRecords', () => {
  it('checks cells as a reader split them and names the lines the reader gives', () => {
    expect(checkDataRecords([{ line: 1, cells: ['age', ' salary '] }, { line: 4, cells: ['30', ' -1'] }], cols)).toEqual([[30, -1]]);
    expect(() => checkDataRecords([{ line: 2, cells: ['age', 'salary'] }, { line: 7, cells: ['1,5', '2'] }], cols, 'f.csv')).toThrow('f.csv: line 7, column age: "1,5" is not an integer');
    expect(() => checkDataRecords([{ line: 3, cells: ['salary', 'age'] }], cols)).toThrow(/^the CSV: line 3: header is salary,age/);
    expect(() => checkDataRecords([], cols)).toThrow(/empty file/);
  });
});
