import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY, backoffDelay, withRetry, type RetryDecision, type RetryPolicy } from '../../shared/http/retry.js';
import { fakeClock } from '../support/fake-clock.js';

const policy: RetryPolicy = { baseDelayMs: 100, maxDelayMs: 1_000, maxAttempts: 5 };
const retryable = (retryAfterMs?: number): (() => RetryDecision) => () => ({ retry: true, retryAfterMs });

/** An attempt that fails `failures` times (a fresh error each time), then answers "ok". */
function flaky(failures: number) {
  const errors: Error[] = [];
  const attempts: number[] = [];
  const attempt = async (n: number) => {
    attempts.push(n);
    if (attempts.length <= failures) {
      const error = new Error(`failure ${attempts.length}`);
      errors.push(error);
      throw error;
    }
    return 'ok';
  };
  return { attempt, attempts, errors };
}

/** The error a retry loop ended with (read after it ended: the attempts create the errors). */
async function failure(loop: Promise<unknown>): Promise<unknown> {
  return loop.then(
    () => expect.fail('the loop succeeded'),
    (error: unknown) => error,
  );
}

describe('backoffDelay: full jitter', () => {
  it('is a whole number in [0, min(max, base * 2^retry))', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (retry, r) => {
        const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
        const delay = backoffDelay(retry, policy, () => r);
        expect(Number.isInteger(delay)).toBe(true);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThan(ceiling);
      }),
    );
  });

  it('the ceiling doubles from the base and stops at the maximum', () => {
    const nearOne = () => 1 - 2 ** -40;
    expect([0, 1, 2, 3, 4, 5, 30].map((retry) => backoffDelay(retry, policy, nearOne))).toEqual([99, 199, 399, 799, 999, 999, 999]);
    expect([0, 1, 2, 3].map((retry) => backoffDelay(retry, policy, () => 0.5))).toEqual([50, 100, 200, 400]);
    expect(backoffDelay(3, policy, () => 0)).toBe(0);
    // The shipped policy: 200 ms first, 5 s at most.
    expect([0, 4, 5, 7].map((retry) => backoffDelay(retry, DEFAULT_RETRY_POLICY, nearOne))).toEqual([199, 3_199, 4_999, 4_999]);
  });
});

describe('withRetry', () => {
  it('sleeps exactly the jittered backoff between attempts and answers the first success', async () => {
    const clock = fakeClock(0, [0.5, 0.25, 0.9]);
    const { attempt, attempts } = flaky(3);
    await expect(withRetry(attempt, retryable(), policy, clock, 60_000)).resolves.toBe('ok');
    expect(attempts).toEqual([1, 2, 3, 4]);
    // retry 0: 0.5 * 100; retry 1: 0.25 * 200; retry 2: 0.9 * 400.
    expect(clock.sleeps).toEqual([50, 50, 360]);
    expect(clock.now()).toBe(460);
  });

  it("the server's retry-after wins when it is longer than the backoff, and only then", async () => {
    const longer = fakeClock(0, [0.5]);
    await withRetry(flaky(1).attempt, retryable(700), policy, longer, 60_000);
    expect(longer.sleeps).toEqual([700]);

    const shorter = fakeClock(0, [0.5]);
    await withRetry(flaky(1).attempt, retryable(10), policy, shorter, 60_000);
    expect(shorter.sleeps).toEqual([50]);
  });

  it('a server wait that does not fit before the deadline ends the loop at once, without sleeping', async () => {
    const clock = fakeClock(0, [0.5]);
    const { attempt, attempts, errors } = flaky(10);
    // 1,000 ms left, the server asks for 1,000: it cannot end before the deadline.
    expect(await failure(withRetry(attempt, retryable(1_000), policy, clock, 1_000))).toBe(errors[0]);
    expect(attempts).toEqual([1]);
    expect(clock.sleeps).toEqual([]);

    // One millisecond less fits: it is waited in full and the next attempt is made.
    const fits = fakeClock(0, [0.5]);
    await expect(withRetry(flaky(1).attempt, retryable(999), policy, fits, 1_000)).resolves.toBe('ok');
    expect(fits.sleeps).toEqual([999]);
  });

  it('a backoff wait that would not end before the deadline is not started: the last error at once', async () => {
    const clock = fakeClock(0, [0.99]);
    const { attempt, attempts, errors } = flaky(10);
    // The backoff would be 99 ms; 40 ms are left.
    const deadline = 40;
    expect(await failure(withRetry(attempt, retryable(), policy, clock, deadline))).toBe(errors[0]);
    expect(clock.sleeps).toEqual([]);
    expect(clock.now()).toBe(0);
    expect(attempts).toEqual([1]);
  });

  it('a wait that ends before the deadline is followed by another attempt', async () => {
    const clock = fakeClock(0, [0.99]);
    const { attempt, attempts } = flaky(1);
    await expect(withRetry(attempt, retryable(), policy, clock, 100)).resolves.toBe('ok');
    expect(clock.sleeps).toEqual([99]);
    expect(attempts).toEqual([1, 2]);
  });

  it('no wait starts once the deadline has passed', async () => {
    const clock = fakeClock(5_000, [0.5]);
    const { attempt, errors } = flaky(10);
    expect(await failure(withRetry(attempt, retryable(), policy, clock, 5_000))).toBe(errors[0]);
    expect(clock.sleeps).toEqual([]);
  });

  it('stops after maxAttempts and throws the last error as it is', async () => {
    const clock = fakeClock(0, [0.5]);
    const { attempt, attempts, errors } = flaky(100);
    expect(await failure(withRetry(attempt, retryable(), { ...policy, maxAttempts: 3 }, clock, 60_000))).toBe(errors[2]);
    expect(attempts).toEqual([1, 2, 3]);
    expect(clock.sleeps).toEqual([50, 100]);

    const once = fakeClock(0, [0.5]);
    const single = flaky(100);
    expect(await failure(withRetry(single.attempt, retryable(), { ...policy, maxAttempts: 1 }, once, 60_000))).toBe(single.errors[0]);
    expect(single.attempts).toEqual([1]);
    expect(once.sleeps).toEqual([]);
  });

  it('a non-retryable error is thrown at once, whatever retry-after it carries', async () => {
    const clock = fakeClock(0, [0.5]);
    const { attempt, attempts, errors } = flaky(10);
    const seen: unknown[] = [];
    const decide = (error: unknown): RetryDecision => {
      seen.push(error);
      return { retry: false, retryAfterMs: 10 };
    };
    expect(await failure(withRetry(attempt, decide, policy, clock, 60_000))).toBe(errors[0]);
    expect(attempts).toEqual([1]);
    expect(seen).toEqual([errors[0]]);
    expect(clock.sleeps).toEqual([]);
  });

  it('the decision is asked for each error: retryable, then not', async () => {
    const clock = fakeClock(0, [0.5]);
    const { attempt, attempts, errors } = flaky(10);
    let asked = 0;
    expect(await failure(withRetry(attempt, () => ({ retry: ++asked < 3 }), policy, clock, 60_000))).toBe(errors[2]);
    expect(attempts).toEqual([1, 2, 3]);
    expect(clock.sleeps).toEqual([50, 100]);
  });
});
