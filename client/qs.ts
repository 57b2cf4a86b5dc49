// The qs entry point: parse, run one command, map any failure to `qs: <message>` on stderr (or, under
// --json, one JSON object) and its exit code (errors.ts: 1 failed, 2 usage, 3 API, 4 job Fail). main()
// takes argv/env/streams so tests can drive it in-process; the bundle (scripts/build-qs.ts) runs it.
import { readFileSync } from 'node:fs';
import { helpText, parseCommand, type CommandName } from './args.js';
import type { Command } from './context.js';
import { exitCodeOf, oneLine, toJson } from './errors.js';
import { Api } from './http.js';
import { profileOf, resolveSettings, DEFAULT_URL, type Settings } from './settings.js';
import { create } from './commands/create.js';
import { upload } from './commands/upload.js';
import { submit } from './commands/submit.js';
import { status } from './commands/status.js';
import { result } from './commands/result.js';
import { jobs } from './commands/jobs.js';
import { invite } from './commands/invite.js';
import { rerun } from './commands/rerun.js';
import { cancel, info, remove } from './commands/manage.js';
import { login, logout } from './commands/login.js';

const HANDLERS: Record<CommandName, Command> = { create, upload, invite, submit, rerun, status, result, info, jobs, cancel, delete: remove, login, logout };

// Set by the bundle build (esbuild's define); running from source, package.json's.
declare const QS_VERSION: string | undefined;
export const VERSION = typeof QS_VERSION === 'string' ? QS_VERSION : sourceVersion();
function sourceVersion(): string {
  try {
    return `${(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version}-dev`;
  } catch {
    return '0.0.0-dev';
  }
}

export interface Io {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  /** redraws one status line in place; omitted (a no-op) where stderr is not a terminal */
  progress?: (text: string) => void;
}

const processIo: Io = {
  stdout: (l) => void process.stdout.write(`${l}\n`),
  stderr: (l) => void process.stderr.write(`${l}\n`),
  progress: process.stderr.isTTY ? (t) => void process.stderr.write(`\r\x1b[2K${t}`) : undefined,
};

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env, io: Io = processIo): Promise<number> {
  // Known before parsing, so that even a usage error comes out as JSON.
  const json = argv.includes('--json');
  try {
    const parsed = parseCommand(argv);
    if (parsed.command === undefined) {
      if ('version' in parsed && parsed.version) {
        io.stdout(json ? JSON.stringify({ version: VERSION }) : `qs ${VERSION}`);
        return 0;
      }
      // `qs` alone is a usage mistake (help on stderr, exit 2); `qs --help` is a request (stdout, 0).
      (parsed.help ? io.stdout : io.stderr)(helpText().trimEnd());
      return parsed.help ? 0 : 2;
    }
    if (parsed.help) {
      io.stdout(helpText(parsed.command).trimEnd());
      return 0;
    }
    const forProfile = parsed.command === 'login' || parsed.command === 'logout';
    const settings: Settings = forProfile ? { url: DEFAULT_URL, ...profileOf(parsed.values, env) } : resolveSettings(parsed.values, env, io.stderr);
    const progress = io.progress && !json ? io.progress : () => {};
    const code = await HANDLERS[parsed.command]({ api: new Api(settings), settings, env, json, values: parsed.values, positionals: parsed.positionals, ...io, progress });
    return typeof code === 'number' ? code : 0;
  } catch (err) {
    io.stderr(json ? JSON.stringify(toJson(err)) : `qs: ${oneLine(err)}`);
    return exitCodeOf(err);
  }
}

// Run as the program: the bundle always (whatever the downloaded file is called), from source only via
// qs.mjs or `tsx client/qs.ts`, not when a test imports main().
declare const QS_BUNDLE: boolean | undefined;
const isEntry = (typeof QS_BUNDLE === 'boolean' && QS_BUNDLE) || (process.argv[1] && /[\\/]qs\.(mjs|ts)$/.test(process.argv[1]));
if (isEntry) {
  const code = await main(process.argv.slice(2));
  // Let stdout drain before exiting (a piped `qs result | head` must get its bytes).
  process.exitCode = code;
}
