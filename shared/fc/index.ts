/** Function Compute glue: events and context, the HTTP adapter, the webhook signature, one invocation. */
export { MalformedEventError, decodeEvent, looksLikeHttpEvent, parseContext, parseHttpEvent } from './events.js';
export { eventToRequest, responseToStruct, type FcHttpResponse } from './http-adapter.js';
export { RunFailedError, invokeRun, optionsFromEvent, type Env, type InvocationDeps, type Platform } from './invocation.js';
export { verifyWebhook, webhookSignature } from './webhook-signature.js';
