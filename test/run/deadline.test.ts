import { describe, expect, it } from 'vitest';
import { DAY_MS, DEFAULT_TLD_RULES, estimateDeadline, mergeTldRules, ruleFor } from '../../shared/run/deadline.js';

const now = Date.UTC(2026, 11, 1);

describe('deadline estimate', () => {
  it('gTLD: expiry + 30 + 29 days - 1 day margin', () => {
    const e = estimateDeadline('example.com', now - 50 * DAY_MS, DEFAULT_TLD_RULES, now);
    expect(e).toMatchObject({ tld: 'com', rules: 'known', deadlineMs: now + 8 * DAY_MS, msLeft: 8 * DAY_MS, daysLeft: 8 });
  });

  it('the longest suffix wins: .com.cn is CNNIC, and so is a .cn second level not listed', () => {
    expect(ruleFor('shop.com.cn', DEFAULT_TLD_RULES)).toMatchObject({ tld: 'com.cn', rule: { graceDays: 30, redemptionDays: 14 } });
    expect(ruleFor('shop.bj.cn', DEFAULT_TLD_RULES)).toMatchObject({ tld: 'cn', known: true });
  });

  it('hk has its own window; IDN TLDs in xn-- form are known', () => {
    expect(ruleFor('a.hk', DEFAULT_TLD_RULES).rule).toEqual({ graceDays: 28, redemptionDays: 59 });
    expect(ruleFor('a.xn--fiqs8s', DEFAULT_TLD_RULES)).toMatchObject({ known: true, rule: { redemptionDays: 14 } });
    expect(ruleFor('a.xn--55qx5d', DEFAULT_TLD_RULES).known).toBe(true);
  });

  it('an unknown TLD gets the shortest window and is flagged assumed', () => {
    const e = estimateDeadline('a.xyz', now - 40 * DAY_MS, DEFAULT_TLD_RULES, now);
    expect(e).toMatchObject({ tld: 'xyz', rules: 'assumed', daysLeft: 3 });
  });

  it('past the estimate: days left are negative', () => {
    expect(estimateDeadline('a.cn', now - 50 * DAY_MS, DEFAULT_TLD_RULES, now).daysLeft).toBe(-7);
  });

  it('an override wins over the built-in rule', () => {
    const rules = mergeTldRules({ com: { graceDays: 0, redemptionDays: 1 } });
    expect(estimateDeadline('a.com', now, rules, now).deadlineMs).toBe(now);
  });
});
