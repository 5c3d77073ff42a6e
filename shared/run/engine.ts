/**
 * The run itself, independent of how the Domain API and the results logstore are reached: say that the run
 * started, discover the domains in redemption, read the registrar's ledger, plan, execute, and record every
 * decision the moment it is known. run.ts composes it with the function's own clients.
 */
import type { Clock } from '../clock/index.js';
import type { RedeemerConfig } from '../config/index.js';
import { matchesAny } from '../config/index.js';
import { errorCode, explainedMessage, PagingLimitError, type DomainApi, type DomainReads } from '../domain-api/index.js';
import { errorMessage, withWhatToDo } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import { channelStatuses, notifyRecordFields, notifyRun, undelivered } from '../notify/index.js';
import { DAY_MS, daysToRedemption } from './deadline.js';
import { execute, type CapOptions, type ExecutedDecision, type ProgressEvent } from './executor.js';
import { canonicalName, Ledger, noteRunsTold, submissionKey, taskKey, toldInThisProcess, unrecordedTaskId, type JournalAttempt, type JournalOrder, type OrderJournal } from './ledger.js';
import { readDomainList } from './listing.js';
import { narrow, type EffectiveRun, type RunOptions } from './options.js';
import { applyGuard, dayCapDetail, moneyHoldDetail, plan, type Decision } from './planner.js';
import { guardRedemptions, readBalanceForGuard, type BalanceReading, type GuardResult } from './guard.js';
import { Recorder, slsFields, type Deliver, type SlsDelivery } from './recorder.js';
import { countOutcomes, decisionFields, type DecisionRecord, type RunIdentity, type RunRecord, type Trigger, type WatchRecord } from './records.js';
import { finishingDeadlines, submitByMs, timeBudget, workDeadline } from './time-budget.js';

export interface EngineRequest {
  readonly config: RedeemerConfig;
  readonly trigger: Trigger;
  readonly options: RunOptions;
  readonly runId: string;
  readonly fcRequestId?: string | undefined;
  /** The member account the run acts in (REDEEM_ACCOUNTS): stamped on every record and named in the message. */
  readonly accountId?: string | undefined;
  /**
   * A plain run's own account, when the platform says it (on FC: the function's owner, FC_ACCOUNT_ID /
   * the context's accountId / x-fc-account-id, the account its own credentials act in): stamped on its
   * records as account_id only, so that an account run of that account finds its orders by its own query
   * (`account_id: <id>`). Without it, an account run of the account right after the plain run, on a fresh
   * instance, read none of them and ordered the domain again while the registrar did not list the task yet.
   * Nothing else changes with it: the run is named as the function's own, not as an account run.
   */
  readonly ownAccountId?: string | undefined;
  /** The whole run, including records; from the FC timeout on Function Compute. */
  readonly budgetMs: number;
  readonly clock: Clock;
  /** Where the JSON lines go (stdout on FC, which ships them to the function's logstore). */
  readonly logger: Logger;
  readonly followIntervalMs?: number | undefined;
  readonly pageSize?: number | undefined;
  readonly onProgress?: ((event: ProgressEvent) => void) | undefined;
  /**
   * Called once the run is done with the registrar (its orders placed and followed, or the run failed):
   * what is left is its records and its message. The CLI's accounts start the next account then, so that
   * a robot slow to answer delays no other account's orders.
   */
  readonly onRegistrarDone?: (() => void) | undefined;
}

export interface RunSummary {
  readonly run: RunRecord;
  readonly decisions: readonly DecisionRecord[];
  readonly sls: SlsDelivery;
  readonly callsByAction: Readonly<Record<string, number>>;
}

export interface RunPorts {
  readonly api: DomainApi;
  /**
   * The previous run's record that sent a notification (GetLogs on the results logstore), to say in this
   * message which channel failed last time; undefined without SLS. Its failures are ignored.
   */
  readonly previousNotification?: ((deadlineMs: number) => Promise<Readonly<Record<string, string>> | undefined>) | undefined;
  /** BSS QueryAccountBalance, for the balance guard; called only when a money setting is on. */
  readonly readBalance?: (() => Promise<{ readonly available: number; readonly currency: string; readonly trustPay?: number | undefined }>) | undefined;
  /** Delivers records to the results logstore; undefined when none is configured. */
  readonly deliver?: Deliver | undefined;
  /** Orders kept beyond the process (the CLI's file beside its host lock); see Ledger. */
  readonly orderJournal?: OrderJournal | undefined;
}

/** Reads in flight at once; the rate limiter decides how fast they start. Submissions: REDEEM_SUBMIT_CONCURRENCY. */
const READ_CONCURRENCY = 8;

/**
 * The registrar ledger's identity in this process (see Ledger): the endpoint, and the account its orders
 * are of (`own` when the run does not know it). The doctor takes it too, to hold what a run here would.
 */
export function registrarScope(config: Pick<RedeemerConfig, 'domainEndpoint' | 'site'>, accountId: string | undefined): string {
  return `${config.domainEndpoint ?? config.site}|${accountId ?? 'own'}`;
}

/** The ledger looks back a week: a task still open after that is the registrar's to report, not ours to repeat. */
const LEDGER_DAYS = 7;

