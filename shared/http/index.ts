/** One HTTP exchange over node:http(s), and retries bounded by the caller's deadline. */
export { DEFAULT_RETRY_POLICY, backoffDelay, withRetry, type RetryDecision, type RetryPolicy } from './retry.js';
export { HttpTimeoutError, ResponseTooLargeError, headerValue, send, type HttpAnswer, type HttpExchange } from './transport.js';
export { listenFailureLine, parsePort, probePort } from './listen.js';
