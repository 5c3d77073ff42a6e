/**
 * Errors of the multi-account pieces. A service's error answer is the Domain API client's own
 * DomainApiError (action, code, server message, request id, HTTP status: nothing specific to the
 * Domain API), a bad 2xx answer its MalformedResponseError, a transport failure its NetworkError: one
 * set of types, so that errorCode() and the retry rules read them all the same way. What a caller did
 * wrong (an account outside the list, an event too large) is a UserError of the one status table.
 */
import { errorCode, whatToDo } from '../domain-api/index.js';
import { UserError, errorMessage, withWhatToDo } from '../errors/index.js';
import type { MemberAccount } from './resource-manager.js';

/**
 * ListAccounts did not come to an end within its bounds, went in circles, or failed part-way. `partial`
 * is what had been listed before the stop: real member accounts, which the orchestrator still guards.
 * `code` is PagingLimit (page cap or deadline), PageRepeated, PageEmpty, or the failed call's own code.
 */
export class AccountListingError extends Error {
  override readonly name = 'AccountListingError';
  constructor(
    readonly code: string,
    message: string,
    readonly partial: readonly MemberAccount[],
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A run named an account that REDEEM_ACCOUNTS does not resolve to (HTTP 403 account-refused). */
export class AccountNotAuthorizedError extends UserError {
  override readonly name = 'AccountNotAuthorizedError';
  constructor(message: string) {
    super('account-refused', message);
  }
}

/** An event over the size we send: refused before any call (HTTP 413 payload-too-large). */
export class PayloadTooLargeError extends UserError {
  override readonly name = 'PayloadTooLargeError';
  constructor(message: string) {
    super('payload-too-large', message);
  }
}

/** The code to record for anything thrown while listing, assuming or invoking. */
export function accountErrorCode(error: unknown): string {
  if (error instanceof AccountListingError || error instanceof UserError) return error.code;
  return errorCode(error);
}

/**
 * The message to record and tell for anything thrown while listing, assuming or invoking: with what to do
 * about it (the permission, the trust policy, the variable), also for a walk that stopped on a refusal.
 */
export function accountErrorMessage(error: unknown): string {
  return withWhatToDo(errorMessage(error), whatToDo(accountErrorCause(error)));
}

/** What a listing walk stopped on (its refusal says what to do), or the error itself. */
export function accountErrorCause(error: unknown): unknown {
  return error instanceof AccountListingError && error.cause !== undefined ? error.cause : error;
}
