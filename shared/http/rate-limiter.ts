/**
 * One token bucket for every call a run makes to an API, so that concurrency can never outrun the rate
 * the registrar accepts. Callers wait their turn in order (FIFO) and never longer than their deadline.
 * When the server throttles, the whole run slows down, not just the call that was refused: every caller
 * is paused for the server's wait, and the rate is cut, then regained a step at a time, never above the
 * configured QPS, as TCP does with its congestion window.
 *
 * A throttle also tells where the server's ceiling is: the calls it accepted from us in the second before
 * the refused one (whatever its rule: a fixed or a sliding window, a token bucket, a quota shared with
 * other clients). The cut goes to just under that ceiling (never more than halving, never less than a
 * tenth), recovery climbs back quickly only up to it, stays there a while, then probes above it in small,
 * growing steps, and waits longer before the next probe each time the ceiling proves to be where it
 * was (as CUBIC does): a run spends its time just under the limit instead of sawing up to the configured
 * QPS and down to half of it. Without such a measure (a refusal with no call before it) the cut halves
 * and recovery climbs to the configured QPS, as before.
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
  /** Share of the measured ceiling that a cut and the quick recovery aim for. Default 0.95. */
  readonly ceilingShare?: number;
  /** Time spent just under a measured ceiling before probing above it. Default 4 000 ms; doubles (up to 30 000 ms) each time a probe finds the ceiling where it was. */
  readonly probeHoldMs?: number;
  /** Default: Date.now and setTimeout, so deadlines are on the same clock as the run's time budget. */
  readonly clock?: LimiterClock;
}

interface AcquireOptions {
  /** Absolute time on the limiter's clock by which the call must be able to start. */
  readonly deadline?: number | undefined;
  readonly signal?: AbortSignal | undefined;
  /** What the call is (the API action), for the message of a refusal. */
  readonly label?: string | undefined;
}

interface RateLimiterStats {
  readonly granted: number;
  readonly rejected: number;
  readonly throttles: number;
  /** Throttles that cut the rate (at most one per burst of refusals). */
  readonly decreases: number;
  /** The current rate, in calls per second. */
  readonly qps: number;
  /** The server's ceiling as last measured, in calls per second; undefined before any measure. */
  readonly ceiling: number | undefined;
  readonly queued: number;
}

/** What acquire() resolves with: the call's number, to hand back to onThrottle when it is refused. */
export type Grant = number;

/** An acquire that could not get a token before its deadline; it took no token and sent nothing. */
export class RateLimitTimeoutError extends Error {
  override readonly name = 'RateLimitTimeoutError';
  readonly code = 'RateLimitTimeout';
  constructor(
    readonly waitMs: number,
    readonly queuedAhead: number,
    readonly qps: number,
    label?: string,
  ) {
    super(
      `${label ? `${label}: ` : ''}rate limit: no call slot before the deadline (the next one is ${Math.ceil(waitMs)} ms away at ${Math.round(qps * 100) / 100} calls/s, ${queuedAhead} call(s) queued ahead); the work did not fit the time at this rate: raise REDEEM_API_QPS if the registrar allows more, or the function's timeout`,
    );
  }
}

/**
 * The longest wait a server's `x-acs-retry-after` may impose, on the limiter's pause and on a retry alike:
 * the header is untrusted input, and a wait beyond the run's budget would turn a throttle into a failure.
 */
export const MAX_RETRY_AFTER_MS = 60_000;

const realClock: LimiterClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Token counts this close to a whole token count as one: rates that do not divide 1 000 ms exactly. */
const EPSILON = 1e-6;

/** The window a QPS limit counts in, and so the one a ceiling is measured over. */
const SECOND_MS = 1_000;
/** Grants are remembered this long, so that a refusal answered late still finds the second before it. */
const GRANT_MEMORY_MS = 15_000;
/** A cut takes at least this much off the rate, even when the measure says the rate was under it. */
const LEAST_CUT = 0.9;
/** The longest hold before a probe. */
const MAX_HOLD_MS = 30_000;
/** How far above the measured ceiling one probe goes; held there unrefused, it becomes the ceiling. */
const PROBE_REACH = 1.2;

