/** One HTTP exchange over node:http(s), and retries bounded by a time budget. */
export { DEFAULT_RETRY_POLICY, realRuntime, withRetry, type RetryDecision, type RetryPolicy, type RetryRuntime } from './retry.js';
export { HttpBodyTooLargeError, HttpTimeoutError, headerValue, send, type HttpAnswer, type HttpExchange } from './transport.js';
