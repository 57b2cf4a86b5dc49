// Argument parsing of qs: required flags, unknown flags, positionals, and the value parsers.
import { describe, expect, it } from 'vitest';
import { helpText, parseClouds, parseCommand, parseLevel, parseLimit, parseSchema } from '../../client/args.js';
import { UsageError } from '../../client/errors.js';

describe('parseCommand', () => {
  it('parses a full create command', () => {
    const p = parseCommand(['create', '--name', 'payroll', '--sql', 'SELECT SUM(salary) AS t FROM p', '--level', 'semi', '--clouds', 'aws,gcp', '--schema', 'age=years', '--json']);
    expect(p).toMatchObject({ command: 'create', help: false, values: { name: 'payroll', sql: 'SELECT SUM(salary) AS t FROM p', level: 'semi', clouds: 'aws,gcp', schema: 'age=years', json: true } });
  });

  it('accepts --opt=value and short flags', () => {
    expect(parseCommand(['status', '--job=abc', '-w'])).toMatchObject({ command: 'status', values: { job: 'abc', watch: true } });
  });

  it('takes the CSV of upload as its one positional', () => {
    expect(parseCommand(['upload', '--job', 'j', '--owner', 'alice', 'data.csv'])).toMatchObject({ positionals: ['data.csv'] });
    expect(() => parseCommand(['upload', '--job', 'j', '--owner', 'alice'])).toThrow(/expected data\.csv/);
    expect(() => parseCommand(['submit', '--job', 'j', 'extra'])).toThrow(/unexpected argument "extra"/);
  });

  it('names every missing required flag', () => {
    expect(() => parseCommand(['create', '--name', 'x'])).toThrow(/missing --sql, --level, --clouds, --schema/);
    expect(() => parseCommand(['submit'])).toThrow(UsageError);
    expect(() => parseCommand(['submit', '--job', ''])).toThrow(/missing --job/);
  });

  it('rejects unknown commands and flags as usage errors', () => {
    expect(() => parseCommand(['frobnicate'])).toThrow(/unknown command "frobnicate"/);
    expect(() => parseCommand(['status', '--job', 'j', '--bogus'])).toThrow(/Unknown option '--bogus'/);
    expect(() => parseCommand(['submit', '--job'])).toThrow(UsageError);
  });

  it('treats --help as help, even without required flags', () => {
    expect(parseCommand(['--help'])).toEqual({ command: undefined, help: true });
    expect(parseCommand([])).toEqual({ command: undefined, help: false });
    expect(parseCommand(['upload', '--help'])).toMatchObject({ command: 'upload', help: true });
    expect(parseCommand(['help', 'result'])).toMatchObject({ command: 'result', help: true });
    expect(helpText('upload')).toMatch(/usage: qs upload --job ID --owner OWNER data\.csv/);
    expect(helpText()).toMatch(/QS_URL/);
  });
});

describe('value parsers', () => {
  it('parseSchema keeps the column order and rejects bad pairs', () => {
    expect(Object.keys(parseSchema('salary=usd, age=years'))).toEqual(['salary', 'age']);
    expect(parseSchema('age=years,salary=usd')).toEqual({ age: 'years', salary: 'usd' });
    expect(() => parseSchema('age')).toThrow(/"age" is not col=unit/);
    expect(() => parseSchema('age=years,age=days')).toThrow(/appears twice/);
    expect(() => parseSchema('1age=years')).toThrow(/must be a letter/);
    expect(() => parseSchema(',')).toThrow(/no columns/);
  });

  it('parseLevel, parseClouds, parseLimit', () => {
    expect(parseLevel('mal')).toBe('mal');
    expect(() => parseLevel('high')).toThrow(/semi or mal/);
    expect(parseClouds('AWS, gcp,azure')).toEqual(['aws', 'gcp', 'azure']);
    expect(() => parseClouds(' , ')).toThrow(UsageError);
    expect(parseLimit(undefined)).toBeUndefined();
    expect(parseLimit('5')).toBe(5);
    expect(() => parseLimit('0')).toThrow(/1 to 100/);
    expect(() => parseLimit('5x')).toThrow(/1 to 100/);
  });
});
