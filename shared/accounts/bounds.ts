/**
 * What every call of the accounts clients takes: the run's clock and deadline, as every other call of
 * the function does. STS and ResourceManager are RPC products and go through the one RpcCaller.
 */
import type { Clock } from '../clock/index.js';
import { RpcCaller } from '../domain-api/index.js';
import type { RetryPolicy } from '../http/index.js';
import type { Credentials } from '../signing/index.js';

export interface CallBounds {
  readonly clock: Clock;
  /** Epoch ms: no attempt or retry wait runs past it. */
  readonly deadlineMs: number;
  readonly retry?: Partial<RetryPolicy> | undefined;
  /** Per attempt, clamped to the time left. */
  readonly requestTimeoutMs?: number | undefined;
}

/**
 * `endpointVariable`: the setting that gives the endpoint, named when the endpoint answers a redirect.
 * `alsoSecret`: request parameters that no error may quote (AssumeRole's ExternalId).
 */
export function rpcCaller(endpoint: string, version: string, credentials: Credentials, bounds: CallBounds, endpointVariable?: string, alsoSecret?: ReadonlyArray<string | undefined>): RpcCaller {
  return new RpcCaller({
    endpoint,
    endpointVariable,
    alsoSecret,
    version,
    credentials,
    clock: bounds.clock,
    deadlineMs: bounds.deadlineMs,
    retry: bounds.retry,
    requestTimeoutMs: bounds.requestTimeoutMs,
    // No real answer of these products comes near it.
    maxBodyBytes: 1024 * 1024,
  });
}
