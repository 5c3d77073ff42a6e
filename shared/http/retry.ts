/**
 * Retry with full-jitter exponential backoff, bounded by the caller's deadline (after ofetch / p-retry):
 * a wait that would not end before the deadline (the backoff, or what the server asked for) is not
 * started, and the last error is thrown at once rather than after a sleep that could lead nowhere.
 * What is safe to retry is the caller's decision: this module only decides when, and when to stop.
 */
import type { Clock } from '../clock/index.js';

export interface RetryPolicy {
  /** First backoff ceiling; attempt n waits up to base * 2^n. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly maxAttempts: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  baseDelayMs: 200,
  maxDelayMs: 5_000,
  maxAttempts: 8,
};

/** Full jitter: a uniform wait in [0, min(max, base * 2^retry)). */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return Math.floor(random() * ceiling);
}

export interface RetryDecision {
  readonly retry: boolean;
  /** The server's own wait (x-acs-retry-after), which wins over the backoff when longer. */
  readonly retryAfterMs?: number | undefined;
}

/**
 * Runs `attempt` until it succeeds, `decide` says the error is not retryable, the attempts are used up,
 * or the next wait would not end before `deadlineMs` (epoch ms). The last error is thrown as it is.
 */
export async function withRetry<T>(
  attempt: (attemptNumber: number) => Promise<T>,
  decide: (error: unknown) => RetryDecision,
  policy: RetryPolicy,
  clock: Clock,
  deadlineMs: number,
): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      const decision = decide(error);
      if (!decision.retry || n >= policy.maxAttempts) throw error;
      const wait = Math.max(backoffDelay(n - 1, policy, clock.random), decision.retryAfterMs ?? 0);
      if (wait >= deadlineMs - clock.now()) throw error;
      await clock.sleep(wait);
    }
  }
}
