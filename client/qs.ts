// The qs entry point: parse, run one command, map any failure to `qs: <message>` on stderr and an
// exit code (2 usage, 1 anything else). main() takes argv/env/streams so tests can drive it in-process.
import { helpText, parseCommand, type CommandName } from './args.js';
import type { Command } from './context.js';
import { Api } from './http.js';
import { create } from './commands/create.js';
import { upload } from './commands/upload.js';
import { submit } from './commands/submit.js';
import { status } from './commands/status.js';
import { result } from './commands/result.js';
import { jobs } from './commands/jobs.js';
import { invite } from './commands/invite.js';
import { rerun } from './commands/rerun.js';

const HANDLERS: Record<CommandName, Command> = { create, upload, invite, submit, rerun, status, result, jobs };

export interface Io {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
}

const processIo: Io = {
  stdout: (l) => void process.stdout.write(`${l}\n`),
  stderr: (l) => void process.stderr.write(`${l}\n`),
};

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env, io: Io = processIo): Promise<number> {
  try {
    const parsed = parseCommand(argv);
    if (parsed.command === undefined) {
      // `qs` alone is a usage mistake (help on stderr, exit 2); `qs --help` is a request (stdout, 0).
      (parsed.help ? io.stdout : io.stderr)(helpText().trimEnd());
      return parsed.help ? 0 : 2;
    }
    if (parsed.help) {
      io.stdout(helpText(parsed.command).trimEnd());
      return 0;
    }
    const code = await HANDLERS[parsed.command]({ api: new Api(env), json: Boolean(parsed.values.json), values: parsed.values, positionals: parsed.positionals, ...io });
    return typeof code === 'number' ? code : 0;
  } catch (err) {
    const e = err as Error & { exitCode?: number };
    io.stderr(`qs: ${(e?.message ?? String(err)).replace(/\s*\n\s*/g, ' ')}`);
    return typeof e?.exitCode === 'number' ? e.exitCode : 1;
  }
}

// Run only as the program (via qs.mjs or `tsx client/qs.ts`), not when a test imports main().
const isEntry = process.argv[1] && /[\\/]qs\.(mjs|ts)$/.test(process.argv[1]);
if (isEntry) {
  const code = await main(process.argv.slice(2));
  // Let stdout drain before exiting (a piped `qs result | head` must get its bytes).
  process.exitCode = code;
}
