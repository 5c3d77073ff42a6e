/**
 * FC 3.0 built-in runtime entry (runtime nodejs20, handler index.handler): handler(event: Buffer, context).
 * Type guards pick the processor: an HTTP trigger event goes to the Hono app through our FC3 adapter, a
 * timer event runs with the options in its payload, anything else is a direct invocation.
 */
import { errorBody, httpStatusFor, toUserError } from '../../shared/errors/index.js';
import {
  RunFailedError,
  decodeEvent,
  eventToRequest,
  invokeRun,
  isDoctorReport,
  isHttpEventShape,
  optionsFromEvent,
  parseContext,
  parseHttpEvent,
  recordStartFailure,
  responseToStruct,
  runningVersion,
  type FcHttpResponse,
  type InvocationResult,
  type Platform,
} from '../../shared/fc/index.js';
import { createLogger } from '../../shared/log/index.js';
import { createApp } from './app.js';

const deps = { env: process.env };
// Built on the first HTTP event: a timer or an InvokeFunction never needs the app, so its cold start does not build it.
let app: ReturnType<typeof createApp> | undefined;

/** An error for FC to report: the message says what is wrong; no stack trace travels with it. */
function reportable(error: unknown): Error {
  const message = error instanceof RunFailedError ? error.message : toUserError(error).message;
  const out = new Error(message);
  out.name = error instanceof Error ? error.name : 'Error';
  out.stack = `${out.name}: ${message}`;
  return out;
}

export async function handler(event: unknown, context: unknown): Promise<InvocationResult | FcHttpResponse> {
  let platform: Platform;
  let decoded: unknown;
  try {
    const ctx = parseContext(context);
    platform = {
      channel: 'event',
      credentials: ctx.credentials,
      credentialSource: 'context',
      requestId: ctx.requestId,
      timeoutSeconds: ctx.function?.timeout,
      functionName: ctx.function?.name,
      accountId: ctx.accountId,
      region: ctx.region,
      qualifier: runningVersion(ctx.service?.versionId, ctx.service?.qualifier),
    };
    decoded = decodeEvent(event);
  } catch (error) {
    throw reportable(error);
  }

  if (isHttpEventShape(decoded)) {
    try {
      // A malformed event is a 400 (Hono's adapters do the same); anything later is the app's to answer.
      const request = eventToRequest(parseHttpEvent(decoded));
      return await responseToStruct(await (app ??= createApp(deps)).fetch(request, { platform: { ...platform, channel: 'http' } }));
    } catch (error) {
      const user = toUserError(error);
      // The answer sends the caller to the function log: the error must be there (the app's own errors are
      // logged by its onError; these came from the adapter around it). No stack: only the name and message.
      if (user.code === 'internal-error') {
        createLogger().error('unhandled error', { fc_request_id: platform.requestId, error: error instanceof Error ? `${error.name}: ${error.message}` : 'unknown' });
      }
      return { statusCode: httpStatusFor(user), headers: { 'content-type': 'application/json' }, isBase64Encoded: false, body: JSON.stringify(errorBody(user)) };
    }
  }

  let invocation: ReturnType<typeof optionsFromEvent>;
  try {
    invocation = optionsFromEvent(decoded);
  } catch (error) {
    // Only a timer's payload fails here: s.yaml's own, so every daily run fails alike: recorded and told.
    await recordStartFailure('timer', error, platform, deps);
    throw reportable(error);
  }
  try {
    const { trigger, options } = invocation;
    const result = await invokeRun(trigger, options, platform, deps);
    if (!isDoctorReport(result) && result.run.outcome === 'failed') throw new RunFailedError(result);
    return result;
  } catch (error) {
    throw reportable(error);
  }
}
