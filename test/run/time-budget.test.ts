import { describe, expect, it } from 'vitest';
import { remainingMs, timeBudget, workDeadline } from '../../shared/run/time-budget.js';
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

  it('the start is read once; what is left follows the clock and goes below zero past the end', () => {
    const clock = fakeClock(0);
    const budget = timeBudget(60_000, clock.now);
    expect(remainingMs(budget)).toBe(60_000);
    clock.advance(48_001);
    expect(budget.startedMs).toBe(0);
    expect(remainingMs(budget)).toBe(11_999);
    // Less than the submitting margin is left: the executor stops submitting here.
    expect(remainingMs(budget) < budget.submitMarginMs).toBe(true);
    clock.advance(20_000);
    expect(remainingMs(budget)).toBe(-8_001);
    // The work deadline does not move with the clock.
    expect(workDeadline(budget)).toBe(54_000);
  });
});
