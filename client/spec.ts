// The commands' table: usage, summary, options and examples, from which args.ts parses and prints help.
export type OptSpec = { type: 'string' | 'boolean'; short?: string; help: string; required?: boolean };

export interface CommandSpec {
  usage: string;
  summary: string;
  options: Record<string, OptSpec>;
  /** how many positional arguments the command takes (upload takes the CSV file) */
  positionals?: { name: string; count: number };
  examples: string[];
}

// Every command accepts these: where the API is and who is calling, and the output form.
export const COMMON: Record<string, OptSpec> = {
  url: { type: 'string', help: 'the API (else QS_URL, the profile, http://127.0.0.1:5000)' },
  'token-file': { type: 'string', help: 'read the bearer token from this file (- for stdin; else QS_TOKEN, the profile)' },
  profile: { type: 'string', help: 'the stored profile to use (else QS_PROFILE, "default")' },
  json: { type: 'boolean', help: 'print machine-readable JSON, errors included, instead of text' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
};

const job = (help = 'the job id'): OptSpec => ({ type: 'string', required: true, help });

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
    examples: ["JOB=$(qs create --name payroll --sql 'SELECT SUM(salary) AS total FROM payroll' --level semi --clouds aws,gcp,azure --schema age=years,salary=usd)"],
  },
  upload: {
    usage: 'qs upload --job ID --owner OWNER data.csv',
    summary: "check a CSV against the job's schema, secret-share it locally and upload one share file per party",
    options: {
      job: job(),
      owner: { type: 'string', required: true, help: 'data owner id (letters, digits, . _ @ -)' },
    },
    positionals: { name: 'data.csv', count: 1 },
    examples: ['qs upload --job "$JOB" --owner alice alice.csv', 'QS_TOKEN=qsi_… qs upload --job "$JOB" --owner alice --json alice.csv'],
  },
  invite: {
    usage: 'qs invite --job ID --owner OWNER',
    summary: "invite a data owner to a job (the job's analyst): prints a token valid only for that owner and job",
    options: { job: job(), owner: { type: 'string', required: true, help: 'data owner id (letters, digits, . _ @ -; not ending in .)' } },
    examples: ['TOKEN=$(qs invite --job "$JOB" --owner alice)'],
  },
  submit: {
    usage: 'qs submit --job ID',
    summary: 'submit a job: the server validates every upload, then the stages start',
    options: { job: job() },
    examples: ['qs submit --job "$JOB" && qs status --job "$JOB" --watch'],
  },
  rerun: {
    usage: 'qs rerun --job ID',
    summary: "run a failed job again on the share files it kept (no new uploads): prints the new job's id",
    options: { job: job('the failed job') },
    examples: ['NEW=$(qs rerun --job "$JOB") && qs status --job "$NEW" --watch'],
  },
  status: {
    usage: 'qs status --job ID [--watch]',
    summary: "show a job's status and stages; --watch follows it until Success (exit 0) or Fail (exit 4)",
    options: {
      job: job(),
      watch: { type: 'boolean', short: 'w', help: 'poll every second and print each change, with the time since the start, until the job ends' },
    },
    examples: ['qs status --job "$JOB"', 'qs status --job "$JOB" --watch || echo "ended with exit code $?"'],
  },
  result: {
    usage: 'qs result --job ID [--csv | --json] [--out file.csv]',
    summary: "download a finished job's result shares, reconstruct them and print the result's rows as a table",
    options: {
      job: job(),
      csv: { type: 'boolean', help: 'print CSV (a header, then one line per row) instead of a table' },
      out: { type: 'string', short: 'o', help: 'write the CSV to this file instead of stdout' },
    },
    examples: ['qs result --job "$JOB"', 'qs result --job "$JOB" --out result.csv'],
  },
  info: {
    usage: 'qs info --job ID',
    summary: "show a job's configuration: name, query, level, clouds, schema (what a data owner needs), status",
    options: { job: job() },
    examples: ['qs info --job "$JOB"', 'qs info --job "$JOB" --json'],
  },
  jobs: {
    usage: 'qs jobs [--status S] [--limit N] [--page-token T]',
    summary: 'list jobs, newest first',
    options: {
      status: { type: 'string', help: 'only jobs with this status (e.g. Success, Fail, Open)' },
      limit: { type: 'string', help: 'at most this many (1-100, default 20)' },
      'page-token': { type: 'string', help: 'continue a listing (the token a previous page printed)' },
    },
    examples: ['qs jobs --status Fail --limit 5'],
  },
  cancel: {
    usage: 'qs cancel --job ID',
    summary: 'cancel a running job: the running stage stops, everything is torn down, the job ends Fail',
    options: { job: job() },
    examples: ['qs cancel --job "$JOB"'],
  },
  delete: {
    usage: 'qs delete --job ID',
    summary: "remove all of a finished job's storage (every party's buckets and files) on every cloud",
    options: { job: job() },
    examples: ['qs delete --job "$JOB"'],
  },
  login: {
    usage: 'qs login [--url URL] [--token-file FILE] [--profile NAME]',
    summary: 'store the API URL and a token in a profile (a file only you can read, mode 0600) for later commands',
    options: {},
    examples: ['qs login --url https://qs.example.org --token-file ~/analyst.token', 'qs login --profile staging --url https://staging.example.org --token-file - < token.txt'],
  },
  logout: {
    usage: 'qs logout [--profile NAME]',
    summary: 'remove a stored profile (its URL and token)',
    options: {},
    examples: ['qs logout', 'qs logout --profile staging'],
  },
} satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof COMMANDS;
