/**
 * The run's token bucket, on a fake clock so that every wait is exact: spacing, burst, FIFO order,
 * bounded waiting, the pause and the rate cut on throttling, the recovery, the ceiling a throttle
 * measures (and the hold and probes above it), and (as a property) that no window of time ever sees
 * more than rate × time + burst calls. rate-limiter-servers.test.ts meets it with whole servers.
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
    void acquire({ deadline: 150, label: 'QueryTaskList' });
    await clock.advanceTo(0);
    const third = outcomes[2]!;
    expect(third).toMatchObject({ at: 0 });
    const error = (third as { error: unknown }).error;
    expect(error).toBeInstanceOf(RateLimitTimeoutError);
    expect((error as RateLimitTimeoutError).code).toBe('RateLimitTimeout');
    expect((error as Error).message).toBe("QueryTaskList: rate limit: no call slot before the deadline (the next one is 200 ms away at 10 calls/s, 1 call(s) queued ahead); the work did not fit the time at this rate: raise REDEEM_API_QPS if the registrar allows more, or the function's timeout");
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

describe('throttling: the ceiling a refusal measures', () => {
  /** `n` calls at once on a limiter configured like the run's (burst = qps); answers their grants. */
  async function burstOf(n: number, options: Omit<RateLimiterOptions, 'clock'>) {
    const { clock, limiter } = harness(options);
    const grants: number[] = [];
    for (let i = 0; i < n; i++) void limiter.acquire().then((grant) => void grants.push(grant));
    await clock.advanceTo(0);
    return { clock, limiter, grants };
  }

  it('counts the calls granted in the second before the refused one and cuts to 95 % of that, not to half', async () => {
    const { clock, limiter, grants } = await burstOf(12, { qps: 12, burst: 12 });
    expect(grants).toEqual([...Array(12).keys()]);
    await clock.advanceTo(20);
    // The 11th call is refused: the server took the 10 before it.
    limiter.onThrottle(100, 10);
    expect(limiter.stats).toMatchObject({ qps: 9.5, ceiling: 10, decreases: 1, throttles: 1 });
    // The 12th, refused with it: the same burst, the same measure (the 11th is known refused), no second cut.
    limiter.onThrottle(100, 11);
    expect(limiter.stats).toMatchObject({ qps: 9.5, ceiling: 10, decreases: 1, throttles: 2 });
  });

  it('calls that reached the server out of order: a later refusal of the burst may raise the measure, and the one cut is made again from the rate before it', async () => {
    const { clock, limiter } = await burstOf(12, { qps: 12, burst: 12 });
    await clock.advanceTo(20);
    limiter.onThrottle(100, 5);
    // Five before it: 95 % of 5 would be 4.75, but a cut never goes below half the rate (6).
    expect(limiter.stats).toMatchObject({ qps: 6, ceiling: 5, decreases: 1 });
    limiter.onThrottle(100, 11);
    // Eleven before the 12th, one of them (the 6th) refused: 10.
    expect(limiter.stats).toMatchObject({ qps: 9.5, ceiling: 10, decreases: 1, throttles: 2 });
  });

  it('a cut takes at least a tenth off, even when the measure is above the rate (a token bucket still draining)', async () => {
    const { clock, limiter } = await burstOf(20, { qps: 20, burst: 20, decreaseFactor: 0.25 });
    await clock.advanceTo(20);
    limiter.onThrottle(100, 19);
    expect(limiter.stats).toMatchObject({ qps: 18, ceiling: 19, decreases: 1 });
  });

  it('recovery holds just under the ceiling, then probes above it in doubling steps up to 1.2 × the ceiling; a top held for probeHoldMs is the new ceiling; never above qps', async () => {
    const { clock, limiter } = await burstOf(20, { qps: 20, burst: 20 });
    await clock.advanceTo(20);
    limiter.onThrottle(100, 10); // paused until 120; a cut never below half: 10 QPS, ceiling 10
    const seen: Array<[number, number, number | undefined]> = [];
    for (const t of [4_119, 4_120, 5_120, 6_120, 7_120, 11_119, 11_120, 12_120, 300_000]) {
      await clock.advanceTo(t);
      const { qps, ceiling } = limiter.stats;
      seen.push([t, Math.round(qps * 100) / 100, ceiling]);
    }
    expect(seen).toEqual([
      [4_119, 10, 10], // held: 10 is above 9.5, the target, so no climb; the probe waits probeHoldMs (4 s) after the pause
      [4_120, 10.25, 10], // + a fortieth of the ceiling
      [5_120, 10.75, 10], // + twice that
      [6_120, 11.75, 10], // + a tenth of the ceiling, the most a probe step adds
      [7_120, 12, 10], // the top: 1.2 × the ceiling, held for probeHoldMs
      [11_119, 12, 10],
      [11_120, 12, 12], // unrefused: the new ceiling, and the next probe starts from it
      [12_120, 12.3, 12],
      [300_000, 20, expect.any(Number)], // and so on, up to the configured QPS, never above
    ]);
  });

  it('a probe refused where the ceiling was confirms it: the next probe waits twice as long', async () => {
    const { clock, limiter, grants } = await burstOf(20, { qps: 20, burst: 20, probeHoldMs: 1_000 });
    await clock.advanceTo(20);
    limiter.onThrottle(100, 10); // 10 QPS, ceiling 10; the probe starts at 1 120 and adds 0.25 QPS
    await clock.advanceTo(1_120);
    expect(limiter.stats.qps).toBe(10.25);
    // A steady queue at the probing rate: 11 calls granted over the next second, then one refused.
    for (let i = 0; i < 12; i++) void limiter.acquire().then((grant) => void grants.push(grant));
    await clock.advanceTo(2_100);
    const refused = grants.at(-1)!;
    limiter.onThrottle(50, refused);
    // The measure (the 10 granted in the second before it, all accepted) is where the ceiling was. The cut
    // takes a tenth off 10.25; recovery climbs back to 9.5 a second after the pause, then holds there
    // 2 s (twice probeHoldMs) before the next probe.
    expect(limiter.stats).toMatchObject({ ceiling: 10, decreases: 2 });
    expect(limiter.stats.qps).toBeCloseTo(9.225, 9);
    const pauseEnds = 2_100 + 50;
    await clock.advanceTo(pauseEnds + 1_000);
    expect(limiter.stats.qps).toBe(9.5);
    await clock.advanceTo(pauseEnds + 1_000 + 1_999);
    expect(limiter.stats.qps).toBe(9.5);
    await clock.advanceTo(pauseEnds + 1_000 + 2_000);
    expect(limiter.stats.qps).toBe(9.75);
  });

  it('with a ceiling measured, the bucket holds only what fits under it: after a quiet spell, calls go evenly, not all at once', async () => {
    const { clock, limiter, acquire, times } = harness({ qps: 20, burst: 20 });
    for (let i = 0; i < 20; i++) void acquire();
    await clock.advanceTo(20);
    limiter.onThrottle(100, 10); // 10 QPS, ceiling 10: 10 × 1 s + 1 fits under it, 10 × 1 s + 20 would not
    await clock.advanceTo(3_000);
    for (let i = 0; i < 4; i++) void acquire();
    await clock.advanceTo(3_500);
    expect(times().slice(20)).toEqual([3_000, 3_100, 3_200, 3_300]);
  });

  it('a refusal with no call granted in the second before it measures nothing: the rate halves and recovers to qps, as plain AIMD', async () => {
    const { clock, limiter } = await burstOf(1, { qps: 10, burst: 10 });
    await clock.advanceTo(20);
    limiter.onThrottle(100, 0);
    expect(limiter.stats).toMatchObject({ qps: 5, ceiling: undefined });
    await clock.advanceTo(60_000);
    expect(limiter.stats.qps).toBe(10);
  });
});

describe('options', () => {
  it('refuses rates and sizes that are not positive numbers', () => {
    expect(() => new RateLimiter({ qps: 0 })).toThrow(/qps must be a positive number, got 0/);
    expect(() => new RateLimiter({ qps: Number.NaN })).toThrow(RangeError);
    expect(() => new RateLimiter({ qps: 5, burst: -1 })).toThrow(/burst/);
    expect(() => new RateLimiter({ qps: 5, decreaseFactor: 1 })).toThrow(/below 1/);
    expect(() => new RateLimiter({ qps: 5, ceilingShare: 1.5 })).toThrow(/ceilingShare must be at most 1/);
    expect(() => new RateLimiter({ qps: 5, ceilingShare: 0 })).toThrow(/ceilingShare must be a positive number/);
    expect(() => new RateLimiter({ qps: 5, probeHoldMs: -1 })).toThrow(/probeHoldMs/);
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
