/** One HTTP exchange over node:http(s), retries bounded by a time budget, and the run's call rate and concurrency. */
export { DEFAULT_RETRY_POLICY, realRuntime, withRetry, type RetryDecision, type RetryPolicy, type RetryRuntime } from './retry.js';
export { HttpTimeoutError, headerValue, send, type HttpAnswer, type HttpExchange } from './transport.js';
export { RateLimiter, RateLimitTimeoutError, type AcquireOptions, type LimiterClock, type RateLimiterOptions, type RateLimiterStats } from './rate-limiter.js';
export { Semaphore, mapLimit } from './concurrency.js';
