/**
 * What a person is told about one run, built from the run's own records: the orders and their outcomes,
 * the failures, the domains at risk (deadline close, not ordered, with why) and the renewals that would
 * avoid a redemption. Every text here comes from records that carry registrar answers, so it is cleaned
 * (see plainText) before any channel renders it.
 */
import { minuteUtc } from '../clock/index.js';
import type { DecisionRecord, RunRecord, WatchRecord } from '../run/index.js';
import type { AccountRecord, FanOutRunRecord } from '../run/records.js';

export type { WatchRecord } from '../run/index.js';
import type { NotifyOn } from './config.js';
import { channelText, errorText, plainText } from './text.js';


export interface OrderedItem {
  readonly domain: string;
  readonly taskNo?: string | undefined;
  /** unknown: the submission got no answer and the ledger did not settle it; it may have been placed. */
  readonly outcome: 'submitted' | 'in-progress' | 'succeeded' | 'failed' | 'unknown';
  readonly daysLeft: number | undefined;
  readonly errorCode?: string | undefined;
  readonly errorMessage?: string | undefined;
}

interface FailedItem {
  readonly domain: string;
  readonly taskNo?: string | undefined;
  readonly errorCode: string;
  readonly errorMessage?: string | undefined;
  /** The domain's redemption deadline (absent for what no decision of this run holds): the last day to order it by hand. */
  readonly deadlineMs?: number | undefined;
  readonly daysLeft?: number | undefined;
}

interface AtRiskItem {
  readonly domain: string;
  /** Undefined for a listing whose dates could not be read. */
  readonly daysLeft: number | undefined;
  readonly deadlineMs: number;
  /** The record's reason as it is (a stable code), and in words for a person. */
  readonly reason: string;
  readonly why: string;
}

/**
 * A due domain this run did not order for want of time or room: its time budget ran out, it halted, or a
 * cap (REDEEM_MAX_PER_RUN, REDEEM_MAX_PER_DAY) held it. A later run takes it.
 */
interface LeftItem {
  readonly domain: string;
  readonly daysLeft: number | undefined;
  readonly why: string;
  /** Held by a cap, not left unreached: the configuration at work, not by itself worth a NOTIFY_ON=failures message. */
  readonly heldByCap?: boolean | undefined;
}

interface RenewItem {
  readonly domain: string;
  readonly expirationMs: number;
  readonly daysToExpiry: number;
  readonly daysToRedemption?: number | undefined;
}

export interface NotificationReport {
  readonly runId: string;
  readonly mode: 'dry-run' | 'live';
  readonly accountId?: string | undefined;
  readonly trigger: string;
  readonly runOutcome: 'completed' | 'failed';
  readonly runError?: { readonly code: string; readonly message: string } | undefined;
  /** Domains in redemption this run looked at. */
  readonly candidates: number;
  readonly durationMs: number;
  readonly atRiskDays: number;
  readonly ordered: readonly OrderedItem[];
  readonly failed: readonly FailedItem[];
  /** Orders that may have been placed (and paid for): never counted or worded as failed. */
  readonly outcomeUnknown: readonly FailedItem[];
  /** Orders placed by earlier runs that stopped before telling anyone (killed, or timed out). */
  readonly earlierOrders: readonly EarlierOrderItem[];
  readonly atRisk: readonly AtRiskItem[];
  /**
   * Due and not reached (the run record's left_for_next_run), or held by a cap, whatever their days left:
   * not only the ones at risk.
   */
  readonly leftForNextRun: readonly LeftItem[];
  readonly renew: readonly RenewItem[];
  /**
   * Of a dry run: the domains a live run would order now (`would-redeem`), whatever their days left. Told
   * only under At risk, a dry run that would order ten domains a week off read "nothing to report".
   */
  readonly wouldOrder?: ReadonlyArray<{ readonly domain: string; readonly daysLeft: number | undefined }> | undefined;
  /** Registrar reads that failed or came back short: what lay behind them was not looked at. */
  readonly readProblems: readonly string[];
  /**
   * Names a request asked for (webhook, --domains) that the redemption list does not hold (the run record's
   * not_in_redemption): the first ones by name, and how many in all.
   */
  readonly notInRedemption: { readonly names: readonly string[]; readonly count: number };
  readonly deliveryProblems: readonly string[];
  /** The run's records did not all reach the results logstore: its audit trail is stdout only. */
  readonly slsFailed?: boolean | undefined;
  /** No results logstore is configured: the run's records are on stdout only. */
  readonly slsOff?: boolean | undefined;
  /** A `redeemer notify-test` message: nothing happened, the channel is being checked. */
  readonly test?: boolean | undefined;
  /** The run could not start: nothing was looked at, and its record is in the function log only. */
  readonly notStarted?: boolean | undefined;
  /** Of a run that could not start: it will fail the same way every time (its configuration, its credentials). */
  readonly startFailsAlways?: boolean | undefined;
  /** An orchestrating run (REDEEM_ACCOUNTS): the accounts it resolved and handed on to their own runs. */
  readonly handedOn?: { readonly accounts: number; readonly invoked: number } | undefined;
}

