/**
 * What every trigger shares: turn an invocation (its options, the platform's credentials, request id and
 * timeout) into one run. The platform objects come from FC's context (built-in runtime) or from the
 * x-fc-* headers FC adds (custom runtime); request headers from callers are never trusted for them.
 */
import { loadConfig, type RedeemerConfig } from '../config/index.js';
import { credentialsFromEnv, resolveCredentials, type PartialCredentials } from '../config/index.js';
import { parseRunOptions } from '../run/index.js';
import { runRedemption, type RunSummary } from '../run/index.js';
import type { Trigger } from '../run/index.js';
import { MalformedEventError, isTimerEvent } from './events.js';

export type Env = Readonly<Record<string, string | undefined>>;

export interface Platform {
  /**
   * How the request reached the function: "http" through the HTTP trigger (anyone on the internet may
   * have sent it), "event" as an invocation (timer, InvokeFunction). Only events may use /invoke.
   */
  readonly channel: 'event' | 'http';
  readonly credentials: PartialCredentials | undefined;
  readonly requestId: string | undefined;
  readonly timeoutSeconds: number | undefined;
}

export interface InvocationDeps {
  readonly env: Env;
  readonly writeLine?: ((line: string) => void) | undefined;
  readonly followIntervalMs?: number | undefined;
}

const DEFAULT_TIMEOUT_SECONDS = 60;

/** The run's budget: the function timeout less a reserve for answering, so FC never kills it mid-record. */
export function budgetFromTimeout(timeoutSeconds: number | undefined): number {
  const totalMs = (timeoutSeconds && timeoutSeconds > 0 ? timeoutSeconds : DEFAULT_TIMEOUT_SECONDS) * 1000;
  return Math.max(1_000, totalMs - Math.min(10_000, totalMs * 0.1));
}

/** A timer carries the options as a JSON string payload (possibly empty); any other event is the options. */
export function optionsFromEvent(event: unknown): { trigger: Trigger; options: unknown } {
  if (!isTimerEvent(event)) return { trigger: 'invoke', options: event };
  const payload = event.payload?.trim();
  if (!payload) return { trigger: 'timer', options: {} };
  try {
    return { trigger: 'timer', options: JSON.parse(payload) };
  } catch {
    throw new MalformedEventError(`The timer payload is not JSON (${payload.length} characters); set it to run options such as {"mode":"dry-run"} or leave it empty`);
  }
}

export async function invokeRun(trigger: Trigger, rawOptions: unknown, platform: Platform, deps: InvocationDeps, config?: RedeemerConfig): Promise<RunSummary> {
  const loaded = config ?? loadConfig(deps.env);
  const options = parseRunOptions(rawOptions);
  const credentials = resolveCredentials(platform.credentials, credentialsFromEnv(deps.env));
  return runRedemption({
    config: loaded,
    credentials,
    trigger,
    options,
    fcRequestId: platform.requestId,
    budgetMs: budgetFromTimeout(platform.timeoutSeconds),
    writeLine: deps.writeLine,
    followIntervalMs: deps.followIntervalMs,
  });
}

export class RunFailedError extends Error {
  override readonly name = 'RunFailedError';
  constructor(readonly summary: RunSummary) {
    super(`Run ${summary.run.run_id} failed: ${summary.run.error_code}: ${summary.run.error_message}`);
  }
}
