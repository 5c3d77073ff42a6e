/**
 * One Alibaba Cloud RPC call over ACS3-HMAC-SHA256, the way every product the function calls speaks it
 * (the Domain API, BSS, STS, ResourceManager): signed afresh on every attempt with the run's clock,
 * sent with a timeout clamped to the run's deadline and a bounded answer, and validated with zod/mini.
 * Reads retry what is safe to ask again; what a product adds (its endpoint, version, schemas) stays
 * with its own client.
 */
import type * as z from 'zod/mini';
import type { Clock } from '../clock/index.js';
import { DEFAULT_RETRY_POLICY, MAX_RETRY_AFTER_MS, headerValue, httpDateWaitMs, httpRetryAfterMs, send, withRetry, type HttpAnswer, type RateLimiter, type RetryPolicy } from '../http/index.js';
import { formatQuery, quotedForms, redact, redactDeep, signAcs3, type Credentials } from '../signing/index.js';
import { describeIssue, issuePath } from '../validation/index.js';
import { DeadlineNotSentError, DomainApiError, MalformedResponseError, SessionEndingError, TaskIsBeingProcessedError } from './errors.js';
import { fromTransportFailure, readRetryDecision } from './retry-rules.js';
import type { RedeemOrder } from './port.js';
import { errorBodySchema } from './schemas.js';

type Params = Readonly<Record<string, string | number | boolean | undefined>>;

interface RpcOptions {
  readonly endpoint: string;
  readonly version: string;
  readonly credentials: Credentials;
  /**
   * Request parameters no message may echo (AssumeRole's ExternalId): taken out, with the credentials, of
   * whatever an answer quotes (an error repeating the request line, a redirect's Location).
   */
  readonly alsoSecret?: ReadonlyArray<string | undefined> | undefined;
  /**
   * Epoch ms: no attempt is signed from then on (temporary credentials whose session ends soon after):
   * it throws SessionEndingError instead, certainly not sent, for the caller to sign it again renewed.
   */
  readonly signUntilMs?: number | undefined;
  readonly clock: Clock;
  /** Epoch ms: no attempt or retry wait runs past it (the run's own deadline). */
  readonly deadlineMs: number;
  readonly retry?: Partial<RetryPolicy> | undefined;
  /** Per attempt, clamped to the time left. */
  readonly requestTimeoutMs?: number | undefined;
  readonly maxBodyBytes?: number | undefined;
  /** A product that reports some errors with HTTP 200 (BSS's Success: false) names them here. */
  readonly errorIn200?: ((json: unknown, status: number) => DomainApiError | undefined) | undefined;
  /**
   * The run's one token bucket for this API: every attempt waits its turn, and a throttling answer slows
   * every caller down (the server's x-acs-retry-after pauses them all), not only the one refused.
   */
  readonly limiter?: RateLimiter | undefined;
  /** The setting that overrides the endpoint (DOMAIN_ENDPOINT), named when the endpoint redirects elsewhere. */
  readonly endpointVariable?: string | undefined;
  /** Builds the error for an error answer; DomainApiError (TaskIsBeingProcessedError) by default. */
  readonly toError?: ((fields: ConstructorParameters<typeof DomainApiError>[0]) => DomainApiError) | undefined;
}

/**
 * The server's wait, never more than MAX_RETRY_AFTER_MS: x-acs-retry-after (integer milliseconds; only a
 * positive value counts), else HTTP's Retry-After, for a bare 429 or 503 from a gateway in front of the
 * API (retrying sooner only collects more refusals). Either may be an HTTP date, read on the run's clock
 * (`nowMs`): read only as seconds, a gateway's date was no wait, and the retry came into another refusal.
 */
