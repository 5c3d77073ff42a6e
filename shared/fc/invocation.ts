/**
 * What every trigger shares: turn an invocation (its options, the platform's credentials, request id and
 * timeout) into one run. The platform objects come from FC's context (built-in runtime) or from the
 * x-fc-* headers FC adds (custom runtime); request headers from callers are never trusted for them.
 * A run that cannot start (bad configuration, bad options, no credentials) still writes its `kind: run`
 * record, with `outcome: failed` and the error code, so that "runs that did not complete" finds it.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock/index.js';
import { credentialsFromEnv, loadConfig, resolveCredentials, type Env, type PartialCredentials, type RedeemerConfig } from '../config/index.js';
import { UserError } from '../errors/index.js';
import { createLogger, type Logger } from '../log/index.js';
import { parseRunOptions, runRedemption, type RunSummary, type Trigger } from '../run/index.js';
import { buildDoctorPorts, runDoctor, type DoctorReport } from '../doctor/index.js';

export interface Platform {
  /**
   * How the request reached the function: "http" through the HTTP trigger (anyone on the internet may
   * have sent it), "event" as an invocation (timer, InvokeFunction). Only events may use /invoke.
   */
  readonly channel: 'event' | 'http';
  readonly credentials: PartialCredentials | undefined;
  /** Where FC put the credentials: the built-in runtime's context, or the custom runtime's headers. */
  readonly credentialSource?: 'context' | 'headers' | undefined;
  readonly requestId: string | undefined;
  readonly timeoutSeconds: number | undefined;
}

export interface InvocationDeps {
  readonly env: Env;
  readonly logger?: Logger | undefined;
  readonly clock?: Clock | undefined;
  readonly followIntervalMs?: number | undefined;
}

const DEFAULT_TIMEOUT_SECONDS = 60;

/** The run's budget: the function timeout less a reserve for answering, so FC never kills it mid-record. */
export function budgetFromTimeout(timeoutSeconds: number | undefined): number {
  const totalMs = (timeoutSeconds && timeoutSeconds > 0 ? timeoutSeconds : DEFAULT_TIMEOUT_SECONDS) * 1000;
  return Math.max(1_000, totalMs - Math.min(10_000, totalMs * 0.1));
}

/** The checks of `redeemer doctor`, inside the function with its own role; nothing is ordered. */
async function invokeDoctor(platform: Platform, deps: InvocationDeps): Promise<DoctorReport> {
  const fromPlatform = platform.credentials?.accessKeyId && platform.credentials.accessKeySecret;
  let credentials;
  try {
    credentials = resolveCredentials(platform.credentials, credentialsFromEnv(deps.env));
  } catch {
    credentials = undefined;
  }
  const source = credentials ? (fromPlatform ? (platform.credentialSource ?? 'context') : 'environment') : undefined;
  return runDoctor(buildDoctorPorts({ env: deps.env, credentials, source, clock: deps.clock, budgetMs: budgetFromTimeout(platform.timeoutSeconds) }));
}

/** What one invocation answers: a run's summary, or with `action: "doctor"` the doctor's report. */
export function isDoctorReport(result: RunSummary | DoctorReport): result is DoctorReport {
  return 'checks' in result;
}

export async function invokeRun(trigger: Trigger, rawOptions: unknown, platform: Platform, deps: InvocationDeps, config?: RedeemerConfig): Promise<RunSummary | DoctorReport> {
  const logger = deps.logger ?? createLogger();
  const runId = randomUUID();
  let start;
  try {
    const options = parseRunOptions(rawOptions);
    // The doctor checks a configuration that may be wrong: it runs before the configuration is loaded.
    if (options.action === 'doctor') return await invokeDoctor(platform, deps);
    start = {
      config: config ?? loadConfig(deps.env),
      options,
      credentials: resolveCredentials(platform.credentials, credentialsFromEnv(deps.env)),
    };
  } catch (error) {
    if (error instanceof UserError) {
      logger.record({ kind: 'run', run_id: runId, trigger, fc_request_id: platform.requestId, outcome: 'failed', error_code: error.code, error_message: error.message });
    }
    throw error;
  }
  return runRedemption({
    ...start,
    trigger,
    runId,
    fcRequestId: platform.requestId,
    budgetMs: budgetFromTimeout(platform.timeoutSeconds),
    logger,
    clock: deps.clock,
    followIntervalMs: deps.followIntervalMs,
  });
}

export class RunFailedError extends Error {
  override readonly name = 'RunFailedError';
  constructor(readonly summary: RunSummary) {
    super(`Run ${summary.run.run_id} failed: ${summary.run.error_code}: ${summary.run.error_message}`);
  }
}