export async function executeRun(request: EngineRequest, ports: RunPorts): Promise<RunSummary> {
  const { config, clock } = request;
  const budget = timeBudget(request.budgetMs, clock.now);
  const effective = narrow(config, request.options);
  // The account the run's records name and its process registry is scoped by: the member account, or the
  // function's own when the platform says it (ownAccountId).
  const recordAccount = request.accountId ?? request.ownAccountId;
  const identity: RunIdentity = {
    run_id: request.runId,
    trigger: request.trigger,
    fc_request_id: request.fcRequestId,
    mode: effective.mode,
    ...(recordAccount !== undefined ? { account_id: recordAccount } : {}),
  };
  const logger = request.logger.with({ ...identity });
  const recorder = new Recorder(logger, ports.deliver, clock, workDeadline(budget));
  const api = ports.api;
  recorder.write({ kind: 'run', outcome: 'started', reason: effective.reason }, true);

  let executed: ExecutedDecision[] = [];
  let submitConcurrency: number | undefined;
  let watch: WatchRecord[] = [];
  // What the run could not read (it decided on the rest), and what earlier deliveries failed at.
  const readProblems: string[] = [];
  const problems: string[] = [];
  let candidates = 0;
  let guard: GuardResult<Decision> | undefined;
  let ledger: Ledger | undefined;
  let repeatedPage = false;
  // The listing was read to its end: a name a request asked for and the list lacks is really not there.
  let listingComplete = false;
  let failure: { code: string; message: string } | undefined;
  // Orders of earlier runs that never told a person (killed before their message): this run tells them.
  let earlierOrders: readonly JournalOrder[] = [];
  // Orders of earlier runs sent and never answered, that the ledger does not show: told as outcomes unknown.
  let unansweredOrders: readonly JournalAttempt[] = [];
  // Redemption tasks of the last day no record names (see unrecordedTasks): told as ordered by a run that left no record.
  let unrecorded: ReadonlyArray<{ readonly taskNo: string; readonly domainName: string }> = [];
  try {
    const bounds = { deadlineMs: submitByMs(budget), now: clock.now };
    // Runs of one process against the same registrar ledger see each other's orders as they are sent. A
    // plain run that knows its account (ownAccountId) shares the scope of that account's account runs: scoped
    // 'own', an account run of the function's own account in the same warm instance, before the registrar
    // listed the plain run's task (and without the logstore's read-back), ordered the domain again.
    const scope = registrarScope(config, recordAccount);
    const prepared = await prepareRun({ config, effective, clock, bounds, pageSize: request.pageSize, onProgress: request.onProgress, scope, runId: request.runId }, ports);
    earlierOrders = prepared.untoldOrders;
    unansweredOrders = prepared.unansweredOrders;
    unrecorded = prepared.unrecorded;
    ledger = prepared.ledger;
    repeatedPage = prepared.repeatedPage;
    if (prepared.unreadListing) readProblems.push(prepared.unreadListing);
    listingComplete = prepared.unreadListing === undefined;
    readProblems.push(...prepared.unreadOrders);
    // Nothing is ordered while the guard cannot read the balance; its holds are told as at risk only within
    // NOTIFY_AT_RISK_DAYS, so the unread balance itself is said at once (a missing permission lasts).
    // The message cuts a long line in its middle and keeps what to do (notify errorText).
    if (prepared.balance && !prepared.balance.ok) {
      const { code, fix, message } = prepared.balance;
      readProblems.push(withWhatToDo(`the account balance could not be used (${code}): ${message}; nothing was ordered (balance-unknown)`, fix));
    }
    ({ candidates, guard } = prepared);
    if (config.notify.watchRenewals) {
      try {
        watch = await readRenewals(api, bounds, request, identity, (fields) => recorder.write(fields));
      } catch (error) {
        // Telling a person about renewals must never stop a redemption.
        readProblems.push(`the renewal list (QueryType=1) could not be read: ${errorMessage(error)}`);
      }
    }
    executed = await execute(prepared.decisions, {
      api,
      ledger: prepared.ledger,
      budget,
      clock,
      mode: effective.mode,
      capReached: capsAtSubmission(config, prepared.balance, firstPricedHold(prepared.guard)),
      followMs: config.followSeconds * 1000,
      submitConcurrency: config.submitConcurrency,
      onSubmitConcurrency: (highest) => (submitConcurrency = highest),
      readConcurrency: READ_CONCURRENCY,
      emit: (fields) => recorder.write(fields, fields.kind === 'submission' || (fields.kind === 'decision' && fields.action === 'redeem')),
      followIntervalMs: request.followIntervalMs,
      onProgress: request.onProgress,
    });
  } catch (error) {
    failure = { code: error instanceof PagingLimitError ? 'PagingLimit' : errorCode(error), message: explainedMessage(error) };
  } finally {
    ledger?.close();
  }
  request.onRegistrarDone?.();

  const decisions: DecisionRecord[] = executed.map(({ decision, ...outcome }) => ({ ...identity, ...decisionFields(decision, outcome) }));
  const finishing = finishingDeadlines(budget);
  const sls = await recorder.finish(finishing.recordsMs);
  const counted: RunRecord = {
    ...identity,
    kind: 'run',
    outcome: failure ? 'failed' : 'completed',
    reason: effective.reason,
    candidates,
    watched: config.notify.watchRenewals ? watch.length : undefined,
    listing_repeated_page: repeatedPage || undefined,
    ...countOutcomes(decisions),
    calls: api.calls,
    left_for_next_run: executed.filter((e) => e.reason === 'time-budget' || e.reason === 'halted').length,
    ...haltOf(executed),
    ...(!failure && listingComplete ? notInRedemption(effective.requested, executed) : {}),
    // What the run decided without (told under "Not read" in the message): in the record too, so that the
    // webhook's caller, the CLI's --json and the log say it, with no robot configured as well.
    read_problems: readProblems.length > 0 ? readProblems.join('; ') : undefined,
    submit_concurrency: submitConcurrency,
    ...slsFields(sls),
    guard: config.money.guard ? (guard?.state ?? 'on') : 'off',
    balance_available: guard?.balanceAvailable,
    balance_currency: guard?.balanceCurrency,
    spend_planned: guard?.spendPlanned,
    duration_ms: clock.now() - budget.startedMs,
    error_code: failure?.code,
    error_message: failure?.message,
  };
  const earlier = [...earlierOrders.flatMap((o) => (o.runId === undefined ? [] : [{ domain: o.domainName, taskNo: o.taskNo, runId: o.runId }])), ...unrecorded.map((t) => ({ domain: t.domainName, taskNo: t.taskNo, runId: undefined }))];
  problems.push(...(await previousDeliveryProblems(config, ports, clock, finishing.recordsMs)));
  // Earlier runs of this process that reached neither the logstore nor a channel (see unheardRuns).
  const scope = registrarScope(config, recordAccount);
  const unheard = [...(unheardRuns.get(scope) ?? [])];
  for (const id of unheard.slice(0, 5)) problems.push(`run ${id}'s records never reached the results logstore and no channel took its message: they are in the function log only (run_id: ${id})`);
  // After the orders and their follow-ups, inside the finishing margin; it never fails the run.
  const unanswered = unansweredOrders.flatMap((a) => (a.runId === undefined ? [] : [{ domain: a.domainName, runId: a.runId, sentMs: a.sentMs }]));
  const told = await notifyRun(config.notify, { decisions, run: counted, watch }, { readProblems, deliveryProblems: problems, accountId: request.accountId, earlierOrders: earlier, unansweredOrders: unanswered }, { deadlineMs: finishing.notifyMs, now: clock.now, sleep: clock.sleep });
  // A message every channel refused (a keyword the robot asks for, a revoked hook) told no one: this run's
  // orders, and the earlier ones it carried, stay untold for the next run to tell (run.ts reads the same
  // from the run record's notify_<channel> fields). A quiet run was not meant to tell anyone.
  const reached = !told.sent || told.results.some((r) => r.status === 'ok');
  // The earlier runs whose orders this message told (the next run reads them back from the logstore); a task
  // no record named is named by its number, `task:<no>` (unrecordedTasks).
  const toldRuns = told.sent && reached ? [...new Set([...earlier.map((o) => o.runId ?? unrecordedTaskId(o.taskNo)), ...unanswered.map((o) => o.runId)])] : [];
  const run: RunRecord = { ...counted, notify: told.sent ? 'sent' : 'quiet', ...notifyRecordFields(told.results), told_runs: toldRuns.length > 0 ? toldRuns.join(',') : undefined };
  if (told.sent && reached) unheardRuns.delete(scope);
  else if (!reached && counted.sls_delivery === 'failed') unheardRuns.set(scope, new Set([...unheard, request.runId].slice(-5)));
  if (reached) {
    ports.orderJournal?.ended?.(request.runId, toldRuns);
    // Known here at once; the journals know it only once the run record below is searchable.
    noteRunsTold([request.runId, ...toldRuns], clock.now());
  }
  recorder.write(run);
  const final = await recorder.finish(budget.endsMs);
  return { run, decisions, sls: sls.delivered ? final : sls, callsByAction: { ...api.callsByAction } };
}

