/**
 * A clock for unit specs: time moves only when the code under test sleeps (or the test says so), every
 * sleep is recorded, and the jitter comes from a fixed list, so waits can be asserted to the millisecond.
 */
import type { Clock } from '../../shared/clock/index.js';

export interface FakeClock extends Clock {
  /** Every sleep asked for, in order. */
  readonly sleeps: number[];
  /** Moves the time on without a sleep (work that takes time: a slow call). */
  advance(ms: number): void;
}

/** `random` answers the values in turn, the last one again once they are used up. */
export function fakeClock(startMs = Date.UTC(2026, 11, 1, 12), random: readonly number[] = [0.5]): FakeClock {
  let nowMs = startMs;
  let draws = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => nowMs,
    sleep: async (ms) => {
      sleeps.push(ms);
      nowMs += ms;
    },
    random: () => random[Math.min(draws++, random.length - 1)]!,
    advance: (ms) => {
      nowMs += ms;
    },
  };
}
