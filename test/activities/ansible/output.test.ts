// The output reader and the progress throttle on their own, with lines as ansible-core 2.19's default
// callback (yaml result format) prints them.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PlaybookOutput, ProgressThrottle } from '../../../activities/ansible/output.js';

const feed = (out: PlaybookOutput, text: string) => text.split('\n').forEach((l) => out.line(l));

describe('PlaybookOutput', () => {
  it('when headers come by, then each names its task (plays marked) and star-only and empty lines stay out of the tail', () => {
    const seen: string[] = [];
    const out = new PlaybookOutput(40, (t) => seen.push(t));
    feed(out, 'PLAY [parties] *****\n\nTASK [build the engine] *****\nok: [party0]\n*****\nRUNNING HANDLER [restart] ***\nchanged: [party0]');
    expect(seen).toEqual(['play: parties', 'build the engine', 'restart']);
    expect(out.logTail).toEqual(['PLAY [parties] *****', 'TASK [build the engine] *****', 'ok: [party0]', 'RUNNING HANDLER [restart] ***', 'changed: [party0]']);
  });

  it('when there are more lines than tailLines, then only the last ones are kept, long ones cut', () => {
    const out = new PlaybookOutput(3);
    for (let i = 0; i < 10; i++) out.line(`line ${i}`);
    out.line('x'.repeat(2000));
    expect(out.logTail).toEqual(['line 8', 'line 9', `${'x'.repeat(500)}…`]);
  });

  it('when a failure is ignored and a later one is not, then failedTask is the later task', () => {
    const out = new PlaybookOutput(40);
    feed(out, 'TASK [probe] ***\nfatal: [localhost]: FAILED! => changed=false\n  msg: nope\n...ignoring\nTASK [upload] ***\nfailed: [party1] (item=a) => changed=false\nfatal: [party1]: FAILED! => msg: One or more items failed');
    expect(out.failedTask).toBe('upload');
  });

  it('when one host fails early and another later because of it, then failedTask is the first failure', () => {
    const out = new PlaybookOutput(40);
    feed(out, "TASK [Download this party's own input shares] ***\nok: [party0]\nfatal: [party1]: FAILED! => changed=false\nTASK [Run mpirun] ***\nfatal: [party0]: FAILED! => changed=true");
    expect(out.failedTask).toBe("Download this party's own input shares");
  });

  it('when the only failure is ignored, then there is no failedTask', () => {
    const out = new PlaybookOutput(40);
    feed(out, 'TASK [probe] ***\nfatal: [localhost]: FAILED! => changed=false\n...ignoring\nTASK [next] ***\nok: [localhost]');
    expect(out.failedTask).toBeUndefined();
  });

  it('when a host is unreachable, then its task is the failed one', () => {
    const out = new PlaybookOutput(40);
    feed(out, 'TASK [Gathering Facts] ***\nfatal: [party2]: UNREACHABLE! => changed=false');
    expect(out.failedTask).toBe('Gathering Facts');
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
