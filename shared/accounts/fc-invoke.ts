/**
 * FC 3.0 InvokeFunction, asynchronously: POST /2023-03-30/functions/{name}/invocations with
 * x-fc-invocation-type: Async, ROA, ACS3-signed over the body's hash, on the host the official fc3
 * tool uses for invocations, {accountId}.{region}.fc.aliyuncs.com. 202 means FC queued the event.
 *
 * Hand-written rather than the @alicloud/fc2 that FC preinstalls: fc2 speaks the 2.0 API
 * (/2016-08-15/services/{service}/functions/{fn}/invocations, FC's own signature); reaching the 3.0 path
 * needs an undocumented override of its `version` property. This client is a few dozen lines on the
 * signer and transport the function already has, adds nothing to the bundle, and is tested against the
 * same emulator route that the official @alicloud/fc20230330 client is tested against.
 */
import { headerValue } from '../http/index.js';
import { percentEncode, type Credentials } from '../signing/index.js';
import { answerError, notAcceptedRetry, retrying, sendSigned, type RetrySettings } from './acs-call.js';
import { DomainApiError } from '../domain-api/index.js';
import { PayloadTooLargeError } from './errors.js';

export const FC_VERSION = '2023-03-30';
/** FC's limit for an asynchronous event (raisable to 256 KB by ticket). */
export const ASYNC_PAYLOAD_LIMIT = 128 * 1024;

/** https://{accountId}.{region}.fc.aliyuncs.com, or FC_ENDPOINT as given. */
export function fcInvokeEndpoint(accountId: string, region: string, override?: string | undefined): string {
  return (override ?? `https://${accountId}.${region}.fc.aliyuncs.com`).replace(/\/+$/, '');
}

export interface InvokeAsyncRequest extends RetrySettings {
  readonly endpoint: string;
  readonly functionName: string;
  /** Version or alias; FC uses LATEST when absent. */
  readonly qualifier?: string | undefined;
  /** The event, sent as it is. */
  readonly payload: string;
  /** The function's own credentials. */
  readonly credentials: Credentials;
  readonly timeoutMs?: number | undefined;
}

export interface AsyncInvocation {
  /** x-fc-request-id: the account run's own request id in its logs. */
  readonly requestId: string | undefined;
}

const ACTION = 'InvokeFunction';

export async function invokeFunctionAsync(request: InvokeAsyncRequest): Promise<AsyncInvocation> {
  const size = Buffer.byteLength(request.payload);
  if (size > ASYNC_PAYLOAD_LIMIT) {
    throw new PayloadTooLargeError(`${ACTION}: the event is ${size} bytes, over FC's ${ASYNC_PAYLOAD_LIMIT}-byte limit for asynchronous invocations; not sent`);
  }
  const query = request.qualifier ? `?qualifier=${percentEncode(request.qualifier)}` : '';
  const url = `${request.endpoint}/${FC_VERSION}/functions/${percentEncode(request.functionName)}/invocations${query}`;
  // A second invocation would start a second account run: only what FC certainly did not accept is retried.
  return retrying(
    async () => {
      const answer = await sendSigned({
        action: ACTION,
        version: FC_VERSION,
        url,
        headers: [
          ['x-fc-invocation-type', 'Async'],
          // As the official @alicloud/fc20230330 sends an event body.
          ['content-type', 'application/octet-stream'],
        ],
        body: request.payload,
        credentials: request.credentials,
        timeoutMs: request.timeoutMs ?? 10_000,
      });
      if (answer.status >= 200 && answer.status < 300 && answer.status !== 202) {
        const requestId = headerValue(answer.headers, 'x-fc-request-id');
        throw new DomainApiError({ action: ACTION, code: 'NotAccepted', message: `HTTP ${answer.status} instead of 202 Accepted for an asynchronous invocation`, requestId, httpStatus: answer.status, retryAfterMs: undefined });
      }
      if (answer.status !== 202) throw answerError(ACTION, answer);
      return { requestId: headerValue(answer.headers, 'x-fc-request-id') };
    },
    notAcceptedRetry,
    request,
  );
}
