// Reads ansible-playbook's default (yaml result format) output line by line: the current task for
// progress, the last lines for the job's log tail, and the task that failed. Pure, so the runner stays
// about processes and files.

const HEADER = /^(TASK|PLAY|RUNNING HANDLER) \[(.*)\]/;
// `fatal: [host]: FAILED! =>`, `fatal: [host]: UNREACHABLE!`, `failed: [host] (item=…) =>`
const FAILURE = /^\s*(fatal|failed): \[/;
// printed under a failure the task's ignore_errors swallowed
const IGNORED = /^\s*\.\.\.ignoring\s*$/;
const MAX_LINE = 500;

export class PlaybookOutput {
  private readonly tail: string[] = [];
  private task: string | undefined;
  private failed: string | undefined;
  private failedBefore: string | undefined;

  constructor(
    private readonly tailMax: number,
    /** called with the task (or `play: <name>`) a header line starts */
    private readonly onHeader: (task: string) => void = () => undefined,
  ) {}

  line(line: string): void {
    const header = HEADER.exec(line);
    if (header) {
      this.task = header[2];
      this.onHeader(header[1] === 'PLAY' ? `play: ${header[2]}` : header[2]);
    } else if (FAILURE.test(line)) {
      // the first failure wins: with several hosts, a party that failed early makes the others fail later
      // (a failure a block rescued counts too; the output does not tie a rescue to its failure)
      this.failedBefore = this.failed;
      this.failed ??= this.task;
    } else if (IGNORED.test(line)) {
      this.failed = this.failedBefore;
    }
    const trimmed = line.trim();
    if (trimmed && !/^\*+$/.test(trimmed)) {
      this.tail.push(line.length > MAX_LINE ? `${line.slice(0, MAX_LINE)}…` : line);
      if (this.tail.length > this.tailMax) this.tail.shift();
    }
  }

  /** a note of the runner's own (timeout, spawn error), kept with the output it explains */
  note(text: string): void {
    this.tail.push(text);
    if (this.tail.length > this.tailMax) this.tail.shift();
  }

  get logTail(): string[] {
    return [...this.tail];
  }

  /** the task of the first failure that was not ignored; the runner reports it only for a run not ok */
  get failedTask(): string | undefined {
    return this.failed;
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