/**
 * Per registrar ledger (registrarScope), the last runs of this process whose records never reached the
 * results logstore and whose message no channel took: the function log alone holds them, and a person
 * looking in SLS finds no such run. The next message that reaches someone says so.
 */
const unheardRuns = new Map<string, Set<string>>();

/** Why the run halted, as the first domain it held says it (every held domain carries the same halt). */
function haltOf(executed: readonly ExecutedDecision[]): Pick<RunRecord, 'halt_code' | 'halt_message'> {
  const held = executed.find((e) => e.reason === 'halted' && e.outcome === 'skipped');
  return held ? { halt_code: held.error_code, halt_message: held.error_message } : {};
}

/** The most names `not_in_redemption` spells out; the rest are counted. */
const MAX_NAMED_NOT_IN_REDEMPTION = 20;

/**
 * The names a request asked for (webhook or CLI `domains`) that the redemption list does not hold: another
 * account's, the other DOMAIN_SITE's, still in its renewal grace, or misspelt. The planner only sees listed
 * domains, so without this the answer said nothing of the very domain the caller asked about.
 */
function notInRedemption(requested: ReadonlySet<string> | undefined, executed: readonly ExecutedDecision[]): Pick<RunRecord, 'not_in_redemption' | 'not_in_redemption_count'> {
  if (!requested) return {};
  const listed = new Set(executed.map((e) => e.decision.domainName));
  const missing = [...requested].filter((name) => !listed.has(name));
  if (missing.length === 0) return {};
  return { not_in_redemption: missing.slice(0, MAX_NAMED_NOT_IN_REDEMPTION).join(','), not_in_redemption_count: missing.length };
}

