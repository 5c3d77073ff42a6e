/**
 * The executor: submits the planned redemptions one at a time, each after a fresh look at the registrar's
 * ledger (another run's order for the domain, or the day's cap reached meanwhile, stops it), reconciles any
 * submission whose outcome is unknown with the ledger before sending anything else, then follows each
 * task until it is final or the time budget says stop. Every outcome is written the moment it is known.
 */
import type { Clock } from '../clock/index.js';
import { DomainApiError, OutcomeUnknownError, TaskIsBeingProcessedError, errorCode, explainedMessage, isFinalTaskDetail, readAllPages, TaskDetailStatus, withPageSizes, type DomainApi } from '../domain-api/index.js';
import { mapLimit, RateLimitTimeoutError } from '../http/index.js';
import { SubmitPacing, type SubmitConcurrency } from './submit-pacing.js';
import { DAY_MS } from './deadline.js';
import { cancelState, canonicalName, detailKey, entryState, parseRegistrarTime, REGISTRAR_CLOCK_SLACK_MS, TASK_INFO_COMPLETE, taskKey, taskListEnd, underCancel, type Ledger } from './ledger.js';
import type { Decision } from './planner.js';
import { decisionFields, type OutcomeFields, type RecordFields } from './records.js';
import { answerByMs, submitByMs, workDeadline, type TimeBudget } from './time-budget.js';

export interface ExecutedDecision extends OutcomeFields {
  readonly decision: Decision;
}

export interface ProgressEvent {
  readonly phase: 'listing' | 'ledger' | 'submitting' | 'following';
  readonly done: number;
  readonly total?: number | undefined;
}

type CapReason = 'cap-per-day' | 'cap-spend-per-day' | 'insufficient-balance';

export interface CapOptions {
  /** Only the day's count: the money caps are not asked (see execute). */
  readonly countOnly?: boolean | undefined;
  /**
   * Domains whose refused order gave its slot to another (see execute's freeSlot), counted on the day's count
   * and spend as orders: the refusal (TaskIsBeingProcessed) says an operation holds the domain, which may be
   * a redemption the ledger does not list yet.
   */
  readonly alsoCounted?: readonly string[] | undefined;
}

export interface ExecutorDeps {
  readonly api: DomainApi;
  readonly ledger: Ledger;
  readonly budget: TimeBudget;
  readonly clock: Clock;
  readonly mode: 'dry-run' | 'live';
  /**
   * Asked after the fresh look before each submission: a cap the day's orders (every run's) have reached
   * meanwhile (its reason, or the reason with the detail a person reads), or undefined when this one may go.
   */
  readonly capReached: (ledger: Ledger, decision: Decision, nowMs: number, options?: CapOptions) => CapReason | { readonly reason: CapReason; readonly detail: string } | undefined;
  /** Writes one record now (stdout at once, SLS in batches). */
  readonly emit: (fields: RecordFields) => void;
  /** First wait between follow-up rounds; it doubles up to 30 s (a registry can take hours, and every poll is a call). */
  readonly followIntervalMs?: number | undefined;
  /** How long to follow the submitted tasks at most (REDEEM_FOLLOW_SECONDS). */
  readonly followMs: number;
  /** Submissions of different domains in flight at once: 1 to 8, or `auto` (see SubmitPacing). Default 1. */
  readonly submitConcurrency?: SubmitConcurrency | undefined;
  /** Told, once the submissions are over, the most that were allowed in flight at once. */
  readonly onSubmitConcurrency?: ((highest: number) => void) | undefined;
  /** Follow-up reads in flight at once. */
  readonly readConcurrency?: number | undefined;
  readonly onProgress?: ((event: ProgressEvent) => void) | undefined;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type Result = Mutable<ExecutedDecision>;

/**
 * Why the run halted (nothing more is sent): the code of the error that stopped it and what a person reads,
 * what to do included. Each domain it holds says both, and so does the run record (halt_code, halt_message):
 * said only as "the run halted", a token that expired mid-run was no reason a person could act on.
 */
interface Halt {
  readonly code: string;
  readonly message: string;
}

/** An order the run stopped before it went on the wire (see clearToSend): certainly not placed. */
class SubmissionHeldError extends Error {
  override readonly name = 'SubmissionHeldError';
  constructor(
    readonly reason: 'halted' | 'time-budget',
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }

