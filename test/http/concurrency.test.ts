import { describe, expect, it } from 'vitest';
import { Semaphore, mapLimit } from '../../shared/http/concurrency.js';
import { FakeClock } from '../support/fake-clock.js';

describe('mapLimit', () => {
  it('never has more than `limit` in flight, starts in item order and answers in item order', async () => {
    const clock = new FakeClock();
    let inFlight = 0;
    let peak = 0;
    const started: number[] = [];
    const durations = [50, 10, 30, 10, 40, 20, 10];
    const done = mapLimit(durations, 3, async (ms, index) => {
      started.push(index);
      inFlight++;
      peak = Math.max(peak, inFlight);
      await clock.sleep(ms);
      inFlight--;
      return `${index}:${clock.now()}`;
    });
    await clock.runAll();
    // 0:[0,50] 1:[0,10] 2:[0,30] 3:[10,20] 4:[20,60] 5:[30,50] 6:[50,60]
    expect(await done).toEqual(['0:50', '1:10', '2:30', '3:20', '4:60', '5:50', '6:60']);
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(peak).toBe(3);
  });

  it('on a rejection starts nothing more, waits for those in flight, then throws the first error', async () => {
    const clock = new FakeClock();
    const finished: number[] = [];
    const outcome = mapLimit([0, 1, 2, 3, 4], 2, async (i) => {
      await clock.sleep(i === 1 ? 5 : 20);
      if (i === 1) throw new Error('boom 1');
      finished.push(i);
      return i;
    }).catch((error: Error) => error.message);
    await clock.runAll();
    // Item 1 failed at 5 ms: item 2 never started; item 0, already in flight, was waited for.
    expect(await outcome).toBe('boom 1');
    expect(finished).toEqual([0]);
  });

  it('an empty list resolves at once; a limit that is not a whole number ≥ 1 is refused', async () => {
    expect(await mapLimit([], 4, async () => 1)).toEqual([]);
    await expect(mapLimit([1], 0, async () => 1)).rejects.toThrow(/at least 1, got 0/);
    await expect(mapLimit([1], 1.5, async () => 1)).rejects.toThrow(RangeError);
  });
});

describe('Semaphore', () => {
  it('raiseLimit lets waiters in at once, in the order they asked; a lower limit changes nothing', async () => {
    const semaphore = new Semaphore(1);
    const entered: number[] = [];
    for (let i = 0; i < 4; i++) void semaphore.acquire().then(() => entered.push(i));
    await new Promise((resolve) => setImmediate(resolve));
    expect(entered).toEqual([0]);
    semaphore.raiseLimit(3);
    await new Promise((resolve) => setImmediate(resolve));
    expect(entered).toEqual([0, 1, 2]);
    semaphore.raiseLimit(2);
    expect(semaphore.active).toBe(3);
    expect(semaphore.queued).toBe(1);
    expect(() => semaphore.raiseLimit(0)).toThrow(RangeError);
  });

  it('hands slots over in FIFO order; a double release frees one slot only', async () => {
    const semaphore = new Semaphore(2);
    const order: string[] = [];
    const a = await semaphore.acquire();
    const b = await semaphore.acquire();
    const c = semaphore.acquire().then((release) => (order.push('c'), release));
    const d = semaphore.acquire().then((release) => (order.push('d'), release));
    expect([semaphore.active, semaphore.queued]).toEqual([2, 2]);
    a();
    a();
    await c;
    expect(order).toEqual(['c']);
    expect([semaphore.active, semaphore.queued]).toEqual([2, 1]);
    b();
    (await d)();
    (await c)();
    expect([semaphore.active, semaphore.queued]).toEqual([0, 0]);
    expect(order).toEqual(['c', 'd']);
  });

  it('run releases the slot when the function throws', async () => {
    const semaphore = new Semaphore(1);
    await expect(semaphore.run(async () => Promise.reject(new Error('no')))).rejects.toThrow('no');
    expect(semaphore.active).toBe(0);
    expect(await semaphore.run(async () => 7)).toBe(7);
  });
});
