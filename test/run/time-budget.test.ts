import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { answerByMs, finishingDeadlines, submitByMs, timeBudget, workDeadline } from '../../shared/run/time-budget.js';
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

  // The order of the deadlines is what keeps every order followed and told: the last submission goes out
  // before its answer is due, the answer is due before the work deadline with time left for the look that
  // reconciles an unknown outcome, and the finishing margin holds the records, then the message, then the
  // run's last record, each with a share of its own. Any FC timeout from 1 s to 900 s (budgetFromTimeout's range).
  it('for every budget: submit-by < answer-by < work deadline < records < message < end, with the shares kept', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1_000, max: 900_000 }), fc.integer({ min: 0, max: 2 ** 40 }), (totalMs, startMs) => {
        const budget = timeBudget(totalMs, () => startMs);
        const submitBy = submitByMs(budget);
        const answerBy = answerByMs(budget);
        const work = workDeadline(budget);
        const { recordsMs, notifyMs } = finishingDeadlines(budget);
        expect(submitBy).toBeLessThan(work);
        expect(answerBy).toBeGreaterThan(submitBy);
        expect(answerBy).toBeLessThan(work);
        // The reconciling look keeps some time of its own, and at most 5 s of the answer's.
        expect(work - answerBy).toBeGreaterThan(0);
        expect(work - answerBy).toBeLessThanOrEqual(5_000 + 0.01);
        expect(answerBy - submitBy).toBeGreaterThanOrEqual((work - submitBy) / 2 - 0.01);
        expect(recordsMs).toBeGreaterThan(work);
        expect(notifyMs).toBeGreaterThan(recordsMs);
        expect(budget.endsMs).toBeGreaterThan(notifyMs);
        // The message's own time: one attempt (5 s) or half the margin; the last record's: 1 s or a quarter.
        expect(notifyMs - recordsMs).toBeGreaterThanOrEqual(Math.min(5_000, budget.finishMarginMs / 2) - 0.01);
        expect(budget.endsMs - notifyMs).toBeCloseTo(Math.min(1_000, budget.finishMarginMs / 4), 3);
      }),
      { numRuns: 2_000 },
    );
  });

  it.each([
    // total: submit-by, answer-by, work deadline, records by, message by (ms after the start)
    [60_000, 48_000, 51_000, 54_000, 56_000, 59_000],
    [900_000, 840_000, 880_000, 885_000, 894_000, 899_000],
    [10_000, 8_000, 8_500, 9_000, 9_250, 9_750],
  ])('%i ms: submit by %i, answer by %i, work until %i, records by %i, message by %i', (totalMs, submitBy, answerBy, work, recordsBy, notifyBy) => {
    const budget = timeBudget(totalMs, () => 0);
    expect([submitByMs(budget), answerByMs(budget), workDeadline(budget)]).toEqual([submitBy, answerBy, work]);
    expect(finishingDeadlines(budget)).toEqual({ recordsMs: recordsBy, notifyMs: notifyBy });
  });
});
