/**
 * Errors a user can cause (bad configuration, a bad request, a refused webhook…): one base with a code
 * and a message that says what to fix, and one table from code to HTTP status and CLI exit code, so the
 * Hono app, the FC handler and the CLI answer the same error the same way.
 */
const TABLE = {
  usage: { status: 400, exit: 2 },
  'bad-configuration': { status: 500, exit: 2 },
  'missing-credentials': { status: 500, exit: 2 },
  'invalid-options': { status: 400, exit: 2 },
  'escalation-refused': { status: 403, exit: 2 },
  'malformed-event': { status: 400, exit: 2 },
  'invalid-json': { status: 400, exit: 2 },
  unauthorized: { status: 401, exit: 2 },
  replayed: { status: 409, exit: 2 },
  'payload-too-large': { status: 413, exit: 2 },
  'unsupported-encoding': { status: 415, exit: 2 },
  'webhook-disabled': { status: 503, exit: 2 },
  'instance-stopping': { status: 503, exit: 2 },
  'not-found': { status: 404, exit: 2 },
  'method-not-allowed': { status: 405, exit: 2 },
  'account-refused': { status: 403, exit: 2 },
  'internal-error': { status: 500, exit: 1 },
} as const;

export type UserErrorCode = keyof typeof TABLE;
type HttpStatus = (typeof TABLE)[UserErrorCode]['status'];

export class UserError extends Error {
  override readonly name: string = 'UserError';
  constructor(
    readonly code: UserErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

const INTERNAL = new UserError('internal-error', 'The run could not complete; see the function log for the request id');

/** What a caller is told: a user error as it is, anything else as an opaque internal error. */
export function toUserError(error: unknown): UserError {
  return error instanceof UserError ? error : INTERNAL;
}

export function httpStatusFor(error: UserError): HttpStatus {
  return TABLE[error.code].status;
}

export function exitCodeFor(error: UserError): 1 | 2 {
  return TABLE[error.code].exit;
}

/** The JSON error body every HTTP answer uses. */
export function errorBody(error: Pick<UserError, 'code' | 'message'>): { error: { code: string; message: string } } {
  return { error: { code: error.code, message: error.message } };
}

/**
 * How a message is joined to what a person can do about it: one spelling, since the message's cut
 * (notify/text.ts errorText) finds the advice by it, to keep it whole.
 */
export const WHAT_TO_DO = '; what to do: ';

/** `message`, and what to do about it when something is known to help. */
export function withWhatToDo(message: string, fix: string | undefined): string {
  return fix ? `${message}${WHAT_TO_DO}${fix}` : message;
}

/** The message of anything thrown; our own errors never carry a credential. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