function serverWait(answer: HttpAnswer, nowMs: number | undefined): number | undefined {
  const acsText = headerValue(answer.headers, 'x-acs-retry-after')?.trim();
  const acs = Number(acsText || Number.NaN);
  const ms = (Number.isFinite(acs) && acs > 0 ? acs : acsText ? httpDateWaitMs(acsText, nowMs) : undefined) ?? httpRetryAfterMs(answer, nowMs);
  return ms === undefined ? undefined : Math.min(ms, MAX_RETRY_AFTER_MS);
}

const defaultError = (fields: ConstructorParameters<typeof DomainApiError>[0]) =>
  fields.code === 'TaskIsBeingProcessed' ? new TaskIsBeingProcessedError(fields) : new DomainApiError(fields);

/**
 * Where a redirect points, as a person needs it (the address to set the endpoint to), without its query
 * and fragment: an http:// endpoint sent to https:// keeps the request's path and query, and the query is
 * our own parameters (AssumeRole's ExternalId among them, which no message may echo).
 */
function redirectTarget(location: string): string {
  const cut = location.search(/[?#]/);
  return cut < 0 ? location : `${location.slice(0, cut)}?… (its query left out)`;
}

/** The error an answer stands for, from its JSON error body when it has one. */
export function errorFromAnswer(action: string, answer: HttpAnswer, json: unknown, toError = defaultError, endpointVariable?: string, nowMs?: number): DomainApiError {
  const body = errorBodySchema().safeParse(json);
  const location = headerValue(answer.headers, 'location');
  // A redirect is not followed: the signature names the host, and an order must not go where we did not
  // send it. The person is told where it pointed, and which setting to change if that is the API.
  const redirected =
    answer.status >= 300 && answer.status < 400
      ? `the endpoint answered a redirect to ${location === undefined ? '(no Location header)' : redirectTarget(location)}, which a signed request does not follow${endpointVariable ? `: if that is the API's address, set ${endpointVariable} to it` : ''}`
      : undefined;
  return toError({
    action,
    code: body.success ? body.data.Code : `HTTP${answer.status}`,
    message: body.success ? (body.data.Message ?? '') : (redirected ?? `non-JSON error answer (${answer.body.length} bytes)`),
    requestId: body.success ? body.data.RequestId : undefined,
    httpStatus: statedStatus(answer, json),
    retryAfterMs: serverWait(answer, nowMs),
  });
}

/**
 * The status an error answer stands for: its own, or, for an error body answered with HTTP 200, the 4xx/5xx
 * its HttpStatusCode names (the error shape `{Code, Message, HttpStatusCode, Success: false}`). Taken as 200,
 * a server fault under a code other than InternalError / ServiceUnavailable (UnknownError with 500, a
 * gateway's 504) was no server error: a submission so answered, which the registrar may have carried out,
 * was recorded and told as failed (certainly not placed, its cap slot given back), and a read not retried.
 */
function statedStatus(answer: HttpAnswer, json: unknown): number {
  if (answer.status < 200 || answer.status >= 300 || json === null || typeof json !== 'object') return answer.status;
  const stated = (json as { HttpStatusCode?: unknown }).HttpStatusCode;
  const code = typeof stated === 'number' ? stated : typeof stated === 'string' && /^\s*\d{3}\s*$/.test(stated) ? Number(stated) : Number.NaN;
  return Number.isInteger(code) && code >= 400 && code <= 599 ? code : answer.status;
}

/** An error body is small: only its first 64 KiB are searched (the patterns stay cheap on a huge page). */
const XML_ERROR_SCAN_CHARS = 64 * 1024;

/** The text of one element of an XML document (CDATA or escaped text), trimmed, or undefined. */
function xmlElement(xml: string, name: string): string | undefined {
  const cdata = new RegExp(`<${name}><!\\[CDATA\\[([\\s\\S]*?)\\]\\]></${name}>`).exec(xml);
  if (cdata) return cdata[1]!.trim();
  const plain = new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml);
  if (!plain) return undefined;
  return plain[1]!
    .replace(/&(?:(lt|gt|quot|apos|amp)|#(\d{1,7})|#x([0-9a-fA-F]{1,6}));/g, (whole, named: string | undefined, dec: string | undefined, hex: string | undefined) => {
      if (named) return ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' } as Record<string, string>)[named]!;
      const point = dec !== undefined ? Number(dec) : Number.parseInt(hex!, 16);
      return point <= 0x10ffff ? String.fromCodePoint(point) : whole;
    })
    .trim();
}

/**
 * The vendor's error body in XML (`<Error><RequestId/><HostId/><Code/><Message/></Error>`, its shape when the
 * format is XML), as the JSON one: a gateway or an endpoint that ignores `accept: application/json` answers
 * so, and without its Code a throttled submission (certainly not accepted, to be sent again) read as a
 * failure, a refusal as "non-JSON error answer" with nothing to act on.
 */
function xmlErrorBody(text: string): unknown {
  const head = text.slice(0, XML_ERROR_SCAN_CHARS);
  if (!/^\s*(<\?xml[^>]*\?>\s*)?<Error>/.test(head)) return undefined;
  const code = xmlElement(head, 'Code');
  if (!code) return undefined;
  return { Code: code, Message: xmlElement(head, 'Message'), RequestId: xmlElement(head, 'RequestId'), HostId: xmlElement(head, 'HostId') };
}

/**
 * The keys of the vendor's error body; an answer with nothing else carries no result. HttpStatusCode and
 * Success (false) are the error shape of many Alibaba Cloud APIs (`{RequestId, Code, Message, HttpStatusCode,
 * Success: false}`): not allowed, such a body with HTTP 200 read as an empty page, an empty ledger, and a
 * domain with an open redeem task was ordered again.
 */
const ERROR_BODY_KEYS: ReadonlySet<string> = new Set(['RequestId', 'HostId', 'Code', 'Message', 'Recommend', 'AccessDeniedDetail', 'HttpStatusCode']);

/**
 * The paging envelope: beside a failure Code and a Data with nothing in it, it says only how many items the
 * page did not serve. Not allowed, `{Code: "InternalError", TotalItemNum: 0, NextPage: false, Data: {TaskInfo:
 * []}}` was an empty ledger, and a domain with an open redeem task was ordered again.
 */
const PAGING_KEYS: ReadonlySet<string> = new Set(['CurrentPageNum', 'PageSize', 'TotalPageNum', 'TotalItemNum', 'PrePage', 'NextPage']);

/**
 * A `Data` that carries no result: null, or an object whose every field is empty (null, an empty list, an
 * empty object: `{}`, `{ TaskInfo: [] }`). A failure Code beside it is the answer; read as a result, such a
 * body passed a page schema as an empty page: an empty ledger, and a domain with an open task ordered again.
 */
function carriesNothing(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && Object.values(value).every((field) => field === null || field === undefined || (Array.isArray(field) ? field.length === 0 : typeof field === 'object' && Object.keys(field).length === 0));
}

/** A `Success` that says the call failed: false, as a boolean or as text. */
function saysFailure(value: unknown): boolean {
  return value === false || (typeof value === 'string' && value.trim().toLowerCase() === 'false');
}

/** Codes the vendor's RPC client (@alicloud/pop-core) reads as success when a 200 answer carries one. */
export const SUCCESS_CODES: ReadonlySet<string> = new Set(['200', 'OK', 'Success', 'success']);

/**
 * The vendor's error body with HTTP 200: a Code that is not a success code, and nothing but the error
 * body's own keys (a Success false, a Data with nothing in it, the paging envelope). The docs give that shape for 4xx/5xx, yet the vendor's own RPC client reads a Code in a
 * 200 as an error too, and a gateway may answer so. Read as a result it passes a page schema (only
 * RequestId is required) as an EMPTY page: an empty ledger (a domain with an open task ordered again), an
 * empty redemption list (a run "completed" with nothing looked at). An answer that carries a result beside
 * a Code (a TaskNo, a Data with something in it) is a result: an order it names exists.
 */
function isVendorErrorBody(json: unknown): boolean {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return false;
  if (!Object.entries(json).every(([key, value]) => ERROR_BODY_KEYS.has(key) || PAGING_KEYS.has(key) || (key === 'Success' && saysFailure(value)) || (key === 'Data' && carriesNothing(value)))) return false;
  const body = errorBodySchema().safeParse(json);
  return body.success && !SUCCESS_CODES.has(body.data.Code);
}

export class RpcCaller {
  readonly endpoint: string;
  private readonly policy: RetryPolicy;
  /** HTTP attempts made, successful or not, in all and per action. */
  calls = 0;
  readonly callsByAction: Record<string, number> = {};

  /** What an answer may quote that no error may carry: the secret, the token, `alsoSecret`, as URLs carry them too. */
  private readonly secrets: readonly string[];

  constructor(private readonly options: RpcOptions) {
    this.endpoint = options.endpoint.replace(/\/+$/, '');
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.secrets = quotedForms([options.credentials.securityToken, options.credentials.accessKeySecret, ...(options.alsoSecret ?? [])]);
  }

  get clock(): Clock {
    return this.options.clock;
  }

  get deadlineMs(): number {
    return this.options.deadlineMs;
  }

  get retryPolicy(): RetryPolicy {
    return this.policy;
  }

  /**
   * A read under the read retry policy. `deadlineMs`: the read ends by then (no retry waits past it, no call
   * slot is waited for past it, no answer is waited for past it), when that is before the caller's deadline.
   */
  read<S extends z.ZodMiniType>(action: string, params: Params, schema: S, deadlineMs?: number): Promise<z.output<S>> {
    const by = deadlineMs === undefined || deadlineMs >= this.options.deadlineMs ? undefined : deadlineMs;
    return withRetry(() => this.attempt(action, params, schema, by === undefined ? undefined : { sendByMs: by, answerByMs: by }), readRetryDecision, this.policy, this.options.clock, by ?? this.options.deadlineMs);
  }

  /**
   * One signed attempt; the caller decides whether and how to retry. `sending.sendByMs`: no call slot is
   * waited for past it (a submission's margin). `sending.answerByMs`: the answer is given up then (a
   * submission's, so that its reconciliation still fits before the deadline); else at the deadline.
   * `sending.clearToSend`: asked after the slot, until it says go (see RedeemOrder).
   */
  async attempt<S extends z.ZodMiniType>(
    action: string,
    params: Params,
    schema: S,
    sending: Pick<RedeemOrder, 'sendByMs' | 'answerByMs' | 'clearToSend'> & { readonly freshConnection?: boolean } = {},
  ): Promise<z.output<S>> {
    const { clock, credentials } = this.options;
    // The slot comes before signing (the signature's date is the sending time) and before the count: a
    // call that never got one was never sent. The grant names the call to the limiter if it is refused.
    const grant = await this.options.limiter?.acquire({ deadline: Math.min(this.options.deadlineMs, sending.sendByMs ?? Number.POSITIVE_INFINITY), label: action });
    // The last answer is synchronous and nothing awaits between it and the send below.
    for (let wait = sending.clearToSend?.(); wait; wait = sending.clearToSend?.()) await wait;
    // Past the deadline nothing is sent (a client without a limiter, the doctor's, reaches here): a request
    // sent with a 1 ms timeout is given up at once, but it is on its way, and reaches the registrar after the
    // invocation ended. It certainly never left, so it is not sent: an order would be safe to send again.
    if (clock.now() >= this.options.deadlineMs) throw new DeadlineNotSentError(action);
    // A call begun with the session still good may have waited (a throttled retry, a call slot) until its end.
    if (this.options.signUntilMs !== undefined && clock.now() >= this.options.signUntilMs) throw new SessionEndingError(action);
    const pairs: Array<[string, string]> = Object.entries(params)
      .filter((entry): entry is [string, string | number | boolean] => entry[1] !== undefined)
      .map(([name, value]) => [name, String(value)]);
    const signed = signAcs3(
      {
        method: 'POST',
        url: pairs.length > 0 ? `${this.endpoint}/?${formatQuery(pairs)}` : `${this.endpoint}/`,
        headers: [
          ['x-acs-action', action],
          ['x-acs-version', this.options.version],
          ['accept', 'application/json'],
          ['user-agent', 'domain-redeemer/0.1'],
        ],
      },
      credentials,
      { now: () => new Date(clock.now()) },
    );
    this.calls++;
    this.callsByAction[action] = (this.callsByAction[action] ?? 0) + 1;
    const answerBy = Math.min(this.options.deadlineMs, sending.answerByMs ?? Number.POSITIVE_INFINITY);
    const timeoutMs = Math.max(1, Math.min(this.options.requestTimeoutMs ?? 10_000, answerBy - clock.now()));
    let answer: HttpAnswer;
    try {
      answer = await send({ method: signed.method, url: signed.url, headers: signed.headers, timeoutMs, maxBodyBytes: this.options.maxBodyBytes, freshConnection: sending.freshConnection });
    } catch (error) {
      throw fromTransportFailure(action, error);
    }
    return this.interpret(action, answer, schema, grant);
  }

  private interpret<S extends z.ZodMiniType>(action: string, answer: HttpAnswer, schema: S, grant: number | undefined): z.output<S> {
    const parse = (text: string): unknown => {
      try {
        return JSON.parse(text);
      } catch (error) {
        return error;
      }
    };
    // A leading byte order mark is no part of the JSON (RFC 8259 8.1 lets a parser ignore it); JSON.parse
    // refuses it, and every answer of a server that writes one would be "not JSON".
    const text = answer.body.toString('utf8').replace(/^\uFEFF/, '');
    const json = parse(text);
    // What an error is built from: the answer without the credentials it may quote (a gateway repeating the
    // request's headers), since an error's text goes into records, stdout and messages.
    const shown = (): unknown => (json instanceof Error ? json : redactDeep(json, this.secrets));
    if (answer.status < 200 || answer.status >= 300) {
      const errorJson = shown();
      // Redacted once decoded: an entity inside the token (&#x2F; for '/') hides it from a search of the text.
      const body = errorJson instanceof Error ? redactDeep(xmlErrorBody(text), this.secrets) : errorJson;
      // A redirect's Location is quoted in the message: without the credentials, like the body.
      const location = headerValue(answer.headers, 'location');
      const quoted = location === undefined ? answer : { ...answer, headers: { ...answer.headers, location: redact(location, this.secrets) } };
      const error = errorFromAnswer(action, quoted, body, this.options.toError, this.options.endpointVariable, this.options.clock.now());
      if (error.isThrottling) this.options.limiter?.onThrottle(error.retryAfterMs, grant);
      throw error;
    }
    if (json instanceof Error) throw new MalformedResponseError(action, '(body)', 'not JSON', undefined, { cause: json });
    const refused = this.options.errorIn200?.(shown(), statedStatus(answer, json)) ?? (isVendorErrorBody(json) ? errorFromAnswer(action, answer, shown(), this.options.toError, undefined, this.options.clock.now()) : undefined);
    if (refused) {
      if (refused.isThrottling) this.options.limiter?.onThrottle(refused.retryAfterMs, grant);
      throw refused;
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const requestId = (json as { RequestId?: unknown } | null)?.RequestId;
      throw new MalformedResponseError(action, issuePath(issue.path), describeIssue(issue).replace(/^[^:]*: /, ''), typeof requestId === 'string' ? requestId : undefined, {
        cause: parsed.error,
      });
    }
    return parsed.data;
  }
}
