/**
 * One token bucket for every call a run makes to an API, so that concurrency can never outrun the rate
 * the registrar accepts. Callers wait their turn in order (FIFO) and never longer than their deadline.
 * When the server throttles, the whole run slows down, not just the call that was refused: every caller
 * is paused for the server's wait, and the rate is cut (multiplicative decrease), then regained a step at
 * a time (additive increase) up to the configured QPS, as TCP does with its congestion window.
 */

interface LimiterClock {
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

export interface RateLimiterOptions {
  /** Calls per second at most: the configured rate, which recovery never goes above. */
  readonly qps: number;
  /** Calls that may start at once after a quiet spell (the bucket's size). Default 1: evenly spaced calls. */
  readonly burst?: number;
  /** The floor of multiplicative decrease. Default qps / 16 (four halvings), at least 0.1. */
  readonly minQps?: number;
  /** Factor applied to the rate on a throttling answer. Default 0.5. */
  readonly decreaseFactor?: number;
  /** Rate regained per recovery step. Default qps / 10, at least 0.1: back to full in about 10 s. */
  readonly increaseQps?: number;
  /** Throttle-free time per recovery step, and the shortest time between two decreases. Default 1 000 ms. */
  readonly increaseIntervalMs?: number;
  /** Pause when a throttling answer names no wait. Default 1 000 ms (one window of a per-second limit). */
  readonly defaultPauseMs?: number;
  /** Longest pause a server's wait may impose: the header is untrusted input. Default 60 000 ms. */
  readonly maxPauseMs?: number;
  /** Longest any acquire waits when its caller gives no earlier deadline. Default 120 000 ms. */
  readonly maxWaitMs?: number;
  /** Default: Date.now and setTimeout, so deadlines are on the same clock as the run's time budget. */
  readonly clock?: LimiterClock;
}

interface AcquireOptions {
  /** Absolute time on the limiter's clock by which the call must be able to start. */
  readonly deadline?: number | undefined;
  readonly signal?: AbortSignal | undefined;
}

interface RateLimiterStats {
  readonly granted: number;
  readonly rejected: number;
  readonly throttles: number;
  /** The current rate, in calls per second. */
  readonly qps: number;
  readonly queued: number;
}

/** An acquire that could not get a token before its deadline; it took no token and sent nothing. */
export class RateLimitTimeoutError extends Error {
  override readonly name = 'RateLimitTimeoutError';
  readonly code = 'RateLimitTimeout';
  constructor(
    readonly waitMs: number,
    readonly queuedAhead: number,
    readonly qps: number,
  ) {
    super(
      `rate limit: no call slot before the deadline (the next one is ${Math.ceil(waitMs)} ms away at ${Math.round(qps * 100) / 100} calls/s, ${queuedAhead} call(s) queued ahead)`,
    );
  }
}

const realClock: LimiterClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Token counts this close to a whole token count as one: rates that do not divide 1 000 ms exactly. */
const EPSILON = 1e-6;

/** The bucket's accounting; `at` is the time it is accounted up to, in the future while paused. */
interface Bucket {
  tokens: number;
  rate: number;
  at: number;
  /** When the next additive step is due; only read while rate < max. */
  nextIncreaseAt: number;
}

interface Waiter {
  readonly deadline: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
  readonly cleanup: () => void;
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`rate limiter: ${name} must be a positive number, got ${value}`);
  return value;
}

export class RateLimiter {
  readonly maxQps: number;
  readonly burst: number;
  private readonly minQps: number;
  private readonly decreaseFactor: number;
  private readonly increaseQps: number;
  private readonly increaseIntervalMs: number;
  private readonly defaultPauseMs: number;
  private readonly maxPauseMs: number;
  private readonly maxWaitMs: number;
  private readonly clock: LimiterClock;
  private readonly bucket: Bucket;
  private readonly queue: Waiter[] = [];
  private lastDecreaseAt = -Infinity;
  private pumping = false;
  private granted = 0;
  private rejected = 0;
  private throttles = 0;

  constructor(options: RateLimiterOptions) {
    if (!(Number.isFinite(options.qps) && options.qps > 0)) throw new RangeError(`rate limiter: qps must be a positive number, got ${options.qps}`);
    this.maxQps = options.qps;
    this.burst = Math.max(1, positive(options.burst, 1, 'burst'));
    this.minQps = Math.min(this.maxQps, positive(options.minQps, Math.max(0.1, this.maxQps / 16), 'minQps'));
    this.decreaseFactor = positive(options.decreaseFactor, 0.5, 'decreaseFactor');
    if (this.decreaseFactor >= 1) throw new RangeError('rate limiter: decreaseFactor must be below 1');
    this.increaseQps = positive(options.increaseQps, Math.max(0.1, this.maxQps / 10), 'increaseQps');
    this.increaseIntervalMs = positive(options.increaseIntervalMs, 1_000, 'increaseIntervalMs');
    this.defaultPauseMs = positive(options.defaultPauseMs, 1_000, 'defaultPauseMs');
    this.maxPauseMs = positive(options.maxPauseMs, 60_000, 'maxPauseMs');
    this.maxWaitMs = positive(options.maxWaitMs, 120_000, 'maxWaitMs');
    this.clock = options.clock ?? realClock;
    this.bucket = { tokens: this.burst, rate: this.maxQps, at: this.clock.now(), nextIncreaseAt: Infinity };
  }

