/**
 * SLS PutLogs. The real host is `{project}.{endpoint}`, and the Host header always follows the URL, so
 * the project goes into the URL's host name, except for an IP or localhost endpoint (a local emulator,
 * where no DNS name exists for the prefix): there the request goes to the endpoint as it is and names
 * the project in the signed x-log-project header.
 */
import { isIP } from 'node:net';
import type { SlsTarget } from '../config/index.js';
import type { Clock } from '../clock/index.js';
import { cutText, MAX_FIELD_BYTES } from '../log/index.js';
import { DEFAULT_RETRY_POLICY, withRetry, type RetryPolicy } from '../http/index.js';
import { ContentDecodingError, HttpTimeoutError, ResponseTooLargeError, headerValue, send, systemErrorCode, type HttpAnswer } from '../http/index.js';
import { withoutSecrets, type Credentials } from '../signing/index.js';
import { signingWhatToDo } from '../domain-api/index.js';
import { withWhatToDo } from '../errors/index.js';
import { encodeLog, encodeLogGroup, type LogEntry } from './log-group.js';
import { contentMd5, slsAuthorization, slsSignature, slsStringToSign } from './signature.js';

/** The envelope every SLS version accepts: at most 4,096 logs and 3 MB raw per request. */
export const MAX_LOGS_PER_REQUEST = 4096;
const MAX_BYTES_PER_REQUEST = 3 * 1024 * 1024;
/**
 * SLS refuses a whole request (every log of it, not just the bad one) when a value or a log is over 1 MB,
 * so a record the registrar filled with a huge text would keep every record after it out of the logstore.
 * The logger already cuts each text to MAX_FIELD_BYTES; here any log is made to fit all the same (a
 * value cut to that, and a log whose values together still pass the log limit has each cut to its share).
 */
const MAX_LOG_BYTES = 1024 * 1024 - 4096;
/** A log group's topic and source (sls.md 2.4): over it, SLS refuses the whole request, every log of it. */
const MAX_TOPIC_SOURCE_BYTES = 128;

/** GetLogs asked again while the logstore says its answer is incomplete (waiting longer each time), or after a fault of its own: this many times at most. */
const GETLOGS_ATTEMPTS = 3;
const GETLOGS_INCOMPLETE_WAIT_MS = 200;

/** The two LOG requests this client makes; named in every error so a user knows which permission or index to check. */
type SlsRequest = 'PutLogs' | 'GetLogs';

