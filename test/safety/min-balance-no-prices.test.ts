/**
 * REDEEM_MIN_BALANCE without REDEEM_PRICES: what an order costs is unknown, so the floor is checked against
 * the balance read at the start of the run, and that run's orders may take the balance below it (README,
 * Money: "set REDEEM_PRICES for the promise"). Kept so, not re-read before each order: the order is paid by
 * its task, asynchronously (domain-api.md: the task is asynchronous), so a balance read mid-run does not
 * show the orders still open and could not promise the floor either; it would add a BSS call (and a way to
 * fail: an unreadable balance holds every order) per order; and the check runs synchronously inside the
 * executor's submission loop. With prices the floor is a promise, reckoned from the one reading.
 * The BSS stand-in here takes 200 off the balance for each order the registrar took, at once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { balanceBody, startBss, type BssStandin } from '../support/bss-standin.js';
import { EMULATOR_CREDENTIALS } from '../support/emulator.js';
import { domainItem } from '../support/registrar-standin.js';
import { decisionsOf, dueExpiration, runAgainst, standinPerTest } from './standin-runs.js';

const start = standinPerTest();
let bss: BssStandin | undefined;
afterEach(async () => {
  await bss?.close();
  bss = undefined;
});

const NAMES = ['a.com', 'b.com', 'c.com', 'd.com', 'e.com'];

async function fiveDue(env: Record<string, string>) {
  const s = await start({ domains: NAMES.map((n) => domainItem(n, dueExpiration(n))) });
  bss = await startBss(EMULATOR_CREDENTIALS, () => {
    const left = (1_000 - 200 * s.orders.length).toFixed(2);
    return { body: balanceBody({ AvailableAmount: left, AvailableCashAmount: left }) };
  });
  const run = await runAgainst(s, { env: { BSS_ENDPOINT: bss.url, REDEEM_MIN_BALANCE: '500', ...env } });
  return { s, run, bss };
}

describe('REDEEM_MIN_BALANCE and the orders of one run', () => {
  it('without REDEEM_PRICES: the balance is read once, at the start; above the floor then, every order goes (documented: set REDEEM_PRICES for the promise)', async () => {
    const { s, run, bss } = await fiveDue({});
    expect(bss.calls.filter((c) => c.action === 'QueryAccountBalance')).toHaveLength(1);
    expect(s.orders.map((o) => o.domainName).sort()).toEqual(NAMES);
    expect(run.summary.run).toMatchObject({ guard: 'on', balance_available: 1000 });
  });

  it('with REDEEM_PRICES: the same one reading holds the floor (1,000 less 200 an order stays at or above 500: two orders)', async () => {
    const { s, run, bss } = await fiveDue({ REDEEM_PRICES: '{"*": 200}' });
    expect(bss.calls.filter((c) => c.action === 'QueryAccountBalance')).toHaveLength(1);
    expect(s.orders).toHaveLength(2);
    expect(decisionsOf(run).filter((d) => d.reason === 'insufficient-balance' || String(d.error_message ?? '').includes('REDEEM_MIN_BALANCE')).length).toBe(3);
  });
});