/** The renewal list, one `kind: watch` record per domain: what renewing now would save from redemption. */
async function readRenewals(
  api: DomainApi,
  bounds: { readonly deadlineMs: number; readonly now: () => number },
  request: EngineRequest,
  identity: RunIdentity,
  write: (fields: WatchRecord) => void,
): Promise<WatchRecord[]> {
  const list = await readDomainList(api, bounds, request.pageSize ?? 100, 1, READ_CONCURRENCY);
  const now = request.clock.now();
  return list.candidates.map((c) => {
    const record: WatchRecord = {
      ...identity,
      kind: 'watch',
      domain: c.domainName,
      expiration_ms: c.expirationMs,
      days_to_expiry: Math.floor((c.expirationMs - now) / DAY_MS),
      days_to_redemption: daysToRedemption(c.domainName, c.expirationMs, request.config.tldRules, now),
    };
    write(record);
    return record;
  });
}

interface PreparedRun {
  /** Domains in redemption, valid listings and not. */
  readonly candidates: number;
  readonly repeatedPage: boolean;
  /** What the redemption list's walk could not read, for a person (see readDomainList). */
  readonly unreadListing: string | undefined;
  readonly ledger: Ledger;
  /** Every domain's decision, the guard's holds applied. */
  readonly decisions: Decision[];
  readonly guard: GuardResult<Decision> | undefined;
  readonly balance: BalanceReading | undefined;
  /** Orders the journal kept whose run never told a person, of this account (see executeRun). */
  readonly untoldOrders: readonly JournalOrder[];
  /** What the journal could not read (the logstore's read-back refused, say): told under "Not read". */
  readonly unreadOrders: readonly string[];
  /** Orders of untold runs sent and never answered that the ledger does not show (see attemptsOfUntoldRuns). */
  readonly unansweredOrders: readonly JournalAttempt[];
  /** Redemption tasks of the last day no record names (see unrecordedTasks). */
  readonly unrecorded: ReadonlyArray<{ readonly taskNo: string; readonly domainName: string }>;
}

/**
 * Everything a run decides before it sends anything: the redemption list, the ledger, the plan and the
 * balance guard. The doctor calls it too, to say what a live run would do now, without ordering.
 */
