/**
 * What is safe to retry against the Domain API, and what a failed submission means. One place, so that
 * every client (ours, and the benchmark's SDK-based reference) follows the same safety rules.
 */
import type { Clock } from '../clock/index.js';
import { ContentDecodingError, HttpTimeoutError, ResponseTooLargeError, certainlyNotSent, requestWritten, systemErrorCode, withRetry, type RetryDecision, type RetryPolicy } from '../http/index.js';
import { AnswerTooLargeError, DomainApiError, MalformedResponseError, NetworkError, OutcomeUnknownError, TaskIsBeingProcessedError } from './errors.js';
import type { RedeemOrder, SubmittedOrder } from './port.js';

/** Business codes the registrar uses for a passing fault (HTTP 400): a read may simply ask again. */
const TRANSIENT_CODES = new Set(['NetworkIOError']);

/**
 * "This nonce was used already": a request carrying the same signature arrived before. Every attempt is
 * signed with a fresh nonce, so only a copy made on the way (a proxy or gateway sending it again) brings
 * it, and the copy that came first may have been carried out. Refused as itself, it is no proof that
 * nothing was ordered.
 */
const REPLAYED_CODES = new Set(['SignatureNonceUsed']);

/**
 * HTTP 408 Request Timeout: a gateway in front of the API (or the API) gave up on the exchange, and may have
 * passed the request on before it did. A read asks again; a submission's outcome is unknown. Taken as a
 * refusal, a read failed the run, and a submission the registrar had taken was recorded as failed.
 */
const REQUEST_TIMEOUT_STATUS = 408;

/**
 * An error answer after which the request may have been carried out, and asking again may work: a server
 * fault, a gateway's request timeout, NetworkIOError, SignatureNonceUsed (a copy of the request came first).
 */
function passingFault(error: DomainApiError): boolean {
  return error.isServerError || error.httpStatus === REQUEST_TIMEOUT_STATUS || TRANSIENT_CODES.has(error.code) || REPLAYED_CODES.has(error.code);
}

/**
 * What a failed exchange of `action` is, one rule for every client: an answer cut off for its size, an
 * answer that came but could not be decoded (after a submission its outcome is unknown; a read asks
 * again), or a network error, whose `sent` is false only when the request certainly never arrived whole:
 * the connection never opened, or it failed before the whole request was handed to it (a reset as it
 * opened, a TLS handshake reset or timed out), when the registrar cannot have read it (requestWritten).
 * `timedOut`: for a transport other than ours (the benchmark's SDK), whose timeouts are its own errors.
 */
export function fromTransportFailure(action: string, error: unknown, timedOut = error instanceof HttpTimeoutError): AnswerTooLargeError | MalformedResponseError | NetworkError {
  if (error instanceof ResponseTooLargeError) return new AnswerTooLargeError(action, error.message, { cause: error });
  if (error instanceof ContentDecodingError) return new MalformedResponseError(action, '(body)', error.message, undefined, { cause: error });
  const code = systemErrorCode(error);
  return new NetworkError(action, !(certainlyNotSent(error) || requestWritten(error) === false), timedOut ? 'timed out' : `network error${code ? ` ${code}` : ''}`, { cause: error });
}

/**
 * Reads retry throttling (with the server's wait), 5xx, 408, transient business codes, SignatureNonceUsed,
 * network errors, an answer we could not read, and TaskIsBeingProcessed (a read changes nothing, so asking
 * again is safe).
 */
export function readRetryDecision(error: unknown): RetryDecision {
  if (error instanceof DomainApiError) {
    // SignatureNonceUsed: a copy of the request came first; the next attempt is signed with a fresh nonce.
    const transient = error.isThrottling || passingFault(error) || error instanceof TaskIsBeingProcessedError;
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
 * After a call that must not happen twice failed for good: may it have been carried out all the same? A
 * timeout or dropped connection after sending, a passing fault (a server fault, a 408, NetworkIOError,
 * SignatureNonceUsed: a copy of the request came first), or a 2xx we cannot read.
 * For a submission, the ledger must then be consulted.
 */
export function mayHaveBeenCarriedOut(error: unknown): boolean {
  return (
    (error instanceof NetworkError && error.sent) ||
    (error instanceof DomainApiError && passingFault(error)) ||
    error instanceof MalformedResponseError
  );
}

/**
 * One redemption, sent at most once in effect: retried only when it was certainly not accepted, and
 * turned into OutcomeUnknownError when it may have been. Every client of the port goes through here.
 */
export async function submitOnce(
  order: RedeemOrder,
  attempt: () => Promise<{ readonly TaskNo: string; readonly RequestId?: string | undefined }>,
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
    if (mayHaveBeenCarriedOut(error)) throw new OutcomeUnknownError('SaveSingleTaskForCreatingOrderRedeem', order.domainName, { cause: error });
    throw error;
  }
}
