// Runs one playbook with ansible-playbook through execa. Inventory and extra vars go through 0600 files
// in a 0700 temp folder (never the command line, where `ps` would show them) and are deleted afterwards
// whatever happens (and, should the worker die first, by the next run on this machine: see
// removeStaleRunFolders); progress and the failures nothing handled come as JSON events from the project's
// callback plugin (ansible/callback_plugins/qs_events.py) on a pipe of their own, file descriptor 3, while the
// human-readable output goes to the log file and the log tail; every process of the run is marked (process-group.ts) so a cancel kills ansible, its forks and anything a task started on this
// machine, and nothing a task started outlives the run.
//
// Hosts: the caller's inventory decides how hosts are reached. For `ansible_connection: local` hosts,
// `ansible_python_interpreter: '{{ ansible_playbook_python }}'` runs modules with the venv's python
// (what activities/stages/plan.ts renders); interpreter discovery (ansible.cfg: auto_silent) finds the
// system python3 otherwise.
//
// Extra vars are data, never templates: ansible-core 2.19 trusts extra vars read from a file and renders
// any `{{ }}` in them, so a job id, a tag read back from a cloud or an owner's name could run code on
// the controller. They are written as YAML with every string tagged `!unsafe` (toUnsafeYaml), which
// ansible passes on as a plain value wherever it is used, inside other expressions included. The
// inventory is not marked: its `'{{ ansible_playbook_python }}'` is meant as a template.
//
// Cancellation: an aborted `signal` rejects with PlaybookAbortedError (name 'AbortError', which Temporal
// reports as a cancelled activity); reaching `timeoutMs` resolves with ok: false and a note at the end of
// logTail, like any other failed run. Either way every process of the run has exited or been sent SIGKILL
// before the promise settles.
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdtemp, open, readdir, readFile, rm, stat, writeFile, type FileHandle } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../infra/config.js';
import { LogTail, PlaybookEvents, ProgressThrottle, type HostRecap, type TaskFailure } from './output.js';
import { isRunning, PlaybookProcesses, stopLeftoversOf } from './process-group.js';
import { toUnsafeYaml } from './unsafe-vars.js';

export { toUnsafeYaml };

export interface PlaybookRun {
  /** playbook file name under ansible/, or an absolute path */
  playbook: string;
  /** inventory content (an Ansible YAML inventory as an object), written to a 0600 temp file */
  inventory: Record<string, unknown>;
  /** extra vars, written to a 0600 YAML file passed as -e @file and deleted afterwards; every string
   *  in them is marked unsafe (ansible never renders it as a template) */
  extraVars: Record<string, unknown>;
  /** called with the current task name (at most every 500 ms, and always with the last one) */
  onProgress?: (task: string) => void;
  /** aborting kills the whole ansible process group and rejects with PlaybookAbortedError */
  signal?: AbortSignal;
  /** past this, the process group is killed and the run resolves ok: false */
  timeoutMs?: number;
  /** how many last non-empty output lines to keep (default 40) */
  tailLines?: number;
  /** the full output is appended here (created 0600) when given */
  logFile?: string;
  /** whom the run works for (a job id): before it starts, any process an earlier run for the same owner
   *  left on this machine (the orphans of a crashed worker) is stopped */
  owner?: string;
}

export interface PlaybookResult {
  ok: boolean;
  exitCode: number | null;
  durationMs: number;
  logTail: string[];
  /** name of the task that failed, when the run did not end ok because of one */
  failedTask?: string;
  /** every failure that neither ignore_errors nor a rescue handled, in order (task, host, message) */
  failures: TaskFailure[];
  /** PLAY RECAP per host, when the playbook got that far */
  recap?: Record<string, HostRecap>;
  /** the JSON object the playbook wrote to {{ qs_report_file }}, or {} */
  reported: Record<string, unknown>;
}

export class PlaybookAbortedError extends Error {
  readonly code = 'QS_PLAYBOOK_ABORTED';
  constructor(
    readonly playbook: string,
    /** the output up to the cancel */
    readonly logTail: string[] = [],
  ) {
    super(`${playbook} was cancelled; its process group was killed`);
    this.name = 'AbortError';
  }
}

export const ANSIBLE_DIR = path.join(REPO_ROOT, 'ansible');
/** SIGTERM first so tasks may clean up; whatever still runs this long after gets SIGKILL */
export const KILL_GRACE_MS = 5000;

function ansiblePlaybookBin(): string {
  const venv = path.join(REPO_ROOT, '.venv', 'bin', 'ansible-playbook');
  return existsSync(venv) ? venv : 'ansible-playbook';
}