export async function prepareRun(
  request: {
    readonly config: RedeemerConfig;
    readonly effective: EffectiveRun;
    readonly clock: Clock;
    readonly bounds: { readonly deadlineMs: number; readonly now: () => number };
    readonly pageSize?: number | undefined;
    readonly onProgress?: ((event: ProgressEvent) => void) | undefined;
    /** The registrar ledger's identity in this process (see Ledger): endpoint and account. */
    readonly scope?: string | undefined;
    readonly runId?: string | undefined;
  },
  ports: { readonly api: DomainReads; readonly readBalance?: RunPorts['readBalance']; readonly orderJournal?: OrderJournal | undefined },
): Promise<PreparedRun> {
  const { config, clock, bounds } = request;
  const startedMs = clock.now();
  request.onProgress?.({ phase: 'listing', done: 0 });
  // The list and the ledger need nothing from each other: read side by side (one round trip less at any
  // latency; the rate limiter still paces every call). The first to fail stops the other at its next page
  // (the run fails either way), and both are waited for, so that no read of a failed run is still going
  // when it records its end. The error reported is the first one, the cause.
  const stop = new AbortController();
  const stopOnFailure = (error: unknown): never => {
    stop.abort(error);
    throw error;
  };
  const reads = { ...bounds, signal: stop.signal };
  const ledger = new Ledger({ api: ports.api, bounds: reads, concurrency: READ_CONCURRENCY, scope: request.scope, journal: ports.orderJournal, runId: request.runId });
  // Orders earlier processes kept (the CLI's file, the results logstore) read beside the list and the
  // ledger, in at most two seconds: a journal that cannot be read leaves the ledger's look alone to hold.
  const kept = readKept(ports.orderJournal, Math.min(clock.now() + 2_000, bounds.deadlineMs));
  const [listed] = await Promise.allSettled([
    readDomainList(ports.api, reads, request.pageSize ?? 100, 2, READ_CONCURRENCY)
      .catch(stopOnFailure)
      .finally(() => request.onProgress?.({ phase: 'ledger', done: 0 })),
    ledger.read(clock.now(), LEDGER_DAYS).catch(stopOnFailure),
  ]);
  if (stop.signal.aborted || listed.status === 'rejected') {
    ledger.close();
    // The journal's read too (bounded to two seconds, never rejects): a run that failed at once (the listing
    // refused) answered FC while the logstore read-back was still paging, and a frozen instance sent its
    // next pages when it thawed, during another invocation.
    await kept;
    throw stop.signal.reason;
  }
  // A preparation that fails from here on (the details of finished tasks refused, say) returns no ledger
  // for the engine to close: closed here, or the process takes the run for one still going (runStillGoing)
  // for as long as it lives, and keeps its scope's registry open (Ledger.close).
  try {
    const listing = listed.value;
    // Only orders for domains this account lists in redemption: a logstore shared with another deployment
    // (another account, no account_id) must not hold this account's domains or use up its day's cap.
    const listedNames = new Set([...listing.candidates.map((c) => c.domainName), ...listing.invalid.map((i) => i.domain)]);
    const keptOrders = await kept;
    const unreadOrders = ports.orderJournal?.unread?.() ?? [];
    ledger.adopt(keptOrders.filter((order) => listedNames.has(canonicalName(order.domainName))));
    // Told to a person: an untold order (no source says its run told it) of this account, whose domain is
    // listed in redemption or whose task this account's ledger holds (a redeemed domain may have left the list).
    // An order of a run of this process still going is not one: that run tells it in its own message.
    const toldTasks = new Set(keptOrders.filter((o) => !o.untold).map((o) => taskKey(o.taskNo)));
    const untoldOrders = [
      ...new Map(
        keptOrders
          .filter((o) => o.untold && !toldInThisProcess(o.runId) && !toldTasks.has(taskKey(o.taskNo)) && !ledger.placedByRunStillGoing(o.taskNo) && (listedNames.has(canonicalName(o.domainName)) || ledger.hasTask(o.taskNo)))
          .map((o) => [taskKey(o.taskNo), o]),
      ).values(),
    ];
    let planned = plan(listing.candidates, listing.invalid, ledger, config, request.effective, clock.now());
    // A finished task of the last two days may still stop a redemption (the registrar's states lag by up to
    // a day), and the spend cap needs its domains: only then are their details read, and the plan made again.
    // So is one that an order of this process claims (its state decides whether that order still holds its domain).
    // So is one that may have redeemed a domain whose listing cannot be believed (see plan: a redeemed domain).
    // So is one that may have redeemed a domain a cap or a missing price held: with the day's cap full (that
    // very order may fill it) nothing is planned, and the domain redeemed an hour ago, still listed, was told
    // "cap reached" and at risk, not already redeemed.
    if (ledger.hasUnresolved && (planned.some((d) => d.action === 'redeem' || HELD_AFTER_LEDGER.has(d.reason)) || listing.invalid.length > 0 || config.money.maxSpendPerDay !== undefined || ledger.claimsUnresolved)) {
      await ledger.resolveFinished();
      planned = plan(listing.candidates, listing.invalid, ledger, config, request.effective, clock.now());
    }
    const tried = ports.orderJournal?.attempts?.() ?? [];
    let attempts = attemptsOfUntoldRuns(tried, keptOrders, untoldOrders, ledger, listedNames);
    // A killed run's order may have finished already: its task's details wait for a plan that needs them, and
    // unread, the order would be told as one the registrar does not list, or (its domain redeemed and gone
    // from the redemption list) not told at all.
    if ((attempts.unanswered.length > 0 || attempts.unlisted > 0) && ledger.hasUnresolved) {
      try {
        await ledger.resolveFinished();
        attempts = attemptsOfUntoldRuns(tried, keptOrders, untoldOrders, ledger, listedNames);
      } catch {
        // Telling must never stop the run: told as not listed, which says to look in the console.
      }
    }
    untoldOrders.push(...attempts.found);
    const unrecorded = await unrecordedTasks(ports.orderJournal, config, ledger, [...keptOrders, ...untoldOrders], tried, startedMs);
    // An earlier run's order whose outcome is unknown (on the wire when its run was killed, or recorded as
    // OutcomeUnknown): it holds no domain, but counts on the day's caps and against the balance
    // (Ledger.countUnknown). Counted after the finished tasks' details are read, which may show its task
    // (a deferred one names no domain yet, and would be counted beside it), so the plan is made again.
    const unknown = unknownOutcomes(tried, keptOrders, ledger, listedNames);
    if (unknown.length > 0) {
      ledger.countUnknown(unknown);
      planned = plan(listing.candidates, listing.invalid, ledger, config, request.effective, clock.now());
    }
    const redeem = planned.filter((d) => d.action === 'redeem');
    // The guard runs in dry-run too, so a dry run shows what the money would allow.
    const balance = redeem.length > 0 && ports.readBalance ? await readBalanceForGuard(config.money, ports.readBalance) : undefined;
    // Open renewals and registrations weigh on the balance at their domains' prices: named only when priced.
    if (config.money.guard && config.money.prices && redeem.length > 0) await ledger.resolvePurchases();
    const guard = config.money.guard && redeem.length > 0 ? guardRedemptions({ planned: redeem, balance, settings: config.money, ordersLast24h: ledger.ordersLast24h(clock.now(), { spentOnly: true }), unsettled: ledger.unsettledOrders() }) : undefined;
    const held = new Map(guard?.verdicts.flatMap((v) => (v.keep ? [] : [[v.decision, { reason: v.reason, detail: moneyHoldDetail(ledger, v.decision.domainName, clock.now(), v.reason, v.detail) }] as const])) ?? []);
    return { candidates: listing.candidates.length + listing.invalid.length, repeatedPage: listing.repeatedPage, unreadListing: listing.unread, ledger, decisions: applyGuard(planned, held), guard, balance, untoldOrders, unansweredOrders: attempts.unanswered, unreadOrders: unrecorded.unread ? [...unreadOrders, unrecorded.unread] : unreadOrders, unrecorded: unrecorded.tasks };
  } catch (error) {
    ledger.close();
    throw error;
  }
}

