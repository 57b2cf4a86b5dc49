// Every process one playbook run started on this machine: ansible-playbook, its forks, and whatever a task
// started (a `sleep`, an `mpirun` and its ranks, a background child), so a cancel can stop all of them.
//
// A process group alone is not enough: ansible-playbook is spawned detached (its pid is its group), but
// ansible-core's workers call setsid(), so each fork and the task commands under it live in a session of
// their own. ansible-playbook forwards a SIGTERM to its workers, which pass it to their groups; a SIGKILL,
// or a task's background child that outlived its worker, is reached only by us. So the run is marked: an
// environment variable with a random id that every descendant inherits (unless a task clears its
// environment), found again through /proc/<pid>/environ. On systems without /proc only the group is reached.
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export const RUN_MARKER_VAR = 'QS_ANSIBLE_RUN';
/** Marks every process of a run with whom it works for (a job): see stopLeftoversOf. */
export const OWNER_MARKER_VAR = 'QS_ANSIBLE_OWNER';

const live = new Set<PlaybookProcesses>();

// execa does not clean up detached children when the worker exits; the runs still going would be
// orphaned, so they go down with it (a kill -9 of the worker cannot be caught: the stages' retries and the
// sweep deal with that).
process.once('exit', () => {
  for (const run of live) run.signal('SIGKILL');
});

/** Pids whose environment holds `entry` (a whole NAME=value, or with `prefix` any NAME=…). */
function marked(entry: string, prefix = false): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const needle = Buffer.from(prefix ? `\0${entry}` : `\0${entry}\0`);
  const pids: number[] = [];
  for (const name of entries) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      // NUL-separated; the leading NUL makes the first variable match like the others
      const environ = Buffer.concat([Buffer.from([0]), readFileSync(`/proc/${pid}/environ`)]);
      if (environ.includes(needle)) pids.push(pid);
    } catch {
      /* gone meanwhile, or not ours to read */
    }
  }
  return pids;
}

function kill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    /* ESRCH: already gone */
  }
}

/**
 * Stops every process on this machine still working for `owner` (SIGTERM, SIGKILL after the grace
 * period) and waits until they are gone; returns how many there were. A worker killed with -9 leaves its
 * playbook runs going as orphans: the next attempt of the stage calls this first, so that two runs never
 * build, write or launch in the same folders at once.
 */
export async function stopLeftoversOf(owner: string, graceMs: number): Promise<number> {
  const entry = `${OWNER_MARKER_VAR}=${owner}`;
  const found = marked(entry);
  if (found.length === 0) return 0;
  for (const pid of found) kill(pid, 'SIGTERM');
  const killAt = Date.now() + graceMs;
  while (Date.now() < killAt && alive(marked(entry)).length > 0) await sleep(100);
  for (const pid of marked(entry)) kill(pid, 'SIGKILL');
  const until = Date.now() + 2000;
  while (Date.now() < until && alive(marked(entry)).length > 0) await sleep(20);
  return found.length;
}

/** Whether the process runs: a zombie (exited, not yet reaped by a parent that is gone) or a dying one
 *  (X) does not. */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

const alive = (pids: number[]) => pids.filter(isRunning);

/** Every process on this machine marked with `name=` (any value) that still runs. */
export function runningWithMarker(name: string): number[] {
  return alive(marked(`${name}=`, true));
}

export class PlaybookProcesses {
  private readonly id = randomUUID();
  private pgid: number | undefined;
  private killTimer: NodeJS.Timeout | undefined;
  private graceEnds = 0;

  constructor(private readonly owner?: string) {}

  /** to merge into ansible-playbook's environment */
  get env(): Record<string, string> {
    return { [RUN_MARKER_VAR]: this.id, ...(this.owner ? { [OWNER_MARKER_VAR]: this.owner } : {}) };
  }

  /** ansible-playbook was spawned detached with this pid, which is also its process group */
  attach(pid: number): void {
    this.pgid = pid;
    live.add(this);
  }

  /** the pids carrying this run's marker right now (zombies included) */
  members(): number[] {
    return marked(`${RUN_MARKER_VAR}=${this.id}`);
  }

  signal(signal: NodeJS.Signals): void {
    if (this.pgid !== undefined) kill(-this.pgid, signal);
    for (const pid of this.members()) kill(pid, signal);
  }

  /** SIGTERM now (ansible and the tasks may clean up), SIGKILL to whatever is left after the grace period. */
  stop(graceMs: number): void {
    this.signal('SIGTERM');
    this.graceEnds ||= Date.now() + graceMs;
    this.killTimer ??= setTimeout(() => this.signal('SIGKILL'), graceMs);
  }

  /** After stop(): resolves once every process of the run has exited, or when the grace period is over. */
  async settled(): Promise<void> {
    while (Date.now() < this.graceEnds && this.members().length > 0) await sleep(100);
  }

  /** After ansible-playbook ended: SIGKILL whatever a task left running, so nothing outlives its run,
   *  and wait (briefly) until the kernel has taken them down, so the run settles with none left. */
  async release(): Promise<void> {
    clearTimeout(this.killTimer);
    this.signal('SIGKILL');
    live.delete(this);
    const until = Date.now() + 2000;
    while (Date.now() < until && this.members().length > 0) await sleep(20);
  }
}
