// One answer per key, shared by every caller for a short while, so that a poller (or 64 of them)
// costs the source one load per key per window, not one per request.
//
// Why the stale window: with only a fresh window, every caller that comes after it closes waits for the
// next load, so under steady polling a share of the requests waited a whole Temporal round trip four
// times a second, and that round trip was the status route's p99. Now, once the fresh window has
// closed, callers still get the last answer at once while one refresh runs in the background; only
// when the answer is older than freshMs + staleMs (nobody asked for a while) does a caller wait.
export interface SharedAnswersOptions {
  /** An answer this young (counted from when its load started) is served as is. */
  freshMs: number;
  /** For this much longer it is still served, while one refresh runs. */
  staleMs: number;
  /** Past this many keys, the ones nobody may be served any more are dropped. */
  maxKeys: number;
  now?: () => number;
}

interface Entry<V> {
  /** The load in flight, if any: callers with nothing servable share it. */
  pending?: Promise<V>;
  settled?: { value: V; at: number };
}

export class SharedAnswers<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly now: () => number;

  constructor(
    private readonly load: (key: string) => Promise<V>,
    private readonly opts: SharedAnswersOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  get(key: string): Promise<V> {
    const entry = this.entries.get(key);
    const age = entry?.settled ? this.now() - entry.settled.at : Infinity;
    if (entry && age < this.opts.freshMs) return Promise.resolve(entry.settled!.value);
    if (entry && age < this.opts.freshMs + this.opts.staleMs) {
      if (!entry.pending) this.refresh(key, entry).catch(() => undefined); // its failure is the next caller's
      return Promise.resolve(entry.settled!.value);
    }
    if (entry?.pending) return entry.pending;
    return this.refresh(key, entry ?? {});
  }

  /** How many keys are held (answers and loads). */
  get size(): number {
    return this.entries.size;
  }

  /** After a change made through this process (a submit, say): the next caller loads afresh. */
  forget(key: string): void {
    this.entries.delete(key);
  }

  private refresh(key: string, entry: Entry<V>): Promise<V> {
    const at = this.now();
    const pending = this.load(key);
    entry.pending = pending;
    this.entries.set(key, entry);
    // Only the entry still in the map takes the result: a forgotten key's late load must not come back.
    const current = () => this.entries.get(key) === entry && entry.pending === pending;
    pending.then(
      (value) => {
        if (!current()) return;
        entry.settled = { value, at };
        entry.pending = undefined;
      },
      () => {
        if (current()) this.entries.delete(key);
      },
    );
    if (this.entries.size > this.opts.maxKeys) this.prune();
    return pending;
  }

  private prune(): void {
    const now = this.now();
    for (const [k, e] of this.entries) {
      if (!e.pending && (!e.settled || now - e.settled.at >= this.opts.freshMs + this.opts.staleMs)) this.entries.delete(k);
    }
  }
}
