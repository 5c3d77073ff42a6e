/**
 * Typed errors of the Domain API client. Messages carry the action, the code, the server's message and
 * the request id; never a credential (the signer puts those in headers, which no error copies).
 */
import { errorMessage, withWhatToDo } from '../errors/index.js';
import { RateLimitTimeoutError, refusedCertificateCode, refusedCertificateWords } from '../http/index.js';

interface ApiErrorFields {
  readonly action: string;
  readonly code: string;
  readonly message: string;
  readonly requestId: string | undefined;
  readonly httpStatus: number;
  /** From x-acs-retry-after, in milliseconds. */
  readonly retryAfterMs: number | undefined;
}

/** Codes by which an Alibaba Cloud RPC API says RAM denied the call: the identity lacks the action's permission. */
export const PERMISSION_DENIED_CODES: ReadonlySet<string> = new Set(['Forbidden', 'Forbidden.RAM', 'NoPermission', 'NotAuthorized']);

/** The gateway's codes for a fault of its own (documented as HTTP 500 and 503). */
const SERVER_FAULT_CODES: ReadonlySet<string> = new Set(['InternalError', 'ServiceUnavailable']);

/** The server answered with an error body. An unknown code is carried as it is. */
export class DomainApiError extends Error {
  override readonly name: string = 'DomainApiError';
  readonly action: string;
  readonly code: string;
  readonly serverMessage: string;
  readonly requestId: string | undefined;
  readonly httpStatus: number;
  readonly retryAfterMs: number | undefined;

  constructor(fields: ApiErrorFields, options?: ErrorOptions) {
    super(
      `${fields.action} failed: ${fields.code}: ${fields.message} (HTTP ${fields.httpStatus}${fields.requestId ? `, RequestId ${fields.requestId}` : ''})`,
      options,
    );
    this.action = fields.action;
    this.code = fields.code;
    this.serverMessage = fields.message;
    this.requestId = fields.requestId;
    this.httpStatus = fields.httpStatus;
    this.retryAfterMs = fields.retryAfterMs;
  }

  /**
   * Throttling.* by its code, or HTTP 429 whatever the body says: a gateway in front of the API may answer
   * a bare 429 with no Alibaba error body. Either way the request was refused, never carried out.
   */
  get isThrottling(): boolean {
    return this.code.startsWith('Throttling') || this.httpStatus === 429;
  }

  /**
   * A 5xx, or a server-fault code on any status: the vendor's pages disagree on statuses (branch on the
   * Code), and a request the server failed on may have been carried out before it failed.
   */
  get isServerError(): boolean {
    return this.httpStatus >= 500 || SERVER_FAULT_CODES.has(this.code);
  }
}

/** Another operation on the domain is in progress: "in progress", never a failure to retry. */
export class TaskIsBeingProcessedError extends DomainApiError {
  override readonly name = 'TaskIsBeingProcessedError';
}

/** The answer was not JSON, or lacked a field we rely on. */
export class MalformedResponseError extends Error {
  override readonly name = 'MalformedResponseError';
  constructor(
    readonly action: string,
    readonly field: string,
    detail: string,
    readonly requestId?: string,
    options?: ErrorOptions,
  ) {
    super(`${action} returned a malformed answer: ${field}: ${detail}${requestId ? ` (RequestId ${requestId})` : ''}`, options);
  }
}

/**
 * An answer far larger than any real one (cut off unread): not retried, since asking again would only
 * fetch it again; after a submission it still means the outcome is unknown.
 */
export class AnswerTooLargeError extends MalformedResponseError {
  constructor(action: string, detail: string, options?: ErrorOptions) {
    super(action, '(body)', detail, undefined, options);
  }
}

/** The request did not complete at the HTTP level. `sent` is false only when it certainly never left. */
export class NetworkError extends Error {
  override readonly name = 'NetworkError';
  constructor(
    readonly action: string,
    readonly sent: boolean,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`${action} did not complete: ${reason}`, options);
  }
}

/**
 * Not sent because the run's deadline had passed (FC may freeze the instance once the handler answers, so
 * bytes sent later would leave during another invocation): certainly not placed, and no network to mend.
 */
export class DeadlineNotSentError extends NetworkError {
  constructor(action: string) {
    super(action, false, 'no time left before the deadline to send; not sent');
  }
}

/**
 * Not sent: the temporary credentials it would be signed with end before it could arrive (an account run's
 * assumed role, its session nearly over after a throttled retry's wait or a wait for a call slot). Signed
 * anyway, the service refuses it (InvalidSecurityToken.Expired) and an order the run could place is lost to
 * it. Certainly not placed: the caller signs it again with a renewed session.
 */
export class SessionEndingError extends Error {
  override readonly name = 'SessionEndingError';
  constructor(readonly action: string) {
    super(`${action} not sent: the session of the temporary credentials it would be signed with ends before it could arrive, and could not be renewed in time`);
  }
}

