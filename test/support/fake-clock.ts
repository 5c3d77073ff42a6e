/**
 * Two fake clocks for specs, for two kinds of code:
 * - `fakeClock()`: time moves only when the code under test sleeps (the sleep ends at once) or the test
 *   says so; every sleep is recorded and the jitter comes from a fixed list, so waits can be asserted to
 *   the millisecond. For code that awaits its own sleeps one after another (retries, the executor).
 * - `FakeClock`: sleep() registers a timer and advanceTo() fires the timers in time order, letting the
 *   promise chains each one starts run before the next fires. For code with several sleepers at once
 *   (the rate limiter, bounded concurrency).
 */
import type { Clock } from '../../shared/clock/index.js';
const settleMicrotasks = () => new Promise<void>((resolve) => setImmediate(resolve));

export class FakeClock {
  private time: number;
  private sequence = 0;
  private readonly timers: Array<{ at: number; seq: number; resolve: () => void }> = [];
  /** Every sleep asked for, in ms, in order. */
  readonly sleeps: number[] = [];

  constructor(start = 0) {
    this.time = start;
  }

  readonly now = (): number => this.time;

  readonly sleep = (ms: number): Promise<void> =>
    new Promise<void>((resolve) => {
      this.sleeps.push(ms);
      this.timers.push({ at: this.time + ms, seq: this.sequence++, resolve });
    });

  get pendingTimers(): number {
    return this.timers.length;
  }

  async advanceTo(to: number): Promise<void> {
    for (;;) {
      await settleMicrotasks();
      let next = -1;
      for (let i = 0; i < this.timers.length; i++) {
        const t = this.timers[i]!;
        if (t.at > to) continue;
        if (next < 0 || t.at < this.timers[next]!.at || (t.at === this.timers[next]!.at && t.seq < this.timers[next]!.seq)) next = i;
      }
      if (next < 0) break;
      const [timer] = this.timers.splice(next, 1);
      this.time = Math.max(this.time, timer!.at);
      timer!.resolve();
    }
    this.time = Math.max(this.time, to);
    await settleMicrotasks();
  }

  advance(ms: number): Promise<void> {
    return this.advanceTo(this.time + ms);
  }

  /** Fires timers until none is left (bounded, so a test that spins fails instead of hanging). */
  async runAll(maxTimers = 100_000): Promise<void> {
    for (let n = 0; n < maxTimers; n++) {
      await settleMicrotasks();
      if (this.timers.length === 0) return;
      await this.advanceTo(Math.min(...this.timers.map((t) => t.at)));
    }
    throw new Error(`fake clock: still ${this.timers.length} timer(s) after ${maxTimers}`);
  }
}

export interface JumpingClock extends Clock {
  /** Every sleep asked for, in order. */
  readonly sleeps: number[];
  /** Moves the time on without a sleep (work that takes time: a slow call). */
  advance(ms: number): void;
}

/** `random` answers the values in turn, the last one again once they are used up. */
export function fakeClock(startMs = Date.UTC(2026, 11, 1, 12), random: readonly number[] = [0.5]): JumpingClock {
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
