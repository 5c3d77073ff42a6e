/**
 * Dates, names and money, attacked with the registrar stand-in (which here also plays BSS
 * QueryAccountBalance) following the vendors' published rules:
 * - Domain API: "The task is asynchronous; the order is created by the task" (SaveSingleTaskForCreatingOrderRedeem),
 *   so a redeem task still waiting or executing has not necessarily been paid yet, and an order another
 *   party places after this run read the balance is not in the balance it read;
 * - BSS: QueryAccountBalance answers Data.AvailableAmount and Data.Currency as strings;
 * - the README's Money section: "an order may never take the available balance below" REDEEM_MIN_BALANCE.
 */
import { describe, expect, it } from 'vitest';
import { domainItem, type Scripted, type StandinCall } from '../support/registrar-standin.js';
import { decisionsOf, dueExpiration, runAgainst, standinPerTest } from './standin-runs.js';

const start = standinPerTest();
const SAVE = 'SaveSingleTaskForCreatingOrderRedeem';
const HOUR_MS = 3_600_000;
const due = (name: string, daysLeft = 3) => domainItem(name, dueExpiration(name) + (daysLeft - 3) * 86_400_000);

/** BSS QueryAccountBalance's answer, amounts as strings (accounts-and-billing.md §1.1). */
const balanceAnswer = (available: string, currency = 'CNY'): Scripted => ({
  body: { RequestId: 'R-BSS', Code: 'Success', Message: 'Successful!', Success: true, Data: { AvailableAmount: available, AvailableCashAmount: available, CreditAmount: '0.00', Currency: currency } },
});
const bss = (available: string) => (call: StandinCall) => (call.action === 'QueryAccountBalance' ? balanceAnswer(available) : undefined);

describe('the balance guard counts orders the balance it read cannot show yet', () => {
  it('a redeem task still WAITING_EXECUTE (not yet paid) is counted against the balance: 150 cannot pay it and another 100', async () => {
    const s = await start({
      domains: [due('wanted.com')],
      tasks: [{ taskNo: 'T-OPEN-1', domainName: 'earlier.com', statusCode: 0, createdMs: Date.now() - HOUR_MS }],
      script: bss('150.00'),
    });
    const run = await runAgainst(s, { env: { REDEEM_PRICES: '{"*": 100}', BSS_ENDPOINT: s.url } });
    expect(decisionsOf(run).find((d) => d.domain === 'wanted.com')).toMatchObject({ outcome: 'skipped', reason: 'insufficient-balance' });
    expect(s.orders).toHaveLength(0);
  });

  it('an order another party places while this run submits (after its balance read) is counted before the next order: 250 pays two, not three', async () => {
    const s = await start({
      domains: [due('first.com', 1), due('second.com', 2)],
      script: (call, standin) => {
        if (call.action === 'QueryAccountBalance') return balanceAnswer('250.00');
        // A console order for another domain, taken and paid the moment our first order went in.
        if (call.action === SAVE && call.n === 1) standin.tasks.push({ taskNo: 'T-CONSOLE', domainName: 'console.com', statusCode: 2, createdMs: Date.now() });
        return undefined;
      },
    });
    const run = await runAgainst(s, { env: { REDEEM_PRICES: '{"*": 100}', BSS_ENDPOINT: s.url, REDEEM_SUBMIT_CONCURRENCY: '1' } });
    expect(s.orders.map((o) => o.domainName)).toEqual(['first.com']);
    expect(decisionsOf(run).find((d) => d.domain === 'second.com')).toMatchObject({ outcome: 'skipped', reason: 'insufficient-balance' });
  });

  it('an open task of a TLD REDEEM_PRICES does not price leaves the balance unknowable: nothing priced is ordered', async () => {
    const s = await start({
      domains: [due('wanted.com')],
      tasks: [{ taskNo: 'T-OPEN-2', domainName: 'earlier.xyz', statusCode: 1, createdMs: Date.now() - HOUR_MS }],
      script: bss('100000.00'),
    });
    const run = await runAgainst(s, { env: { REDEEM_PRICES: '{"com": 100}', BSS_ENDPOINT: s.url } });
    expect(decisionsOf(run).find((d) => d.domain === 'wanted.com')).toMatchObject({ outcome: 'skipped', reason: 'insufficient-balance' });
    expect(String(decisionsOf(run).find((d) => d.domain === 'wanted.com')?.error_message)).toContain('earlier.xyz');
  });

  it('this run\'s own orders are counted once, not again when the ledger lists them: 200 pays exactly two', async () => {
    const s = await start({ domains: [due('one.com', 1), due('two.com', 2)], newTaskStatus: 0, script: bss('200.00') });
    await runAgainst(s, { env: { REDEEM_PRICES: '{"*": 100}', BSS_ENDPOINT: s.url, REDEEM_SUBMIT_CONCURRENCY: '1' } });
    expect(s.orders.map((o) => o.domainName)).toEqual(['one.com', 'two.com']);
  });
});
