// The status route's sharing of answers, on a clock the test moves: who waits, who is served what, when
// the source is asked again. The route through the real dev server is covered in jobs.test.ts.
import { describe, expect, it } from 'vitest';
import { SharedAnswers } from '../../api/shared-answers.js';

/** A source whose loads the test settles one by one, with a clock it sets. */
function source() {
  let now = 0;
  const loads: { key: string; resolve: (v: string) => void; reject: (e: Error) => void }[] = [];
  const answers = new SharedAnswers<string>(
    (key) => new Promise((resolve, reject) => loads.push({ key, resolve, reject })),
    { freshMs: 100, staleMs: 100, maxKeys: 3, now: () => now },
  );
  /** Key "j" answered "Ready" at time 0, as the start of most cases. */
  const ready = async () => {
    const first = answers.get('j');
    loads.at(-1)!.resolve('Ready');
    await first;
  };
  return { answers, loads, ready, at: (t: number) => (now = t) };
}

const settled = () => new Promise((r) => setImmediate(r));

describe('SharedAnswers', () => {
  it('when many callers ask at once, then the source is asked once and all get its answer', async () => {
    const { answers, loads } = source();
    const all = Promise.all([answers.get('j'), answers.get('j'), answers.get('j')]);
    expect(loads).toHaveLength(1);
    loads[0].resolve('Ready');
    expect(await all).toEqual(['Ready', 'Ready', 'Ready']);
  });

  it('when the answer is fresh, then it is served without asking the source', async () => {
    const { answers, loads, ready, at } = source();
    await ready();
    at(99);
    expect(await answers.get('j')).toBe('Ready');
    expect(loads).toHaveLength(1);
  });

  it('when the answer is stale, then it is still served at once while one refresh runs, and the refresh is served after', async () => {
    const { answers, loads, ready, at } = source();
    await ready();
    at(150);
    expect(await answers.get('j')).toBe('Ready');
    expect(await answers.get('j')).toBe('Ready');
    expect(loads).toHaveLength(2); // one refresh for both
    loads[1].resolve('Submitted');
    await settled();
    expect(await answers.get('j')).toBe('Submitted');
    expect(loads).toHaveLength(2); // the refresh is fresh from when it started (150)
  });

  it('when the answer is older than fresh + stale, then the caller waits for a new one', async () => {
    const { answers, loads, ready, at } = source();
    await ready();
    at(200);
    const next = answers.get('j');
    expect(loads).toHaveLength(2);
    loads[1].resolve('Submitted');
    expect(await next).toBe('Submitted');
  });

  it('when a load fails, then its callers get the error and the next caller asks again', async () => {
    const { answers, loads } = source();
    const first = answers.get('j');
    loads[0].reject(new Error('Temporal is down'));
    await expect(first).rejects.toThrow('Temporal is down');
    const second = answers.get('j');
    expect(loads).toHaveLength(2);
    loads[1].resolve('Ready');
    expect(await second).toBe('Ready');
  });

  it('when a background refresh fails, then the stale answer stops being served', async () => {
    const { answers, loads, ready, at } = source();
    await ready();
    at(150);
    await answers.get('j');
    loads[1].reject(new Error('Temporal is down'));
    await settled();
    const next = answers.get('j');
    expect(loads).toHaveLength(3);
    loads[2].resolve('Running Experiment');
    expect(await next).toBe('Running Experiment');
  });

  it('when a key is forgotten, then the next caller asks again and the load from before never comes back', async () => {
    const { answers, loads } = source();
    const before = answers.get('j');
    answers.forget('j'); // say, a submit through this process
    const after = answers.get('j');
    expect(loads).toHaveLength(2);
    loads[1].resolve('Submitted');
    loads[0].resolve('Ready');
    expect(await before).toBe('Ready');
    expect(await after).toBe('Submitted');
    await settled();
    expect(await answers.get('j')).toBe('Submitted');
  });

  it('when more keys than maxKeys are held, then the ones past serving are dropped, not the one loading', async () => {
    const { answers, loads, at } = source();
    for (const k of ['a', 'b', 'c']) {
      const p = answers.get(k);
      loads.at(-1)!.resolve(k);
      await p;
    }
    at(250); // a, b and c are past fresh + stale
    const d = answers.get('d'); // the fourth key: a, b and c go, d (loading) stays
    loads.at(-1)!.resolve('d');
    await d;
    expect(answers.size).toBe(1);
    expect(await answers.get('d')).toBe('d');
  });
});
