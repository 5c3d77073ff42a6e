/**
 * SubmitPacing: a fixed number of submissions in flight, or `auto`: one at a time until the orders left
 * would not all be sent that way in half the time left, then as many as that takes, at most 8.
 */
import { describe, expect, it } from 'vitest';
import { SubmitPacing } from '../../shared/run/submit-pacing.js';

/** Starts `n` acquires in order; answers which of them have been granted so far. */
function contenders(pacing: SubmitPacing, n: number) {
  const granted: number[] = [];
  for (let i = 0; i < n; i++) void pacing.acquire().then(() => granted.push(i));
  return granted;
}
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('SubmitPacing', () => {
  it('a fixed setting lets that many go at once, in the order they asked, and never more', async () => {
    const pacing = new SubmitPacing(3, () => 1_000);
    const granted = contenders(pacing, 6);
    await tick();
    expect(granted).toEqual([0, 1, 2]);
    pacing.release(10_000, 100); // a fixed setting is not raised, however slow
    await tick();
    expect(granted).toEqual([0, 1, 2, 3]);
    expect(pacing.highest).toBe(3);
    expect(pacing.workers).toBe(3);
  });

  it('auto: one at a time while the orders left fit in half the time left', async () => {
    const pacing = new SubmitPacing('auto', () => 60_000);
    const granted = contenders(pacing, 5);
    await tick();
    expect(granted).toEqual([0]);
    // 4 left at 500 ms each: 2 s, well inside 30 s.
    pacing.release(500, 4);
    await tick();
    expect(granted).toEqual([0, 1]);
    expect(pacing.highest).toBe(1);
  });

  it('auto: raised to what the orders left need when one at a time would not fit, then never lowered', async () => {
    let timeLeft = 100_000;
    const pacing = new SubmitPacing('auto', () => timeLeft);
    const granted = contenders(pacing, 10);
    await tick();
    // 200 left at 1 s each: 200 s one at a time, against 50 s (half of 100 s): 4 at once.
    pacing.release(1_000, 200);
    await tick();
    expect(pacing.highest).toBe(4);
    expect(granted).toEqual([0, 1, 2, 3, 4]);
    // Faster answers later do not lower it; far too little time raises it to the ceiling of 8.
    pacing.release(10, 150);
    await tick();
    expect(pacing.highest).toBe(4);
    expect(granted).toEqual([0, 1, 2, 3, 4, 5]);
    timeLeft = 1_000;
    pacing.release(1_000, 100);
    await tick();
    expect(pacing.highest).toBe(8);
    expect(granted).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('auto: a release without a duration (nothing was sent) measures nothing and raises nothing', async () => {
    const pacing = new SubmitPacing('auto', () => 10);
    contenders(pacing, 3);
    await tick();
    pacing.release(undefined, 1_000);
    pacing.release(Number.NaN, 1_000);
    expect(pacing.highest).toBe(1);
  });

  it('refuses a fixed setting outside 1 to 8', () => {
    for (const bad of [0, 9, 1.5, -1, Number.NaN]) expect(() => new SubmitPacing(bad, () => 1)).toThrow(RangeError);
  });
});