/** The callback plugin writes its events to this file descriptor of ansible-playbook (a pipe to the runner;
 *  the stdio option and the `fd3` reader below say the same). */
const EVENTS_FD = 3;

function ansibleEnv(): Record<string, string | undefined> {
  return {
    ANSIBLE_CONFIG: path.join(ANSIBLE_DIR, 'ansible.cfg'),
    // progress and failures come from the project's callback plugin (it needs no enabling, so callbacks an
    // operator enables, such as profile_tasks, only add to the log)
    ANSIBLE_CALLBACK_PLUGINS: path.join(ANSIBLE_DIR, 'callback_plugins'),
    QS_ANSIBLE_EVENTS_FD: String(EVENTS_FD),
    ANSIBLE_HOST_KEY_CHECKING: 'False',
    ANSIBLE_RETRY_FILES_ENABLED: 'False',
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_FORCE_COLOR: '0',
    ANSIBLE_LOCALHOST_WARNING: 'False',
    ANSIBLE_INVENTORY_UNPARSED_WARNING: 'False',
    // the log operators read is the default callback's, whatever the worker's environment prefers
    ANSIBLE_STDOUT_CALLBACK: 'default',
    PYTHONUNBUFFERED: '1',
    // the inventory decides per host (see the top of this file); undefined removes it from the env
    ANSIBLE_PYTHON_INTERPRETER: undefined,
  };
}

async function readReport(file: string, note: (text: string) => Promise<void>): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return {}; // the playbook reported nothing
  }
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    /* noted below */
  }
  await note('(qs_report_file did not hold a JSON object; reported is {})');
  return {};
}

/** Run folders are `qs-ansible-<pid of the worker>-<random>` in the system temp folder. */
const RUN_DIR_PREFIX = 'qs-ansible-';
/** How often a worker looks for folders that dead workers left (at its first run, then at most this often). */
const STALE_SCAN_INTERVAL_MS = 60_000;
/** Folders of an older runner carry no pid: removed once this old. */
const UNOWNED_DIR_MAX_AGE_MS = 24 * 3600 * 1000;
let lastStaleScan = 0;

/**
 * Removes the run folders (vars files with cloud secrets and signed URLs) of workers that are gone: a
 * worker killed with -9 never reaches its `finally`. A folder whose worker still runs is left alone. An
 * orphaned playbook of a dead worker read its vars when it started; it is stopped by the next run for its
 * job (stopLeftoversOf) anyway. Returns how many folders were removed.
 */
export async function removeStaleRunFolders(root = os.tmpdir()): Promise<number> {
  lastStaleScan = Date.now();
  let removed = 0;
  for (const name of await readdir(root).catch(() => [] as string[])) {
    if (!name.startsWith(RUN_DIR_PREFIX)) continue;
    const dir = path.join(root, name);
    const pid = /^qs-ansible-(\d+)-/.exec(name)?.[1];
    let stale: boolean;
    if (pid) stale = Number(pid) !== process.pid && !isRunning(Number(pid));
    else stale = Date.now() - ((await stat(dir).catch(() => undefined))?.mtimeMs ?? Date.now()) > UNOWNED_DIR_MAX_AGE_MS;
    if (stale) {
      await rm(dir, { recursive: true, force: true });
      removed++;
    }
  }
  return removed;
}

/** One run's mutable state, shared with the abort and timeout callbacks: why it stopped, whether its
 *  process exists yet, and its log. */
class RunControl {
  stopped: 'abort' | 'timeout' | undefined;
  spawned = false;
  timer: NodeJS.Timeout | undefined;
  log: FileHandle | undefined;
  readonly processes: PlaybookProcesses;
  readonly progress: ProgressThrottle | undefined;
  readonly output: LogTail;

  constructor(run: PlaybookRun) {
    this.processes = new PlaybookProcesses(run.owner);
    this.progress = run.onProgress ? new ProgressThrottle(run.onProgress) : undefined;
    this.output = new LogTail(run.tailLines ?? 40);
  }

  stop(why: 'abort' | 'timeout'): void {
    this.stopped ??= why;
    this.progress?.cancel();
    if (this.spawned) this.processes.stop(KILL_GRACE_MS); // before the spawn, the check just ahead of it sees `stopped`
  }

  get aborted(): boolean {
    return this.stopped === 'abort';
  }

  async note(text: string): Promise<void> {
    this.output.note(text);
    await this.log?.write(`${text}\n`);
  }
}

