// Runs one playbook with ansible-playbook through execa. Inventory and extra vars go through 0600
// files (never the command line) and are deleted afterwards; progress is parsed from the output stream
// (TASK [...] lines); the process runs in its own group so a cancel kills ansible, its forks and
// anything a task started.
import { execa } from 'execa';
import { randomUUID } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../config.js';

export interface PlaybookRun {
  /** playbook file name under ansible/, or an absolute path */
  playbook: string;
  /** inventory content (an Ansible YAML inventory as an object), written to a 0600 temp file */
  inventory: Record<string, unknown>;
  /** extra vars, written to a 0600 JSON file passed as -e @file and deleted afterwards */
  extraVars: Record<string, unknown>;
  /** called with the current task name (throttled) */
  onProgress?: (task: string) => void;
  /** aborting kills the whole ansible process group */
  signal?: AbortSignal;
  timeoutMs?: number;
  /** how many last output lines to keep (default 40) */
  tailLines?: number;
  /** full output is appended here when given */
  logFile?: string;
}

export interface PlaybookResult {
  ok: boolean;
  exitCode: number | null;
  durationMs: number;
  logTail: string[];
  /** name of the task that failed, when one did */
  failedTask?: string;
  /** the JSON object the playbook wrote to {{ qs_report_file }}, or {} */
  reported: Record<string, unknown>;
}

export class PlaybookAbortedError extends Error {
  constructor(playbook: string) {
    super(`${playbook} was cancelled; its process group was killed`);
    this.name = 'AbortError';
  }
}

export const ANSIBLE_DIR = path.join(REPO_ROOT, 'ansible');

function ansiblePlaybookBin(): string {
  const venv = path.join(REPO_ROOT, '.venv', 'bin', 'ansible-playbook');
  return existsSync(venv) ? venv : 'ansible-playbook';
}

const KILL_GRACE_MS = 5000;

export async function runPlaybook(run: PlaybookRun): Promise<PlaybookResult> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'qs-ansible-'));
  const inventoryFile = path.join(dir, 'inventory.json');
  const varsFile = path.join(dir, 'vars.json');
  const reportFile = path.join(dir, `report-${randomUUID()}.json`);
  const playbook = path.isAbsolute(run.playbook) ? run.playbook : path.join(ANSIBLE_DIR, run.playbook);
  const tailMax = run.tailLines ?? 40;
  const tail: string[] = [];
  let currentTask: string | undefined;
  let failedTask: string | undefined;
  let lastProgress = 0;
  let pendingProgress: NodeJS.Timeout | undefined;
  const log = run.logFile ? createWriteStream(run.logFile, { flags: 'a', mode: 0o600 }) : undefined;
  const started = Date.now();
  try {
    await writeFile(inventoryFile, JSON.stringify(run.inventory), { mode: 0o600 });
    await writeFile(varsFile, JSON.stringify({ ...run.extraVars, qs_report_file: reportFile }), { mode: 0o600 });
    const child = execa(ansiblePlaybookBin(), ['-i', inventoryFile, '-e', `@${varsFile}`, playbook], {
      cwd: ANSIBLE_DIR,
      reject: false,
      all: true,
      buffer: false,
      detached: true, // its own process group: see kill() below
      env: {
        ANSIBLE_CONFIG: path.join(ANSIBLE_DIR, 'ansible.cfg'),
        ANSIBLE_HOST_KEY_CHECKING: 'False',
        ANSIBLE_RETRY_FILES_ENABLED: 'False',
        ANSIBLE_NOCOLOR: '1',
        ANSIBLE_FORCE_COLOR: '0',
        ANSIBLE_LOCALHOST_WARNING: 'False',
        ANSIBLE_INVENTORY_UNPARSED_WARNING: 'False',
        PYTHONUNBUFFERED: '1',
      },
    });
    const pgid = child.pid;
    const killGroup = (sig: NodeJS.Signals) => {
      if (!pgid) return;
      try {
        process.kill(-pgid, sig);
      } catch {
        /* already gone */
      }
    };
    let aborted = false;
    let timedOut = false;
    const stop = (why: 'abort' | 'timeout') => {
      if (why === 'abort') aborted = true;
      else timedOut = true;
      killGroup('SIGTERM');
      setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS).unref();
    };
    const onAbort = () => stop('abort');
    run.signal?.addEventListener('abort', onAbort, { once: true });
    if (run.signal?.aborted) stop('abort');
    const timer = run.timeoutMs ? setTimeout(() => stop('timeout'), run.timeoutMs) : undefined;

    const report = (task: string) => {
      if (!run.onProgress) return;
      const now = Date.now();
      clearTimeout(pendingProgress);
      if (now - lastProgress >= 500) {
        lastProgress = now;
        run.onProgress(task);
      } else {
        pendingProgress = setTimeout(() => {
          lastProgress = Date.now();
          run.onProgress?.(task);
        }, 500 - (now - lastProgress));
      }
    };

    for await (const raw of child.iterable({ from: 'all' })) {
      const line = String(raw);
      log?.write(`${line}\n`);
      const header = /^(TASK|PLAY|RUNNING HANDLER) \[(.*)\]/.exec(line);
      if (header) {
        currentTask = header[2];
        report(header[1] === 'PLAY' ? `play: ${header[2]}` : header[2]);
      }
      if (/^(fatal|failed):/.test(line) || /^\s*(fatal|failed):/.test(line)) failedTask ??= currentTask;
      if (line.trim() && !/^\*+$/.test(line.trim())) {
        tail.push(line.length > 500 ? `${line.slice(0, 500)}…` : line);
        if (tail.length > tailMax) tail.shift();
      }
    }
    const result = await child;
    clearTimeout(timer);
    clearTimeout(pendingProgress);
    run.signal?.removeEventListener('abort', onAbort);
    killGroup('SIGKILL'); // anything a task left running in the group
    if (aborted) throw new PlaybookAbortedError(run.playbook);
    if (timedOut) tail.push(`(timed out after ${run.timeoutMs} ms; process group killed)`);
    let reported: Record<string, unknown> = {};
    try {
      reported = JSON.parse(await readFile(reportFile, 'utf8')) as Record<string, unknown>;
    } catch {
      /* the playbook reported nothing */
    }
    return {
      ok: result.exitCode === 0 && !timedOut,
      exitCode: result.exitCode ?? null,
      durationMs: Date.now() - started,
      logTail: tail,
      failedTask,
      reported,
    };
  } finally {
    log?.end();
    await rm(dir, { recursive: true, force: true });
  }
}