/** A paged read went past what a healthy account ever needs: the registrar's paging cannot be trusted. */
export class PagingLimitError extends Error {
  override readonly name = 'PagingLimitError';
  constructor(
    readonly action: string,
    message: string,
  ) {
    super(`${action}: ${message}`);
  }
}

/**
 * A submission whose fate is unknown (timeout, 5xx or a dropped connection after it was sent): the order
 * may exist. The caller must reconcile with the registrar's task ledger before sending anything else.
 */
export class OutcomeUnknownError extends Error {
  override readonly name = 'OutcomeUnknownError';
  constructor(
    readonly action: string,
    readonly domainName: string,
    options: { cause: unknown },
  ) {
    super(`${action} for ${domainName}: outcome unknown (${errorMessage(options.cause)}); reconcile with the task ledger before retrying`, options);
  }
}

export function errorCode(error: unknown): string {
  if (error instanceof DomainApiError) return error.code;
  if (error instanceof OutcomeUnknownError) return 'OutcomeUnknown';
  if (error instanceof MalformedResponseError) return 'MalformedResponse';
  if (error instanceof DeadlineNotSentError) return 'Deadline';
  if (error instanceof SessionEndingError) return 'SessionEnding';
  if (error instanceof NetworkError) return 'NetworkError';
  if (error instanceof PagingLimitError) return 'PagingLimit';
  if (error instanceof RateLimitTimeoutError) return error.code;
  return 'InternalError';
}

/** The RAM action each Domain API action needs (ram-policy.json grants them all). */
const RAM_ACTION: Readonly<Record<string, string>> = {
  QueryDomainList: 'domain:QueryCommonInfo',
  QueryTaskList: 'domain:QueryDomainTask',
  QueryTaskDetailList: 'domain:QueryDomainTask',
  SaveSingleTaskForCreatingOrderRedeem: 'domain:CreateOrderRedeem',
  QueryAccountBalance: 'bss:DescribeAcccount',
};

/** The error's message, with what to do about it when the code says: a person reads it as it is. */
export function explainedMessage(error: unknown): string {
  const fix = whatToDo(error);
  return withWhatToDo(errorMessage(error), fix);
}

/**
 * The many-accounts calls (REDEEM_ACCOUNTS) are made with the function's own role, under ram-policy.json's
 * optional last three statements (README "Many accounts"); a refusal may also be a trust policy or the
 * directory's, which no grant mends, so each is told what it needs rather than "attach ram-policy.json".
 */
function accountsWhatToDo(error: DomainApiError): string | undefined {
  const { action, code } = error;
  const denied = PERMISSION_DENIED_CODES.has(code) || code === 'AccessDenied' || error.httpStatus === 403;
  if (!['AssumeRole', 'ListAccounts', 'InvokeFunction'].includes(action)) return undefined;
  // Not REDEEM_API_QPS, which paces the Domain API only: these quotas are the account's, shared by all its identities.
  if (error.isThrottling) return `${action} kept throttling (a quota of the whole account, shared by every identity in it): the next run tries again; if it repeats, run less often or ask for a higher quota`;
  if (action === 'AssumeRole') {
    if (code.startsWith('EntityNotExist')) return 'create the role REDEEM_ACCOUNTS names in that member account, with a trust policy that names the function\'s role (or its account)';
    // STS takes AssumeRole from a RAM user or role only (accounts-and-billing.md §2.1), and says so for an
    // account's own AccessKey ("Roles may not be assumed by root accounts."): no grant or trust policy mends it.
    if (denied && /\broot account/i.test(error.serverMessage)) {
      return "STS takes AssumeRole only from a RAM user or a RAM role, never with an Alibaba Cloud account's own AccessKey: set ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET to a RAM user's AccessKey that holds sts:AssumeRole on the member accounts' roles (on Function Compute the function's role signs)";
    }
    // STS answers NoPermission both for a caller without sts:AssumeRole and for a trust policy that refuses it.
    if (denied) return "the function's role needs sts:AssumeRole on that role, and the role's trust policy in the member account must name the function's role (or its account); with an sts:ExternalId condition, REDEEM_EXTERNAL_ID must be set to the same value";
  }
  if (action === 'ListAccounts' && denied) return "the function's role needs resourcemanager:ListAccounts, and only the Resource Directory's management account (or a delegated administrator) may list it; else list the role ARNs in REDEEM_ACCOUNTS";
  if (action === 'InvokeFunction') {
    if (denied) return "the function's role needs fc:InvokeFunction on acs:fc:<region>:<account-id>:functions/<function-name>* (this function itself)";
    if (code.endsWith('NotFound')) return 'no such function or version where the account runs are sent: check FC_FUNCTION_NAME, FC_ACCOUNT_ID and FC_REGION (or FC_ENDPOINT)';
  }
  return undefined;
}