  /** The held result's fields. */
  get fields() {
    return { outcome: 'skipped', reason: this.reason, error_message: this.message, ...(this.code === undefined ? {} : { error_code: this.code }) } as const;
  }
}

/** How long after the submissions an outcome-unknown order the ledger did not show is looked for again. */
const LATE_LISTING_MS = 15_000;

/** Said of an outcome-unknown order its reconciliation did not find (and taken back if it is found later). */
const NOT_FOUND_NOTE = '; no order found in the ledger, the next run will decide again';

/**
 * When each submission began (before its fresh look and its first attempt): a detail its follow-up reads that
 * the registrar dated before then, by more than the registrar's clock may be behind ours, is an earlier task's.
 */
const sentAt = new WeakMap<Result, number>();

/** Why an order answered with the number of a task that is not its own stays `submitted`, and what to do. */
function notThisOrdersTask(taskNo: string, why: string): string {
  return `the answer gave task ${taskNo}, ${why}, so this order's outcome is not known yet; check the registrar's console, the next run reads the ledger again`;
}

/** Pages of a follow-up's detail answer read at most: the task has one detail, so one page, or a few that shifted. */
const FOLLOW_DETAIL_PAGES = 3;

/** Codes with which the registrar refuses an order another run may have placed first. */
const RACE_CODES = new Set(['TaskIsBeingProcessed', 'ParameterIllegal']);

/**
 * Refusals of one domain's order (another operation holds it; its expiry changed), certainly placing
 * nothing and taking no fee: the slot of the caps the order held goes to the next domain the caps held
 * back (see execute). A refusal of the account (a permission, the signature) frees none: the next order
 * would be refused the same way, and each one would be a call for nothing.
 */
const SLOT_FREEING_CODES: ReadonlySet<string> = RACE_CODES;

/** The planner's holds a slot freed by a refused order may lift (see execute). */
const CAP_HOLDS: ReadonlySet<string> = new Set(['cap-per-run', 'cap-per-day']);

function errorFields(error: unknown) {
  return { error_code: errorCode(error), error_message: explainedMessage(error), api_request_id: error instanceof DomainApiError ? error.requestId : undefined };
}

export async function execute(decisions: readonly Decision[], deps: ExecutorDeps): Promise<ExecutedDecision[]> {
  const results: Result[] = decisions.map((decision) =>
    decision.action === 'skip'
      ? { decision, reason: decision.reason, outcome: 'skipped', task_no: decision.taskNo, error_message: decision.problem }
      : { decision, reason: decision.reason, outcome: deps.mode === 'live' ? 'submitted' : 'would-redeem', error_message: decision.problem },
  );
  const record = (result: Result) => recordResult(result, deps);
  const due = results.filter((r) => r.decision.action === 'redeem');
  // Held by a cap at planning, most urgent first: each takes the slot a refused order frees (freeSlot), so
  // its decision line waits until the submissions are over (one line per domain, with its outcome).
  const waiting = deps.mode === 'live' ? results.filter((r) => r.decision.action === 'skip' && CAP_HOLDS.has(r.decision.reason)) : [];
  for (const result of results) if (deps.mode !== 'live' || (result.decision.action === 'skip' && !waiting.includes(result))) record(result);
  if (deps.mode !== 'live') return results;
  // The slots fixed at planning, re-offered at most once each: a registrar refusing every order with a
  // domain's code costs at most twice the run's planned calls, not one per domain the caps held.
  let reoffers = due.length;
  /**
   * A slot of the caps a certainly refused order gave back (it is neither in flight nor placed) goes to the
   * most urgent domain a cap held, appended to the submissions (mapLimit reads their count as it goes): it
   * starts only after the refusal is known, so orders in flight and placed stay within what the plan fixed.
   * The day's cap and the money are asked again before it is sent (capReached), as for every order, with
   * the refused domain still counted (CapOptions.alsoCounted): so REDEEM_MAX_PER_RUN's slot is re-offered,
   * and the day's only where the day has room for the operation the refusal says holds that domain.
   */
  const freeSlot = (refused: string): void => {
    if (reoffers <= 0) return;
    const next = waiting.shift();
    if (!next || next.decision.expirationMs === undefined) {
      if (next) record(next);
      return;
    }
    reoffers--;
    state.promoted.set(next, { refused, planned: next.decision });
    // An earlier task of the domain that ended without redeeming it is said with the order, as the plan does.
    const earlier = deps.ledger.entryFor(next.decision.domainName);
    const note = earlier?.state === 'failed' ? earlier.note : undefined;
    const { domainName, tld, rules, deadlineMs, msLeft, daysLeft, expirationMs } = next.decision;
    const decision: Decision = { domainName, tld, rules, deadlineMs, msLeft, daysLeft, expirationMs, action: 'redeem', reason: 'due', problem: note };
    Object.assign(next, { decision, reason: 'due', outcome: 'submitted', task_no: undefined, error_message: note });
    due.push(next);
  };

  const following: Result[] = [];
  // Outcome-unknown orders the ledger did not show at their reconciliation: looked for again while following.
  const unsettled: Result[] = [];
  const state: SubmitState = { halted: undefined, capReached: false, reconciling: 0, gate: Promise.resolve(), promoted: new Map() };
  let started = 0;
  const pacing = new SubmitPacing(deps.submitConcurrency ?? 1, () => submitByMs(deps.budget) - deps.budget.now());
  // Different domains go in parallel, most urgent first (slots are handed out in item order); the plan
  // holds one decision per domain, so two submissions for one domain never overlap, and the caps were
  // fixed when it was made (a slot a refused order gives back goes to the next domain they held: freeSlot).
  await mapLimit(due, pacing.workers, async (result) => {
    await pacing.acquire();
    try {
      // An outcome-unknown submission holds every new one until the ledger has been consulted.
      while (state.reconciling > 0) await state.gate;
      deps.onProgress?.({ phase: 'submitting', done: ++started, total: due.length });
      const held = heldBack(state, deps);
      if (held) {
        Object.assign(result, held.fields);
      } else if (state.capReached) {
        // Its own hold, asked of the ledger as it stands (no new look): the detail of the domain that found
        // the cap full may be that domain's alone (its own order of unknown outcome, planner ownUnknownNote).
        // Carried over, every later domain was told it held itself. countOnly: the money caps are not asked
        // (their bookkeeping counts what the run is about to send, and this domain is not sent).
        const cap = deps.capReached(deps.ledger, result.decision, deps.clock.now(), { countOnly: true, alsoCounted: stillUnlisted(state, deps.ledger) });
        const detail = typeof cap === 'object' && cap.reason === 'cap-per-day' ? cap.detail : undefined;
        Object.assign(result, { outcome: 'skipped', reason: 'cap-per-day', ...(detail === undefined ? {} : { error_message: detail }) });
      } else {
        const halt = await submitOne(result, deps, following, unsettled, state);
        state.halted ??= halt;
        // Only the count cap stops the rest here: the money caps hold the less urgent ones themselves
        // (capReached, with the detail of the hold that holds them).
        if (result.reason === 'cap-per-day') state.capReached = true;
        if (refusedForCertain(result) && state.halted === undefined && !state.capReached) freeSlot(result.decision.domainName);
      }
      record(result);
    } finally {
      // After the decision line: at one slot, the next submission starts only once this one is on record.
      pacing.release(result.duration_ms, due.length - started);
    }
  });
  if (due.length > 0) deps.onSubmitConcurrency?.(pacing.highest);
  // Held by a cap to the end: recorded as planned.
  for (const result of waiting) record(result);
  await follow(following, unsettled, deps);
  return results;
}

/** A result's decision line, written now. The decision itself is not a field: a nested object on a JSON line, "[object Object]" in SLS. */
function recordResult({ decision, ...outcome }: Result, deps: Pick<ExecutorDeps, 'emit'>): void {
  deps.emit(decisionFields(decision, outcome));
}

/**
 * The registrar refused this order with a code of the domain's own (SLOT_FREEING_CODES), and no task of it
 * is known: nothing was placed, no fee taken. An outcome unknown, a throttled or held order, or one the
 * ledger then showed a task for, is not.
 */
function refusedForCertain(result: Result): boolean {
  if (result.error_code === undefined || !SLOT_FREEING_CODES.has(result.error_code) || result.task_no) return false;
  return result.outcome === 'failed' || (result.outcome === 'in-progress' && result.reason === 'due');
}

interface SubmitState {
  halted: Halt | undefined;
  capReached: boolean;
  /** Reconciliations of outcome-unknown submissions going on now; no new submission starts while any is. */
  reconciling: number;
  /** Settles when every reconciliation begun so far has ended (each sets `halted` if it failed). */
  gate: Promise<unknown>;
  /** Each order sent in a freed slot: the refused domain whose slot it took (CapOptions.alsoCounted), and its decision as planned. */
  readonly promoted: Map<Result, { readonly refused: string; readonly planned: Decision }>;
}

/** One submission with its fresh look and its aftermath; answers why nothing more may be sent, if so. */
async function submitOne(result: Result, deps: ExecutorDeps, following: Result[], unsettled: Result[], state: SubmitState): Promise<Halt | undefined> {
  const { ledger, api, clock } = deps;
  const domainName = result.decision.domainName;
  const expirationMs = result.decision.expirationMs!;
  const started = clock.now();
  sentAt.set(result, started);
  try {
    await ledger.refresh(clock.now());
  } catch (error) {
    const why = { code: errorCode(error), message: `the ledger could not be read before submitting, so nothing more is sent this run: ${explainedMessage(error)}` };
    Object.assign(result, { outcome: 'skipped', reason: 'halted', error_code: why.code, error_message: why.message });
    return why;
  }
  // Another submission's outcome became unknown while this one looked: its reconciliation comes first.
  // The count is read again after every wait and nothing awaits from the last read to the call below, so
  // no submission starts while a reconciliation is going on, however the two fall between microtasks.
  while (state.reconciling > 0) await state.gate;
  // The look (a slow registrar) and the waits above took their time: the halt and the margin are checked
  // again here, and once more before each attempt goes on the wire (clearToSend below).
  const held = heldBack(state, deps);
  if (held) {
    Object.assign(result, held.fields);
    return undefined;
  }
  if (skipOnLedger(result, ledger)) return undefined;
  if (slotTakenBack(result, ledger, state)) return undefined;
  const cap = deps.capReached(ledger, result.decision, clock.now(), { alsoCounted: stillUnlisted(state, ledger) });
  if (cap) {
    Object.assign(result, typeof cap === 'string' ? { outcome: 'skipped', reason: cap } : { outcome: 'skipped', reason: cap.reason, error_message: cap.detail });
    return undefined;
  }

  deps.emit({ kind: 'submission', domain: domainName, expiration_ms: expirationMs });
  // Counted against the day's cap from now on, so submissions in flight together cannot pass it.
  ledger.noteMine(undefined, started, domainName);
  let halt: Halt | undefined;
  try {
    const saved = await api.saveSingleTaskForCreatingOrderRedeem({
      domainName,
      currentExpirationDate: expirationMs,
      sendByMs: submitByMs(deps.budget),
      // Given up early enough that the reconciliation an unanswered order needs still fits in the run.
      answerByMs: answerByMs(deps.budget),
      // Every attempt, a throttled retry or one that waited for its call slot, holds while another
      // submission's outcome is reconciled, and does not go out once the run halted or the margin is reached.
      clearToSend: () => {
        if (state.reconciling > 0) return state.gate;
        const late = heldBack(state, deps);
        if (late) throw late;
        return undefined;
      },
    });
    // A number the ledger knows as another domain's task, or listed before this order went out, is no
    // answer to it: whether and under which number it was taken, only the ledger can say (reconciled as an
    // outcome unknown, below).
    const other = ledger.notThisOrder(saved.taskNo, domainName);
    if (other !== undefined) {
      ledger.dispute(saved.taskNo);
      const why = new Error(`the answer${saved.requestId ? ` (RequestId ${saved.requestId})` : ''} gave TaskNo ${saved.taskNo}, which is ${other}`);
      throw new OutcomeUnknownError('SaveSingleTaskForCreatingOrderRedeem', domainName, { cause: why });
    }
    ledger.claimUnseen(saved.taskNo, started, domainName);
    ledger.update(domainName, { taskNo: saved.taskNo, state: 'in-flight', createdMs: clock.now() });
    Object.assign(result, { outcome: 'submitted', task_no: saved.taskNo, api_request_id: saved.requestId, attempts: saved.attempts });
    following.push(result);
  } catch (error) {
    if (error instanceof OutcomeUnknownError) {
      // Counted from this very moment (the look it starts is the reconciliation), and the halt is set when
      // it ends, before any waiter resumes: a failed reconciliation stops every submission not yet sent.
      state.reconciling++;
      const reconciling = settleFailure(result, error, deps, following, unsettled);
      const ended = reconciling.then(
        (why) => {
          state.halted ??= why;
          state.reconciling--;
        },
        (failure: unknown) => {
          state.halted ??= { code: errorCode(failure), message: `reconciliation failed: ${explainedMessage(failure)}` };
          state.reconciling--;
        },
      );
      // The gate settles only when every reconciliation begun so far has ended, so a waiter that finds the
      // count above zero always has something pending to wait for (never a spin on a settled promise).
      state.gate = Promise.all([state.gate, ended]);
      halt = await reconciling;
    } else {
      // Certainly not placed: it no longer counts against the cap.
      ledger.releaseUnseen(domainName);
      halt = await settleFailure(result, error, deps, following, unsettled);
    }
  }
  result.duration_ms = clock.now() - started;
  return halt;
}

/**
 * An order in a slot a refusal freed (freeSlot), whose fresh look now finds a task of the refused domain: the
 * registrar lists tasks asynchronously, so the refusal (all that said nothing was placed) was not the last word,
 * and the task, this run's order or not, may hold the slot. Sent, the run placed more orders than the caps
 * fixed at planning (REDEEM_MAX_PER_RUN). It is held as planned, saying why; the next run decides again.
 */
function slotTakenBack(result: Result, ledger: Ledger, state: SubmitState): boolean {
  const freed = state.promoted.get(result);
  if (!freed) return false;
  const taskNo = taskLearntSincePlan(ledger, freed.refused);
  if (taskNo === undefined) return false;
  Object.assign(result, {
    decision: freed.planned,
    outcome: 'skipped',
    reason: freed.planned.reason,
    task_no: undefined,
    error_message: `the slot ${freed.refused}'s refused order seemed to free is not used: the registrar now lists task ${taskNo} of ${freed.refused}, so that order may have been placed; left for the next run`,
  });
  return true;
}

/**
 * The refused domains whose slot went to another (SubmitState.promoted) still counted beside the ledger (CapOptions.alsoCounted): those whose task no
 * look has listed since the plan. Once the registrar lists the task of the operation the refusal said holds the
 * domain, the ledger counts it: counted again here, one order took two of the day's slots, and a planned domain
 * was held on REDEEM_MAX_PER_DAY. A failed task listed since keeps it counted (over-counting is the safe side).
 */
function stillUnlisted(state: SubmitState, ledger: Ledger): string[] {
  return [...state.promoted.values()].map((p) => p.refused).filter((domainName) => taskLearntSincePlan(ledger, domainName) === undefined);
}

/** Why no order may go out now: the run halted, or the submit margin is reached. Undefined: it may. */
function heldBack(state: SubmitState, deps: ExecutorDeps): SubmissionHeldError | undefined {
  if (state.halted !== undefined) return new SubmissionHeldError('halted', state.halted.message, state.halted.code);
  if (deps.budget.now() > submitByMs(deps.budget)) return new SubmissionHeldError('time-budget', 'the submit margin was reached before this order was sent');
  return undefined;
}

/** A domain the ledger shows another task for (a concurrent run's, or a console order) is not ordered. */
function skipOnLedger(result: Result, ledger: Ledger): boolean {
  const entry = ledger.entryFor(result.decision.domainName);
  if (entry && !ledger.isMine(entry.taskNo) && entry.state !== 'failed') {
    Object.assign(result, entry.state === 'in-flight' ? { outcome: 'skipped', reason: 'task-in-flight' } : { outcome: 'skipped', reason: 'already-redeemed' }, {
      task_no: entry.taskNo,
      reconciled: true,
      ...(entry.note ? { error_message: entry.note } : {}),
    });
    return true;
  }
  // Another run of this process sent one the registrar does not list yet (a second webhook, a CLI run of
  // many); or a task the fresh look found whose details name no domain yet may be this one's order (another
  // tool's, placed since the plan): fail closed, as the plan does (Ledger.unnamedTask).
  const hold = ledger.heldByAnotherRun(result.decision.domainName) ?? ledger.unnamedTask();
  if (!hold) return false;
  Object.assign(result, { outcome: 'skipped', reason: 'task-in-flight', task_no: hold.taskNo || undefined, error_message: hold.note, reconciled: true });
  return true;
}

/**
 * An open or succeeded task of the domain that is not this run's: the plan orders no domain that has one,
 * so a look since the plan learnt it. With several submissions in flight, another's fresh look may have read
 * this very order before its own answer (a timeout, a 5xx) came back, and the reconciliation's look then
 * finds nothing new: it is the order all the same, or another run's, and either way the domain is ordered.
 */
function taskLearntSincePlan(ledger: Ledger, domainName: string): string | undefined {
  const entry = ledger.entryFor(domainName);
  return entry && entry.state !== 'failed' && (!ledger.isMine(entry.taskNo) || ledger.isDisputed(entry.taskNo)) ? entry.taskNo : undefined;
}

async function settleFailure(result: Result, error: unknown, deps: ExecutorDeps, following: Result[], unsettled: Result[]): Promise<Halt | undefined> {
  const { ledger, clock } = deps;
  if (error instanceof SubmissionHeldError) {
    Object.assign(result, error.fields);
    return undefined;
  }
  const fields = errorFields(error);
  // Throttled with no time left to wait, or no call slot before the deadline: certainly not placed, and
  // nothing wrong with the order itself. It is the next run's, as an order the budget did not reach.
  if ((error instanceof DomainApiError && error.isThrottling) || error instanceof RateLimitTimeoutError) {
    Object.assign(result, { outcome: 'skipped', reason: 'time-budget', ...fields });
    return undefined;
  }
  const race = error instanceof DomainApiError && RACE_CODES.has(error.code);
  if (!race && !(error instanceof OutcomeUnknownError)) {
    Object.assign(result, { outcome: 'failed', ...fields });
    return undefined;
  }
  let learnt;
  try {
    // Until the work deadline, not the submit-by time of the reads before the orders: see Ledger.refresh.
    learnt = await ledger.refresh(clock.now(), { startedAfterNow: true, deadlineMs: workDeadline(deps.budget) });
  } catch (reconcileError) {
    // The ledger cannot be read, so nothing more may be sent this run.
    const why = { code: errorCode(reconcileError), message: `reconciliation failed: ${explainedMessage(reconcileError)}` };
    Object.assign(result, { outcome: error instanceof TaskIsBeingProcessedError ? 'in-progress' : 'failed', ...fields, error_message: `${fields.error_message}; ${why.message}` });
    return why;
  }
  const domainName = result.decision.domainName;
  if (error instanceof OutcomeUnknownError) {
    const found = learnt.find((d) => canonicalName(d.DomainName) === domainName)?.TaskNo ?? taskLearntSincePlan(ledger, domainName);
    if (found) {
      // Found: it is the order counted above as possibly created, now with its number.
      ledger.claimUnseen(found, clock.now(), domainName);
      Object.assign(result, { outcome: 'submitted', task_no: found, reconciled: true, ...fields });
      following.push(result);
    } else {
      Object.assign(result, { outcome: 'failed', ...fields, error_message: `${fields.error_message}${NOT_FOUND_NOTE}` });
      unsettled.push(result);
    }
    return undefined;
  }
  // Refused: if another run's order for the domain got there first, that is not a failure of ours.
  if (!skipOnLedger(result, ledger)) Object.assign(result, { outcome: error instanceof TaskIsBeingProcessedError ? 'in-progress' : 'failed', ...fields });
  else Object.assign(result, { ...fields, outcome: result.reason === 'task-in-flight' ? 'in-progress' : 'skipped' });
  return undefined;
}

/**
 * Follows the submitted tasks by the page: one look at the task list a round tells which of them finished,
 * and only those get a QueryTaskDetailList. Following stops at REDEEM_FOLLOW_SECONDS (or the finishing
 * margin): an unfinished task is the next run's to read, and its record says `submitted`.
 */
async function follow(pending: Result[], unsettled: Result[], deps: ExecutorDeps): Promise<void> {
  let open = [...pending];
  let unfound = [...unsettled];
  let wait = deps.followIntervalMs ?? 1_000;
  const startedMs = deps.clock.now();
  const stopMs = Math.min(workDeadline(deps.budget), startedMs + deps.followMs);
  // The late look has a window of its own, bounded by the work deadline alone: cut at REDEEM_FOLLOW_SECONDS
  // (0 or 1 for "do not follow"), an order the registrar took and listed a few seconds late was told as
  // failed ("the next run will decide again"), and a person might have ordered it again by hand.
  const lateStopMs = Math.min(workDeadline(deps.budget), Math.max(stopMs, startedMs + LATE_LISTING_MS));
  // Task numbers the task list has shown so far: one it has never shown is asked about directly.
  const listed = new Set<string>();
  // Not for long on their own: an order never placed must not keep the run (and its message) waiting.
  const lookForUnfound = () => unfound.length > 0 && deps.clock.now() < startedMs + LATE_LISTING_MS;
  const following = () => open.length > 0 && deps.clock.now() + wait < stopMs;
  while (following() || (lookForUnfound() && deps.clock.now() + wait < lateStopMs)) {
    deps.onProgress?.({ phase: 'following', done: pending.length - open.length, total: pending.length });
    await deps.clock.sleep(wait);
    wait = Math.min(wait * 2, 30_000);
    if (lookForUnfound()) {
      const found = await foundLate(unfound, deps, lateStopMs);
      unfound = unfound.filter((r) => !found.includes(r));
      open.push(...found);
      pending.push(...found);
    }
    // Past REDEEM_FOLLOW_SECONDS only the late look goes on: an open task is the next run's to read.
    if (open.length === 0 || deps.clock.now() >= stopMs) continue;
    let finished: ReadonlySet<string> | undefined;
    let cancelled: ReadonlySet<string> = new Set();
    try {
      ({ finished, cancelled } = await finishedTasks(deps, startedMs, listed, stopMs));
    } catch {
      // The list could not be read this round: ask each task itself instead.
      finished = undefined;
    }
    const done = await mapLimit(open, Math.max(1, deps.readConcurrency ?? 1), async (result) => {
      const key = taskKey(result.task_no!);
      // A task the list does not show yet (the registrar lags) is asked about directly.
      const ask = finished === undefined || finished.has(key) || cancelled.has(key) || !listed.has(key);
      return deps.clock.now() < stopMs && ask && (await settled(result, deps, stopMs, cancelled.has(key)));
    });
    open = open.filter((_, i) => !done[i]);
  }
}

/**
 * Outcome-unknown orders the ledger did not show at their reconciliation, looked for again with one fresh
 * look: the registrar may list a task a little after it took the order. One found is the order counted as
 * possibly created (claimed once on the caps), recorded as placed and followed from now on.
 */
async function foundLate(unfound: readonly Result[], deps: ExecutorDeps, stopMs: number): Promise<Result[]> {
  try {
    // Ended with following, its reads' retries too (see TaskListQuery.deadlineMs): bounded by the run's work
    // deadline alone, a throttled look (x-acs-retry-after 60 s) kept the run and its message waiting minutes.
    await deps.ledger.refresh(deps.clock.now(), { deadlineMs: stopMs, readsEnd: true });
  } catch {
    // The list could not be read this round; the next round looks again.
    return [];
  }
  const found: Result[] = [];
  for (const result of unfound) {
    const domainName = result.decision.domainName;
    const taskNo = taskLearntSincePlan(deps.ledger, domainName);
    if (!taskNo) continue;
    deps.ledger.claimUnseen(taskNo, deps.clock.now(), domainName);
    Object.assign(result, { outcome: 'submitted', task_no: taskNo, reconciled: true, error_message: `${(result.error_message ?? '').replace(NOT_FOUND_NOTE, '')}; found in the ledger later` });
    // Its line again, now with its task: the one written at its reconciliation said failed with no task
    // number, and only a task record of a finished follow-up (none past REDEEM_FOLLOW_SECONDS, or for a task
    // still open) would have said otherwise. The logstore read-back holds a domain by such a line.
    recordResult(result, deps);
    found.push(result);
  }
  return found;
}

/**
 * The task numbers the task list reports COMPLETE, and those whose cancellation it reports COMPLETE
 * (whatever their TaskStatus: a cancelled task may stay listed as waiting); remembers every one it saw listed.
 */
async function finishedTasks(deps: ExecutorDeps, sinceMs: number, seen: Set<string>, stopMs: number): Promise<{ finished: Set<string>; cancelled: Set<string> }> {
  // In the ledger's page size, smaller if the registrar refused 100 (InvalidPageSize): otherwise every round
  // failed, and a cancellation (seen only here) was never seen; and each round starts where the last ended.
  const listed = await withPageSizes(deps.ledger.taskPageSize, (pageSize) =>
    readAllPages(
      'QueryTaskList',
      (pageNum) => deps.api.queryTaskList({ pageNum, pageSize, beginCreateTime: sinceMs - DAY_MS, endCreateTime: taskListEnd(deps.clock.now()), deadlineMs: stopMs }),
      (task) => taskKey(task.TaskNo),
      // Ended with following (stopMs), its retries too: see TaskDetailQuery.deadlineMs.
      { maxPages: 100 * Math.ceil(100 / pageSize), deadlineMs: stopMs, now: deps.clock.now },
    ),
    (answered) => (deps.ledger.taskPageSize = answered),
  );
  const finished = new Set<string>();
  const cancelled = new Set<string>();
  // A task the pages serve twice with two cancellation states is not taken as cancelled (cancelState's rule).
  const notCancelled = new Set<string>();
  for (const task of listed.items) {
    seen.add(taskKey(task.TaskNo));
    if (task.TaskStatusCode === TASK_INFO_COMPLETE) finished.add(taskKey(task.TaskNo));
    if (cancelState(task) === 'cancelled') cancelled.add(taskKey(task.TaskNo));
    else notCancelled.add(taskKey(task.TaskNo));
  }
  for (const key of notCancelled) cancelled.delete(key);
  return { finished, cancelled };
}

/**
 * One follow-up poll; answers whether the task reached its final state. `cancelled`: the task list says the
 * task's cancellation is complete (by a person in the console, or by the registrar): a detail that did not
 * finish then never will, and the order redeemed nothing (see underCancel in the ledger).
 */
async function settled(result: Result, deps: ExecutorDeps, stopMs: number, cancelled = false): Promise<boolean> {
  const domainName = result.decision.domainName;
  try {
    // No DomainName filter: the registrar may hold the name in another spelling (Unicode); the task has one detail.
    // Every page the answer says there is (a few at most: the task has one detail): a first page saying
    // EXECUTE_SUCCESS with NextPage true and a second serving the same detail EXECUTING was told as a success
    // from the first alone. An endless NextPage stops at the cap (a PagingLimitError: not settled this round).
    const page = await readAllPages(
      'QueryTaskDetailList',
      (pageNum) => deps.api.queryTaskDetailList({ taskNo: result.task_no!, pageNum, pageSize: 100, deadlineMs: stopMs }),
      detailKey,
      { maxPages: FOLLOW_DETAIL_PAGES, deadlineMs: stopMs, now: deps.clock.now },
    );
    // Every copy of the domain's detail must say the same final state: a page that serves it twice (a
    // replica behind, pages that shifted), once failed and once executing, says neither; believed by its
    // first copy, the order was recorded and told as failed while it may still succeed, and a person told
    // so orders it again by hand (a second fee). Left unsettled, it stays `submitted`, the next run's to read.
    const copies = page.items.filter((d) => taskKey(d.TaskNo) === taskKey(result.task_no!) && canonicalName(d.DomainName) === domainName);
    const detail = copies[0];
    // A detail the registrar dated before this order was sent is an earlier task's (the answer gave the number
    // of a task older than the ledger reads, of this very domain): its success or failure is not this order's.
    // Believed, a redemption of days ago was told as this one's success while the order still ran, or its old
    // failure was, and a person told so ordered the domain again by hand (a second fee). Left `submitted`, with
    // why: the order was taken, and the next run's ledger reads its own task. Not asked about again.
    const sentMs = sentAt.get(result);
    const earlier = sentMs === undefined ? undefined : copies.find((d) => (parseRegistrarTime(d.CreateTime) ?? Number.POSITIVE_INFINITY) < sentMs - REGISTRAR_CLOCK_SLACK_MS);
    if (earlier) {
      result.error_message = notThisOrdersTask(result.task_no!, `whose detail for this domain is dated ${earlier.CreateTime ?? ''}, before this order was sent: that is an earlier task's`);
      return true;
    }
    // A whole answer whose details of the task all name other domains: the number the submission was answered
    // with is another order's task (one older than the ledger reads, which notThisOrder cannot know). Followed
    // as this order's, it was asked about every round until following ended (the run and its message kept
    // waiting for a detail that never comes), and the record said nothing of it. Left `submitted`, with why.
    const ofTask = page.items.filter((d) => taskKey(d.TaskNo) === taskKey(result.task_no!));
    if (!page.short && copies.length === 0 && ofTask.length > 0 && ofTask.every((d) => canonicalName(d.DomainName) !== '')) {
      // Whose it is, its details say: the late look may find it another order's of this run (see Ledger.dispute).
      deps.ledger.dispute(result.task_no!);
      const names = [...new Set(ofTask.map((d) => canonicalName(d.DomainName)))].slice(0, 3).join(', ');
      result.error_message = notThisOrdersTask(result.task_no!, `whose details name ${names}, not this domain: that is another order's task`);
      return true;
    }
    // An answer short of its own TotalItemNum left details unserved, and an unserved copy of the domain's may
    // say another state (as the ledger holds such a task, readDetails): nothing is told from it this round.
    if (page.short) return false;
    // Cancelled with no detail written at all (the whole answer says so: no further page) it never ran,
    // as the ledger reads such a task (readDetails): no order was carried out.
    const noneWritten = cancelled && !page.items.some((d) => taskKey(d.TaskNo) === taskKey(result.task_no!));
    if (noneWritten || (cancelled && detail)) {
      const verdicts = noneWritten ? [underCancel(result.task_no!, 'cancelled', { TaskStatusCode: TaskDetailStatus.WaitingExecute })] : copies.map((d) => underCancel(result.task_no!, 'cancelled', d));
      if (verdicts.every((v) => v.state === 'failed') && !copies.some((d) => entryState(d) === 'failed')) {
        // Never to finish: told as a failure, not left `submitted`, which a person reads as an order placed.
        const failure = { error_code: 'TASK_CANCELLED', error_message: verdicts[0]!.note };
        Object.assign(result, { outcome: 'failed', ...failure });
        deps.ledger.update(domainName, { taskNo: result.task_no!, state: 'failed', createdMs: undefined, note: failure.error_message });
        deps.emit({ kind: 'task', domain: domainName, task_no: result.task_no!, outcome: 'failed', ...failure });
        return true;
      }
      // A success (or an unreadable state) under a cancelled task is not told as one (underCancel): left
      // `submitted`, the next run's ledger holds the domain and says why. A failure is told as one, below.
      if (verdicts.some((v) => v.state === 'in-flight')) return false;
    }
    if (!detail || !copies.every((d) => isFinalTaskDetail(d) && d.TaskStatusCode === detail.TaskStatusCode)) return false;
    const succeeded = detail.TaskStatusCode === TaskDetailStatus.ExecuteSuccess;
    // The registrar's own words, whatever their language: that is where a payment failure shows.
    const failure = { error_code: detail.FailReason || 'EXECUTE_FAILURE', error_message: detail.ErrorMsg ?? undefined };
    Object.assign(result, succeeded ? { outcome: 'succeeded' } : { outcome: 'failed', ...failure });
    deps.ledger.update(domainName, { taskNo: result.task_no!, state: entryState(detail), createdMs: undefined });
    deps.emit({ kind: 'task', domain: domainName, task_no: result.task_no!, outcome: succeeded ? 'succeeded' : 'failed', ...(succeeded ? {} : failure) });
    return true;
  } catch {
    // A follow-up that fails leaves the task as submitted; the ledger tells the next run.
    return false;
  }
}