/** An order of an earlier run that never told a person of it (killed before its message). */
export interface EarlierOrderItem {
  readonly domain: string;
  readonly taskNo: string;
  /** Undefined for a task no record names (a run killed before any record left, or an order by hand). */
  readonly runId: string | undefined;
}

export interface ReportExtras {
  readonly accountId?: string | undefined;
  /** Orders of earlier runs that never reported (see executeRun): told here, once. */
  readonly earlierOrders?: readonly EarlierOrderItem[] | undefined;
  /** Orders earlier runs sent and never had answered (killed meanwhile), that the ledger does not show: told as outcomes unknown, once. */
  readonly unansweredOrders?: ReadonlyArray<{ readonly domain: string; readonly runId: string; readonly sentMs: number }> | undefined;
  /** E.g. "the redemption list was served short: …" (see readDomainList). */
  readonly readProblems?: readonly string[] | undefined;
  /** E.g. "DingTalk: the previous run's message failed (130101)", from the previous run record. */
  readonly deliveryProblems?: readonly string[] | undefined;
}

const ORDERED_OUTCOMES = new Set<string>(['submitted', 'in-progress', 'succeeded', 'failed']);
/** The executor's code for a submission that got no answer (recorded as failed when the ledger could not settle it). */
const OUTCOME_UNKNOWN = 'OutcomeUnknown';

/** The planner's and executor's reasons in words; a reason this table does not know still reads sensibly. */
const REASON_WORDS: Readonly<Record<string, string>> = {
  due: 'due, but not ordered',
  'dry-run': 'dry-run: a live run would order it',
  'outside-window': 'not yet inside REDEEM_WITHIN_DAYS',
  'not-allowed': 'not on the allow-list (REDEEM_DOMAINS)',
  'not-requested': "not among the domains this run's request named (a run without a list takes it)",
  excluded: 'excluded (REDEEM_EXCLUDE)',
  'task-in-flight': 'a task is in progress at the registrar',
  'already-redeemed': 'already redeemed',
  'cap-per-run': 'cap reached: REDEEM_MAX_PER_RUN',
  'cap-per-day': 'cap reached: REDEEM_MAX_PER_DAY',
  'time-budget': 'the time budget ran out; the next run takes it',
  halted: 'the run halted (the ledger could not be read)',
  'invalid-listing': "the registrar's listing of it looks invalid",
  'insufficient-balance': 'the account balance is too low',
  'cap-spend-per-day': 'cap reached: daily spending',
  'balance-unknown': 'the account balance could not be read',
};

export function reasonWords(reason: string): string {
  return REASON_WORDS[reason] ?? `not ordered (${plainText(reason, 60) || 'no reason given'})`;
}

/** Reasons that mean the run did not get to a domain (the run record counts them in left_for_next_run). */
const LEFT_REASONS = new Set(['time-budget', 'halted']);

