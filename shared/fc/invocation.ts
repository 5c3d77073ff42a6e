/**
 * What every trigger shares: turn an invocation (its options, the platform's credentials, request id and
 * timeout) into one run. The platform objects come from FC's context (built-in runtime) or from the
 * x-fc-* headers FC adds (custom runtime); request headers from callers are never trusted for them.
 * A run that cannot start (bad configuration, bad options, no credentials) still writes its `kind: run`
 * record, with `outcome: failed` and the error code, so that "runs that did not complete" finds it.
 */
import { randomUUID } from 'node:crypto';
import { systemClock, type Clock } from '../clock/index.js';
import { ConfigError, completeCredentials, credentialsFromEnv, credentialsOrProblem, envText, loadConfig, resolveCredentials, type ConfigProblem, type Env, type PartialCredentials, type RedeemerConfig } from '../config/index.js';
import { UserError, errorMessage } from '../errors/index.js';
import { createLogger, type Logger } from '../log/index.js';
import { notifyRecordFields, notifyStartFailure } from '../notify/index.js';
import { RunOptionsError, narrow, parseRunOptions, runFanOut, runRedemption, slsDeliver, type FanOutSummary, type RunSummary, type Trigger } from '../run/index.js';
import { buildDoctorPorts, runDoctor, type DoctorReport } from '../doctor/index.js';
import {
  AccountNotAuthorizedError,
  accountErrorCode,
  accountErrorMessage,
  authorizeAccount,
  fcInvokeEndpoint,
  invokeFunctionAsync,
  listAccountsOrThrow,
  splitAccountEvent,
  type AccountRef,
  type AccountsConfig,
} from '../accounts/index.js';

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
  /** The function's name in FC's context (built-in runtime) or x-fc-function-name (custom runtime); FC_FUNCTION_NAME is read first. */
  readonly functionName?: string | undefined;
  /**
   * The owner's account id and the region, as FC states them in the context (`accountId`, `region`) or the
   * custom runtime's x-fc-account-id / x-fc-region: where the account runs are invoked when FC_ACCOUNT_ID
   * and FC_REGION are not in the environment. Those are read first.
   */
  readonly accountId?: string | undefined;
  readonly region?: string | undefined;
  /**
   * The function version this invocation runs (a version number, or the qualifier, e.g. LATEST). FC
   * snapshots code and environment in each version: the account runs are invoked at this one, so that
   * they follow the orchestrator's configuration, not LATEST's.
   */
  readonly qualifier?: string | undefined;
}

export interface InvocationDeps {
  readonly env: Env;
  readonly logger?: Logger | undefined;
  readonly clock?: Clock | undefined;
  readonly followIntervalMs?: number | undefined;
}

const DEFAULT_TIMEOUT_SECONDS = 60;

/** Start failures that are the function's own (its configuration, its credentials), told to the robots. */
const START_FAILURES_TOLD = new Set(['bad-configuration', 'missing-credentials']);
/** The most a failed start spends telling them. */
const START_FAILURE_NOTIFY_MS = 15_000;

/**
 * The run's budget: the function timeout less a reserve for answering, so FC never kills it mid-record.
 * Always less than the timeout, however short: FC stops the invocation at the timeout, and a run whose last
 * record (and its SLS delivery) may take the whole budget would be cut there, its answer lost. (A floor of
 * 1 s made a 1 s function's budget the whole timeout.)
 */
export function budgetFromTimeout(timeoutSeconds: number | undefined): number {
  const totalMs = (knownTimeout(timeoutSeconds) ? timeoutSeconds : DEFAULT_TIMEOUT_SECONDS) * 1000;
  return totalMs - Math.min(10_000, totalMs * 0.1);
}

function knownTimeout(timeoutSeconds: number | undefined): timeoutSeconds is number {
  return timeoutSeconds !== undefined && Number.isFinite(timeoutSeconds) && timeoutSeconds > 0;
}

