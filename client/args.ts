// Command-line parsing with node's util.parseArgs: one option table per command, strict (an unknown
// flag is a usage error, not silently ignored), plus the few value parsers the commands share.
import { parseArgs } from 'node:util';
import { UsageError } from './errors.js';

type OptSpec = { type: 'string' | 'boolean'; short?: string };

export interface CommandSpec {
  usage: string;
  summary: string;
  options: Record<string, OptSpec & { help: string; required?: boolean }>;
  /** how many positional arguments the command takes (upload takes the CSV file) */
  positionals?: { name: string; count: number };
}

// Every command accepts these.
const COMMON: CommandSpec['options'] = {
  json: { type: 'boolean', help: 'print machine-readable JSON instead of text' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
};

export const COMMANDS = {
  create: {
    usage: 'qs create --name N --sql S --level semi|mal --clouds aws,gcp,azure --schema col=unit,...',
    summary: 'create a job; prints its id',
    options: {
      name: { type: 'string', required: true, help: 'analysis name' },
      sql: { type: 'string', required: true, help: "the query, e.g. 'SELECT SUM(salary) AS total FROM payroll'" },
      level: { type: 'string', required: true, help: 'semi (3 parties) or mal (4 parties)' },
      clouds: { type: 'string', required: true, help: 'comma-separated providers: party i runs on clouds[i % len]' },
      schema: { type: 'string', required: true, help: 'comma-separated col=unit pairs, in share-file order' },
    },
  },
  upload: {
    usage: 'qs upload --job ID --owner OWNER data.csv',
    summary: "check a CSV against the job's schema, secret-share it locally and upload one share file per party",
    options: {
      job: { type: 'string', required: true, help: 'the job id' },
      owner: { type: 'string', required: true, help: 'data owner id (letters, digits, . _ @ -)' },
    },
    positionals: { name: 'data.csv', count: 1 },
  },
  invite: {
    usage: 'qs invite --job ID --owner OWNER',
    summary: "invite a data owner to a job (the job's analyst): prints a token valid only for that owner and job",
    options: {
      job: { type: 'string', required: true, help: 'the job id' },
      owner: { type: 'string', required: true, help: 'data owner id (letters, digits, . _ @ -; not ending in .)' },
    },
  },
  submit: {
    usage: 'qs submit --job ID',
    summary: 'submit a job: the server validates every upload, then the stages start',
    options: { job: { type: 'string', required: true, help: 'the job id' } },
  },
  rerun: {
    usage: 'qs rerun --job ID',
    summary: "run a failed job again on the share files it kept (no new uploads): prints the new job's id",
    options: { job: { type: 'string', required: true, help: 'the failed job' } },
  },
  status: {
    usage: 'qs status --job ID [--watch]',
    summary: "show a job's status and stages; --watch follows it until Success (exit 0) or Fail (exit 1)",
    options: {
      job: { type: 'string', required: true, help: 'the job id' },
      watch: { type: 'boolean', short: 'w', help: 'poll every second and print each change until the job ends' },
    },
  },
  result: {
    usage: 'qs result --job ID [--csv | --json] [--out file.csv]',
    summary: "download a finished job's result shares, reconstruct them and print the result's rows as a table",
    options: {
      job: { type: 'string', required: true, help: 'the job id' },
      csv: { type: 'boolean', help: 'print CSV (a header, then one line per row) instead of a table' },
      out: { type: 'string', short: 'o', help: 'write the CSV to this file instead of stdout' },
    },
  },
  jobs: {
    usage: 'qs jobs [--status S] [--limit N] [--page-token T]',
    summary: 'list jobs, newest first',
    options: {
      status: { type: 'string', help: 'only jobs with this status (e.g. Success, Fail, Open)' },
      limit: { type: 'string', help: 'at most this many (1-100, default 20)' },
      'page-token': { type: 'string', help: 'continue a listing (the token a previous page printed)' },
    },
  },
} satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof COMMANDS;

export interface Parsed {
  command: CommandName;
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
  help: boolean;
}

export const isCommand = (s: string | undefined): s is CommandName => s !== undefined && Object.hasOwn(COMMANDS, s);

/** Parses argv (without node and the script). `{ command: undefined, help }` means top-level help. */
export function parseCommand(argv: string[]): Parsed | { command: undefined; help: boolean } {
  const [first, ...rest] = argv;
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
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(col)) throw new UsageError(`--schema: column ${JSON.stringify(col)} must be a letter or _ then letters, digits or _`);
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
  if (command) {
    const spec: CommandSpec = COMMANDS[command];
    const opts = Object.entries({ ...spec.options, ...COMMON }).map(([k, o]) => `  ${(o.short ? `-${o.short}, ` : '    ') + `--${k}${o.type === 'string' ? ' <value>' : ''}`.padEnd(22)} ${o.help}${'required' in o && o.required ? ' (required)' : ''}`);
    const args = spec.positionals ? ['arguments:', `  ${spec.positionals.name.padEnd(26)} the plaintext table: a header row equal to the job's columns, then integer rows`, ''] : [];
    return [`usage: ${spec.usage}`, '', spec.summary, '', ...args, 'options:', ...opts, ''].join('\n');
  }
  const cmds = Object.entries(COMMANDS).map(([name, s]) => `  ${name.padEnd(8)} ${s.summary}`);
  return [
    'usage: qs <command> [options]',
    '',
    'QueryShield client: create jobs, upload secret-shared data, follow jobs and read results.',
    '',
    'commands:',
    ...cmds,
    '',
    'environment:',
    '  QS_URL     the API (default http://127.0.0.1:5000)',
    '  QS_TOKEN   sent as Authorization: Bearer <token> when set',
    '',
    'Every command takes --json (machine-readable output) and --help.',
    '',
  ].join('\n');
}