/**
 * The caps on the number of orders: a due domain one holds waits for a later run, and is named under "Left
 * for the next run". Told only within NOTIFY_AT_RISK_DAYS (under At risk), a domain days from its deadline
 * that the caps held back was named nowhere, and a person did not know which domain waits.
 */
const CAP_REASONS = new Set(['cap-per-run', 'cap-per-day']);

/**
 * A submission refused with TaskIsBeingProcessed while no task for the domain is known (the record has no
 * task number): another operation holds the domain and nothing was ordered. It is not an order, and is at
 * risk like any other due domain this run did not order: if that operation outlasts the deadline, it is lost.
 */
function refusedAsBusy(d: DecisionRecord): boolean {
  return d.outcome === 'in-progress' && !d.task_no;
}

/**
 * Why a domain at risk was not ordered. A task-in-flight skip with a note is held by another run's order the
 * registrar does not list (see unlistedOrderNote in the ledger): the note says so, with the task and until
 * when, since 'a task is in progress at the registrar' would tell a person the registrar confirmed it.
 * A guard hold adds its detail (below).
 */
function atRiskWhy(d: DecisionRecord): string {
  if (refusedAsBusy(d)) return REFUSED_AS_BUSY_WORDS;
  if (d.reason === 'task-in-flight' && d.error_message) return plainText(d.error_message, 300);
  const max = DETAIL_LENGTHS[d.reason];
  if (max !== undefined && d.error_message) return `${reasonWords(d.reason)}: ${errorText(d.error_message, max)}`;
  return reasonWords(d.reason);
}

/**
 * The holds whose detail (error_message) a person needs after the reason's words, and how much of it the
 * at-risk line keeps:
 * - the guard's say what holds it (which order, which price is missing, the sums): 'the account balance
 *   is too low' alone sends a person to a balance that may be plenty. 500: the hold may begin with the
 *   domain's own order of unknown outcome (planner ownUnknownNote), the sums after it;
 * - the day's cap says what fills it and when a slot frees (planner dayCapDetail), or the domain's own
 *   order of unknown outcome that holds it: the console's last 24 h may show none of it; either count cap
 *   set to 0 says that it holds the domain for good (planner zeroCapNote);
 * - an invalid listing says which field cannot be believed, and why (shared/run/listing.ts): 'looks
 *   invalid' alone gives a person nothing to look for in the console;
 * - a halt says what stopped the run (the ledger unreadable on an expired token, say) and what to do: 'the
 *   run halted' alone left a person nothing to mend before the next run halted the same way.
 */
const DETAIL_LENGTHS: Readonly<Record<string, number>> = { 'insufficient-balance': 500, 'cap-spend-per-day': 500, 'cap-per-day': 400, 'cap-per-run': 200, 'invalid-listing': 300, halted: 400 };

/** The guard's holds whose detail (error_message) a person needs; balance-unknown is said once for the run (readProblems). */
const GUARD_DETAIL_REASONS: ReadonlySet<string> = new Set(['insufficient-balance', 'cap-spend-per-day']);

const REFUSED_AS_BUSY_WORDS = 'not ordered: another operation holds the domain at the registrar (TaskIsBeingProcessed); the next run tries again';

/** Reasons that mean the domain is safe, so it is not "at risk" however close its deadline. */
const SAFE_REASONS = new Set(['already-redeemed']);

/**
 * A domain not ordered by this run is at risk when its deadline is within `atRiskDays` (NOTIFY_AT_RISK_DAYS)
 * and nothing says it is safe. A listing we could not read has no deadline: it is at risk until a person
 * has looked at it. A due domain the balance guard held is at risk whatever its days left: the hold does
 * not lift by itself (a top-up, a price to add to REDEEM_PRICES), a top-up by bank transfer takes days, and
 * told only in its last NOTIFY_AT_RISK_DAYS it left the person that much time (an unread balance is said at
 * once too, under "Not read").
 */
