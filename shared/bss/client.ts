/**
 * BSS OpenAPI (2017-12-14, RPC, ACS3-signed): QueryAccountBalance, the one call the balance guard and
 * the doctor need. Every attempt is signed afresh; reads retry throttling, 5xx and network errors within
 * the retry budget (the Domain API's rules). An answer that cannot be read is an error, never a balance.
 */
import { MalformedResponseError, readRetryDecision, toNetworkError, type DomainApiOptions, type DomainSite } from '../domain-api/index.js';
import { DEFAULT_RETRY_POLICY, HttpBodyTooLargeError, HttpTimeoutError, headerValue, realRuntime, send, withRetry, type HttpAnswer, type RetryPolicy, type RetryRuntime } from '../http/index.js';
import { signAcs3 } from '../signing/index.js';
import { describeIssue, issuePath, parseJsonOrUndefined } from '../validation/index.js';
import { BSS_PERMISSION_CODES, BssApiError, BssForbiddenError } from './errors.js';
import { bssErrorBodySchema, queryAccountBalanceSchema } from './schemas.js';

export const BSS_VERSION = '2017-12-14';

/** China site: business.aliyuncs.com; international site: business.ap-southeast-1.aliyuncs.com. */
export const BSS_ENDPOINTS: Readonly<Record<DomainSite, string>> = {
  cn: 'https://business.aliyuncs.com',
  intl: 'https://business.ap-southeast-1.aliyuncs.com',
};

/** The answer is a few hundred bytes; anything far larger is not a balance, and is not buffered. */
export const MAX_BSS_BODY_BYTES = 64 * 1024;

/**
 * The Domain API client's options, read for BSS: `site` picks the BSS endpoint, `endpoint` is BSS_ENDPOINT,
 * and `retry.budgetMs` is the deadline of the whole read, retries included.
 */
export type BssClientOptions = DomainApiOptions;

export interface AccountBalance {
  /** Data.AvailableAmount, as a number (may be negative for an account in arrears). */
  readonly available: number;
  /** Data.Currency: CNY, USD or JPY; the prices are read in it. */
  readonly currency: string;
  readonly requestId: string;
}

const ACTION = 'QueryAccountBalance';

export class BssClient {
  readonly endpoint: string;
  /** HTTP attempts made, successful or not. */
  calls = 0;
  private readonly policy: RetryPolicy;
  private readonly runtime: RetryRuntime;

  constructor(private readonly options: BssClientOptions) {
    this.endpoint = (options.endpoint ?? BSS_ENDPOINTS[options.site ?? 'intl']).replace(/\/+$/, '');
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.runtime = options.runtime ?? realRuntime;
  }

  queryAccountBalance(): Promise<AccountBalance> {
    return withRetry(() => this.attempt(), readRetryDecision, this.policy, this.runtime);
  }

  private async attempt(): Promise<AccountBalance> {
    const signed = signAcs3(
      {
        method: 'POST',
        url: `${this.endpoint}/`,
        headers: [
          ['x-acs-action', ACTION],
          ['x-acs-version', BSS_VERSION],
          ['accept', 'application/json'],
          ['user-agent', 'domain-redeemer/0.1'],
        ],
      },
      this.options.credentials,
    );
    this.calls++;
    let answer: HttpAnswer;
    try {
      answer = await send({ ...signed, timeoutMs: this.options.requestTimeoutMs ?? 10_000, maxBodyBytes: MAX_BSS_BODY_BYTES });
    } catch (error) {
      if (error instanceof HttpBodyTooLargeError) throw new MalformedResponseError(ACTION, '(body)', error.message);
      throw toNetworkError(ACTION, error, error instanceof HttpTimeoutError);
    }
    return interpret(answer);
  }
}

function interpret(answer: HttpAnswer): AccountBalance {
  const text = answer.body.toString('utf8');
  const json = parseJsonOrUndefined(text);
  const errorBody = bssErrorBodySchema.safeParse(json);
  const failed = answer.status < 200 || answer.status >= 300;
  if (failed || (errorBody.success && errorBody.data.Success === false)) {
    const code = errorBody.success ? errorBody.data.Code : `HTTP${answer.status}`;
    const fields = {
      action: ACTION,
      code,
      message: errorBody.success ? (errorBody.data.Message ?? '') : `non-JSON error answer (${text.length} bytes)`,
      requestId: errorBody.success ? errorBody.data.RequestId : undefined,
      httpStatus: answer.status,
      retryAfterMs: retryAfter(headerValue(answer.headers, 'x-acs-retry-after')),
    };
    throw BSS_PERMISSION_CODES.has(code) ? new BssForbiddenError(fields) : new BssApiError(fields);
  }
  if (json === undefined) throw new MalformedResponseError(ACTION, '(body)', 'not JSON');
  const parsed = queryAccountBalanceSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const requestId = (json as { RequestId?: unknown }).RequestId;
    throw new MalformedResponseError(ACTION, issuePath(issue.path), describeIssue(issue).replace(/^[^:]*: /, ''), typeof requestId === 'string' ? requestId : undefined);
  }
  return { available: parsed.data.Data.AvailableAmount, currency: parsed.data.Data.Currency, requestId: parsed.data.RequestId };
}

function retryAfter(value: string | undefined): number | undefined {
  const ms = value ? Number(value) : Number.NaN;
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}
