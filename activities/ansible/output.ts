// What the runner makes of a playbook run while it runs: structured events from the project's callback
// plugin (ansible/callback_plugins/qs_events.py, one JSON object per line on a pipe of their own) give
// the current task for progress and the failures nothing handled; the human-readable output is kept only
// as the job's log tail for operators. Pure, so the runner stays about processes and files.

export interface HostRecap {
  ok: number;
  changed: number;
  failures: number;
  unreachable: number;
  skipped: number;
  rescued: number;
  ignored: number;
}

/** A failed or unreachable host result that neither `ignore_errors` nor a block's `rescue` handled. */
export interface TaskFailure {
  task: string;
  host: string;
  unreachable: boolean;
  /** the result's message; absent for a no_log task's */
  msg?: string;
}

const STATUSES = ['ok', 'changed', 'failed', 'skipped', 'unreachable'] as const;
type Status = (typeof STATUSES)[number];

const isString = (v: unknown): v is string => typeof v === 'string';

/** Reads the events; a line that is not one (never expected) is passed over. */
export class PlaybookEvents {
  private readonly unhandled: TaskFailure[] = [];
  private lastRecap: Record<string, HostRecap> | undefined;
  private count = 0;

  constructor(
    /** called with the task (or `play: <name>`) that starts */
    private readonly onTask: (task: string) => void = () => undefined,
  ) {}

  line(text: string): void {
    let e: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(text);
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return;
      e = parsed as Record<string, unknown>;
    } catch {
      return;
    }
    this.count++;
    if (e.event === 'play' && isString(e.name)) this.onTask(`play: ${e.name}`);
    else if (e.event === 'task' && isString(e.name)) this.onTask(e.name);
    else if (e.event === 'result' && isString(e.task) && isString(e.host) && STATUSES.includes(e.status as Status)) {
      const status = e.status as Status;
      const handled = e.ignored === true || e.rescued === true;
      if ((status === 'failed' || status === 'unreachable') && !handled) {
        this.unhandled.push({ task: e.task, host: e.host, unreachable: status === 'unreachable', ...(isString(e.msg) ? { msg: e.msg } : {}) });
      }
    } else if (e.event === 'recap' && e.hosts && typeof e.hosts === 'object') {
      this.lastRecap = e.hosts as Record<string, HostRecap>;
    }
  }

  /** how many events came: none means the callback plugin did not run */
  get events(): number {
    return this.count;
  }

  /** the unhandled failures, in the order they happened */
  get failures(): TaskFailure[] {
    return [...this.unhandled];
  }

  /** the task of the first unhandled failure: with several hosts, a party that failed early makes the
   *  others fail later (any_errors_fatal), so the first one is the cause */
  get failedTask(): string | undefined {
    return this.unhandled[0]?.task;
  }

  /** PLAY RECAP per host, once the playbook got that far */
  get recap(): Record<string, HostRecap> | undefined {
    return this.lastRecap;
  }
}

const MAX_LINE = 500;

/** The last non-empty lines of the human-readable output (and the runner's own notes), long ones cut. */
export class LogTail {
  private readonly tail: string[] = [];

  constructor(private readonly max: number) {}

  line(line: string): void {
    const trimmed = line.trim();
    // ansible's banner lines end in a row of stars; a line of stars alone says nothing
    if (trimmed && !/^\*+$/.test(trimmed)) this.push(line.length > MAX_LINE ? `${line.slice(0, MAX_LINE)}…` : line);
  }

  /** a note of the runner's own (timeout, spawn error), kept with the output it explains */
  note(text: string): void {
    this.push(text);
  }

  get lines(): string[] {
    return [...this.tail];
  }

  private push(line: string): void {
    this.tail.push(line);
    if (this.tail.length > this.max) this.tail.shift();
  }
}

/**
 * Passes task names on at most once per interval, and never drops the latest one: a name that comes too
 * soon waits for the rest of the interval (replacing any name already waiting); flush() delivers it now.
 */
export class ProgressThrottle {
  private last = 0;
  private pending: string | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly deliver: (task: string) => void,
    private readonly intervalMs = 500,
  ) {}

  push(task: string): void {
    const wait = this.last + this.intervalMs - Date.now();
    if (wait <= 0 && this.timer === undefined) return this.send(task);
    this.pending = task;
    this.timer ??= setTimeout(() => this.flush(), Math.max(wait, 0));
  }

  flush(): void {
    const task = this.pending;
    this.cancel();
    if (task !== undefined) this.send(task);
  }

  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = undefined;
  }

  private send(task: string): void {
    this.last = Date.now();
    this.deliver(task);
  }
}
