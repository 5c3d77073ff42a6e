/**
 * Result records, with stable snake_case keys, written as one JSON line each on stdout and as SLS log
 * contents, each as soon as it is known. The run's identity (run_id, trigger, fc_request_id, mode) is
 * stamped by the logger, not built here. Nothing here may carry a credential.
 *
 * - `run`: `outcome: started` when the run begins, then `completed` or `failed` with the counts;
 * - `submission`: written just before an order is sent, so a run killed mid-call still leaves a trace;
 * - `decision`: one per domain, when its outcome so far is known (a submitted order with its task number);
 * - `task`: a followed task that reached its final state.
 *
 * With REDEEM_ACCOUNTS, an orchestrating run writes one `account` record per account it handed on and a
 * `run` record with the fan-out's counts (FanOutRunFields); each account run's records carry account_id.
 */
import type { AccountFields } from '../accounts/index.js';
import type { Mode } from '../config/index.js';
import type { LogEntry } from '../sls/index.js';
import type { Decision } from './planner.js';

export type Trigger = 'timer' | 'webhook' | 'invoke' | 'cli';
type Outcome = 'would-redeem' | 'submitted' | 'in-progress' | 'succeeded' | 'failed' | 'skipped';

export interface RunIdentity {
  readonly run_id: string;
  readonly trigger: Trigger;
  readonly fc_request_id: string | undefined;
  readonly mode: Mode;
  /**
   * The member account an account run acts in (REDEEM_ACCOUNTS); in the function's own account, that account
   * when the platform says it (FC's accountId, EngineRequest.ownAccountId), else absent (the CLI's plain run).
   */
  readonly account_id?: string | undefined;
}

/** What became of a decision: the executor fills these, the decision record carries them as they are. */
export interface OutcomeFields {
  /** The planner's reason, or why the executor did not get to it ("time-budget", "halted", "cap-per-day"). */
  readonly reason: string;
  readonly outcome: Outcome;
  readonly task_no?: string | undefined;
  readonly api_request_id?: string | undefined;
  readonly error_code?: string | undefined;
  readonly error_message?: string | undefined;
  readonly attempts?: number | undefined;
  readonly duration_ms?: number | undefined;
  readonly reconciled?: boolean | undefined;
}

interface DecisionFields extends OutcomeFields {
  readonly kind: 'decision';
  readonly domain: string;
  readonly tld: string;
  readonly expiration_ms: number | undefined;
  readonly deadline_ms: number | undefined;
  readonly days_left: number | undefined;
  readonly rules: 'known' | 'assumed' | undefined;
  readonly action: 'redeem' | 'skip';
}

interface SubmissionFields {
  readonly kind: 'submission';
  readonly domain: string;
  readonly expiration_ms: number;
}

/** A domain that still only needs a renewal (QueryType=1): never ordered, only told. */
interface WatchFields {
  readonly kind: 'watch';
  readonly domain: string;
  readonly expiration_ms: number;
  readonly days_to_expiry: number;
  /** Estimated days until it enters redemption: expiry plus the TLD's grace period, less a day of margin (see daysToRedemption). */
  readonly days_to_redemption: number;
}

interface TaskFields {
  readonly kind: 'task';
  readonly domain: string;
  readonly task_no: string;
  readonly outcome: 'succeeded' | 'failed';
  readonly error_code?: string | undefined;
  readonly error_message?: string | undefined;
}

type OutcomeCounts = Readonly<Record<`count_${'would_redeem' | 'submitted' | 'in_progress' | 'succeeded' | 'failed' | 'skipped'}`, number>>;