  /**
   * Resolves when the caller may send one call. FIFO. Rejects with RateLimitTimeoutError as soon as the
   * slot, at the current rate and its scheduled recovery, would come after the deadline (or after
   * maxWaitMs), and with the signal's reason when it aborts; a rejected caller takes no token.
   */
  acquire(options: AcquireOptions = {}): Promise<void> {
    const now = this.clock.now();
    if (options.signal?.aborted) {
      this.rejected++;
      return Promise.reject(options.signal.reason);
    }
    const deadline = Math.min(options.deadline ?? Infinity, now + this.maxWaitMs);
    return new Promise<void>((resolve, reject) => {
      const signal = options.signal;
      const onAbort = () => {
        const index = this.queue.indexOf(waiter);
        if (index < 0) return;
        this.queue.splice(index, 1);
        waiter.cleanup();
        this.rejected++;
        reject(signal!.reason);
      };
      const waiter: Waiter = { deadline, resolve, reject, cleanup: () => signal?.removeEventListener('abort', onAbort) };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(waiter);
      this.settle(now);
      if (this.queue.length > 0) void this.pump();
    });
  }

  /**
   * A throttling answer: pauses every caller for the server's wait (`x-acs-retry-after`, clamped to
   * maxPauseMs; defaultPauseMs when absent or unreadable) and cuts the rate, at most once per
   * increaseIntervalMs, since the calls in flight together are all refused together: one signal, not many.
   */
  onThrottle(retryAfterMs?: number): void {
    const now = this.clock.now();
    this.advance(this.bucket, now);
    const pause = retryAfterMs !== undefined && Number.isFinite(retryAfterMs) && retryAfterMs > 0 ? Math.min(retryAfterMs, this.maxPauseMs) : this.defaultPauseMs;
    // Tokens freeze during the pause and keep at most one: the bucket never gains by being throttled,
    // so rate × time + burst stays a bound on any window.
    this.bucket.tokens = Math.min(this.bucket.tokens, 1);
    this.bucket.at = Math.max(this.bucket.at, now + pause);
    if (now - this.lastDecreaseAt >= this.increaseIntervalMs) {
      this.bucket.rate = Math.max(this.minQps, this.bucket.rate * this.decreaseFactor);
      this.lastDecreaseAt = now;
    }
    this.bucket.nextIncreaseAt = this.bucket.at + this.increaseIntervalMs;
    this.throttles++;
    this.settle(now);
  }

  get stats(): RateLimiterStats {
    this.advance(this.bucket, this.clock.now());
    return { granted: this.granted, rejected: this.rejected, throttles: this.throttles, qps: this.bucket.rate, queued: this.queue.length };
  }

  /** Brings `bucket` up to `to`: tokens accrue at the rate of each recovery step in turn. */
  private advance(bucket: Bucket, to: number): void {
    // Bounded: every pass either reaches `to` or takes one recovery step towards maxQps.
    while (bucket.at < to) {
      const recovering = bucket.rate < this.maxQps;
      const end = recovering ? Math.min(to, bucket.nextIncreaseAt) : to;
      bucket.tokens = Math.min(this.burst, bucket.tokens + ((end - bucket.at) * bucket.rate) / 1_000);
      bucket.at = end;
      if (recovering && end >= bucket.nextIncreaseAt) {
        bucket.rate = Math.min(this.maxQps, bucket.rate + this.increaseQps);
        bucket.nextIncreaseAt += this.increaseIntervalMs;
      }
    }
  }

  /** When `bucket` will hold one whole token, at its rate and scheduled recovery. */
  private nextTokenAt(from: Bucket): number {
    const bucket = { ...from };
    for (;;) {
      if (bucket.tokens >= 1 - EPSILON) return bucket.at;
      const ready = bucket.at + ((1 - bucket.tokens) * 1_000) / bucket.rate;
      if (bucket.rate >= this.maxQps || ready <= bucket.nextIncreaseAt) return ready;
      this.advance(bucket, bucket.nextIncreaseAt);
    }
  }

  /**
   * One sweep over the queue, in order: grants what can start now, and rejects every waiter whose
   * projected slot lies past its deadline (a rejected waiter takes no token, so those behind move up).
   */
  private settle(now: number): void {
    this.advance(this.bucket, now);
    const projected: Bucket = { ...this.bucket };
    for (let i = 0; i < this.queue.length; ) {
      const waiter = this.queue[i]!;
      const slot = Math.max(now, this.nextTokenAt(projected));
      if (slot > waiter.deadline) {
        this.queue.splice(i, 1);
        waiter.cleanup();
        this.rejected++;
        waiter.reject(new RateLimitTimeoutError(slot - now, i, this.bucket.rate));
        continue;
      }
      this.advance(projected, slot);
      projected.tokens = Math.max(0, projected.tokens - 1);
      if (i === 0 && slot <= now) {
        // Only the head may start now (FIFO); the real bucket is the projection, one token less.
        this.bucket.tokens = projected.tokens;
        this.queue.shift();
        waiter.cleanup();
        this.granted++;
        waiter.resolve();
        continue;
      }
      i++;
    }
  }

  /** One loop at a time sleeps until the head's slot; throttles and aborts are picked up on waking. */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length > 0) {
        const wait = this.nextTokenAt(this.bucket) - this.clock.now();
        // Whole milliseconds, at least one: timers have no finer grain, and a zero wait would spin. A timer
        // that wakes late loses the lateness (the bucket holds at most `burst`): the rate achieved is a
        // little under qps, never over it.
        await this.clock.sleep(Math.max(1, Math.ceil(wait - EPSILON)));
        this.settle(this.clock.now());
      }
    } finally {
      this.pumping = false;
    }
  }
}