export function isAtRisk(daysLeft: number | undefined, reason: string, atRiskDays: number): boolean {
  return (daysLeft === undefined || daysLeft <= atRiskDays || GUARD_DETAIL_REASONS.has(reason)) && !SAFE_REASONS.has(reason);
}

export function buildReport(
  decisions: readonly DecisionRecord[],
  run: RunRecord,
  watch: readonly WatchRecord[],
  atRiskDays: number,
  extras: ReportExtras = {},
): NotificationReport {
  const ordered: OrderedItem[] = [];
  const failed: FailedItem[] = [];
  const outcomeUnknown: FailedItem[] = [];
  const atRisk: AtRiskItem[] = [];
  const leftForNextRun: LeftItem[] = [];
  const wouldOrder: Array<{ readonly domain: string; readonly daysLeft: number | undefined }> = [];
  for (const d of decisions) {
    const domain = plainText(d.domain, 253);
    if (d.outcome === 'would-redeem') wouldOrder.push({ domain, daysLeft: d.days_left });
    if (d.outcome === 'skipped' && LEFT_REASONS.has(d.reason)) leftForNextRun.push({ domain, daysLeft: d.days_left, why: atRiskWhy(d) });
    // With what holds it (the day's cap says when a slot frees), as an at-risk line says it.
    if (d.outcome === 'skipped' && CAP_REASONS.has(d.reason)) leftForNextRun.push({ domain, daysLeft: d.days_left, why: atRiskWhy(d), heldByCap: true });
    if (d.action === 'redeem' && ORDERED_OUTCOMES.has(d.outcome) && !refusedAsBusy(d)) {
      const unknown = d.outcome === 'failed' && d.error_code === OUTCOME_UNKNOWN;
      const item: OrderedItem = {
        domain,
        taskNo: optionalText(d.task_no, 80),
        outcome: unknown ? 'unknown' : (d.outcome as OrderedItem['outcome']),
        daysLeft: d.days_left,
        errorCode: optionalText(d.error_code, 80),
        errorMessage: optionalError(d.error_message, 200),
      };
      ordered.push(item);
      const failure = { domain, taskNo: item.taskNo, errorCode: item.errorCode ?? 'unknown', errorMessage: item.errorMessage, deadlineMs: d.deadline_ms, daysLeft: d.days_left };
      if (unknown) outcomeUnknown.push(failure);
      else if (d.outcome === 'failed') failed.push(failure);
      continue;
    }
    if (isAtRisk(d.days_left, d.reason, atRiskDays)) {
      atRisk.push({ domain, daysLeft: d.days_left, deadlineMs: d.deadline_ms ?? Number.NEGATIVE_INFINITY, reason: plainText(d.reason, 60), why: atRiskWhy(d) });
    }
  }
  // Most urgent first, so that what a cut leaves out is what can wait longest.
  atRisk.sort((a, b) => a.deadlineMs - b.deadlineMs || (a.domain < b.domain ? -1 : 1));
  const renew = watch
    .map((w): RenewItem => ({ domain: plainText(w.domain, 253), expirationMs: w.expiration_ms, daysToExpiry: w.days_to_expiry, daysToRedemption: w.days_to_redemption }))
    .sort((a, b) => a.expirationMs - b.expirationMs || (a.domain < b.domain ? -1 : 1));

  const deliveryProblems: string[] = [];
  if (run.sls_delivery === 'failed') deliveryProblems.push(`SLS delivery failed${run.sls_error ? ` (${errorText(run.sls_error, 300)})` : ''}: the records of this run are on stdout (the function log) only`);
  // Room for the previous run's channel error and what to fix (notify_<channel>_error, up to 300 characters).
  for (const problem of extras.deliveryProblems ?? []) deliveryProblems.push(channelText(problem, 400));

  return {
    runId: plainText(run.run_id, 80),
    mode: run.mode,
    accountId: optionalText(extras.accountId, 40),
    trigger: plainText(run.trigger, 20),
    runOutcome: run.outcome,
    runError: runErrorOf(run),
    candidates: run.candidates,
    durationMs: run.duration_ms,
    atRiskDays,
    ordered,
    failed,
    outcomeUnknown: [
      ...outcomeUnknown,
      ...(extras.unansweredOrders ?? []).map((u) => ({
        domain: plainText(u.domain, 253),
        errorCode: OUTCOME_UNKNOWN,
        errorMessage: plainText(`sent by run ${u.runId} at ${minuteUtc(u.sentMs)}, with no answer recorded (the run stopped, or is still going); the registrar does not list it (yet)`, 200),
      })),
    ],
    earlierOrders: (extras.earlierOrders ?? []).map((o) => ({ domain: plainText(o.domain, 253), taskNo: plainText(o.taskNo, 80), runId: o.runId === undefined ? undefined : plainText(o.runId, 80) })),
    atRisk,
    leftForNextRun: leftForNextRun.sort((a, b) => (a.daysLeft ?? Number.NEGATIVE_INFINITY) - (b.daysLeft ?? Number.NEGATIVE_INFINITY)),
    renew,
    wouldOrder,
    readProblems: (extras.readProblems ?? []).map((problem) => errorText(problem, 300)),
    notInRedemption: notInRedemptionOf(run),
    deliveryProblems,
    slsFailed: run.sls_delivery === 'failed',
    slsOff: run.sls_delivery === 'off',
  };
}