/** The checks of `redeemer doctor`, inside the function with its own role; nothing is ordered. */
async function invokeDoctor(platform: Platform, deps: InvocationDeps): Promise<DoctorReport> {
  const fromPlatform = completeCredentials(platform.credentials) !== undefined;
  const { credentials, problem: credentialsProblem, fix: credentialsFix } = credentialsOrProblem(platform.credentials, credentialsFromEnv(deps.env));
  const source = credentials ? (fromPlatform ? (platform.credentialSource ?? 'context') : 'environment') : undefined;
  return runDoctor(buildDoctorPorts({ env: deps.env, credentials, source, credentialsProblem, credentialsFix, clock: deps.clock, budgetMs: budgetFromTimeout(platform.timeoutSeconds), ownAccountId: ownAccountId(deps.env, platform) }));
}

/** What one invocation answers: a run's summary, or with `action: "doctor"` the doctor's report. */
export function isDoctorReport(result: RunSummary | FanOutSummary | DoctorReport): result is DoctorReport {
  return 'checks' in result;
}

/** What one invocation answers: a run's summary, an orchestrating run's, or the doctor's report. */
export type InvocationResult = RunSummary | FanOutSummary | DoctorReport;

interface FanOutTarget {
  readonly endpoint: string;
  readonly functionName: string;
  /** The orchestrator's own version; undefined (LATEST) when FC did not say. */
  readonly qualifier: string | undefined;
}

/**
 * The function's own account (its owner, in which its role's credentials act), as FC states it: FC_ACCOUNT_ID,
 * else the context's accountId or the custom runtime's x-fc-account-id. Only an account id's shape is taken.
 */
function platformAccountId(env: Env, platform: Platform): string | undefined {
  return envText(env, 'FC_ACCOUNT_ID') ?? (isAccountId(platform.accountId) ? platform.accountId : undefined);
}

const isAccountId = (id: string | undefined): id is string => id !== undefined && /^\d{1,32}$/.test(id);

/** The function's own account for its records and its process registry: FC_ACCOUNT_ID too only if shaped like one. */
function ownAccountId(env: Env, platform: Platform): string | undefined {
  const id = platformAccountId(env, platform);
  return isAccountId(id) ? id : undefined;
}

/** Where an orchestrating run sends the account runs: this very function, at its own version, through FC's InvokeFunction. */
export function fanOutTarget(env: Env, platform: Platform, accounts: AccountsConfig): FanOutTarget {
  const value = (name: string) => envText(env, name);
  const functionName = value('FC_FUNCTION_NAME') ?? (platform.functionName?.trim() || undefined);
  // FC states them in the context and the custom runtime's headers too: an FC (or a stand-in of it) that
  // says them there and not in the environment failed every orchestrating run "FC_ACCOUNT_ID: not set".
  // Only what can be part of the invocation host is taken from there.
  const accountId = platformAccountId(env, platform);
  const region = value('FC_REGION') ?? (/^[a-z0-9-]{1,64}$/.test(platform.region ?? '') ? platform.region : undefined);
  const problems: ConfigProblem[] = [];
  if (!functionName) problems.push({ variable: 'FC_FUNCTION_NAME', message: 'not set: Function Compute sets it; elsewhere set it to the function that runs the accounts' });
  if (!accounts.fcEndpoint && (!accountId || !region)) {
    problems.push({ variable: accountId ? 'FC_REGION' : 'FC_ACCOUNT_ID', message: 'not set: Function Compute sets FC_ACCOUNT_ID and FC_REGION; elsewhere set them, or FC_ENDPOINT' });
  }
  if (problems.length > 0 || !functionName) throw new ConfigError(problems);
  return { endpoint: fcInvokeEndpoint(accountId ?? '', region ?? '', accounts.fcEndpoint), functionName, qualifier: platform.qualifier };
}

/**
 * One invocation. An event that names an `account` (only the orchestrator's InvokeFunction sends one;
 * over HTTP the options schema refuses the field) is an account run: refused unless REDEEM_ACCOUNTS
 * resolves to exactly that account, then the normal run with that account's temporary credentials. With
 * REDEEM_ACCOUNTS and no account named, the run orchestrates; without it, the run is today's.
 */
