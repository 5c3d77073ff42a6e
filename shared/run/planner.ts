/**
 * The planner: a pure function of (domains, ledger, configuration, run, now) that gives every domain one
 * decision with a reason, earliest deadline first. Caps go to the most urgent domains; the executor
 * checks the day's cap again against a fresh look at the ledger before each submission.
 */
import type { RedeemerConfig } from '../config/index.js';
import { matchesAny } from '../config/index.js';
import { minuteUtc } from '../clock/index.js';
import { DAY_MS, estimateDeadline, type DeadlineEstimate } from './deadline.js';
import type { Ledger } from './ledger.js';
import type { Candidate, InvalidListing } from './listing.js';
import type { EffectiveRun } from './options.js';
import { unpricedHold, type GuardReason, type GuardSettings } from './guard.js';

export type SkipReason =
  | 'outside-window'
  | 'not-allowed'
  | 'not-requested'
  | 'excluded'
  | 'task-in-flight'
  | 'already-redeemed'
  | 'cap-per-run'
  | 'cap-per-day'
  | 'invalid-listing'
  | GuardReason;
type RedeemReason = 'due' | 'dry-run';

interface Planned extends DeadlineEstimate {
  readonly domainName: string;
  readonly expirationMs: number | undefined;
}

export type Decision = Planned &
  (
    | { readonly action: 'redeem'; readonly reason: RedeemReason; readonly expirationMs: number; readonly problem?: string | undefined }
    | { readonly action: 'skip'; readonly reason: SkipReason; readonly taskNo?: string | undefined; readonly problem?: string | undefined }
  );

type PlanConfig = Pick<RedeemerConfig, 'allow' | 'exclude' | 'withinDays' | 'maxPerRun' | 'maxPerDay' | 'tldRules'> & {
  /** The money settings: a domain REDEEM_PRICES cannot price is held before the caps are handed out. */
  readonly money?: Pick<GuardSettings, 'prices' | 'maxSpendPerDay' | 'guard'> | undefined;
};

export type LedgerView = Pick<Ledger, 'entryFor' | 'orderedLast24h'> & Partial<Pick<Ledger, 'heldByAnotherRun' | 'unnamedTask' | 'dayCapFreesAt' | 'unknownOrderOf'>>;

/** The guard's verdicts applied: a held redemption becomes a skip with the guard's reason and its detail. */
export function applyGuard(decisions: readonly Decision[], held: ReadonlyMap<Decision, { readonly reason: GuardReason; readonly detail: string }>): Decision[] {
  return decisions.map((d) => {
    const verdict = held.get(d);
    return verdict ? { ...d, action: 'skip', reason: verdict.reason, problem: verdict.detail } : d;
  });
}

/**
 * A deadline estimate this far in the past cannot belong to a domain the registrar still lists in
 * redemption: the longest window the reference knows (.link and its family, 30 + 179 days) outlasts the
 * shortest estimate (30 + 14) by 165 days, and the registrar's lag is a day. The listed expiry is then not
 * the domain's (its registration date, say): taken at its word the domain was the most urgent of the list,
 * took the first slot of the caps from a domain days from its deadline, and was ordered with a
 * CurrentExpirationDate the registrar never gave it.
 */
const STALE_DEADLINE_MS = 365 * DAY_MS;

/**
 * What fills the day's cap, for a person: "cap reached" alone sent them to a console whose last 24 h may
 * show no order at all. The registrar's task times carry no zone and are read as UTC (ledger.ts
 * parseRegistrarTime: it can only over-count), so an order it dates in Beijing time counts 8 h longer, and
 * a daily run at the same hour finds the day before's orders still counted.
 */
export function dayCapNote(ordered: number, planned: number, maxPerDay: number, freesAtMs: number | undefined): string {
  if (maxPerDay === 0) return zeroCapNote('REDEEM_MAX_PER_DAY');
  if (ordered === 0) return `REDEEM_MAX_PER_DAY=${maxPerDay} is used by the ${planned} planned by this run; a slot frees 24 h after this run's first order`;
  const count = `REDEEM_MAX_PER_DAY=${maxPerDay} is used by ${ordered} ${ordered === 1 ? 'order' : 'orders'} of the last 24 h${planned > 0 ? ` and ${planned} planned by this run` : ''}`;
  const how = 'task times carry no zone and are read as UTC, so one dated in Beijing time counts 8 h longer';
  return `${count} (${how}); ${freesAtMs === undefined ? 'when a slot frees is not known (a task whose CreateTime cannot be read counts as recent)' : `the first slot frees at ${minuteUtc(freesAtMs)}`}`;
}