/**
 * The run record's not_in_redemption (the first names, see engine.ts) and their count. A person asked for
 * these and nothing was done with them: misspelt, another account's, or still in renewal grace (where a
 * renewal, not a redemption, saves them); told in the message, not only in the record.
 */
function notInRedemptionOf(run: Pick<RunRecord, 'not_in_redemption' | 'not_in_redemption_count'>): NotificationReport['notInRedemption'] {
  const names = (run.not_in_redemption ?? '').split(',').map((name) => plainText(name, 253)).filter((name) => name !== '');
  return { names, count: Math.max(names.length, run.not_in_redemption_count ?? 0) };
}

/** A failed run's error, as a message shows it. */
function runErrorOf(run: { readonly outcome: string; readonly error_code?: string | undefined; readonly error_message?: string | undefined }): NotificationReport['runError'] {
  return run.outcome === 'failed' ? { code: plainText(run.error_code ?? 'unknown', 80), message: errorText(run.error_message ?? '', 300) } : undefined;
}

/** optionalText for an error message: its advice kept whole (errorText). */
function optionalError(value: string | undefined, max: number): string | undefined {
  if (value === undefined) return undefined;
  const text = errorText(value, max);
  return text === '' ? undefined : text;
}

function optionalText(value: string | undefined, max: number): string | undefined {
  if (value === undefined) return undefined;
  const text = plainText(value, max);
  return text === '' ? undefined : text;
}

/**
 * A named domain missing from the redemption list is worth a message in the function's own account. An
 * account run (REDEEM_ACCOUNTS) gets every domain the request named and lists only its own, so each other
 * account's run would send a message for it: N−1 messages for one domain across N accounts. There it is
 * told only in a message sent for another reason (its note says it may be another account's).
 */
function notInRedemptionToTell(report: NotificationReport): boolean {
  return report.notInRedemption.count > 0 && report.accountId === undefined;
}

/** Whether this run is worth a message under NOTIFY_ON; a test message always is. */
export function shouldNotify(report: NotificationReport, on: NotifyOn): boolean {
  if (on === 'always' || report.test) return true;
  // A due domain the run did not get to, a registrar answer it could not read whole, and records that
  // reached no logstore are things it could not do, like a failure. One a cap held is not (the cap is the
  // configuration at work): it is told when a message goes, and under At risk when its deadline is close.
  // An earlier run's order nobody was told of is money spent out of sight, told like an unknown outcome.
  const failures = report.slsFailed === true || report.failed.length > 0 || report.outcomeUnknown.length > 0 || report.earlierOrders.length > 0 || report.runOutcome === 'failed' || report.atRisk.length > 0 || report.leftForNextRun.some((l) => !l.heldByCap) || report.readProblems.length > 0 || notInRedemptionToTell(report);
  if (on === 'failures') return failures;
  return failures || report.ordered.length > 0 || report.deliveryProblems.length > 0;
}

