import { describe, expect, it } from 'vitest';
import { submitByMs, timeBudget, workDeadline } from '../../shared/run/time-budget.js';
import { fakeClock } from '../support/fake-clock.js';

describe('time budget', () => {
  it.each([
    // total, finishing margin (10 %, 1 s to 15 s), submitting margin (20 %, at least finish + 1 s, at most 60 s)
    [10_000, 1_000, 2_000],
    [60_000, 6_000, 12_000],
    [900_000, 15_000, 60_000],
    // What a 900 s function actually gets (budgetFromTimeout keeps 10 s back).
    [890_000, 15_000, 60_000],
    // Small budgets: the floors hold, even above the budget itself (a 1 s run submits nothing).
    [5_000, 1_000, 2_000],
    [1_000, 1_000, 2_000],
  ])('%i ms: finish margin %i ms, submit margin %i ms', (totalMs, finishMarginMs, submitMarginMs) => {
    const clock = fakeClock(1_000_000);
    const budget = timeBudget(totalMs, clock.now);
    expect(budget).toMatchObject({ startedMs: 1_000_000, endsMs: 1_000_000 + totalMs, finishMarginMs, submitMarginMs });
    expect(budget.submitMarginMs).toBeGreaterThan(budget.finishMarginMs);
    expect(workDeadline(budget)).toBe(1_000_000 + totalMs - finishMarginMs);
  });

  it('the start is read once: the submit-by time and the work deadline do not move with the clock', () => {
    const clock = fakeClock(0);
    const budget = timeBudget(60_000, clock.now);
    expect(submitByMs(budget)).toBe(60_000 - budget.submitMarginMs);
    clock.advance(68_001);
    expect(budget.startedMs).toBe(0);
    expect(submitByMs(budget)).toBe(60_000 - budget.submitMarginMs);
    expect(workDeadline(budget)).toBe(54_000);
  });
});
