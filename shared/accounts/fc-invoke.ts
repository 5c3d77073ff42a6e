/**
 * FC 3.0 InvokeFunction, asynchronously: POST /2023-03-30/functions/{name}/invocations with
 * x-fc-invocation-type: Async, ROA, ACS3-signed over the body's hash, on the host the official fc3
 * tool uses for invocations, {accountId}.{region}.fc.aliyuncs.com. 202 means FC queued the event.
 *
 * Hand-written rather than the @alicloud/fc2 that FC preinstalls: fc2 speaks the 2.0 API
 * (/2016-08-15/services/{service}/functions/{fn}/invocations, FC's own signature); reaching the 3.0 path
 * needs an undocumented override of its `version` property. This client is a few dozen lines on the
 * signer and transport the function already has, adds nothing to the bundle, and is tested against the
 * same emulator route that the official @alicloud/fc20230330 client is tested against. It is not an
 * RPC call (a path and a body), so it does not go through RpcCaller; it reads error answers the same
 * way (errorFromAnswer) and takes the run's clock and deadline like every other call.
 */
import { DomainApiError, errorFromAnswer, mayHaveBeenCarriedOut, submitRetryDecision, fromTransportFailure } from '../domain-api/index.js';
import { DEFAULT_RETRY_POLICY, headerValue, send, withRetry, type HttpAnswer } from '../http/index.js';
import { percentEncode, signAcs3, withoutSecrets, withoutSecretsDeep, type Credentials } from '../signing/index.js';
import { parseJsonOrUndefined } from '../validation/index.js';
import type { CallBounds } from './bounds.js';
import { PayloadTooLargeError } from './errors.js';

const FC_VERSION = '2023-03-30';
/** FC's limit for an asynchronous event (raisable to 256 KB by ticket). */
const ASYNC_PAYLOAD_LIMIT = 128 * 1024;
/** An async answer is empty; an error answer a few hundred bytes. */
const MAX_ANSWER_BYTES = 64 * 1024;

/** https://{accountId}.{region}.fc.aliyuncs.com, or FC_ENDPOINT as given. */
export function fcInvokeEndpoint(accountId: string, region: string, override?: string | undefined): string {
  return (override ?? `https://${accountId}.${region}.fc.aliyuncs.com`).replace(/\/+$/, '');
}

interface InvokeAsyncRequest extends CallBounds {
  readonly endpoint: string;
  readonly functionName: string;
  /** Version or alias; FC uses LATEST when absent. */
  readonly qualifier?: string | undefined;
  /** The event, sent as it is. */
  readonly payload: string;
  /** The function's own credentials. */
  readonly credentials: Credentials;
  /** Epoch ms: no retry goes out after it (the orchestrator's hand-on time); the deadline when absent. */
  readonly sendByMs?: number | undefined;
}

export interface AsyncInvocation {
  /** x-fc-request-id: the account run's own request id in its logs. */
  readonly requestId: string | undefined;
}

const ACTION = 'InvokeFunction';

/**
 * FC's ROA errors have been seen both as {Code, Message, RequestId} and as {ErrorCode, ErrorMessage}; a
 * function's own error as {errorMessage, errorType} with its kind in x-fc-error-type (UnhandledInvocationError).
 */
function fcErrorBody(answer: HttpAnswer): unknown {
  const json = parseJsonOrUndefined(answer.body.toString('utf8')) as Record<string, unknown> | undefined;
  if (json === undefined || typeof json !== 'object' || json === null) return undefined;
  return {
    Code: json.Code ?? json.ErrorCode ?? headerValue(answer.headers, 'x-fc-error-type'),
    Message: json.Message ?? json.ErrorMessage ?? json.errorMessage,
    RequestId: json.RequestId ?? json.requestId ?? headerValue(answer.headers, 'x-fc-request-id'),
  };
}

