/**
 * Retry with full-jitter exponential backoff, bounded by a total time budget (after ofetch / p-retry).
 * What is safe to retry is the caller's decision: this module only decides when, and when to stop.
 */
export interface RetryPolicy {
  /** First backoff ceiling; attempt n waits up to base * 2^n. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** No retry starts once this much time has gone since the first attempt. */
  readonly budgetMs: number;
  readonly maxAttempts: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  baseDelayMs: 200,
  maxDelayMs: 5_000,
  budgetMs: 30_000,
  maxAttempts: 8,
};

export interface RetryRuntime {
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
  readonly random: () => number;
}

export const realRuntime: RetryRuntime = {
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  now: () => Date.now(),
  random: Math.random,
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
 * or the next wait would end past the budget. The last error is thrown as it is.
 */
export async function withRetry<T>(
  attempt: (attemptNumber: number) => Promise<T>,
  decide: (error: unknown) => RetryDecision,
  policy: RetryPolicy,
  runtime: RetryRuntime = realRuntime,
): Promise<T> {
  const started = runtime.now();
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      const decision = decide(error);
      if (!decision.retry || n >= policy.maxAttempts) throw error;
      const wait = Math.max(backoffDelay(n - 1, policy, runtime.random), decision.retryAfterMs ?? 0);
      if (runtime.now() + wait - started > policy.budgetMs) throw error;
      await runtime.sleep(wait);
    }
  }
}
