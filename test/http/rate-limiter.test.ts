/**
 * The run's token bucket, on a fake clock so that every wait is exact: spacing, burst, FIFO order,
 * bounded waiting, the pause and the rate cut on throttling, the recovery, and (as a property) that no
 * window of time ever sees more than rate × time + burst calls.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RateLimiter, RateLimitTimeoutError, type RateLimiterOptions } from '../../shared/http/rate-limiter.js';
import { FakeClock } from '../support/fake-clock.js';

type Outcome = { at: number; order: number } | { error: unknown; at: number; order: number };

function harness(options: Omit<RateLimiterOptions, 'clock'>, start = 0) {
  const clock = new FakeClock(start);
  const limiter = new RateLimiter({ ...options, clock });
  const outcomes: Outcome[] = [];
  let order = 0;
  const acquire = (opts?: Parameters<RateLimiter['acquire']>[0]) => {
    const index = outcomes.length;
    outcomes.push(undefined as never);
    return limiter.acquire(opts).then(
      () => void (outcomes[index] = { at: clock.now(), order: order++ }),
      (error: unknown) => void (outcomes[index] = { error, at: clock.now(), order: order++ }),
    );
  };
  const times = () => outcomes.map((o) => ('error' in o ? 'rejected' : o.at));
  return { clock, limiter, outcomes, acquire, times };
}

describe('spacing and burst', () => {
  it('10 QPS, burst 1: three calls at once start at 0, 100 and 200 ms', async () => {
    const { clock, acquire, times } = harness({ qps: 10 });
    for (let i = 0; i < 3; i++) void acquire();
    await clock.runAll();
    expect(times()).toEqual([0, 100, 200]);
  });

  it('burst 3: three start at once, then one every 100 ms; an idle second refills to 3, not more', async () => {
    const { clock, acquire, times } = harness({ qps: 10, burst: 3 });
    for (let i = 0; i < 5; i++) void acquire();
    await clock.runAll();
    expect(times()).toEqual([0, 0, 0, 100, 200]);
    await clock.advanceTo(5_000);
    for (let i = 0; i < 4; i++) void acquire();
    await clock.runAll();
    expect(times().slice(5)).toEqual([5_000, 5_000, 5_000, 5_100]);
  });

  it('a rate that does not divide a second: 3 QPS waits 333.3 ms rounded up to whole ms, and a late start never catches up', async () => {
    const { clock, acquire, times } = harness({ qps: 3 });
    for (let i = 0; i < 4; i++) void acquire();
    await clock.runAll();
    // The bucket holds at most `burst`, so the 0.67 ms each timer wakes late is lost: a little under the rate, never over.
    expect(times()).toEqual([0, 334, 668, 1_002]);
  });

  it('serves callers in the order they asked (FIFO)', async () => {
    const { clock, acquire, outcomes } = harness({ qps: 50 });
    for (let i = 0; i < 20; i++) void acquire();
    await clock.runAll();
    expect(outcomes.map((o) => o.order)).toEqual([...Array(20).keys()]);
  });

  it('sleeps only while someone waits: no timer is left behind', async () => {
    const { clock, acquire } = harness({ qps: 10 });
    void acquire();
    void acquire();
    await clock.runAll();
    expect(clock.pendingTimers).toBe(0);
    expect(clock.sleeps).toEqual([100]);
  });
});

describe('bounded waiting', () => {
  it('rejects at once, with a clear error, a caller whose slot would come after its deadline', async () => {
    const { clock, acquire, outcomes, times } = harness({ qps: 10 });
    void acquire();
    void acquire();
    void acquire({ deadline: 150 });
    await clock.advanceTo(0);
    const third = outcomes[2]!;
    expect(third).toMatchObject({ at: 0 });
    const error = (third as { error: unknown }).error;
    expect(error).toBeInstanceOf(RateLimitTimeoutError);
    expect((error as RateLimitTimeoutError).code).toBe('RateLimitTimeout');
    expect((error as Error).message).toBe('rate limit: no call slot before the deadline (the next one is 200 ms away at 10 calls/s, 1 call(s) queued ahead)');
    await clock.runAll();
    expect(times()).toEqual([0, 100, 'rejected']);
  });

  it('a rejected caller takes no token: the one behind it gets its slot', async () => {
    const { clock, acquire, times } = harness({ qps: 10 });
    void acquire();
    void acquire({ deadline: 50 });
    void acquire();
    await clock.runAll();
    expect(times()).toEqual([0, 'rejected', 100]);
  });

  it('a slot exactly at the deadline is granted', async () => {
    const { clock, acquire, times } = harness({ qps: 10 });
    void acquire();
    void acquire({ deadline: 100 });
    await clock.runAll();
    expect(times()).toEqual([0, 100]);
  });

  it('a throttle that pushes a waiter past its deadline rejects it then, not at the deadline', async () => {
    const { clock, limiter, acquire, outcomes } = harness({ qps: 10 });
    void acquire();
    void acquire({ deadline: 1_000 });
    await clock.advanceTo(50);
    limiter.onThrottle(2_000);
    await clock.advanceTo(50);
    expect(outcomes[1]).toMatchObject({ at: 50, error: expect.any(RateLimitTimeoutError) });
  });

  it('without a deadline, maxWaitMs bounds the wait', async () => {
    const { clock, acquire, times } = harness({ qps: 1, maxWaitMs: 2_500 });
    for (let i = 0; i < 5; i++) void acquire();
    await clock.runAll();
    expect(times()).toEqual([0, 1_000, 2_000, 'rejected', 'rejected']);
  });

  it('an abort removes the caller with the signal reason; the next moves up', async () => {
    const { clock, acquire, outcomes, times } = harness({ qps: 10 });
    const controller = new AbortController();
    void acquire();
    void acquire({ signal: controller.signal });
    void acquire();
    await clock.advanceTo(30);
    controller.abort(new Error('run cancelled'));
    await clock.runAll();
    expect((outcomes[1] as { error: Error }).error.message).toBe('run cancelled');
    expect(times()).toEqual([0, 'rejected', 100]);
    const aborted = new AbortController();
    aborted.abort(new Error('already'));
    void acquire({ signal: aborted.signal });
    await clock.runAll();
    expect((outcomes[3] as { error: Error }).error.message).toBe('already');
  });
});

describe('throttling: pause everyone, cut the rate, recover slowly', () => {
  it('pauses every caller for the server wait, then resumes at half the rate', async () => {
    const { clock, limiter, acquire, times } = harness({ qps: 10 });
    void acquire(); // t=0, the bucket is empty afterwards
    await clock.advanceTo(0);
    limiter.onThrottle(500);
    for (let i = 0; i < 3; i++) void acquire();
    await clock.runAll();
    // Frozen with 0 tokens until 500, then 5 QPS: 200 ms a token.
    expect(times()).toEqual([0, 700, 900, 1_100]);
    expect(limiter.stats).toMatchObject({ granted: 4, throttles: 1, qps: 5 });
  });

  it('a full bucket keeps one token through the pause: the first caller goes when the pause ends', async () => {
    const { clock, limiter, acquire, times } = harness({ qps: 10, burst: 4 });
    limiter.onThrottle(300);
    void acquire();
    void acquire();
    await clock.runAll();
    expect(times()).toEqual([300, 500]);
  });

  it('many throttling answers at once cut the rate once; one a second later cuts it again; never below minQps', async () => {
    const { clock, limiter } = harness({ qps: 16 });
    for (let i = 0; i < 5; i++) limiter.onThrottle(10);
    expect(limiter.stats.qps).toBe(8);
    await clock.advanceTo(999);
    limiter.onThrottle(10);
    expect(limiter.stats.qps).toBe(8);
    const rates = [];
    for (let t = 1_000; t <= 6_000; t += 1_000) {
      await clock.advanceTo(t);
      limiter.onThrottle(10);
      rates.push(limiter.stats.qps);
    }
    // Each cut also restarts the recovery clock; 16 / 16 = 1 QPS is the default floor.
    expect(rates).toEqual([4, 2, 1, 1, 1, 1]);
  });

  it('recovers by qps/10 per throttle-free second after the pause, up to the configured QPS and no further', async () => {
    const { clock, limiter } = harness({ qps: 10 });
    limiter.onThrottle(100);
    const rates: number[] = [];
    for (const t of [1_099, 1_100, 2_100, 3_100, 4_100, 5_100, 6_100, 60_000]) {
      await clock.advanceTo(t);
      rates.push(limiter.stats.qps);
    }
    expect(rates).toEqual([5, 6, 7, 8, 9, 10, 10, 10]);
  });

  it('tokens accrue at each step of the recovery in turn (exact slots across a rate change)', async () => {
    const { clock, limiter, acquire, times } = harness({ qps: 10, increaseQps: 5, increaseIntervalMs: 1_000 });
    void acquire();
    await clock.advanceTo(0);
    limiter.onThrottle(1_000); // frozen until 1000, 5 QPS until 2000, then 10 QPS
    for (let i = 0; i < 7; i++) void acquire();
    await clock.runAll();
    expect(times()).toEqual([0, 1_200, 1_400, 1_600, 1_800, 2_000, 2_100, 2_200]);
  });

  it('an absent or unreadable server wait pauses defaultPauseMs; a huge one is clamped to maxPauseMs', async () => {
    for (const [wait, expected] of [
      [undefined, 1_000],
      [Number.NaN, 1_000],
      [-5, 1_000],
      [1e12, 60_000],
    ] as const) {
      const { clock, limiter, acquire, times } = harness({ qps: 10, burst: 2, maxWaitMs: 1e9 });
      limiter.onThrottle(wait);
      void acquire();
      await clock.runAll();
      expect(times()).toEqual([expected]);
    }
  });
});

describe('options', () => {
  it('refuses rates and sizes that are not positive numbers', () => {
    expect(() => new RateLimiter({ qps: 0 })).toThrow(/qps must be a positive number, got 0/);
    expect(() => new RateLimiter({ qps: Number.NaN })).toThrow(RangeError);
    expect(() => new RateLimiter({ qps: 5, burst: -1 })).toThrow(/burst/);
    expect(() => new RateLimiter({ qps: 5, decreaseFactor: 1 })).toThrow(/below 1/);
  });
});

describe('property: never more than rate × time + burst', () => {
  it('in every window, whatever the arrivals, deadlines and throttles', async () => {
    const scenario = fc.record({
      qps: fc.integer({ min: 1, max: 60 }),
      burst: fc.integer({ min: 1, max: 6 }),
      events: fc.array(
        fc.oneof(
          fc.record({ kind: fc.constant('acquire' as const), gap: fc.integer({ min: 0, max: 400 }), patience: fc.option(fc.integer({ min: 0, max: 3_000 }), { nil: undefined }) }),
          fc.record({ kind: fc.constant('throttle' as const), gap: fc.integer({ min: 0, max: 400 }), retryAfter: fc.option(fc.integer({ min: 1, max: 2_000 }), { nil: undefined }) }),
        ),
        { minLength: 1, maxLength: 60 },
      ),
    });
    await fc.assert(
      fc.asyncProperty(scenario, async ({ qps, burst, events }) => {
        const { clock, limiter, acquire, outcomes } = harness({ qps, burst, maxWaitMs: 1e9 });
        let t = 0;
        for (const event of events) {
          t += event.gap;
          await clock.advanceTo(t);
          if (event.kind === 'acquire') void acquire({ deadline: event.patience === undefined ? undefined : t + event.patience });
          else limiter.onThrottle(event.retryAfter);
        }
        await clock.runAll();
        const granted = outcomes.filter((o) => !('error' in o)).map((o) => o.at);
        // FIFO: grants come in the order of the calls.
        expect([...granted].sort((a, b) => a - b)).toEqual(granted);
        for (let i = 0; i < granted.length; i++) {
          for (let j = i; j < granted.length; j++) {
            expect(j - i + 1).toBeLessThanOrEqual((qps * (granted[j]! - granted[i]!)) / 1_000 + burst + 1e-9);
          }
        }
        // Every caller got an answer, and nothing is left sleeping.
        expect(outcomes.every((o) => o !== undefined)).toBe(true);
        expect(clock.pendingTimers).toBe(0);
      }),
      { numRuns: 150 },
    );
  });
});
