/**
 * The run's time budget (from the FC timeout): submissions stop with a margin before it ends, so that
 * follow-ups, records and SLS delivery still fit; what is left is recorded for the next run.
 */
export interface TimeBudget {
  readonly startedMs: number;
  readonly endsMs: number;
  /** No new submission starts with less than this left. */
  readonly submitMarginMs: number;
  /** Follow-up polling stops with less than this left (records and SLS delivery need it). */
  readonly finishMarginMs: number;
  readonly now: () => number;
}

export function timeBudget(totalMs: number, now: () => number): TimeBudget {
  const startedMs = now();
  const finishMarginMs = Math.min(15_000, Math.max(1_000, totalMs * 0.1));
  return {
    startedMs,
    endsMs: startedMs + totalMs,
    finishMarginMs,
    submitMarginMs: Math.min(60_000, Math.max(finishMarginMs + 1_000, totalMs * 0.2)),
    now,
  };
}

/** No submission goes out after this: one sent later may not be answered, reconciled and recorded in time. */
export function submitByMs(budget: TimeBudget): number {
  return budget.endsMs - budget.submitMarginMs;
}

/** The most of the time between the submit-by time and the work deadline kept for a reconciliation's look. */
const RECONCILE_RESERVE_MS = 5_000;

/**
 * By when a submission's answer must have come: after it the order's outcome is unknown, and its
 * reconciliation (a look at the task list) needs time of its own before the work deadline. With the answer
 * waited for until the work deadline itself, an order sent near the submit-by time to a registrar slow to
 * answer (a 60 s function leaves 5.4 s from one to the other) timed out at the deadline, and the look that
 * would have found it was never sent. Half the gap at most, so the answer keeps the other half.
 */
export function answerByMs(budget: TimeBudget): number {
  const gap = workDeadline(budget) - submitByMs(budget);
  return workDeadline(budget) - Math.min(RECONCILE_RESERVE_MS, gap / 2);
}

/** Where reads and submissions must end: the finishing margin stays free for records and delivery. */
export function workDeadline(budget: TimeBudget): number {
  return budget.endsMs - budget.finishMarginMs;
}

/** Left after the message for the run's last record (its delivery to SLS), at most. */
const LAST_RECORD_MS = 1_000;
/**
 * The message's own time, kept whatever SLS does (at most half the margin). A robot slow to answer gets
 * more when the records were quick: an attempt takes what is left up to notifyMs (notify/deliver.ts).
 */
const NOTIFY_ATTEMPT_MS = 5_000;

/**
 * The finishing margin, shared: the records' delivery to SLS ends first, by `recordsMs`, so that the
 * message still has its own time until `notifyMs` whatever SLS does (a logstore that never answers must
 * not leave a person without the message that says so), and the last record has the rest. Each share is
 * inside the margin, whatever its size: with a fixed second for the last record, a margin of one second
 * (any budget under 10 s, a function timeout under about 13 s) put `notifyMs` on the work deadline itself,
 * so follow-ups that ran to it (a registrar slow to answer) left the message no time, and the orders the
 * run placed were told to no one. The message gets up to half the margin, the last record up to a quarter.
 */
export function finishingDeadlines(budget: TimeBudget): { readonly recordsMs: number; readonly notifyMs: number } {
  const notifyMs = budget.endsMs - Math.min(LAST_RECORD_MS, budget.finishMarginMs / 4);
  const reserveMs = Math.min(NOTIFY_ATTEMPT_MS, budget.finishMarginMs / 2);
  return { recordsMs: Math.min(budget.endsMs - Math.min(2_000, budget.finishMarginMs / 2), notifyMs - reserveMs), notifyMs };
}