export async function invokeRun(trigger: Trigger, rawOptions: unknown, platform: Platform, deps: InvocationDeps, config?: RedeemerConfig): Promise<InvocationResult> {
  const logger = deps.logger ?? createLogger();
  const runId = randomUUID();
  const clock = deps.clock ?? systemClock;
  const budgetMs = budgetFromTimeout(platform.timeoutSeconds);
  // Said, not silent: a run cut at 54 s of a longer function leaves the rest of the portfolio for tomorrow.
  if (!knownTimeout(platform.timeoutSeconds)) logger.warn(`no function timeout known (FC's context or x-fc-function-timeout): ${DEFAULT_TIMEOUT_SECONDS} s assumed, a run budget of ${budgetMs / 1000} s`, { fc_request_id: platform.requestId });
  const startedMs = clock.now();
  const { account, options: raw } = platform.channel === 'event' ? splitAccountEvent(rawOptions) : { account: undefined, options: rawOptions };
  const claimedId = (account as { id?: unknown } | undefined)?.id;
  let start;
  let member: { ref: AccountRef; accounts: AccountsConfig } | undefined;
  let target: FanOutTarget | undefined;
  try {
    const options = parseRunOptions(raw);
    // The doctor checks a configuration that may be wrong: it runs before the configuration is loaded.
    if (options.action === 'doctor' && account === undefined) return await invokeDoctor(platform, deps);
    start = {
      config: config ?? loadConfig(deps.env),
      options,
      credentials: resolveCredentials(platform.credentials, credentialsFromEnv(deps.env)),
    };
    // A request that would widen the run (live asked of a dry-run function) is refused here, where it is
    // recorded (and, from the timer, told), not only later where the run would throw it unrecorded.
    narrow(start.config, options);
    const accounts = start.config.accounts;
    if (!accounts && (account !== undefined || options.accounts)) {
      throw new AccountNotAuthorizedError(`${account !== undefined ? 'account' : 'accounts'}: REDEEM_ACCOUNTS is not set; this function acts in its own account only`);
    }
    if (account !== undefined && accounts) {
      if (options.action === 'doctor' || options.accounts) throw new RunOptionsError('Invalid run options: an account run acts in the one account its event names; it takes neither "accounts" nor "action": "doctor"', 'invalid-options');
      // The list is resolved afresh with the function's own credentials: the event's word is never enough.
      const { accounts: resolved, listingError } = await listAccountsOrThrow(accounts, start.credentials, { clock, deadlineMs: startedMs + Math.min(30_000, budgetMs / 4) });
      member = { ref: authorizeAccount(account, resolved, listingError), accounts };
    }
    // An orchestrating run needs to know where its account runs go before it starts one.
    if (accounts && account === undefined) target = fanOutTarget(deps.env, platform, accounts);
  } catch (error) {
    // A request refused for what it asks for, or an account that could not be checked: a failed run on record.
    if (error instanceof UserError || account !== undefined) {
      await recordStartFailure(trigger, error, platform, deps, { runId, startedMs, budgetMs, accountId: typeof claimedId === 'string' ? claimedId.slice(0, 32) : undefined, accountRun: account !== undefined });
    }
    throw error;
  }
  const common = { trigger, runId, fcRequestId: platform.requestId, logger, clock };
  if (member) {
    return runRedemption({
      ...start,
      ...common,
      account: { ref: member.ref, config: member.accounts, timeoutSeconds: platform.timeoutSeconds },
      // What the account check took comes off the run's budget: FC's timeout is for the whole invocation.
      // No floor (as budgetFromTimeout has none): a check that took it all leaves a run that sends nothing.
      budgetMs: Math.max(0, budgetMs - (clock.now() - startedMs)),
      followIntervalMs: deps.followIntervalMs,
    });
  }
  const accounts = start.config.accounts;
  if (accounts && target) {
    const { credentials } = start;
    const { endpoint, functionName, qualifier } = target;
    return runFanOut({
      ...start,
      ...common,
      accounts,
      budgetMs,
      invoke: (payload, _account, bounds) => invokeFunctionAsync({ endpoint, functionName, qualifier, payload, credentials, ...bounds }),
    });
  }
  // The run in the function's own account says which account that is (EngineRequest.ownAccountId): an
  // account run of it (a fan-out over the directory takes the management account too) reads its orders back.
  return runRedemption({ ...start, ...common, budgetMs, followIntervalMs: deps.followIntervalMs, ownAccountId: ownAccountId(deps.env, platform) });
}

