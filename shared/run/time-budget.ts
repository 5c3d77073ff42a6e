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

export function remainingMs(budget: TimeBudget): number {
  return budget.endsMs - budget.now();
}

/** Where reads and submissions must end: the finishing margin stays free for records and delivery. */
export function workDeadline(budget: TimeBudget): number {
  return budget.endsMs - budget.finishMarginMs;
}
