/** Function Compute glue: events and context, the HTTP adapter, the webhook signature, one invocation. */
export { decodeEvent, isHttpEventShape, optionsFromEvent, parseContext, parseHttpEvent, runningVersion } from './events.js';
export { eventToRequest, responseToStruct, type FcHttpResponse } from './http-adapter.js';
export { RunFailedError, invokeRun, isDoctorReport, recordStartFailure, type InvocationDeps, type InvocationResult, type Platform } from './invocation.js';
export { ReplayGuard, verifyWebhook, webhookSecretProblem } from './webhook-signature.js';