interface RunFields {
  readonly kind: 'run';
  /** started: the run began; completed: every domain decided and recorded; failed: it stopped on an error. */
  readonly outcome: 'started' | 'completed' | 'failed';
  readonly reason?: string | undefined;
  readonly candidates?: number | undefined;
  /** The balance guard: off (no money setting), on, or balance-unknown (nothing was submitted). */
  readonly guard?: 'off' | 'on' | 'balance-unknown' | undefined;
  readonly balance_available?: number | undefined;
  readonly balance_currency?: string | undefined;
  /** The sum of the prices of the orders this run kept, with REDEEM_PRICES. */
  readonly spend_planned?: number | undefined;
  /** The registrar served a page it had served before (it ignores PageNum): the list was read up to there. */
  readonly listing_repeated_page?: boolean | undefined;
  /** Domains on the renewal list (QueryType=1), when it was read. */
  readonly watched?: number | undefined;
  readonly calls?: number | undefined;
  readonly left_for_next_run?: number | undefined;
  /** The run halted (nothing more was sent): the code of the error that stopped it, and why, with what to do. */
  readonly halt_code?: string | undefined;
  readonly halt_message?: string | undefined;
  /** What the run could not read and decided without (the message's "Not read"), joined with "; ". */
  readonly read_problems?: string | undefined;
  /** Names the request asked for that the redemption list does not hold (comma-separated, the first 20). */
  readonly not_in_redemption?: string | undefined;
  /** How many such names in all (not_in_redemption spells out 20 at most). */
  readonly not_in_redemption_count?: number | undefined;
  /** The most submissions allowed in flight at once, in a live run that submitted (REDEEM_SUBMIT_CONCURRENCY). */
  readonly submit_concurrency?: number | undefined;
  readonly sls_delivery?: 'ok' | 'failed' | 'off' | undefined;
  /** Why SLS delivery failed (its last error), when it did. */
  readonly sls_error?: string | undefined;
  readonly duration_ms?: number | undefined;
  readonly error_code?: string | undefined;
  readonly error_message?: string | undefined;
  /** sent: a message went out; quiet: NOTIFY_ON found nothing worth one. */
  readonly notify?: 'sent' | 'quiet' | undefined;
  /** none: a message was sent and every channel refused it, so nobody was told of this run. */
  readonly notified?: 'none' | undefined;
  /** notify_<channel>: ok | failed | off, and notify_<channel>_code when it failed. */
  readonly [channel: `notify_${string}`]: string | undefined;
}

/** An orchestrating run's record: how many accounts it resolved and handed on; it orders nothing itself. */
interface FanOutRunFields extends Pick<RunFields, 'kind' | 'outcome' | 'reason' | 'sls_delivery' | 'sls_error' | 'duration_ms' | 'error_code' | 'error_message' | 'notify' | `notify_${string}`> {
  readonly count_accounts?: number | undefined;
  readonly count_invoked?: number | undefined;
  readonly count_failed?: number | undefined;
  /** ListAccounts failed or stopped early (the accounts listed before the stop were still handed on). */
  readonly listing_error_code?: string | undefined;
  readonly listing_error_message?: string | undefined;
}

export type RecordFields = DecisionFields | SubmissionFields | TaskFields | WatchFields | RunFields | FanOutRunFields | AccountFields;

/** The run's last record: every count is known. */
interface FinishedRunFields extends Omit<RunFields, 'outcome'>, OutcomeCounts {
  readonly outcome: 'completed' | 'failed';
  readonly candidates: number;
  readonly calls: number;
  readonly left_for_next_run: number;
  readonly sls_delivery: 'ok' | 'failed' | 'off';
  readonly duration_ms: number;
  /** Earlier runs (comma-separated ids) whose orders this run's message told: they never told them. */
  readonly told_runs?: string | undefined;
}

export type DecisionRecord = RunIdentity & DecisionFields;
export type WatchRecord = RunIdentity & WatchFields;
export type RunRecord = RunIdentity & FinishedRunFields;
export type FanOutRunRecord = RunIdentity &
  FanOutRunFields & { readonly outcome: 'completed' | 'failed'; readonly count_accounts: number; readonly count_invoked: number; readonly count_failed: number; readonly duration_ms: number };
export type AccountRecord = RunIdentity & AccountFields;

const finite = (n: number | undefined) => (n !== undefined && Number.isFinite(n) ? n : undefined);

export function decisionFields(decision: Decision, outcome: OutcomeFields): DecisionFields {
  const invalid = decision.action === 'skip' && decision.reason === 'invalid-listing';
  return {
    kind: 'decision',
    domain: decision.domainName,
    tld: decision.tld,
    expiration_ms: finite(decision.expirationMs),
    deadline_ms: finite(decision.deadlineMs),
    days_left: finite(decision.daysLeft),
    rules: invalid ? undefined : decision.rules,
    action: decision.action,
    ...outcome,
  };
}

export function countOutcomes(records: readonly Pick<OutcomeFields, 'outcome'>[]): OutcomeCounts {
  const count = (outcome: Outcome) => records.filter((r) => r.outcome === outcome).length;
  return {
    count_would_redeem: count('would-redeem'),
    count_submitted: count('submitted'),
    count_in_progress: count('in-progress'),
    count_succeeded: count('succeeded'),
    count_failed: count('failed'),
    count_skipped: count('skipped'),
  };
}

/** SLS log contents: string values, absent fields left out. */
export function toLogEntry(record: Readonly<Record<string, unknown>>, timeSeconds: number): LogEntry {
  const contents: Array<[string, string]> = [];
  for (const [key, value] of Object.entries(record)) {
    if (value === undefined || value === null) continue;
    contents.push([key, String(value)]);
  }
  return { time: timeSeconds, contents };
}