/** The bucket's accounting; `at` is the time it is accounted up to, in the future while paused. */
interface Bucket {
  tokens: number;
  rate: number;
  at: number;
  /** When the next recovery step is due; only read while rate < max. */
  nextIncreaseAt: number;
  /**
   * The server's ceiling in calls per second, as measured at a throttle or proven by a probe; undefined
   * before any measure. In the bucket, not the limiter, because recovery steps raise it and a
   * projection takes those steps on its own copy.
   */
  ceiling: number | undefined;
  /** The rate the last probing step added above the ceiling's target; 0 until a probe starts. */
  probe: number;
}

/** One granted call: when, and whether the server refused it (as far as we have heard). */
interface GrantRecord {
  readonly at: number;
  refused: boolean;
}

interface Waiter {
  readonly deadline: number;
  readonly label: string | undefined;
  readonly resolve: (grant: Grant) => void;
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
  private readonly ceilingShare: number;
  private readonly baseHoldMs: number;
  private readonly clock: LimiterClock;
  private readonly bucket: Bucket;
  private readonly queue: Waiter[] = [];
  private lastDecreaseAt = -Infinity;
  /** The rate before the current burst's cut. */
  private rateBeforeCut = 0;
  /** The ceiling the hold was last confirmed at: a measure well under it means the limit came down. */
  private settledCeiling: number | undefined;
  private holdMs: number;
  /** The grants of the last GRANT_MEMORY_MS; grant number n is grants[n - firstGrant]. */
  private readonly grants: GrantRecord[] = [];
  private firstGrant = 0;
  private pumping = false;
  private granted = 0;
  private rejected = 0;
  private throttles = 0;
  private decreases = 0;

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
    this.maxPauseMs = positive(options.maxPauseMs, MAX_RETRY_AFTER_MS, 'maxPauseMs');
    this.maxWaitMs = positive(options.maxWaitMs, 120_000, 'maxWaitMs');
    this.ceilingShare = positive(options.ceilingShare, 0.95, 'ceilingShare');
    if (this.ceilingShare > 1) throw new RangeError('rate limiter: ceilingShare must be at most 1');
    this.baseHoldMs = Math.min(MAX_HOLD_MS, positive(options.probeHoldMs, 4_000, 'probeHoldMs'));
    this.holdMs = this.baseHoldMs;
    this.clock = options.clock ?? realClock;
    this.bucket = { tokens: this.burst, rate: this.maxQps, at: this.clock.now(), nextIncreaseAt: Infinity, ceiling: undefined, probe: 0 };
  }

  /**
   * Resolves when the caller may send one call, with the call's Grant (for onThrottle). FIFO. Rejects
   * with RateLimitTimeoutError as soon as the slot, at the current rate and its scheduled recovery, would
   * come after the deadline (or after maxWaitMs), and with the signal's reason when it aborts; a
   * rejected caller takes no token.
   */
  acquire(options: AcquireOptions = {}): Promise<Grant> {
    const now = this.clock.now();
    if (options.signal?.aborted) {
      this.rejected++;
      return Promise.reject(options.signal.reason);
    }
    const deadline = Math.min(options.deadline ?? Infinity, now + this.maxWaitMs);
    return new Promise<Grant>((resolve, reject) => {
      const signal = options.signal;
      const onAbort = () => {
        const index = this.queue.indexOf(waiter);
        if (index < 0) return;
        this.queue.splice(index, 1);
        waiter.cleanup();
        this.rejected++;
        reject(signal!.reason);
      };
      const waiter: Waiter = { deadline, label: options.label, resolve, reject, cleanup: () => signal?.removeEventListener('abort', onAbort) };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(waiter);
      this.settle(now);
      if (this.queue.length > 0) void this.pump();
    });
  }

  /**
   * A throttling answer to the call `grant` (the latest call when not given): pauses every caller for the
   * server's wait (`x-acs-retry-after`, clamped to maxPauseMs; defaultPauseMs when absent or unreadable)
   * and cuts the rate, at most once per increaseIntervalMs, since the calls in flight together are all
   * refused together: one signal, not many. The cut aims just under the ceiling measured from the calls
   * the server accepted in the second before the refused one; later refusals of the same burst may only
   * raise that measure (calls can reach the server out of order), never cut a second time.
   */
  onThrottle(retryAfterMs?: number, grant?: Grant): void {
    const now = this.clock.now();
    const bucket = this.bucket;
    this.advance(bucket, now);
    const pause = retryAfterMs !== undefined && Number.isFinite(retryAfterMs) && retryAfterMs > 0 ? Math.min(retryAfterMs, this.maxPauseMs) : this.defaultPauseMs;
    const measured = this.measure(grant, now);
    // Tokens freeze during the pause and keep at most one: the bucket never gains by being throttled,
    // so rate × time + burst stays a bound on any window.
    bucket.tokens = Math.min(bucket.tokens, 1);
    bucket.at = Math.max(bucket.at, now + pause);
    if (now - this.lastDecreaseAt >= this.increaseIntervalMs) {
      this.rateBeforeCut = bucket.rate;
      this.lastDecreaseAt = now;
      this.decreases++;
      this.learn(measured, bucket.probe > 0);
      this.cut();
    } else if (measured !== undefined && measured > (bucket.ceiling ?? 0) * 1.1) {
      // The same burst, a clearly better measure (calls that reached the server out of order): the one
      // cut is made again from the rate before it. Within a tenth it is the noise learn() ignores.
      bucket.ceiling = measured;
      this.cut();
    }
    bucket.probe = 0;
    bucket.nextIncreaseAt = bucket.at + (bucket.ceiling !== undefined && bucket.rate >= this.target(bucket) ? this.holdMs : this.increaseIntervalMs);
    this.throttles++;
    this.settle(now);
  }

  get stats(): RateLimiterStats {
    this.advance(this.bucket, this.clock.now());
    return {
      granted: this.granted,
      rejected: this.rejected,
      throttles: this.throttles,
      decreases: this.decreases,
      qps: this.bucket.rate,
      ceiling: this.bucket.ceiling,
      queued: this.queue.length,
    };
  }

  /**
   * What a burst's first refusal teaches. A refused probe confirms the ceiling it started from when it
   * measures within a tenth of it (a fixed window's measure may count the end of the window before), and
   * the next probe waits twice as long. A measure well under the confirmed ceiling means the limit came
   * down (another client shares the quota): probe again soon. Anything else (the correction after a
   * probe that a token bucket's reserve let run high, say) leaves the hold as it is.
   */
  private learn(measured: number | undefined, probing: boolean): void {
    if (measured === undefined) return;
    const bucket = this.bucket;
    if (probing) {
      this.holdMs = Math.min(MAX_HOLD_MS, this.holdMs * 2);
      this.settledCeiling = bucket.ceiling;
      bucket.ceiling = bucket.ceiling !== undefined && measured <= bucket.ceiling * 1.1 ? Math.min(bucket.ceiling, measured) : measured;
      return;
    }
    if (this.settledCeiling === undefined || measured < this.settledCeiling * 0.9) {
      this.holdMs = this.baseHoldMs;
      this.settledCeiling = measured;
    }
    bucket.ceiling = measured;
  }

  /** The rate after the burst's cut: just under the ceiling, but between half and nine tenths of the rate before. */
  private cut(): void {
    const before = this.rateBeforeCut;
    const ceiling = this.bucket.ceiling;
    const aim = ceiling === undefined ? 0 : this.ceilingShare * ceiling;
    this.bucket.rate = Math.max(this.minQps, before * this.decreaseFactor, Math.min(before * LEAST_CUT, aim));
  }

  /** What recovery climbs to quickly: just under the measured ceiling, or the configured QPS without one. */
  private target(bucket: Bucket): number {
    return bucket.ceiling === undefined ? this.maxQps : Math.min(this.maxQps, this.ceilingShare * bucket.ceiling);
  }

  /**
   * Marks `grant` refused and answers the calls the server accepted from us in the second before it was
   * sent (those granted before it, less those already known refused), or undefined when there were none.
   */
  private measure(grant: Grant | undefined, now: number): number | undefined {
    this.forget(now);
    const last = this.firstGrant + this.grants.length - 1;
    const refused = grant === undefined ? last : grant;
    if (refused < this.firstGrant || refused > last) return undefined;
    const record = this.grants[refused - this.firstGrant]!;
    record.refused = true;
    let accepted = 0;
    // Bounded: at most the remembered grants.
    for (let n = refused - 1; n >= this.firstGrant; n--) {
      const earlier = this.grants[n - this.firstGrant]!;
      if (earlier.at <= record.at - SECOND_MS) break;
      if (!earlier.refused) accepted++;
    }
    return accepted > 0 ? accepted : undefined;
  }

  /** Drops the grants older than GRANT_MEMORY_MS: memory stays within maxQps × that + burst records. */
  private forget(now: number): void {
    let drop = 0;
    while (drop < this.grants.length && this.grants[drop]!.at < now - GRANT_MEMORY_MS) drop++;
    if (drop > 0) {
      this.grants.splice(0, drop);
      this.firstGrant += drop;
    }
  }

  /** The bucket's size: within a measured ceiling, rate × 1 s + size stays under it; at least 1. */
  private capacity(bucket: Bucket): number {
    if (bucket.ceiling === undefined) return this.burst;
    return Math.max(1, Math.min(this.burst, Math.floor(bucket.ceiling - bucket.rate + EPSILON)));
  }

  /**
   * One recovery step, due at bucket.nextIncreaseAt: climb quickly to the target, hold there, then probe
   * above it in steps that double (from a fortieth of the ceiling up to a tenth of it), as far as
   * PROBE_REACH × the ceiling. A top held unrefused for probeHoldMs is the new ceiling, and the probe goes
   * on from there at once: a limit that rose is found a fifth at a time, every few seconds, while a token
   * bucket's reserve, which hides the limit for a while, leads a probe at most a fifth past it.
   */
  private step(bucket: Bucket): void {
    const target = this.target(bucket);
    if (bucket.rate < target) {
      bucket.rate = Math.min(target, bucket.rate + this.increaseQps);
      bucket.nextIncreaseAt += bucket.ceiling !== undefined && bucket.rate >= target ? this.holdMs : this.increaseIntervalMs;
      return;
    }
    const ceiling = bucket.ceiling!;
    const top = Math.min(this.maxQps, ceiling * PROBE_REACH);
    if (bucket.rate >= top - EPSILON) {
      // Proven: the server took this rate for probeHoldMs. The next probe starts from it at once.
      bucket.ceiling = bucket.rate;
      bucket.probe = 0;
      bucket.nextIncreaseAt += this.increaseIntervalMs;
      return;
    }
    const first = Math.max(0.05, (ceiling * (1 - this.ceilingShare)) / 2);
    const most = Math.max(first, Math.min(this.increaseQps, ceiling / 10));
    bucket.probe = Math.min(most, bucket.probe > 0 ? bucket.probe * 2 : first);
    bucket.rate = Math.min(top, bucket.rate + bucket.probe);
    bucket.nextIncreaseAt += bucket.rate >= top - EPSILON ? this.baseHoldMs : this.increaseIntervalMs;
  }

  /** Brings `bucket` up to `to`: tokens accrue at the rate of each recovery step in turn. */
  private advance(bucket: Bucket, to: number): void {
    // Bounded: every pass either reaches `to` or takes one recovery step, and every step raises the rate
    // (to the target, or by a probe of at least 0.05 QPS) except at a probe's top, where it raises the
    // ceiling instead, and the step after that raises the rate: maxQps is reached in finitely many.
    while (bucket.at < to) {
      const recovering = bucket.rate < this.maxQps;
      const end = recovering ? Math.min(to, bucket.nextIncreaseAt) : to;
      bucket.tokens = Math.min(this.capacity(bucket), bucket.tokens + ((end - bucket.at) * bucket.rate) / 1_000);
      bucket.at = end;
      if (recovering && end >= bucket.nextIncreaseAt) this.step(bucket);
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
        waiter.reject(new RateLimitTimeoutError(slot - now, i, this.bucket.rate, waiter.label));
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
        this.forget(now);
        this.grants.push({ at: now, refused: false });
        waiter.resolve(this.firstGrant + this.grants.length - 1);
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
