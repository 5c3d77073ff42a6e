/**
 * Typed errors of the multi-account clients (STS, ResourceManager, FC InvokeFunction). Each carries the
 * action, the server's code and request id; none copies a header, a parameter value or a credential.
 */
import type { MemberAccount } from './resource-manager.js';

export interface CloudApiErrorFields {
  readonly action: string;
  readonly code: string;
  readonly message: string;
  readonly requestId: string | undefined;
  readonly httpStatus: number;
  /** From x-acs-retry-after, in milliseconds. */
  readonly retryAfterMs?: number | undefined;
}

/** The service answered with an error (or a status the caller does not accept). */
export class CloudApiError extends Error {
  override readonly name: string = 'CloudApiError';
  readonly action: string;
  readonly code: string;
  readonly serverMessage: string;
  readonly requestId: string | undefined;
  readonly httpStatus: number;
  readonly retryAfterMs: number | undefined;

  constructor(fields: CloudApiErrorFields) {
    super(
      `${fields.action} failed: ${fields.code}: ${fields.message} (HTTP ${fields.httpStatus}${fields.requestId ? `, RequestId ${fields.requestId}` : ''})`,
    );
    this.action = fields.action;
    this.code = fields.code;
    this.serverMessage = fields.message;
    this.requestId = fields.requestId;
    this.httpStatus = fields.httpStatus;
    this.retryAfterMs = fields.retryAfterMs;
  }

  get isThrottling(): boolean {
    return this.code.startsWith('Throttling') || this.httpStatus === 429;
  }

  get isServerError(): boolean {
    return this.httpStatus >= 500;
  }
}

/** A 2xx answer that is not JSON or lacks a field we rely on. */
export class CloudMalformedResponseError extends Error {
  override readonly name = 'CloudMalformedResponseError';
  readonly code = 'MalformedResponse';
  constructor(
    readonly action: string,
    readonly field: string,
    detail: string,
    readonly requestId?: string,
  ) {
    super(`${action} returned a malformed answer: ${field}: ${detail}${requestId ? ` (RequestId ${requestId})` : ''}`);
  }
}

/**
 * ListAccounts did not come to an end within its bounds, or went in circles. `partial` is what had been
 * listed before the stop: real member accounts, which the orchestrator still guards.
 */
export class AccountListingError extends Error {
  override readonly name = 'AccountListingError';
  constructor(
    readonly code: 'PageCapReached' | 'PageRepeated' | 'PageEmpty',
    message: string,
    readonly partial: readonly MemberAccount[],
  ) {
    super(message);
  }
}

/** An account run named an account that REDEEM_ACCOUNTS does not resolve to. */
export class AccountNotAuthorizedError extends Error {
  override readonly name = 'AccountNotAuthorizedError';
  readonly code = 'AccountNotAuthorized';
}

/** An event over the size we send: refused before any call. */
export class PayloadTooLargeError extends Error {
  override readonly name = 'PayloadTooLargeError';
  readonly code = 'PayloadTooLarge';
}

/** The code to record for anything thrown while listing, assuming or invoking. */
export function accountErrorCode(error: unknown): string {
  if (error instanceof CloudApiError || error instanceof CloudMalformedResponseError) return error.code;
  if (error instanceof AccountListingError || error instanceof AccountNotAuthorizedError || error instanceof PayloadTooLargeError) return error.code;
  if (error instanceof Error && error.name === 'NetworkError') return 'NetworkError';
  return 'InternalError';
}

export function accountErrorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
