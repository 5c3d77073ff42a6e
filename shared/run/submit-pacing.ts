/**
 * How many submissions may be in flight at once. A number (REDEEM_SUBMIT_CONCURRENCY=1..8) is kept as it
 * is. `auto` (the default) sends one at a time, so that each order's decision line, with its task number,
 * is on stdout before the next order is sent, until the orders left could not all be sent one at a time
 * in the time left: then it lets as many go at once as that takes, up to 8. An order never sent may cost a
 * domain; several on the wire when a process dies cost nothing but the order of the trace (each has its
 * `submission` line first). The rate limiter still paces every call, and the caps were fixed at planning.
 */

import { Semaphore } from '../http/index.js';

/** The most submissions `auto` lets go at once (as the fixed setting's maximum). */
export const MAX_SUBMIT_CONCURRENCY = 8;

/** `auto` plans to send what is left within this share of the time left, keeping the rest for follow-ups and slack. */
const SHARE_OF_TIME_LEFT = 0.5;

export type SubmitConcurrency = number | 'auto';

export class SubmitPacing {
  private readonly slots: Semaphore;
  /** The release of each slot held now; slots are alike, so any one is given back. */
  private readonly held: Array<() => void> = [];
  private measuredMs = 0;
  private measured = 0;
  private limit: number;

  /**
   * `timeLeftMs`: the time in which submissions may still start (the budget less its submitting margin).
   * Throws a RangeError for a fixed setting outside 1..8 (the configuration refuses those first).
   */
  constructor(
    readonly setting: SubmitConcurrency,
    private readonly timeLeftMs: () => number,
  ) {
    if (setting !== 'auto' && !(Number.isInteger(setting) && setting >= 1 && setting <= MAX_SUBMIT_CONCURRENCY)) {
      throw new RangeError(`submit concurrency must be "auto" or a whole number from 1 to ${MAX_SUBMIT_CONCURRENCY}, got ${setting}`);
    }
    this.limit = setting === 'auto' ? 1 : setting;
    this.slots = new Semaphore(this.limit);
  }

  /** Workers to start: each waits for a slot, so this is only the ceiling. */
  get workers(): number {
    return this.setting === 'auto' ? MAX_SUBMIT_CONCURRENCY : this.limit;
  }

  /** The most submissions allowed in flight at once so far in this run. */
  get highest(): number {
    return this.limit;
  }

  /** Resolves when one more submission may start; waiters are served in the order they asked. */
  async acquire(): Promise<void> {
    this.held.push(await this.slots.acquire());
  }

  /**
   * One submission is done. `durationMs` is what it took (its fresh look, the call, any reconciliation),
   * when it was sent; `left` is how many orders have not started yet. With `auto`, the pace is raised
   * (never lowered) when `left` orders at the average duration seen so far, one slot each, would not fit
   * in the share of the time left.
   */
  release(durationMs: number | undefined, left: number): void {
    if (durationMs !== undefined && Number.isFinite(durationMs) && durationMs >= 0) {
      this.measuredMs += durationMs;
      this.measured++;
    }
    if (this.setting === 'auto' && this.measured > 0 && left > 0) {
      const serialMs = (left * this.measuredMs) / this.measured;
      const windowMs = Math.max(1, this.timeLeftMs() * SHARE_OF_TIME_LEFT);
      const needed = Math.min(MAX_SUBMIT_CONCURRENCY, Math.ceil(serialMs / windowMs));
      if (needed > this.limit) {
        this.limit = needed;
        this.slots.raiseLimit(needed);
      }
    }
    this.held.pop()?.();
  }
}
