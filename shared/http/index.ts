/** One HTTP exchange over node:http(s), retries bounded by the caller's deadline, and the run's call rate and concurrency. */
export { httpDateWaitMs, httpRetryAfterMs } from './retry-after.js';
export { DEFAULT_RETRY_POLICY, withRetry, type RetryDecision, type RetryPolicy } from './retry.js';
export { ContentDecodingError, HttpTimeoutError, ResponseTooLargeError, headerValue, requestWritten, send, type HttpAnswer, type HttpExchange } from './transport.js';
export { listenFailureLine, parsePort, probePort } from './listen.js';
export { MAX_RETRY_AFTER_MS, RateLimitTimeoutError, RateLimiter } from './rate-limiter.js';
export { Semaphore, mapLimit } from './concurrency.js';
export { certainlyNotSent, refusedCertificateCode, refusedCertificateWords, systemErrorCode } from './not-sent.js';
