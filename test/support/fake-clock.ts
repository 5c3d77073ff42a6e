/**
 * A clock whose time moves only when a test says so: sleep() registers a timer, and advanceTo() fires
 * the timers in time order, letting the promise chains each one starts run before the next fires.
 */
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