/**
 * The record of a run that cannot start (`kind: run`, `outcome: failed`, its error code), and the message
 * when the failure is the function's own: its configuration, its credentials, or the timer's payload (the
 * payload is s.yaml's, not a caller's: it fails every daily run alike, and nothing would ever be ordered).
 * A caller's bad request (webhook, InvokeFunction) is answered to the caller, and is no reason to message anyone.
 */
export async function recordStartFailure(
  trigger: Trigger,
  error: unknown,
  platform: Platform,
  deps: InvocationDeps,
  run: { readonly runId?: string; readonly startedMs?: number; readonly budgetMs?: number; readonly accountId?: string | undefined; readonly accountRun?: boolean } = {},
): Promise<void> {
  const logger = deps.logger ?? createLogger();
  const clock = deps.clock ?? systemClock;
  const runId = run.runId ?? randomUUID();
  const startedMs = run.startedMs ?? clock.now();
  const budgetMs = run.budgetMs ?? budgetFromTimeout(platform.timeoutSeconds);
  const code = error instanceof UserError ? error.code : accountErrorCode(error);
  // An account run's check (ListAccounts) says what to fix, as the orchestrator's listing does.
  const message = run.accountRun ? accountErrorMessage(error) : errorMessage(error);
  // The function's own state fails every run alike, and so does a timer payload it refuses (s.yaml's, not
  // a caller's): a person must hear of it. A caller's bad request is answered to the caller, and is no
  // reason to message anyone. An event naming an account has no caller to answer: the orchestrator handed
  // it on asynchronously, recorded it as invoked and said nothing more, so an account run that could not
  // check its account (ListAccounts throttled, the account no longer listed) is told here, or that account
  // goes unguarded in silence.
  const told = (error instanceof UserError && (START_FAILURES_TOLD.has(error.code) || trigger === 'timer')) || run.accountRun
    ? await notifyStartFailure(deps.env, { runId, trigger, accountId: run.accountId, error: { code, message }, failsAlways: error instanceof UserError }, {
        deadlineMs: Math.min(startedMs + budgetMs - 1_000, clock.now() + START_FAILURE_NOTIFY_MS),
        now: clock.now,
        sleep: clock.sleep,
      })
    : [];
  const record = logger.record({
    kind: 'run',
    run_id: runId,
    trigger,
    fc_request_id: platform.requestId,
    account_id: run.accountId,
    outcome: 'failed',
    error_code: code,
    error_message: message,
    ...(told.length > 0 ? { notify: 'sent', ...notifyRecordFields(told) } : {}),
    // The run's one record: numbered like every record of a run (see Recorder.write).
    seq: 1,
  });
  await deliverStartFailure(record, platform, deps, clock, startedMs + budgetMs);
}

/** The most a failed start spends delivering its record to the results logstore. */
const START_FAILURE_SLS_MS = 5_000;

/**
 * The failed start's record in the results logstore too, as every run's records are: "runs that did not
 * complete" is asked there, and a run refused at its start (a timer payload refused every day, a request
 * asking for live) was on stdout alone, so the logstore showed no run at all for it. Only when the
 * configuration loads and credentials can sign (bad configuration or no credentials: stdout is all there
 * is); bounded, and it never fails the invocation: the record is on stdout already.
 */
async function deliverStartFailure(record: Readonly<Record<string, unknown>>, platform: Platform, deps: InvocationDeps, clock: Clock, endsMs: number): Promise<void> {
  let deliver;
  try {
    deliver = slsDeliver(loadConfig(deps.env), resolveCredentials(platform.credentials, credentialsFromEnv(deps.env)), clock, platform.requestId);
  } catch {
    return;
  }
  const deadlineMs = Math.min(endsMs - 500, clock.now() + START_FAILURE_SLS_MS);
  if (!deliver || deadlineMs <= clock.now()) return;
  try {
    await deliver([record], deadlineMs);
  } catch {
    // stdout has it (FC ships it to the function's own log).
  }
}

export class RunFailedError extends Error {
  override readonly name = 'RunFailedError';
  constructor(readonly summary: RunSummary | FanOutSummary) {
    super(`Run ${summary.run.run_id} failed: ${summary.run.error_code}: ${summary.run.error_message}`);
  }
}
