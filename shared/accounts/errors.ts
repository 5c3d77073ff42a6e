/**
 * Errors of the multi-account pieces. A service's error answer is the Domain API client's own
 * DomainApiError (action, code, server message, request id, HTTP status: nothing specific to the
 * Domain API), a bad 2xx answer its MalformedResponseError, a transport failure its NetworkError: one
 * set of types, so that errorCode() and the retry rules read them all the same way.
 */
import { errorCode } from '../domain-api/index.js';
import type { MemberAccount } from './resource-manager.js';

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
  if (error instanceof AccountListingError || error instanceof AccountNotAuthorizedError || error instanceof PayloadTooLargeError) return error.code;
  return errorCode(error);
}
