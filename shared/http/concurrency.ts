/**
 * Bounded concurrency: at most `limit` operations in flight. The rate limiter says how often a call may
 * start; this says how many may be outstanding at once (memory, sockets, and how much is in doubt if the
 * process dies).
 */

function checkLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`concurrency limit must be a whole number of at least 1, got ${limit}`);
  return limit;
}

/** A counting semaphore; waiters are served in the order they asked (FIFO). */
export class Semaphore {
  private limit: number;
  private held = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(limit: number) {
    this.limit = checkLimit(limit);
  }

  get active(): number {
    return this.held;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** Resolves with the release function once a slot is free; calling release more than once is harmless. */
  async acquire(): Promise<() => void> {
    if (this.held < this.limit) this.held++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      // The slot passes straight to the next waiter, so `held` does not change.
      if (next) next();
      else this.held--;
    };
  }

  /** Allows `limit` at once from now on if that is more than before (never fewer), and lets waiters in. */
  raiseLimit(limit: number): void {
    if (checkLimit(limit) <= this.limit) return;
    this.limit = limit;
    while (this.held < this.limit && this.waiting.length > 0) {
      this.held++;
      this.waiting.shift()!();
    }
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await fn();
    } finally {
      release();
    }
  }
}

/**
 * Maps `items` through `fn` with at most `limit` calls in flight, started in item order; resolves with
 * the results in item order. When a call rejects, no further item starts, the ones in flight are waited
 * for (nothing is left running behind the caller's back), and the first error is thrown.
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  checkLimit(limit);
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  let firstError: unknown;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index]!, index);
      } catch (error) {
        if (!failed) firstError = error;
        failed = true;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failed) throw firstError;
  return results;
}
