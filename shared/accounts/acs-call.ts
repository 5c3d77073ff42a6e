/**
 * One ACS3-signed exchange and the reading of its answer, shared by the STS and ResourceManager RPC
 * clients and the FC InvokeFunction (ROA) client. Every attempt is signed afresh (new date and nonce).
 */
import * as z from 'zod/mini';
import { DomainApiError, MalformedResponseError, readRetryDecision, submitRetryDecision, toNetworkError } from '../domain-api/index.js';
import { DEFAULT_RETRY_POLICY, HttpTimeoutError, headerValue, realRuntime, send, withRetry, type HttpAnswer, type RetryDecision, type RetryPolicy, type RetryRuntime } from '../http/index.js';
import { formatQuery, signAcs3, type Credentials, type HeaderList } from '../signing/index.js';
import { describeIssue, issuePath } from '../validation/index.js';

export const USER_AGENT = 'domain-redeemer/0.1';

export interface AcsExchange {
  readonly action: string;
  readonly version: string;
  readonly url: string;
  readonly headers?: HeaderList;
  readonly body?: string;
  readonly credentials: Credentials;
  readonly timeoutMs: number;
}

/** Retry settings a caller may narrow (tests use a recording runtime so that no test sleeps). */
export interface RetrySettings {
  readonly retry?: Partial<RetryPolicy> | undefined;
  readonly runtime?: RetryRuntime | undefined;
}

/** Signs and sends one attempt; a transport failure becomes NetworkError (sent or certainly not). */
export async function sendSigned(exchange: AcsExchange): Promise<HttpAnswer> {
  const signed = signAcs3(
    {
      method: 'POST',
      url: exchange.url,
      headers: [
        ['x-acs-action', exchange.action],
        ['x-acs-version', exchange.version],
        ['accept', 'application/json'],
        ['user-agent', USER_AGENT],
        ...(exchange.headers ?? []),
      ],
      ...(exchange.body !== undefined ? { body: exchange.body } : {}),
    },
    exchange.credentials,
  );
  try {
    return await send({ method: signed.method, url: signed.url, headers: signed.headers, body: signed.body, timeoutMs: exchange.timeoutMs });
  } catch (error) {
    throw toNetworkError(exchange.action, error, error instanceof HttpTimeoutError);
  }
}

// RPC products answer {Code, Message, RequestId}; FC's ROA API has also been seen with {ErrorCode, ErrorMessage}.
const errorBodySchema = z.object({
  RequestId: z.optional(z.string()),
  requestId: z.optional(z.string()),
  Code: z.optional(z.string()),
  ErrorCode: z.optional(z.string()),
  Message: z.optional(z.string()),
  ErrorMessage: z.optional(z.string()),
});

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function retryAfter(answer: HttpAnswer): number | undefined {
  const ms = Number(headerValue(answer.headers, 'x-acs-retry-after'));
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

/** The error an answer stands for; the request id also comes from x-acs-request-id / x-fc-request-id. */
export function answerError(action: string, answer: HttpAnswer): DomainApiError {
  const text = answer.body.toString('utf8');
  const parsed = errorBodySchema.safeParse(parseJson(text));
  const body = parsed.success ? parsed.data : {};
  const code = body.Code ?? body.ErrorCode ?? `HTTP${answer.status}`;
  return new DomainApiError({
    action,
    code,
    message: body.Message ?? body.ErrorMessage ?? (text.length === 0 ? 'empty answer' : `unreadable error answer (${text.length} bytes)`),
    requestId:
      body.RequestId ?? body.requestId ?? headerValue(answer.headers, 'x-acs-request-id') ?? headerValue(answer.headers, 'x-fc-request-id'),
    httpStatus: answer.status,
    retryAfterMs: retryAfter(answer),
  });
}

/** A 2xx JSON answer validated with `schema`; anything else is a typed error. */
export function readJsonAnswer<S extends z.ZodMiniType>(action: string, answer: HttpAnswer, schema: S): z.output<S> {
  if (answer.status < 200 || answer.status >= 300) throw answerError(action, answer);
  const json = parseJson(answer.body.toString('utf8'));
  if (json === undefined) throw new MalformedResponseError(action, '(body)', 'not JSON');
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const requestId = (json as { RequestId?: unknown }).RequestId;
    throw new MalformedResponseError(
      action,
      issuePath(issue.path),
      describeIssue(issue).replace(/^[^:]*: /, ''),
      typeof requestId === 'string' ? requestId : undefined,
    );
  }
  return parsed.data;
}

/** A read or a side-effect-free call (ListAccounts, AssumeRole): the Domain API's read rules. */
export const idempotentRetry = readRetryDecision;

/**
 * A call that must not happen twice (InvokeFunction): only what was certainly not accepted is tried
 * again, as for a redeem submission; FC also says "throttled" with HTTP 429.
 */
export function notAcceptedRetry(error: unknown): RetryDecision {
  if (error instanceof DomainApiError && error.httpStatus === 429) return { retry: true, retryAfterMs: error.retryAfterMs };
  return submitRetryDecision(error);
}

export function retrying<T>(attempt: () => Promise<T>, decide: (error: unknown) => RetryDecision, settings: RetrySettings): Promise<T> {
  return withRetry(attempt, decide, { ...DEFAULT_RETRY_POLICY, budgetMs: 10_000, maxAttempts: 4, ...settings.retry }, settings.runtime ?? realRuntime);
}

export type RpcParams = Readonly<Record<string, string | number | undefined>>;

export interface RpcCall extends RetrySettings {
  /** Base URL, e.g. https://sts.aliyuncs.com or an emulator's http://127.0.0.1:port. */
  readonly endpoint: string;
  readonly version: string;
  readonly action: string;
  readonly params: RpcParams;
  readonly credentials: Credentials;
  readonly timeoutMs?: number | undefined;
}

/** One RPC action (parameters in the query, POST, empty body), retried as a side-effect-free call. */
export function callRpc<S extends z.ZodMiniType>(call: RpcCall, schema: S): Promise<z.output<S>> {
  const pairs = Object.entries(call.params)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([name, value]): [string, string] => [name, String(value)]);
  const url = `${call.endpoint.replace(/\/+$/, '')}/?${formatQuery(pairs)}`;
  return retrying(
    async () =>
      readJsonAnswer(
        call.action,
        await sendSigned({ action: call.action, version: call.version, url, credentials: call.credentials, timeoutMs: call.timeoutMs ?? 10_000 }),
        schema,
      ),
    idempotentRetry,
    call,
  );
}