/** The settings that give each call its endpoint (each has a default): named when none could be reached. */
const DOMAIN_ENDPOINT_VARIABLE = 'DOMAIN_ENDPOINT (or DOMAIN_SITE, which picks the endpoint)';
const ENDPOINT_VARIABLE: Readonly<Record<string, string>> = {
  QueryDomainList: DOMAIN_ENDPOINT_VARIABLE,
  QueryTaskList: DOMAIN_ENDPOINT_VARIABLE,
  QueryTaskDetailList: DOMAIN_ENDPOINT_VARIABLE,
  SaveSingleTaskForCreatingOrderRedeem: DOMAIN_ENDPOINT_VARIABLE,
  AssumeRole: 'STS_ENDPOINT',
  ListAccounts: 'RESOURCE_MANAGER_ENDPOINT',
  InvokeFunction: 'FC_ENDPOINT (or FC_ACCOUNT_ID and FC_REGION, which FC sets)',
  // The balance guard's one call: unreachable, it holds every order, so the person must hear what to check.
  QueryAccountBalance: 'BSS_ENDPOINT (or DOMAIN_SITE, which picks the BSS endpoint)',
};

/**
 * What a person can do about an API refusal that ended a run, by its code; undefined when nothing is known
 * to help. The vendor's own Message says what is wrong ("User not authorized to operate on the specified
 * resource"), rarely what to change; this names the permission, the variable or the clock.
 */
export function whatToDo(error: unknown): string | undefined {
  const certificate = error instanceof NetworkError && ENDPOINT_VARIABLE[error.action] ? { code: refusedCertificateCode(error), variable: ENDPOINT_VARIABLE[error.action] } : undefined;
  if (certificate?.code) return refusedCertificateWords(certificate.code, "the API's", `the host of ${certificate.variable} if set`);
  // No connection at all: a mistyped endpoint setting, or no way out of the function's network.
  if (error instanceof NetworkError && !error.sent && !(error instanceof DeadlineNotSentError) && ENDPOINT_VARIABLE[error.action]) {
    return `no connection could be made: check ${ENDPOINT_VARIABLE[error.action]} if set, and the function's internet access (internetAccess: true, or a VPC endpoint)`;
  }
  if (!(error instanceof DomainApiError)) return undefined;
  const { code } = error;
  const accounts = accountsWhatToDo(error);
  if (accounts) return accounts;
  if (PERMISSION_DENIED_CODES.has(code)) {
    const permission = RAM_ACTION[error.action];
    return `the identity the run signs as (the function's role, the member account's role of REDEEM_ACCOUNTS, or the CLI's RAM user) lacks ${permission ?? `the permission ${error.action} needs`}: attach ram-policy.json to it`;
  }
  // BSS's NotApplicable ("This API is not applicable for caller", e.g. an account a reseller bills): no
  // permission mends it, and while a money setting is on the guard holds every order.
  if (error.action === 'QueryAccountBalance' && code === 'NotApplicable') {
    return "BSS does not show this account's balance, so the balance guard cannot work for it: ask whoever bills the account (a reseller) for access, or unset REDEEM_PRICES, REDEEM_MIN_BALANCE and REDEEM_MAX_SPEND_PER_DAY to order without the guard";
  }
  const signing = signingWhatToDo(code);
  if (signing) return signing;
  if (code === 'Forbidden.UserVerification' || code === 'Forbidden.RiskControl') return 'the account is not real-name verified, or risk control blocked it: resolve it in the console';
  if (error.isThrottling) return 'the API kept throttling: run less often, or lower REDEEM_API_QPS';
  return undefined;
}

/**
 * What to do about a refusal of the credentials or the clock a request was signed with, by its code: the
 * Domain API's spellings and SLS's (SignatureNotMatch, RequestTimeExpired), which sign with the same
 * credentials and clock.
 */
export function signingWhatToDo(code: string): string | undefined {
  if (code === 'SignatureDoesNotMatch' || code === 'IncompleteSignature' || code === 'SignatureNotMatch') return 'check that the AccessKey id and secret belong together (ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET when set), and the clock';
  if (code.startsWith('InvalidAccessKeyId')) return 'the AccessKey is unknown or disabled (deleted, disabled, or of another account): enable it, or create one in the RAM console and set ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET';
  if (code.startsWith('InvalidSecurityToken') || code === 'MissingSecurityToken') return 'the security token is missing, invalid or expired: FC passes a fresh one with every invocation; a token set by hand (ALIBABA_CLOUD_SECURITY_TOKEN) must be renewed';
  if (code.startsWith('InvalidTimeStamp') || code === 'RequestTimeExpired') return "the clock is more than 15 minutes off the API's: fix NTP on the machine";
  return undefined;
}
