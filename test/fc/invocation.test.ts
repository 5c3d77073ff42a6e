import { describe, expect, it } from 'vitest';
import { budgetFromTimeout } from '../../shared/fc/invocation.js';

describe('the run budget', () => {
  it('the run budget is the FC timeout less a reserve', () => {
    expect(budgetFromTimeout(900)).toBe(890_000);
    expect(budgetFromTimeout(3)).toBe(2_700);
    expect(budgetFromTimeout(undefined)).toBe(54_000);
  });

  it('the reserve is 10 % of the timeout, at most 10 s; a missing or non-positive timeout is 60 s; always below the timeout', () => {
    expect(budgetFromTimeout(60)).toBe(54_000);
    expect(budgetFromTimeout(100)).toBe(90_000);
    expect(budgetFromTimeout(101)).toBe(91_000);
    expect(budgetFromTimeout(0)).toBe(54_000);
    expect(budgetFromTimeout(-5)).toBe(54_000);
    // FC stops the invocation at the timeout: the budget is always less, even for 1 s.
    expect(budgetFromTimeout(1)).toBe(900);
  });
});
