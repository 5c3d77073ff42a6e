/**
 * What is safe to retry against the Domain API, and what a failed submission means. One place, so that
 * every client (ours, and the benchmark's SDK-based reference) follows the same safety rules.
 */
import type { Clock } from '../clock/index.js';
import { withRetry, type RetryDecision, type RetryPolicy } from '../http/index.js';
import { AnswerTooLargeError, DomainApiError, MalformedResponseError, NetworkError, OutcomeUnknownError, TaskIsBeingProcessedError } from './errors.js';
import type { RedeemOrder, SubmittedOrder } from './port.js';

/** Connection errors that mean the request never reached the server. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** Business codes the registrar uses for a passing fault (HTTP 400): a read may simply ask again. */
const TRANSIENT_CODES = new Set(['NetworkIOError']);

function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Wraps a transport failure; `sent` is false only when the connection certainly never opened. */
export function toNetworkError(action: string, error: unknown, timedOut: boolean): NetworkError {
  const code = networkCode(error);
  return new NetworkError(
    action,
    !(code !== undefined && NOT_SENT_CODES.has(code)),
    timedOut ? 'timed out' : `network error${code ? ` ${code}` : ''}`,
    { cause: error },
  );
}

/**
 * Reads retry throttling (with the server's wait), 5xx, transient business codes, network errors, an
 * answer we could not read, and TaskIsBeingProcessed (a read changes nothing, so asking again is safe).
 */
export function readRetryDecision(error: unknown): RetryDecision {
  if (error instanceof DomainApiError) {
    const transient = error.isThrottling || error.isServerError || TRANSIENT_CODES.has(error.code) || error instanceof TaskIsBeingProcessedError;
    return { retry: transient, retryAfterMs: error.retryAfterMs };
  }
  return { retry: error instanceof NetworkError || (error instanceof MalformedResponseError && !(error instanceof AnswerTooLargeError)) };
}

/** A submission retries only what was certainly not accepted: throttling, or a connection never opened. */
export function submitRetryDecision(error: unknown): RetryDecision {
  if (error instanceof DomainApiError && error.isThrottling) return { retry: true, retryAfterMs: error.retryAfterMs };
  return { retry: error instanceof NetworkError && !error.sent };
}

/**
 * After a submission failed for good: may the order exist? A timeout or dropped connection after
 * sending, a 5xx, NetworkIOError, or a 2xx we cannot read: then the ledger must be consulted.
 */
function isOutcomeUnknown(error: unknown): boolean {
  return (
    (error instanceof NetworkError && error.sent) ||
    (error instanceof DomainApiError && (error.isServerError || TRANSIENT_CODES.has(error.code))) ||
    error instanceof MalformedResponseError
  );
}

/**
 * One redemption, sent at most once in effect: retried only when it was certainly not accepted, and
 * turned into OutcomeUnknownError when it may have been. Every client of the port goes through here.
 */
export async function submitOnce(
  order: RedeemOrder,
  attempt: () => Promise<{ readonly TaskNo: string; readonly RequestId: string }>,
  policy: RetryPolicy,
  clock: Clock,
  deadlineMs: number,
): Promise<SubmittedOrder> {
  let attempts = 0;
  // Retry waits end by the order's own send-by time: a retry sent later might go unanswered.
  const lastSendMs = Math.min(deadlineMs, order.sendByMs ?? deadlineMs);
  try {
    const body = await withRetry(
      () => {
        attempts++;
        return attempt();
      },
      submitRetryDecision,
      policy,
      clock,
      lastSendMs,
    );
    return { taskNo: body.TaskNo, requestId: body.RequestId, attempts };
  } catch (error) {
    if (isOutcomeUnknown(error)) throw new OutcomeUnknownError('SaveSingleTaskForCreatingOrderRedeem', order.domainName, { cause: error });
    throw error;
  }
}