/** The run folder's files (inventory, unsafe vars), after stopping what an earlier run for this owner left. */
async function prepareRun(run: PlaybookRun, c: RunControl, files: { inventory: string; vars: string; report: string }): Promise<void> {
  if (run.logFile) c.log = await open(run.logFile, 'a', 0o600);
  await writeFile(files.inventory, JSON.stringify(run.inventory), { mode: 0o600 });
  await writeFile(files.vars, toUnsafeYaml({ ...run.extraVars, qs_report_file: files.report }), { mode: 0o600 });
  if (c.aborted) throw new PlaybookAbortedError(run.playbook);
  if (run.owner) {
    const left = await stopLeftoversOf(run.owner, KILL_GRACE_MS);
    if (left > 0) await c.note(`(stopped ${left} process(es) that an earlier run for ${run.owner} left running)`);
  }
  if (c.aborted) throw new PlaybookAbortedError(run.playbook);
}

/** Runs ansible-playbook in a process group of its own, reading its output and its events (fd 3) as they come. */
async function spawnPlaybook(run: PlaybookRun, c: RunControl, events: PlaybookEvents, playbook: string, files: { inventory: string; vars: string }) {
  const started = Date.now();
  const child = execa(ansiblePlaybookBin(), ['-i', files.inventory, '-e', `@${files.vars}`, playbook], {
    cwd: ANSIBLE_DIR,
    env: { ...ansibleEnv(), ...c.processes.env },
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'], // no stdin: a prompt would wait forever; fd 3: the events
    reject: false,
    all: true,
    buffer: false,
    detached: true, // a process group (and session) of its own: see process-group.ts
  });
  if (child.pid !== undefined) c.processes.attach(child.pid);
  c.spawned = true;
  if (run.timeoutMs) c.timer = setTimeout(() => c.stop('timeout'), run.timeoutMs);
  const readOutput = async () => {
    for await (const line of child.iterable({ from: 'all' })) {
      await c.log?.write(`${line}\n`);
      c.output.line(line);
    }
  };
  const readEvents = async () => {
    for await (const line of child.iterable({ from: 'fd3' })) events.line(line);
  };
  await Promise.all([readOutput(), readEvents()]);
  const result = await child;
  return { result, durationMs: Date.now() - started };
}

export async function runPlaybook(run: PlaybookRun): Promise<PlaybookResult> {
  if (run.signal?.aborted) throw new PlaybookAbortedError(run.playbook);
  const playbook = path.isAbsolute(run.playbook) ? run.playbook : path.join(ANSIBLE_DIR, run.playbook);
  const c = new RunControl(run);
  const events = new PlaybookEvents((task) => c.progress?.push(task));
  const onAbort = () => c.stop('abort');
  if (Date.now() - lastStaleScan > STALE_SCAN_INTERVAL_MS) await removeStaleRunFolders().catch(() => 0);
  const dir = await mkdtemp(path.join(os.tmpdir(), `${RUN_DIR_PREFIX}${process.pid}-`)); // 0700
  run.signal?.addEventListener('abort', onAbort, { once: true });
  // JSON is YAML to the inventory parser
  const files = { inventory: path.join(dir, 'inventory.json'), vars: path.join(dir, 'vars.yml'), report: path.join(dir, 'report.json') };
  try {
    await prepareRun(run, c, files);
    const { result, durationMs } = await spawnPlaybook(run, c, events, playbook, files);
    if (c.aborted) throw new PlaybookAbortedError(run.playbook, c.output.lines);
    c.progress?.flush();
    if (c.stopped === 'timeout') await c.note(`(timed out after ${run.timeoutMs} ms; the process group was killed)`);
    else if (result.exitCode === undefined) await c.note(`(ansible-playbook did not run: ${result.shortMessage})`);
    const reported = await readReport(files.report, (text) => c.note(text));
    const ok = result.exitCode === 0 && c.stopped === undefined;
    return {
      ok,
      exitCode: result.exitCode ?? null,
      durationMs,
      logTail: c.output.lines,
      failedTask: ok ? undefined : events.failedTask,
      failures: events.failures,
      ...(events.recap ? { recap: events.recap } : {}),
      reported,
    };
  } finally {
    clearTimeout(c.timer);
    run.signal?.removeEventListener('abort', onAbort);
    c.progress?.cancel();
    if (c.spawned) {
      await c.processes.settled(); // a stopped run's tasks get their grace period to clean up
      await c.processes.release();
    }
    await c.log?.close();
    await rm(dir, { recursive: true, force: true });
  }
}