/** A count cap set to 0 holds every domain for good: said so, not "a slot frees" or "a later run orders it". */
function zeroCapNote(variable: string): string {
  return `${variable}=0: no order is placed while it is 0, by this run or a later one; raise it (REDEEM_MODE=dry-run is the way to order nothing)`;
}

export function plan(candidates: readonly Candidate[], invalid: readonly InvalidListing[], ledger: LedgerView, config: PlanConfig, run: EffectiveRun, nowMs: number): Decision[] {
  const estimated = candidates
    .map((c) => ({ ...c, ...estimateDeadline(c.domainName, c.expirationMs, config.tldRules, nowMs) }))
    .sort((a, b) => a.deadlineMs - b.deadlineMs || (a.domainName < b.domainName ? -1 : 1));

  const windowMs = config.withinDays * DAY_MS;
  const orderedToday = ledger.orderedLast24h(nowMs);
  let planned = 0;
  // The ledger does not change while planning: one look for a listed task that names no domain yet.
  const unnamed = ledger.unnamedTask?.();
  const decisions = estimated.map((d): Decision => {
    const skip = (reason: SkipReason, taskNo?: string, problem?: string): Decision => ({ ...d, action: 'skip', reason, taskNo, problem });
    if (matchesAny(d.domainName, config.exclude)) return skip('excluded');
    const allowed = config.allow ? matchesAny(d.domainName, config.allow) : run.mode === 'dry-run';
    if (!allowed) return skip('not-allowed');
    // On the allow-list, but the request named other domains: said as such, since "not on the allow-list"
    // would send a person to change REDEEM_DOMAINS, which is right.
    if (run.requested && !run.requested.has(d.domainName)) return skip('not-requested');
    const task = ledger.entryFor(d.domainName);
    // The ledger's note (a task being cancelled, see Ledger underCancel) is what a person reads of the hold.
    if (task?.state === 'in-flight') return skip('task-in-flight', task.taskNo, task.note);
    if (task?.state === 'succeeded') return skip('already-redeemed', task.taskNo);
    // Ordered by another run of this process (one that ended a moment ago included) and not listed yet: it
    // takes no slot of this run's cap (the executor would skip it at its fresh look anyway).
    const held = ledger.heldByAnotherRun?.(d.domainName);
    // The registrar does not list its task: what holds the domain is said (a person is told it when at risk).
    if (held && d.msLeft <= windowMs) return skip('task-in-flight', held.taskNo, held.note);
    if (d.msLeft > windowMs) return skip('outside-window');
    if (d.msLeft < -STALE_DEADLINE_MS) {
      return skip('invalid-listing', undefined, `ExpirationDateLong ${d.expirationMs} puts the redemption deadline over a year in the past, yet the domain is listed in redemption: it cannot be its expiry`);
    }
    // A listed task that names no domain yet may be this domain's order (Ledger.unnamedTask): fail closed.
    if (unnamed) return skip('task-in-flight', unnamed.taskNo || undefined, unnamed.note);
    // Never orderable while prices are set (no price, no "*"): held before the caps, so that it takes no slot
    // of REDEEM_MAX_PER_RUN / _PER_DAY from a domain behind it that the money can pay.
    const unpriced = config.money ? unpricedHold(d.domainName, config.money) : undefined;
    if (unpriced) return skip(unpriced.reason, undefined, unpriced.detail);
    // The day's cap first: where both hold a domain, the next run cannot order it either until a slot frees,
    // and told "REDEEM_MAX_PER_RUN" a person would wait for a run that orders nothing.
    if (orderedToday + planned >= config.maxPerDay) return skip('cap-per-day', undefined, dayCapDetail(ledger, d.domainName, nowMs, orderedToday, planned, config.maxPerDay));
    if (planned >= config.maxPerRun) return skip('cap-per-run', undefined, config.maxPerRun === 0 ? zeroCapNote('REDEEM_MAX_PER_RUN') : undefined);
    planned++;
    // An earlier task of the domain that ended without redeeming it (a cancelled one) is said with the order.
    return { ...d, action: 'redeem', reason: run.mode === 'live' ? 'due' : 'dry-run', ...(task?.note ? { problem: task.note } : {}) };
  });
  const unusable = invalid.map(
    (listing): Decision => ({
      domainName: listing.domain,
      expirationMs: listing.expirationMs,
      tld: listing.domain.includes('.') ? listing.domain.slice(listing.domain.lastIndexOf('.') + 1) : '',
      rules: 'assumed',
      deadlineMs: Number.NaN,
      msLeft: Number.NaN,
      daysLeft: Number.NaN,
      action: 'skip',
      ...invalidListingHold(listing, ledger),
    }),
  );
  return [...decisions, ...unusable];
}

