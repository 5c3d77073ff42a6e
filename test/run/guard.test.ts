import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { loadMoneyConfig, priceFor, type MoneyConfig } from '../../shared/config/money.js';
import { DomainApiError } from '../../shared/domain-api/errors.js';
import { guardRedemptions, readBalanceForGuard, type BalanceReading, type GuardSettings } from '../../shared/run/guard.js';

const money = (env: Record<string, string | undefined>): MoneyConfig => {
  const { value, problems } = loadMoneyConfig(env);
  expect(problems).toEqual([]);
  return value;
};
const planned = (...names: string[]) => names.map((domainName) => ({ domainName }));
const balance = (available: number, currency = 'CNY'): BalanceReading => ({ ok: true, available, currency });
const verdicts = (result: ReturnType<typeof guardRedemptions<{ domainName: string }>>) =>
  result.verdicts.map((v) => [v.decision.domainName, v.keep ? 'keep' : v.reason]);

describe('the balance guard, examples', () => {
  const prices = money({ REDEEM_PRICES: '{"com": 600, "cn": 1200, "*": 1500}' });

  it('orders everything the balance covers, and plans the sum of their prices', () => {
    const result = guardRedemptions({ planned: planned('a.com', 'b.cn', 'c.org'), balance: balance(5000), settings: prices, ordersLast24h: [] });
    expect(verdicts(result)).toEqual([['a.com', 'keep'], ['b.cn', 'keep'], ['c.org', 'keep']]);
    expect(result).toMatchObject({ state: 'on', spendPlanned: 3300, balanceAvailable: 5000, balanceCurrency: 'CNY' });
  });

  it('too little balance holds back the least urgent first, and a cheaper later one may not jump the queue', () => {
    // 2000: a.com (600) leaves 1400; b.cn (1200) leaves 200; c.org (1500) cannot; d.com (600) could, but waits.
    const result = guardRedemptions({ planned: planned('a.com', 'b.cn', 'c.org', 'd.com'), balance: balance(2000), settings: prices, ordersLast24h: [] });
    expect(verdicts(result)).toEqual([['a.com', 'keep'], ['b.cn', 'keep'], ['c.org', 'insufficient-balance'], ['d.com', 'insufficient-balance']]);
    expect(result.spendPlanned).toBe(1800);
    const held = result.verdicts[3]!;
    expect(!held.keep && held.detail).toContain('kept for the more urgent c.org');
  });

  it('REDEEM_MIN_BALANCE is never crossed: available − price ≥ minimum, exactly at the boundary', () => {
    const settings = money({ REDEEM_PRICES: '{"com": 600.1}', REDEEM_MIN_BALANCE: '399.9' });
    const exact = guardRedemptions({ planned: planned('a.com'), balance: balance(1000), settings, ordersLast24h: [] });
    expect(verdicts(exact)).toEqual([['a.com', 'keep']]);
    const short = guardRedemptions({ planned: planned('a.com'), balance: balance(999.99), settings, ordersLast24h: [] });
    expect(verdicts(short)).toEqual([['a.com', 'insufficient-balance']]);
  });

  it('the spend cap counts the orders of the last 24 h in the ledger at their prices', () => {
    const settings = money({ REDEEM_PRICES: '{"com": 600, "cn": 1200}', REDEEM_MAX_SPEND_PER_DAY: '2500' });
    // 1200 + 600 spent; 700 left under the cap: one .com fits, the next does not.
    const result = guardRedemptions({ planned: planned('a.com', 'b.com'), balance: balance(100_000), settings, ordersLast24h: ['old.cn', 'old.com'] });
    expect(verdicts(result)).toEqual([['a.com', 'keep'], ['b.com', 'cap-spend-per-day']]);
    expect(result.spentLast24h).toBe(1800);
    expect(result.spendPlanned).toBe(600);
  });

  it('an order of an unpriced TLD in the last 24 h makes the day unknowable: the cap holds everything', () => {
    const settings = money({ REDEEM_PRICES: '{"com": 1}', REDEEM_MAX_SPEND_PER_DAY: '1000' });
    const result = guardRedemptions({ planned: planned('a.com'), balance: balance(100_000), settings, ordersLast24h: ['old.xyz'] });
    expect(verdicts(result)).toEqual([['a.com', 'cap-spend-per-day']]);
    expect(result.spentLast24h).toBeUndefined();
  });

  it('a TLD with no price and no "*" is never ordered while prices are set, and does not block the rest', () => {
    const noStar = money({ REDEEM_PRICES: '{"com": 600}' });
    const result = guardRedemptions({ planned: planned('a.xyz', 'b.com'), balance: balance(10_000), settings: noStar, ordersLast24h: [] });
    expect(verdicts(result)).toEqual([['a.xyz', 'insufficient-balance'], ['b.com', 'keep']]);
    const capped = money({ REDEEM_PRICES: '{"com": 600}', REDEEM_MAX_SPEND_PER_DAY: '5000' });
    const underCap = guardRedemptions({ planned: planned('a.xyz'), balance: balance(10_000), settings: capped, ordersLast24h: [] });
    expect(verdicts(underCap)).toEqual([['a.xyz', 'cap-spend-per-day']]);
  });

  it('without prices the balance must be above REDEEM_MIN_BALANCE', () => {
    const settings = money({ REDEEM_MIN_BALANCE: '500' });
    expect(verdicts(guardRedemptions({ planned: planned('a.com', 'b.com'), balance: balance(500.01), settings, ordersLast24h: [] }))).toEqual([['a.com', 'keep'], ['b.com', 'keep']]);
    const at = guardRedemptions({ planned: planned('a.com'), balance: balance(500), settings, ordersLast24h: [] });
    expect(verdicts(at)).toEqual([['a.com', 'insufficient-balance']]);
    expect(at.spendPlanned).toBeUndefined();
  });

  it('an unreadable balance with the guard configured orders nothing: balance-unknown', () => {
    for (const env of [{ REDEEM_MIN_BALANCE: '0' }, { REDEEM_PRICES: '{"*": 1}' }, { REDEEM_PRICES: '{"*": 1}', REDEEM_MAX_SPEND_PER_DAY: '10' }]) {
      const result = guardRedemptions({ planned: planned('a.com', 'b.cn'), balance: { ok: false, code: 'Forbidden', message: 'no' }, settings: money(env), ordersLast24h: [] });
      expect(result.state).toBe('balance-unknown');
      expect(result.kept).toEqual([]);
      expect(verdicts(result)).toEqual([['a.com', 'balance-unknown'], ['b.cn', 'balance-unknown']]);
      expect(result.summary).toContain('Forbidden');
    }
  });

  it('the guard unconfigured keeps every order and says so; readBalanceForGuard never calls BSS', async () => {
    const settings = money({});
    expect(settings.guard).toBe(false);
    const result = guardRedemptions({ planned: planned('a.com'), balance: undefined, settings, ordersLast24h: [] });
    expect(result).toMatchObject({ state: 'off', kept: [{ domainName: 'a.com' }], spendPlanned: undefined });
    expect(result.summary).toMatch(/^guard off: .*balance was not read/);
    const read = vi.fn(async () => ({ available: 1, currency: 'CNY' }));
    expect(await readBalanceForGuard(settings, read)).toBeUndefined();
    expect(read).not.toHaveBeenCalled();
  });

  it('readBalanceForGuard turns a failure into a reading with its code, never an amount', async () => {
    const error = new DomainApiError({ action: 'QueryAccountBalance', code: 'Forbidden', message: 'denied', requestId: 'r', httpStatus: 403, retryAfterMs: undefined });
    const reading = await readBalanceForGuard({ guard: true }, async () => { throw error; });
    expect(reading).toEqual({ ok: false, code: 'Forbidden', message: expect.stringContaining('denied'), fix: expect.stringContaining('bss:DescribeAcccount') });
  });
});

