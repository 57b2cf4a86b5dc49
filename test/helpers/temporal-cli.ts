// Drives the real `temporal` CLI against the suite's dev server, as an operator would.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../infra/config.js';

const run = promisify(execFile);

/** `timeoutMs`: a command that waits for a workflow (`workflow execute` of a sweep that runs Ansible) needs
 *  more than the default on a loaded machine. */
export async function temporalCli(address: string, args: string[], timeoutMs = 60_000): Promise<string> {
  const venv = path.join(REPO_ROOT, '.venv', 'bin', 'temporal');
  const bin = existsSync(venv) ? venv : 'temporal';
  const { stdout } = await run(bin, [...args, '--address', address], { timeout: timeoutMs });
  return stdout;
}