/**
 * What holds a domain whose listing cannot be believed. A redemption moves the expiry a year on, and the
 * registrar's list, lagging by up to a day, may name the domain with it: a domain whose redeem task
 * succeeded is safe whatever its listing says (told "looks invalid", at risk every run until the list
 * caught up, a person was sent to order a redeemed domain again by hand). Likewise one whose task is still
 * going on, or whose order this process placed and the registrar does not list yet (Ledger.heldByAnotherRun):
 * told as held by it, so that nobody orders by hand what is being redeemed. The listing's problem stays on
 * the record.
 */
function invalidListingHold(listing: InvalidListing, ledger: LedgerView): { readonly reason: 'already-redeemed' | 'task-in-flight' | 'invalid-listing'; readonly taskNo?: string | undefined; readonly problem: string } {
  const task = ledger.entryFor(listing.domain);
  const meanwhile = `the listing meanwhile: ${listing.problem}`;
  if (task?.state === 'succeeded') return { reason: 'already-redeemed', taskNo: task.taskNo, problem: listing.problem };
  if (task?.state === 'in-flight') return { reason: 'task-in-flight', taskNo: task.taskNo, problem: `${task.note ?? `task ${task.taskNo} is in progress at the registrar; the next run reads its outcome`}; ${meanwhile}` };
  const order = ledger.heldByAnotherRun?.(listing.domain);
  if (order) return { reason: 'task-in-flight', taskNo: order.taskNo, problem: `${order.note}; ${meanwhile}` };
  return { reason: 'invalid-listing', problem: listing.problem };
}

/**
 * Why the day's cap holds `domainName`, for planning and for the look before each submission alike: the
 * domain's own order of unknown outcome first, when the count holds one (ownUnknownNote), else what fills
 * the cap and when a slot frees (dayCapNote).
 */
export function dayCapDetail(ledger: LedgerView, domainName: string, nowMs: number, ordered: number, planned: number, maxPerDay: number): string {
  const freesAt = ledger.dayCapFreesAt?.(nowMs, maxPerDay, planned);
  return ownUnknownNote(ledger, domainName, nowMs, 'count', freesAt) ?? dayCapNote(ordered, planned, maxPerDay, freesAt);
}

/**
 * Why the money holds `domainName`, at planning and at the look before each submission alike: a hold that
 * counts the domain's own order of unknown outcome says so first (ownUnknownNote), since the message cuts
 * the line at 300 characters and the sums behind it matter less.
 */
export function moneyHoldDetail(ledger: LedgerView, domainName: string, nowMs: number, reason: string, detail: string): string {
  const counted = reason === 'cap-spend-per-day' ? 'spend' : reason === 'insufficient-balance' ? 'balance' : undefined;
  const note = counted && ownUnknownNote(ledger, domainName, nowMs, counted);
  return note ? `${note}; ${detail}` : detail;
}

/**
 * What a person reads of a domain held on REDEEM_MAX_PER_DAY when the day's count holds an order of that very
 * domain whose outcome is unknown (Ledger.unknownOrderOf): "cap reached" alone says another order used the
 * day up, when the order counted may never have reached the registrar and nothing may be redeeming the domain.
 */
export function ownUnknownNote(ledger: LedgerView, domainName: string, nowMs: number, counted: 'count' | 'spend' | 'balance' = 'count', capFreesAtMs?: number): string | undefined {
  const order = ledger.unknownOrderOf?.(domainName, nowMs);
  if (!order) return undefined;
  // The day's count holds the domain until a slot frees (Ledger.dayCapFreesAt), which may be after its own
  // order leaves the 24 h: other orders, sent later, fill the cap too. Told "until" its own order leaves, a
  // person waited for a retry that the cap still held. Not known (an undated task), it is said so.
  const until = counted !== 'count' ? minuteUtc(order.sentMs + DAY_MS) : capFreesAtMs === undefined ? 'a slot frees (when is not known: a task whose CreateTime cannot be read counts as recent)' : minuteUtc(Math.max(capFreesAtMs, nowMs));
  const by = order.runId ? ` by run ${order.runId}` : '';
  const what = { count: "the day's count", spend: "the day's spend", balance: 'what the balance may not show yet' }[counted];
  const raise = { count: 'raise REDEEM_MAX_PER_DAY', spend: 'raise REDEEM_MAX_SPEND_PER_DAY', balance: 'top up' }[counted];
  return `${what} holds this domain's own order of unknown outcome (sent${by} at ${minuteUtc(order.sentMs)}, no task listed) until ${until}: if the registrar's console shows no redeem task of it, nothing is redeeming it; order it there by hand, or ${raise}`;
}