/**
 * The planner's holds that come after its look at the domain's task (plan): the caps, and the money's hold
 * of a domain REDEEM_PRICES cannot price. A succeeded task of the domain whose details wait would have made
 * it already-redeemed instead.
 */
const HELD_AFTER_LEDGER: ReadonlySet<string> = new Set(['cap-per-day', 'cap-per-run', 'cap-spend-per-day', 'insufficient-balance']);

/** How far the registrar's clock (a task's CreateTime) may be behind ours: ACS3 refuses more skew than this. */
const CLOCK_SLACK_MS = 15 * 60_000;

/**
 * The orders a run killed while they were on the wire placed all the same: the registrar took the order,
 * the answer never reached the run, so no decision line, orders-file line or message names its task, and
 * the next run, finding the task in the ledger, skipped the domain in silence; nobody ever heard of the
 * order (a redemption fee). An untold run's `kind: submission` (JournalAttempt) with no order of that run
 * for the domain, whose domain the ledger shows a task for (not failed) created since it was sent that no
 * other order claims (the earliest such), is told as that run's order (`found`). One the ledger does not
 * show, and that its run did not record as placing nothing, is told as an outcome unknown (`unanswered`):
 * it may never have been taken, and the next run decides again from the ledger. `unlisted` counts those
 * of domains not in the redemption list that no read task names yet (their details may be unread).
 */
function attemptsOfUntoldRuns(
  attempts: readonly JournalAttempt[],
  kept: readonly JournalOrder[],
  told: readonly JournalOrder[],
  ledger: Ledger,
  listedNames: ReadonlySet<string>,
): { found: JournalOrder[]; unanswered: JournalAttempt[]; unlisted: number } {
  const answered = answeredSubmissions(kept);
  const claimed = new Set([...kept, ...told].map((o) => taskKey(o.taskNo)));
  const found = new Map<string, JournalOrder>();
  const unanswered = new Map<string, JournalAttempt>();
  let unlisted = 0;
  for (const attempt of oneCopyEach(attempts)) {
    const name = canonicalName(attempt.domainName);
    if (!attempt.untold || attempt.runId === undefined || toldInThisProcess(attempt.runId)) continue;
    if (answered.has(submissionKey(attempt.runId, name)) || ledger.runStillGoing(attempt.runId)) continue;
    // A domain the redemption list no longer holds may be the very one the order redeemed (carried out at
    // once, the domain active again): skipped for it, that order, a redemption fee, was never told. As for
    // an untold order (prepareRun), this account's ledger showing its task is what makes it this account's;
    // one it does not show may be another deployment's (a shared logstore), so is not told as unknown.
    const listed = listedNames.has(name);
    // Every task of the domain, not only the one its state rests on: the next run may have ordered it again
    // (the registrar listing this one late), and that second order is told by its own run.
    const tasks = ledger
      .unclaimedTasksNaming(name)
      .filter((t) => !t.failed && !claimed.has(taskKey(t.taskNo)) && !found.has(taskKey(t.taskNo)) && (t.createdMs === undefined || t.createdMs >= attempt.sentMs - CLOCK_SLACK_MS))
      .sort((a, b) => (a.createdMs ?? Number.POSITIVE_INFINITY) - (b.createdMs ?? Number.POSITIVE_INFINITY));
    const task = tasks[0];
    if (task) found.set(taskKey(task.taskNo), { domainName: name, taskNo: task.taskNo, sentMs: attempt.sentMs, runId: attempt.runId, untold: true });
    else if (!listed) unlisted++;
    // Not listed (yet), and its run never said it placed nothing: it may have been taken all the same, and
    // the registrar may list it only later, after this run ordered the domain again. Told as an outcome
    // unknown, so that a person looks in the registrar's console.
    else if (!attempt.settled) unanswered.set(submissionKey(attempt.runId, name), { ...attempt, domainName: name });
  }
  return { found: [...found.values()], unanswered: [...unanswered.values()], unlisted };
}

/**
 * The redemption tasks the ledger shows created in the day before the run began (or dated later: the registrar's zone is not said) that no record names: no
 * journal's order (the logstore's, the orders file's, this process's) claims the task, no submission of the
 * day names its domain, no order of this process claims it. A run killed before any of its records left
 * (the run does not wait for SLS before an order) placed them, or someone by hand: the next runs skipped the
 * domains as already redeemed, and no message named the fees. Said only when the logstore's read of the day
 * was whole (OrderJournal.told: no logstore, or a read cut or refused, says nothing), of domains
 * REDEEM_DOMAINS allows (another deployment's in a shared account are not ours), and once: the telling run's
 * record names `task:<no>` in told_runs, and this process remembers it (toldInThisProcess).
 */