interface ReportIdentity {
  readonly runId: string;
  readonly mode: 'dry-run' | 'live';
  readonly accountId?: string | undefined;
}

/** A report of a run that looked at nothing: the base of the test, start-failure and fan-out messages. */
function emptyReport(options: ReportIdentity): NotificationReport {
  return {
    runId: plainText(options.runId, 80),
    mode: options.mode,
    accountId: optionalText(options.accountId, 40),
    trigger: 'cli',
    runOutcome: 'completed',
    candidates: 0,
    durationMs: 0,
    atRiskDays: 0,
    ordered: [],
    failed: [],
    outcomeUnknown: [],
    earlierOrders: [],
    atRisk: [],
    leftForNextRun: [],
    renew: [],
    readProblems: [],
    notInRedemption: { names: [], count: 0 },
    deliveryProblems: [],
  };
}

/** The message `redeemer notify-test` sends: nothing happened, it only proves the channel works. */
export function testReport(options: ReportIdentity): NotificationReport {
  return { ...emptyReport(options), test: true };
}

/**
 * The message for a run that could not start (bad configuration, no credentials): it would fail the
 * same way on every run, ordering nothing, so a person must hear of it. Nothing was looked at.
 */
export function startFailureReport(options: {
  readonly runId: string;
  readonly mode: 'dry-run' | 'live';
  readonly trigger: string;
  readonly accountId?: string | undefined;
  readonly error: { readonly code: string; readonly message: string };
  /** False for an account run whose check failed (ListAccounts throttled, say): the next run may well start. */
  readonly failsAlways?: boolean | undefined;
}): NotificationReport {
  return {
    ...emptyReport(options),
    trigger: plainText(options.trigger, 20),
    runOutcome: 'failed',
    runError: runErrorOf({ outcome: 'failed', error_code: options.error.code, error_message: options.error.message }),
    notStarted: true,
    startFailsAlways: options.failsAlways ?? true,
  };
}

/**
 * The orchestrating run's message (REDEEM_ACCOUNTS), only when it failed, could not hand an account on or
 * listed the directory only in part:
 * each account's own run tells of that account, but an account never handed on never runs, so this is
 * the only message that can name it.
 */
export function fanOutReport(run: FanOutRunRecord, accounts: readonly AccountRecord[]): NotificationReport {
  const failed = accounts
    .filter((a) => a.outcome === 'failed')
    // An account FC may have queued runs all the same and tells of itself: told "not run", a person would run it again by hand.
    .map((a): FailedItem => ({ domain: `account ${plainText(a.account_id, 40)} ${a.maybe_queued ? 'may have been handed on (FC may have queued it; it was not sent again, and if it runs it sends its own message)' : 'not run'}`, errorCode: plainText(a.error_code ?? 'unknown', 80), errorMessage: optionalError(a.error_message, 200) }));
  return {
    ...emptyReport({ runId: run.run_id, mode: run.mode }),
    trigger: plainText(run.trigger, 20),
    runOutcome: run.outcome,
    runError: runErrorOf(run),
    durationMs: run.duration_ms,
    failed,
    slsFailed: run.sls_delivery === 'failed',
    slsOff: run.sls_delivery === 'off',
    handedOn: { accounts: run.count_accounts, invoked: run.count_invoked },
    // A walk that stopped part-way handed on the accounts it had listed; the members past the stop were never
    // seen, so no run of theirs will ever name them. (A walk that listed none failed the run: runError says it.)
    readProblems:
      run.listing_error_code !== undefined && run.outcome !== 'failed'
        ? [errorText(`the Resource Directory was listed only in part (${run.listing_error_code}), so its members past the stop were not run: ${run.listing_error_message ?? ''}`, 300)]
        : [],
  };
}
