// The event reader, the log tail and the progress throttle on their own, with events as the callback plugin
// (ansible/callback_plugins/qs_events.py) writes them; runner.test.ts runs the plugin for real.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LogTail, PlaybookEvents, ProgressThrottle } from '../../../activities/ansible/output.js';

const feed = (events: PlaybookEvents, ...lines: object[]) => lines.forEach((l) => events.line(JSON.stringify(l)));
const result = (task: string, host: string, status: string, more: object = {}) => ({ event: 'result', task, host, status, ignored: false, rescued: false, ...more });

describe('PlaybookEvents', () => {
  it('when plays and tasks start, then each is named (plays marked), handlers included', () => {
    const seen: string[] = [];
    const events = new PlaybookEvents((t) => seen.push(t));
    feed(events, { event: 'play', name: 'parties' }, { event: 'task', name: 'build the engine', handler: false }, result('build the engine', 'party0', 'changed'), { event: 'task', name: 'restart', handler: true });
    expect(seen).toEqual(['play: parties', 'build the engine', 'restart']);
    expect(events.failedTask).toBeUndefined();
    expect(events.events).toBe(4);
  });

  it('when a failure is ignored or rescued and a later one is not, then failedTask is the later task and only it is a failure', () => {
    const events = new PlaybookEvents();
    feed(
      events,
      result('probe', 'localhost', 'failed', { ignored: true, msg: 'nope' }),
      result('guarded', 'party1', 'failed', { rescued: true, msg: 'handled' }),
      result('upload', 'party1', 'failed', { msg: 'One or more items failed' }),
    );
    expect(events.failedTask).toBe('upload');
    expect(events.failures).toEqual([{ task: 'upload', host: 'party1', unreachable: false, msg: 'One or more items failed' }]);
  });

  it('when one host fails early and another later because of it, then failedTask is the first failure', () => {
    const events = new PlaybookEvents();
    feed(events, result("Download this party's own input shares", 'party1', 'failed'), result('Run the engine', 'party0', 'failed', { msg: 'x' }));
    expect(events.failedTask).toBe("Download this party's own input shares");
    expect(events.failures.map((f) => f.host)).toEqual(['party1', 'party0']);
  });

  it('when a host is unreachable, then its task is the failed one', () => {
    const events = new PlaybookEvents();
    feed(events, result('Gathering Facts', 'party2', 'unreachable', { msg: 'ssh: timed out' }));
    expect(events.failures).toEqual([{ task: 'Gathering Facts', host: 'party2', unreachable: true, msg: 'ssh: timed out' }]);
  });

  it('when the recap comes, then it is kept per host; lines that are not events are passed over', () => {
    const events = new PlaybookEvents();
    const hosts = { localhost: { ok: 3, changed: 1, failures: 0, unreachable: 0, skipped: 0, rescued: 1, ignored: 0 } };
    events.line('not json');
    events.line('[1, 2]');
    feed(events, { event: 'result', task: 'odd', host: 'h', status: 'exploded' }, { event: 'recap', hosts });
    expect(events.recap).toEqual(hosts);
    expect(events.failures).toEqual([]);
  });
});

describe('LogTail', () => {
  it('when there are more lines than the maximum, then only the last ones are kept, long ones cut, star-only and empty lines left out', () => {
    const tail = new LogTail(3);
    for (let i = 0; i < 10; i++) tail.line(`line ${i}`);
    tail.line('');
    tail.line('*****');
    tail.line('x'.repeat(2000));
    tail.note('(a note)');
    expect(tail.lines).toEqual(['line 9', `${'x'.repeat(500)}…`, '(a note)']);
  });
});

describe('ProgressThrottle', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('when names come faster than the interval, then the first goes at once, the latest after the interval, none between', () => {
    vi.useFakeTimers();
    const seen: string[] = [];
    const throttle = new ProgressThrottle((t) => seen.push(t), 500);
    throttle.push('a');
    throttle.push('b');
    throttle.push('c');
    expect(seen).toEqual(['a']);
    vi.advanceTimersByTime(500);
    expect(seen).toEqual(['a', 'c']);
    vi.advanceTimersByTime(500);
    throttle.push('d');
    expect(seen).toEqual(['a', 'c', 'd']);
  });

  it('when flushed, then the waiting name goes now; when cancelled, then it never goes', () => {
    vi.useFakeTimers();
    const seen: string[] = [];
    const throttle = new ProgressThrottle((t) => seen.push(t), 500);
    throttle.push('a');
    throttle.push('b');
    throttle.flush();
    expect(seen).toEqual(['a', 'b']);
    throttle.push('c');
    throttle.cancel();
    vi.advanceTimersByTime(1000);
    expect(seen).toEqual(['a', 'b']);
  });
});