async function unrecordedTasks(journal: OrderJournal | undefined, config: RedeemerConfig, ledger: Ledger, claims: readonly JournalOrder[], tried: readonly JournalAttempt[], startedMs: number): Promise<{ readonly tasks: ReadonlyArray<{ readonly taskNo: string; readonly domainName: string }>; readonly unread?: string }> {
  const told = journal?.told?.();
  const allow = config.allow;
  if (!told || !allow) return { tasks: [] };
  const claimed = new Set(claims.map((o) => taskKey(o.taskNo)));
  const unnamed = (taskNo: string) => {
    const id = unrecordedTaskId(taskNo);
    return !claimed.has(taskKey(taskNo)) && !told.has(id) && !toldInThisProcess(id);
  };
  let unread: string | undefined;
  // A finished task whose details wait (no plan needed them: its domain, redeemed, may have left the list) is
  // read only if it may be one: of the day, or undated (nothing says it is older), and unnamed. So a day whose
  // tasks the records all name (the next day's run) reads none. Which domain it names only its details say, so
  // another deployment's task in a shared account is read by every run of the day. A plan holding a
  // redemption has read every waiting task already, so these reads never stand before an order.
  try {
    await ledger.resolveFinishedWhere(({ taskNo, createdMs }) => (createdMs === undefined || createdMs >= startedMs - DAY_MS) && unnamed(taskNo));
  } catch (error) {
    // Telling must never stop the run, but it is said; the task waits, and a later run that reads it tells it.
    // The consequence and what to do first: the message cuts a line at 300 characters.
    unread = `an order of the last day that no record names (a run killed before its records left, or one placed by hand) may have gone untold; a later run tells it, and the console's task list shows it now: the details of the day's finished tasks could not be read (${errorMessage(error)})`;
  }
  const sent = new Set(tried.map((a) => canonicalName(a.domainName)));
  const tasks = ledger.unclaimedTasksSince(startedMs - DAY_MS).filter((t) => unnamed(t.taskNo) && !sent.has(t.domainName) && matchesAny(t.domainName, allow) && !matchesAny(t.domainName, config.exclude));
  return unread === undefined ? { tasks } : { tasks, unread };
}

/**
 * The submissions of earlier runs (their `kind: submission` lines, or the orders file's) with no answer with
 * a task number in any journal and not known to have placed nothing (`settled`), for domains this account
 * lists: a run killed while the order was on the wire, or one that recorded it as OutcomeUnknown and told it.
 * Told or not, the registrar may have taken it: it counts on the day's caps (Ledger.countUnknown). A run of
 * this process is left out: its own registry counts its unknown orders (Ledger.close).
 */
function unknownOutcomes(attempts: readonly JournalAttempt[], kept: readonly JournalOrder[], ledger: Ledger, listedNames: ReadonlySet<string>): JournalAttempt[] {
  const answered = answeredSubmissions(kept);
  return oneCopyEach(attempts).filter((a) => {
    const name = canonicalName(a.domainName);
    if (a.settled || a.runId === undefined || toldInThisProcess(a.runId) || ledger.runStillGoing(a.runId)) return false;
    return !answered.has(submissionKey(a.runId, name)) && listedNames.has(name);
  });
}

/** The run-and-domain keys of the orders a journal kept with a task number: those submissions were answered. */
function answeredSubmissions(kept: readonly JournalOrder[]): Set<string> {
  return new Set(kept.map((o) => submissionKey(o.runId, o.domainName)));
}

/**
 * One submission per run and domain, from every journal that holds a copy (the CLI's orders file and the
 * results logstore each keep one): what any copy knows holds. A run killed just after a refused order
 * had written `released` to the file while the logstore's decision line was still in a batch that never
 * left; read as two submissions, the logstore's copy told the refused order as an outcome unknown. Likewise
 * a run one journal knows told (its message reached someone) is not told again from the other.
 */
function oneCopyEach(attempts: readonly JournalAttempt[]): JournalAttempt[] {
  const byKey = new Map<string, JournalAttempt>();
  for (const attempt of attempts) {
    const key = submissionKey(attempt.runId, attempt.domainName);
    const known = byKey.get(key);
    byKey.set(
      key,
      known === undefined
        ? attempt
        : { ...known, sentMs: Math.min(known.sentMs, attempt.sentMs), untold: known.untold === true && attempt.untold === true, settled: known.settled === true || attempt.settled === true },
    );
  }
  return [...byKey.values()];
}

async function readKept(journal: OrderJournal | undefined, deadlineMs: number): Promise<readonly JournalOrder[]> {
  try {
    return (await journal?.load(deadlineMs)) ?? [];
  } catch {
    return [];
  }
}

/** The planning guard's first hold of a priced domain: it holds every less urgent one (guardRedemptions). */
interface PricedHold {
  readonly reason: 'cap-spend-per-day' | 'insufficient-balance';
  readonly decision: Decision;
}

