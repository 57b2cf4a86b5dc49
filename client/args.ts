// Command-line parsing with node's util.parseArgs: one option table per command (spec.ts), strict (an
// unknown flag is a usage error, not silently ignored), plus the few value parsers the commands share.
import { parseArgs } from 'node:util';
import { UsageError } from './errors.js';
import { COMMANDS, COMMON, type CommandName, type CommandSpec } from './spec.js';
import { COLUMN_PATTERN } from '../domain/limits.js';

export { COMMANDS, type CommandName } from './spec.js';

export interface Parsed {
  command: CommandName;
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
  help: boolean;
}

export const isCommand = (s: string | undefined): s is CommandName => s !== undefined && Object.hasOwn(COMMANDS, s);

/** Parses argv (without node and the script). `{ command: undefined, help }` means top-level help,
 *  `{ command: undefined, version: true }` `qs --version`. */
export function parseCommand(argv: string[]): Parsed | { command: undefined; help: boolean; version?: true } {
  const [first, ...rest] = argv;
  if (first === '--version' || first === '-V' || first === 'version') return { command: undefined, help: false, version: true };
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    // `qs help upload` is a common habit: treat it as `qs upload --help`.
    if (first === 'help' && isCommand(rest[0])) return { command: rest[0], values: {}, positionals: [], help: true };
    return { command: undefined, help: first !== undefined };
  }
  if (!isCommand(first)) throw new UsageError(`unknown command ${JSON.stringify(first)} (commands: ${Object.keys(COMMANDS).join(', ')}; see qs --help)`);
  const spec: CommandSpec = COMMANDS[first];
  const options = Object.fromEntries(Object.entries({ ...spec.options, ...COMMON }).map(([k, o]) => [k, o.short ? { type: o.type, short: o.short } : { type: o.type }]));
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options, strict: true, allowPositionals: true });
  } catch (err) {
    // parseArgs messages are good but long ("... To specify a positional argument starting with a '-' ..."): keep the first sentence.
    throw new UsageError(`${first}: ${(err as Error).message.split('. ')[0].replace(/\.$/, '')} (see qs ${first} --help)`);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values.help) return { command: first, values, positionals: parsed.positionals, help: true };
  const missing = Object.entries(spec.options).filter(([k, o]) => o.required && (values[k] === undefined || values[k] === '')).map(([k]) => `--${k}`);
  if (missing.length) throw new UsageError(`${first}: missing ${missing.join(', ')} (usage: ${spec.usage})`);
  const want = spec.positionals?.count ?? 0;
  if (parsed.positionals.length !== want) {
    throw new UsageError(want === 0 ? `${first}: unexpected argument ${JSON.stringify(parsed.positionals[0])} (usage: ${spec.usage})` : `${first}: expected ${spec.positionals!.name} (usage: ${spec.usage})`);
  }
  return { command: first, values, positionals: parsed.positionals, help: false };
}

/** `age=years,salary=usd` → { age: 'years', salary: 'usd' }, keeping the order (it is the share-file order). */
export function parseSchema(text: string): Record<string, string> {
  const schema: Record<string, string> = {};
  for (const pair of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = pair.indexOf('=');
    const col = eq < 0 ? pair : pair.slice(0, eq).trim();
    const unit = eq < 0 ? '' : pair.slice(eq + 1).trim();
    if (!col || !unit) throw new UsageError(`--schema: ${JSON.stringify(pair)} is not col=unit`);
    if (!COLUMN_PATTERN.test(col)) throw new UsageError(`--schema: column ${JSON.stringify(col)} must be a letter or _ then letters, digits or _`);
    if (Object.hasOwn(schema, col)) throw new UsageError(`--schema: column ${col} appears twice`);
    schema[col] = unit;
  }
  if (Object.keys(schema).length === 0) throw new UsageError('--schema: no columns (expected col=unit,col2=unit2)');
  return schema;
}

export const LEVELS = ['semi', 'mal'] as const;
export function parseLevel(text: string): 'semi' | 'mal' {
  if (!(LEVELS as readonly string[]).includes(text)) throw new UsageError(`--level must be semi or mal, got ${JSON.stringify(text)}`);
  return text as 'semi' | 'mal';
}

/** `aws,gcp,azure` → ['aws','gcp','azure']; the server checks which providers it serves. */
export function parseClouds(text: string): string[] {
  const clouds = text.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  if (clouds.length === 0) throw new UsageError('--clouds: give at least one provider, e.g. aws,gcp,azure');
  return clouds;
}

export function parseLimit(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > 100) throw new UsageError(`--limit must be an integer from 1 to 100, got ${JSON.stringify(text)}`);
  return n;
}

/** The help text of one command, or of the whole CLI. */
export function helpText(command?: CommandName): string {
  const opt = (k: string, o: CommandSpec['options'][string]) =>
    `  ${(o.short ? `-${o.short}, ` : '    ') + `--${k}${o.type === 'string' ? ' <value>' : ''}`.padEnd(22)} ${o.help}${o.required ? ' (required)' : ''}`;
  if (command) {
    const spec: CommandSpec = COMMANDS[command];
    const args = spec.positionals ? ['arguments:', `  ${spec.positionals.name.padEnd(26)} the plaintext table: a header row equal to the job's columns, then integer rows (, or ; separated; quotes allowed)`, ''] : [];
    const own = Object.entries(spec.options).map(([k, o]) => opt(k, o));
    return [`usage: ${spec.usage}`, '', spec.summary, '', ...args, ...(own.length ? ['options:', ...own, ''] : []), 'common options:', ...Object.entries(COMMON).map(([k, o]) => opt(k, o)), '', 'examples:', ...spec.examples.map((e) => `  ${e}`), ''].join('\n');
  }
  const cmds = Object.entries(COMMANDS).map(([name, s]) => `  ${name.padEnd(8)} ${s.summary}`);
  return [
    'usage: qs <command> [options]        qs --version',
    '',
    'QueryShield client: create jobs, upload secret-shared data, follow jobs and read results.',
    '',
    'commands:',
    ...cmds,
    '',
    'Every command takes --url, --token-file, --profile, --json and --help; qs <command> --help shows examples.',
    '',
    'environment:',
    '  QS_URL      the API, unless --url is given (else the profile\'s, else http://127.0.0.1:5000)',
    '  QS_TOKEN    sent as Authorization: Bearer <token>, unless --token-file is given (else the profile\'s)',
    '  QS_PROFILE  the profile to use (default "default")',
    '  QS_CONFIG   the profiles file (default $XDG_CONFIG_HOME/queryshield/profiles.json or ~/.config/…)',
    '',
    'exit codes:',
    '  0 done   1 failed (a CSV that fails the check, an upload a store refused, a local file)',
    '  2 usage (a wrong command, flag or value)   3 the API refused or could not be reached',
    '  4 the job ended Fail (status --watch, result)',
    '',
    'example:',
    "  qs create --name payroll --sql 'SELECT SUM(salary) AS total FROM payroll' --level semi --clouds aws,gcp,azure --schema age=years,salary=usd",
    '',
  ].join('\n');
}