async function attempt(request: InvokeAsyncRequest, url: string): Promise<AsyncInvocation> {
  const { clock } = request;
  const signed = signAcs3(
    {
      method: 'POST',
      url,
      headers: [
        ['x-acs-action', ACTION],
        ['x-acs-version', FC_VERSION],
        ['x-fc-invocation-type', 'Async'],
        // As the official @alicloud/fc20230330 sends an event body.
        ['content-type', 'application/octet-stream'],
        ['accept', 'application/json'],
        ['user-agent', 'domain-redeemer/0.1'],
      ],
      body: request.payload,
    },
    request.credentials,
    { now: () => new Date(clock.now()) },
  );
  const timeoutMs = Math.max(1, Math.min(request.requestTimeoutMs ?? 10_000, request.deadlineMs - clock.now()));
  let answer: HttpAnswer;
  try {
    // On a connection of its own, as a submission: a reset on a reused keep-alive connection would leave it
    // "may have been queued" (never sent again) though FC may never have seen it, and the account not run.
    answer = await send({ method: signed.method, url: signed.url, headers: signed.headers, body: signed.body, timeoutMs, maxBodyBytes: MAX_ANSWER_BYTES, freshConnection: true });
  } catch (error) {
    throw fromTransportFailure(ACTION, error);
  }
  const requestId = headerValue(answer.headers, 'x-fc-request-id');
  if (answer.status === 202) return { requestId };
  if (answer.status >= 200 && answer.status < 300) {
    throw new DomainApiError({ action: ACTION, code: 'NotAccepted', message: `HTTP ${answer.status} instead of 202 Accepted for an asynchronous invocation`, requestId, httpStatus: answer.status, retryAfterMs: undefined });
  }
  // Without the credentials an error page may quote: its text goes into the account record and the message.
  // Redacted after parsing too: a JSON escape inside the token hides it from a search of the text.
  // A redirect's Location is quoted in the message too: without the credentials, as the RPC caller quotes it.
  const location = headerValue(answer.headers, 'location');
  const quoted = location === undefined ? answer : { ...answer, headers: { ...answer.headers, location: withoutSecrets(location, request.credentials) } };
  const body = withoutSecretsDeep(fcErrorBody({ ...answer, body: Buffer.from(withoutSecrets(answer.body.toString('utf8'), request.credentials)) }), request.credentials);
  throw errorFromAnswer(ACTION, quoted, body, undefined, 'FC_ENDPOINT', clock.now());
}

/**
 * After InvokeFunction failed for good: may FC have queued the event all the same? The request went out
 * and no refusal came back (a dropped connection or a timeout, a 5xx, an answer we could not read), or
 * FC answered 200 (the event may have run synchronously).
 */
export function mayHaveBeenQueued(error: unknown): boolean {
  return mayHaveBeenCarriedOut(error) || (error instanceof DomainApiError && error.code === 'NotAccepted');
}

export async function invokeFunctionAsync(request: InvokeAsyncRequest): Promise<AsyncInvocation> {
  const size = Buffer.byteLength(request.payload);
  if (size > ASYNC_PAYLOAD_LIMIT) {
    throw new PayloadTooLargeError(`${ACTION}: the event is ${size} bytes, over FC's ${ASYNC_PAYLOAD_LIMIT}-byte limit for asynchronous invocations; not sent`);
  }
  const query = request.qualifier ? `?qualifier=${percentEncode(request.qualifier)}` : '';
  const url = `${request.endpoint.replace(/\/+$/, '')}/${FC_VERSION}/functions/${percentEncode(request.functionName)}/invocations${query}`;
  // A second invocation would start a second account run: only what FC certainly did not accept is retried
  // (throttling, FC's 429 ResourceThrottled among it, or a connection never opened), as for a submission.
  // Retry waits end by the send-by time, as a submission's do: a retry sent later may go unanswered, and
  // the account is then "may have been handed on" instead of "not handed on, the next run does it".
  const lastSendMs = Math.min(request.deadlineMs, request.sendByMs ?? request.deadlineMs);
  return withRetry(() => attempt(request, url), submitRetryDecision, { ...DEFAULT_RETRY_POLICY, maxAttempts: 4, ...request.retry }, request.clock, lastSendMs);
}