function firstPricedHold(guard: GuardResult<Decision> | undefined): PricedHold | undefined {
  for (const verdict of guard?.verdicts ?? []) {
    if (!verdict.keep && verdict.price !== undefined && (verdict.reason === 'cap-spend-per-day' || verdict.reason === 'insufficient-balance')) return { reason: verdict.reason, decision: verdict.decision };
  }
  return undefined;
}

/** Whether `decision` comes after `than` in the plan's order (earliest deadline first, then by name). */
function lessUrgent(decision: Decision, than: Decision): boolean {
  return decision.deadlineMs > than.deadlineMs || (decision.deadlineMs === than.deadlineMs && decision.domainName > than.domainName);
}

/**
 * The caps, asked again right before each submission against the fresh ledger: the day's count (every
 * run's orders), and with prices the day's spend and the balance left after this run's earlier orders and
 * the other orders the balance read cannot show yet (open tasks, orders placed since it was read).
 */
function capsAtSubmission(config: RedeemerConfig, balance: BalanceReading | undefined, heldAtPlanning?: PricedHold) {
  let spentByThisRun = 0;
  // The first priced order the money held here holds every less urgent one after it, as at planning
  // (guardRedemptions): a cheaper one must not take what is left from the more urgent (README, Who waits).
  let blocked: { readonly reason: 'cap-spend-per-day' | 'insufficient-balance'; readonly domainName: string } | undefined;
  return (ledger: Ledger, decision: Decision, nowMs: number, options: CapOptions = {}) => {
    // A refused order whose slot went to another still counts (CapOptions.alsoCounted).
    const also = options.alsoCounted ?? [];
    const orderedToday = ledger.orderedLast24h(nowMs) + also.length;
    if (orderedToday >= config.maxPerDay) return { reason: 'cap-per-day' as const, detail: dayCapDetail(ledger, decision.domainName, nowMs, orderedToday, 0, config.maxPerDay) };
    // The hold of a domain the run stops once the day's count is full (executor.ts): the money caps are not asked.
    if (options.countOnly) return undefined;
    if (config.money.guard && balance?.ok) {
      if (blocked) return { reason: blocked.reason, detail: `kept for the more urgent ${blocked.domainName}` };
      // The planning guard's first priced hold holds every less urgent domain too: one the caps held, sent in
      // a slot a refused order freed (executor freeSlot), was never asked of that guard, and took the money
      // kept for the more urgent domain (README, Who waits).
      if (heldAtPlanning && lessUrgent(decision, heldAtPlanning.decision)) return { reason: heldAtPlanning.reason, detail: `kept for the more urgent ${heldAtPlanning.decision.domainName}` };
      const [verdict] = guardRedemptions({
        planned: [decision],
        balance: { ...balance, available: balance.available - spentByThisRun },
        settings: config.money,
        ordersLast24h: [...ledger.ordersLast24h(nowMs, { spentOnly: true }), ...also],
        unsettled: ledger.unsettledOrders(),
      }).verdicts;
      if (verdict && !verdict.keep) {
        const reason = verdict.reason === 'cap-spend-per-day' ? ('cap-spend-per-day' as const) : ('insufficient-balance' as const);
        if (verdict.price !== undefined) blocked = { reason, domainName: decision.domainName };
        return { reason, detail: moneyHoldDetail(ledger, decision.domainName, nowMs, reason, verdict.detail) };
      }
      // Counted as spent from here on, whatever the submission's fate: the guard errs towards holding back.
      spentByThisRun += verdict?.price ?? 0;
    }
    return undefined;
  };
}

/**
 * "A channel failed on the previous attempt": the newest earlier run record that sent a message names each
 * channel's result (notify_<channel>). Read from the results logstore, so it works across cold starts;
 * without SLS, GetLogs permission or an index, nothing is said. Bounded to two seconds, and to the records'
 * share of the finishing margin (`byMs`): it is SLS too, and must not take the message's time.
 */
async function previousDeliveryProblems(config: RedeemerConfig, ports: RunPorts, clock: Clock, byMs: number): Promise<string[]> {
  if (!ports.previousNotification || Object.keys(config.notify.channels).length === 0) return [];
  if (byMs <= clock.now()) return [];
  try {
    const previous = await ports.previousNotification(Math.min(clock.now() + 2_000, byMs));
    if (!previous) return [];
    return channelStatuses(previous)
      // unknown: sent whole and no answer it could read (a slow robot, a connection lost, an unreadable answer): it may not have reached the person reading this.
      .filter((c) => undelivered(c.status))
      .map(({ key, channel, status }) => {
        // Each part bounded on its own, so that an odd run id or code cannot crowd out what to fix.
        const code = previous[`${key}_code`]?.slice(0, 60);
        const words = previous[`${key}_error`]?.slice(0, 300);
        const what = status === 'unknown' ? "got no answer it could read to the previous run's message, which may not have reached you" : "failed on the previous run's message";
        return `${channel} ${what} (run ${(previous.run_id ?? 'unknown').slice(0, 80)}${code ? `, ${code}` : ''})${words ? `: ${words}` : ''}`;
      });
  } catch {
    return [];
  }
}