describe('the balance guard, properties', () => {
  const TLDS = ['com', 'cn', 'com.cn', 'org', 'xyz'];
  const settingsArb: fc.Arbitrary<GuardSettings> = fc.record({
    prices: fc.option(fc.dictionary(fc.constantFrom(...TLDS, '*'), fc.integer({ min: 0, max: 300_000 }).map((c) => c / 100), { minKeys: 1 }), { nil: undefined }),
    minBalance: fc.integer({ min: 0, max: 500_000 }).map((c) => c / 100),
    maxSpendPerDay: fc.option(fc.integer({ min: 0, max: 1_000_000 }).map((c) => c / 100), { nil: undefined }),
    guard: fc.constant(true),
  }).map((s) => (s.prices ? s : { ...s, maxSpendPerDay: undefined }));
  const namesArb = fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c', 'd'), fc.constantFrom(...TLDS)).map(([l, t]) => `${l}.${t}`), { maxLength: 12 });
  const input = fc.record({
    settings: settingsArb,
    names: namesArb,
    available: fc.integer({ min: -100_000, max: 2_000_000 }).map((c) => c / 100),
    past: namesArb,
  });
  const cents = (n: number) => Math.round(n * 100);

  it('never spends below the minimum or over the cap; the first priced hold-back holds every less urgent one; the most urgent keep their slots', () => {
    fc.assert(
      fc.property(input, ({ settings, names, available, past }) => {
        const result = guardRedemptions({ planned: names.map((domainName) => ({ domainName })), balance: balance(available), settings, ordersLast24h: past });
        expect(result.verdicts.map((v) => v.decision.domainName)).toEqual(names);
        const kept = result.verdicts.filter((v) => v.keep);
        if (!settings.prices) {
          expect(kept.length).toBe(available > settings.minBalance ? names.length : 0);
          return;
        }
        const prices = settings.prices;
        const spend = kept.reduce((sum, v) => sum + cents(priceFor(v.decision.domainName, prices)!.price), 0);
        expect(cents(result.spendPlanned!)).toBe(spend);
        if (kept.length > 0) expect(cents(available) - spend).toBeGreaterThanOrEqual(cents(settings.minBalance));
        const pastPrices = past.map((n) => priceFor(n, prices));
        if (settings.maxSpendPerDay !== undefined && kept.length > 0) {
          expect(pastPrices.every((p) => p !== undefined)).toBe(true);
          const spent = pastPrices.reduce((sum, p) => sum + cents(p!.price), 0);
          expect(spent + spend).toBeLessThanOrEqual(cents(settings.maxSpendPerDay));
        }
        // Priced redemptions: the kept ones are a prefix, and the first held one really did not fit.
        const priced = result.verdicts.filter((v) => priceFor(v.decision.domainName, prices));
        const firstHeld = priced.findIndex((v) => !v.keep);
        if (firstHeld >= 0) {
          expect(priced.slice(firstHeld).every((v) => !v.keep)).toBe(true);
          const before = priced.slice(0, firstHeld).reduce((sum, v) => sum + cents(priceFor(v.decision.domainName, prices)!.price), 0);
          const price = cents(priceFor(priced[firstHeld]!.decision.domainName, prices)!.price);
          const overMin = cents(available) - before - price < cents(settings.minBalance);
          const overCap =
            settings.maxSpendPerDay !== undefined &&
            (pastPrices.some((p) => p === undefined) || pastPrices.reduce((s, p) => s + cents(p!.price), 0) + before + price > cents(settings.maxSpendPerDay));
          expect(overMin || overCap).toBe(true);
        }
        // Unpriced redemptions are never kept.
        for (const v of result.verdicts) if (!priceFor(v.decision.domainName, prices)) expect(v.keep).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('an unreadable balance holds everything back; the guard off keeps everything', () => {
    fc.assert(
      fc.property(settingsArb, namesArb, (settings, names) => {
        const planned = names.map((domainName) => ({ domainName }));
        const unknown = guardRedemptions({ planned, balance: { ok: false, code: 'NetworkError', message: 'x' }, settings, ordersLast24h: [] });
        expect(unknown.kept).toEqual([]);
        expect(unknown.verdicts.every((v) => !v.keep && v.reason === 'balance-unknown')).toBe(true);
        const offResult = guardRedemptions({ planned, balance: undefined, settings: { ...settings, guard: false }, ordersLast24h: [] });
        expect(offResult.kept).toEqual(planned);
      }),
    );
  });
});