class SlsError extends Error {
  override readonly name = 'SlsError';
  constructor(
    readonly request: SlsRequest,
    readonly code: string,
    message: string,
    readonly httpStatus: number | undefined,
    readonly requestId: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(withWhatToDo(`SLS ${request} failed: ${code}: ${message}${httpStatus ? ` (HTTP ${httpStatus}` : ''}${requestId ? `, RequestId ${requestId}` : ''}${httpStatus ? ')' : ''}`, slsWhatToDo(request, code, message)), options);
  }

  get retryable(): boolean {
    // An answer cut off for its size would only be fetched again (the Domain API client's rule too); a
    // request not sent for want of time has none left to be sent again.
    if (this.code === 'AnswerTooLarge' || this.code === 'Deadline') return false;
    // The quotas as the official Java producer retries them (RetriableErrors: WriteQuotaExceed,
    // ShardWriteQuotaExceed and ExceedQuota: "transient exceptions that if retried may succeed"), and the
    // read quota (a GetLogs is a read: given up at once, the read-back's hold of other runs' orders was off).
    return this.httpStatus === undefined || this.httpStatus >= 500 || ['WriteQuotaExceed', 'ShardWriteQuotaExceed', 'ExceedQuota', 'ReadQuotaExceed', 'ServerBusy', 'RequestTimeout'].includes(this.code);
  }
}

/**
 * What a person changes for SLS's refusals that a setting mends: its words say what is wrong ("The Project
 * does not exist : audit"), not which variable or grant to change. The signing ones as the Domain API's.
 */
function slsWhatToDo(request: SlsRequest, code: string, message: string): string | undefined {
  if (code === 'ProjectNotExist') return 'check SLS_PROJECT, and that SLS_ENDPOINT is the region the project is in';
  if (code === 'LogStoreNotExist') return 'check SLS_LOGSTORE: the project has no logstore of that name (create it, or name one that exists)';
  if (code === 'Unauthorized') {
    // Also an STS token invalid or expired (sls.md 2.3), which no grant mends: its words say so.
    if (/security ?token|sts ?token/i.test(message)) return signingWhatToDo('InvalidSecurityToken');
    const action = request === 'PutLogs' ? 'log:PostLogStoreLogs' : 'log:GetLogStoreLogs';
    return `grant ${action} on that logstore to the identity the run signs as (the function's role, or the CLI's RAM user): attach ram-policy.json, its log statement filled in`;
  }
  return signingWhatToDo(code);
}

/** A putLogs whose first `delivered` logs arrived (in earlier requests) before a later request failed. */
export class PartialDeliveryError extends Error {
  override readonly name = 'PartialDeliveryError';
  constructor(
    readonly delivered: number,
    cause: unknown,
  ) {
    super(`${cause instanceof Error ? cause.message : String(cause)} (the first ${delivered} logs were delivered)`, { cause });
  }
}

interface SlsClientOptions {
  readonly target: SlsTarget;
  readonly credentials: Credentials;
  readonly clock: Clock;
  readonly retry?: Partial<RetryPolicy>;
  readonly requestTimeoutMs?: number;
}

export function slsBaseUrl(target: SlsTarget): { baseUrl: string; projectHeader: string | undefined } {
  const url = new URL(/^[a-z]+:\/\//i.test(target.endpoint) ? target.endpoint : `https://${target.endpoint}`);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) !== 0 || host === 'localhost') return { baseUrl: `${url.protocol}//${url.host}`, projectHeader: target.project };
  return { baseUrl: `${url.protocol}//${target.project}.${url.host}`, projectHeader: undefined };
}

/** A log within SLS's value and log limits (see MAX_LOG_BYTES); a log already within them is returned as it is. */
export function fitLog(log: LogEntry): LogEntry {
  const oversized = log.contents.some(([, value]) => cutText(value, MAX_FIELD_BYTES) !== value);
  if (!oversized && encodeLog(log).length <= MAX_LOG_BYTES) return log;
  const cutTo = (max: number): LogEntry => ({ ...log, contents: log.contents.map(([key, value]) => [key, cutText(value, max)] as const) });
  const fitted = cutTo(MAX_FIELD_BYTES);
  if (encodeLog(fitted).length <= MAX_LOG_BYTES) return fitted;
  // Keys and framing take a few bytes each: a key is at most 128 bytes (SLS's own limit).
  return cutTo(Math.floor(MAX_LOG_BYTES / Math.max(1, log.contents.length)) - 140);
}

/** Splits logs into requests within the count and size envelope, keeping their order. */
export function batchLogs(logs: readonly LogEntry[]): LogEntry[][] {
  const batches: LogEntry[][] = [];
  let current: LogEntry[] = [];
  let bytes = 0;
  for (const log of logs) {
    // Each log costs its own encoding plus a tag and a length prefix of at most 6 bytes.
    const size = encodeLog(log).length + 6;
    if (current.length > 0 && (current.length >= MAX_LOGS_PER_REQUEST || bytes + size > MAX_BYTES_PER_REQUEST - 1024)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(log);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

const retryableSls = (error: unknown) => ({ retry: error instanceof SlsError && error.retryable });

export class SlsClient {
  private readonly policy: RetryPolicy;
  /** HTTP attempts made. */
  calls = 0;

  constructor(private readonly options: SlsClientOptions) {
    this.policy = { ...DEFAULT_RETRY_POLICY, maxAttempts: 4, ...options.retry };
  }

  /**
   * Sends every log, in batches; throws the first batch that could not be delivered after retries. No
   * attempt or wait runs past `deadlineMs`: a slow logstore cannot hold the run past its budget.
   */
  async putLogs(logs: readonly LogEntry[], meta: { topic?: string; source?: string }, deadlineMs: number): Promise<void> {
    let delivered = 0;
    const batches = batchLogs(logs.map(fitLog));
    // The source is the FC request id: one longer than SLS takes kept every record of the run out.
    const fit = (text: string | undefined) => (text === undefined ? undefined : cutText(text, MAX_TOPIC_SOURCE_BYTES));
    const topic = fit(meta.topic);
    const source = fit(meta.source);
    for (let batch = batches.shift(); batch !== undefined; batch = batches.shift()) {
      const body = encodeLogGroup({ logs: batch, topic, source });
      try {
        await withRetry(
          () => this.send(body, deadlineMs),
          retryableSls,
          this.policy,
          this.options.clock,
          deadlineMs,
        );
      } catch (error) {
        // A request within the envelope that this logstore calls too large (its limit is not the one the
        // docs give today: they changed over the years) is refused again as it is, and the recorder puts it
        // back in front of every later delivery: no record after it would arrive. Nothing of a refused
        // request is stored, so its halves go in its place, in order, down to a single log.
        // A gateway in front of SLS refuses so with its own 413 page (no errorCode): nothing reached SLS either.
        if (error instanceof SlsError && (error.code === 'PostBodyTooLarge' || error.httpStatus === 413) && batch.length > 1) {
          const half = Math.ceil(batch.length / 2);
          batches.unshift(batch.slice(0, half), batch.slice(half));
          continue;
        }
        // SLS has no idempotency: the caller must resend only what did not arrive.
        throw delivered > 0 ? new PartialDeliveryError(delivered, error) : error;
      }
      delivered += batch.length;
    }
  }

  private async send(body: Uint8Array, deadlineMs: number): Promise<void> {
    await this.exchange('PutLogs', 'POST', `/logstores/${this.options.target.logstore}/shards/lb`, [], body, deadlineMs);
  }

  /**
   * The newest log of the logstore matching `query` in [fromSeconds, toSeconds) (GetLogs, one line,
   * newest first), or undefined when there is none. Needs log:GetLogStoreLogs and an index on the fields
   * the query names; any failure is the caller's to ignore.
   */
  async newest(query: string, fromSeconds: number, toSeconds: number, deadlineMs: number): Promise<Readonly<Record<string, string>> | undefined> {
    return (await this.logs(query, fromSeconds, toSeconds, deadlineMs, { line: 1, offset: 0 }))[0];
  }

  /**
   * The logs matching `query` in [fromSeconds, toSeconds), newest first, one GetLogs page (`line` at most
   * 100, from `offset`): each row's string fields. Needs what `newest` needs.
   */
  async logs(query: string, fromSeconds: number, toSeconds: number, deadlineMs: number, page: { readonly line: number; readonly offset: number }): Promise<Array<Readonly<Record<string, string>>>> {
    const read = await this.readPage(query, fromSeconds, toSeconds, deadlineMs, page);
    if (read.doubt) throw read.doubt;
    return read.rows;
  }

  /**
   * One page as `logs` reads it, but an answer that stayed not whole (not Complete, or counting more rows
   * than it carries) after its attempts gives the rows it carried, with `partial` saying why they may be
   * only part of the page, instead of failing. An incomplete answer may lack rows, never invent them: for
   * a read whose rows only ever hold something (the day's orders), they hold all the same. Refusals and
   * unreadable answers still throw.
   */
  async partialLogs(query: string, fromSeconds: number, toSeconds: number, deadlineMs: number, page: { readonly line: number; readonly offset: number }): Promise<{ readonly rows: Array<Readonly<Record<string, string>>>; readonly partial: string | undefined }> {
    const read = await this.readPage(query, fromSeconds, toSeconds, deadlineMs, page);
    return { rows: read.rows, partial: read.doubt?.message };
  }

  private async readPage(query: string, fromSeconds: number, toSeconds: number, deadlineMs: number, page: { readonly line: number; readonly offset: number }): Promise<{ rows: Array<Readonly<Record<string, string>>>; doubt?: SlsError }> {
    const params: Array<[string, string]> = [
      ['type', 'log'],
      ['from', String(fromSeconds)],
      ['to', String(toSeconds)],
      ['query', query],
      ['line', String(Math.max(1, Math.min(100, page.line)))],
      ['offset', String(Math.max(0, page.offset))],
      ['reverse', 'true'],
    ];
    // x-log-progress: Incomplete means the logstore has not scanned everything yet: the line it sends
    // need not be the newest (an older run's, say), so it is asked again, as the docs say, a few times
    // within the deadline, and never believed. Only `Complete` says the result is whole (every SDK's
    // IsCompleted() is progress == "Complete"): an answer without the header, or with another word, is no
    // more complete than an Incomplete one. Believed, its empty page let a fresh instance order again a
    // domain a morning run had ordered.
    // x-log-count is the number of logs the answer carries: one that counts more than its body holds lacks
    // some of them, and a page that looks short would be taken for the last one while the rows it lacks (an
    // order among them) were never read. It is asked again as an Incomplete one is. Rows it carries beyond
    // its count are rows all the same: an order among them holds its domain, so they are believed.
    for (let attempt = 1; ; attempt++) {
      // A fault SLS calls its own (5xx, ServerBusy) or a host not reached is asked again, as a PutLogs is:
      // the read of the day's orders is what holds another instance's orders, and one 500 turned it off.
      const answer = await withRetry(() => this.exchange('GetLogs', 'GET', `/logstores/${this.options.target.logstore}`, params, undefined, deadlineMs), retryableSls, { ...this.policy, maxAttempts: GETLOGS_ATTEMPTS }, this.options.clock, deadlineMs);
      const progress = headerValue(answer.headers, 'x-log-progress');
      let doubt: { code: string; said: string };
      let rows: Array<Readonly<Record<string, string>>>;
      if (progress === 'Complete') {
        const parsed = parseRows(answer);
        rows = parsed.rows;
        const count = headerValue(answer.headers, 'x-log-count')?.trim();
        // A row that is no object (null) is no log: the rows beside it are kept, and the page is not whole.
        if (parsed.junk > 0) doubt = { code: 'MalformedResponse', said: `${parsed.junk} of its rows were not objects` };
        // One that is there but no whole number (a repeated header arrives joined, "1, 1") vouches for nothing.
        else if (count === undefined || (/^\d{1,15}$/.test(count) && Number(count) <= rows.length)) return { rows };
        else doubt = { code: 'MalformedResponse', said: /^\d{1,15}$/.test(count) ? `the answer's x-log-count said ${count} logs but it carried only ${rows.length}` : `the answer's x-log-count was ${this.quoted(count)}, not a number of logs` };
      } else {
        // What an incomplete answer carries is kept for partialLogs; a body that does not read carries nothing.
        try {
          rows = parseRows(answer).rows;
        } catch {
          rows = [];
        }
        doubt = { code: 'Incomplete', said: progress === 'Incomplete' ? 'the query was still incomplete' : progress === undefined ? 'the answer had no x-log-progress' : `the answer's x-log-progress was ${this.quoted(progress)}, not Complete` };
      }
      const wait = GETLOGS_INCOMPLETE_WAIT_MS * attempt;
      if (attempt >= GETLOGS_ATTEMPTS || this.options.clock.now() + wait >= deadlineMs) {
        return { rows, doubt: new SlsError('GetLogs', doubt.code, `${doubt.said} after ${attempt} attempts`, answer.status, this.quoted(headerValue(answer.headers, 'x-log-requestid') ?? '', false) || undefined) };
      }
      await this.options.clock.sleep(wait);
    }
  }

  /**
   * A header of an answer, for an error's text: without the credentials (a gateway may repeat the request's
   * headers in its own), redacted before it is cut so that no piece of a secret survives the cut.
   */
  private quoted(value: string, json = true): string {
    const clean = withoutSecrets(value, this.options.credentials);
    const cut = clean.length > 40 ? `${clean.slice(0, 40)}…` : clean;
    return json ? JSON.stringify(cut) : cut;
  }

  /** One signed LOG v1 request; answers a 2xx, throws SlsError otherwise. */
  private async exchange(request: SlsRequest, method: 'GET' | 'POST', path: string, query: Array<[string, string]>, body: Uint8Array | undefined, deadlineMs: number): Promise<HttpAnswer> {
    const { target, credentials } = this.options;
    // Past the deadline nothing is sent: a request sent with a 1 ms timeout is given up at once, but its bytes
    // are on their way, and SLS may store them after the invocation ended (FC has frozen the instance, or the
    // caller has moved on), a record nobody counts in its delivery.
    if (deadlineMs <= this.options.clock.now()) throw new SlsError(request, 'Deadline', 'no time left before the deadline to send', undefined, undefined);
    const { baseUrl, projectHeader } = slsBaseUrl(target);
    const headers: Array<[string, string]> = [
      ...(body ? ([['content-type', 'application/x-protobuf'], ['content-md5', contentMd5(body)]] as Array<[string, string]>) : []),
      ['date', new Date(this.options.clock.now()).toUTCString()],
      ['x-log-apiversion', '0.6.0'],
      ['x-log-signaturemethod', 'hmac-sha1'],
      ...(body ? ([['x-log-bodyrawsize', String(body.length)]] as Array<[string, string]>) : []),
    ];
    if (projectHeader) headers.push(['x-log-project', projectHeader]);
    if (credentials.securityToken) headers.push(['x-acs-security-token', credentials.securityToken]);
    const signature = slsSignature(credentials.accessKeySecret, slsStringToSign({ method, path, query, headers }));
    headers.push(['authorization', slsAuthorization(credentials.accessKeyId, signature)]);
    this.calls++;
    const search = query.length > 0 ? `?${query.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}` : '';
    let answer: HttpAnswer;
    try {
      const timeoutMs = Math.max(1, Math.min(this.options.requestTimeoutMs ?? 10_000, deadlineMs - this.options.clock.now()));
      answer = await send({ method, url: `${baseUrl}${path}${search}`, headers, body, timeoutMs, maxBodyBytes: 1024 * 1024 });
    } catch (error) {
      // The host and the system's reason (no such host, refused, a timeout): an SLS_ENDPOINT given with the
      // project already in it, say, shows as a doubled project name that could not be resolved.
      const host = new URL(baseUrl).host;
      if (error instanceof ResponseTooLargeError) throw new SlsError(request, 'AnswerTooLarge', `${host} answered more than 1 MiB; cut off unread`, undefined, undefined, { cause: error });
      // It answered, in a coding that could not be decoded: not a host that could not be reached.
      if (error instanceof ContentDecodingError) throw new SlsError(request, 'MalformedResponse', `${host} answered a body that could not be decoded (${error.message})`, undefined, undefined, { cause: error });
      const why = error instanceof HttpTimeoutError ? 'no answer in time' : (systemErrorCode(error) ?? errorName(error));
      throw new SlsError(request, 'NetworkError', `could not reach ${host} (${why}); check SLS_ENDPOINT and the network`, undefined, undefined, { cause: error });
    }
    const requestId = headerValue(answer.headers, 'x-log-requestid');
    if (answer.status >= 200 && answer.status < 300) {
      // SLS stamps every answer with x-log-requestid. A 2xx without it came from something else at that
      // address (a web server that answers every path with a page): nothing was stored, so it is no delivery.
      if (!requestId) throw new SlsError(request, 'NotSlsAnswer', `HTTP ${answer.status} without x-log-requestid from ${new URL(baseUrl).host}: not SLS; check SLS_ENDPOINT`, answer.status, undefined);
      return answer;
    }
    // An error page may quote the request (a gateway repeating its headers): the token and the secret
    // must not travel on into sls_error, the message or the webhook's answer.
    const text = withoutSecrets(answer.body.toString('utf8'), credentials);
    let code = `HTTP${answer.status}`;
    let message = '';
    try {
      const json = JSON.parse(text) as { errorCode?: unknown; errorMessage?: unknown };
      // Redacted after parsing too: a JSON escape inside the token hides it from a search of the text.
      if (typeof json.errorCode === 'string') code = withoutSecrets(json.errorCode, credentials);
      if (typeof json.errorMessage === 'string') message = withoutSecrets(json.errorMessage, credentials);
    } catch {
      // A redirect is not followed: the signature covers the request as it was sent, and records must not go
      // where SLS_ENDPOINT does not say. The person is told where it pointed (its Location without the
      // credentials, which a gateway may repeat from the request) and which setting to change.
      const location = headerValue(answer.headers, 'location');
      message =
        answer.status >= 300 && answer.status < 400
          ? `the endpoint answered a redirect to ${location === undefined ? '(no Location header)' : cutText(withoutSecrets(location, credentials), 300)}, which a signed request does not follow: if that is the logstore's address, set SLS_ENDPOINT to it`
          : `non-JSON answer (${text.length} bytes)`;
    }
    throw new SlsError(request, code, message, answer.status, withoutSecrets(requestId ?? '', credentials) || undefined);
  }
}

/**
 * A GetLogs v1 body: a JSON array of flat objects, each row's string (and number) fields (sls.md section 8);
 * `junk` counts the entries that are not an object.
 */
function parseRows(answer: HttpAnswer): { rows: Array<Readonly<Record<string, string>>>; junk: number } {
  let rows: unknown;
  try {
    rows = JSON.parse(answer.body.toString('utf8'));
  } catch (error) {
    throw new SlsError('GetLogs', 'MalformedResponse', 'GetLogs answered something that is not JSON', undefined, undefined, { cause: error });
  }
  if (!Array.isArray(rows)) throw new SlsError('GetLogs', 'MalformedResponse', 'GetLogs answered something that is not a list of rows', undefined, undefined);
  const objects = rows.filter((row: unknown): row is object => typeof row === 'object' && row !== null && !Array.isArray(row));
  // A field as a JSON number is the same field (a task number that looks like one): dropped, an order read
  // as one with no task number held nothing. Anything else (an object, null) is no value of a log.
  const fields = (row: object) => Object.fromEntries(Object.entries(row).flatMap(([key, value]: [string, unknown]) => (typeof value === 'string' ? [[key, value]] : typeof value === 'number' && Number.isFinite(value) ? [[key, String(value)]] : [])));
  return { junk: rows.length - objects.length, rows: objects.map(fields) };
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'unknown error';
}

