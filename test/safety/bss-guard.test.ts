/**
 * The money guard attacked from outside: a BSS stand-in written from the vendor's QueryAccountBalance page
 * (test/support/bss-standin.ts, ACS3 verified as the vendor does) beside the registrar stand-in, and
 * answers a real BSS or its gateway may give. Invariants (README "Money", DESIGN section 2): no order the
 * guard cannot show the account can pay; a misread never lets more orders through than the money covers;
 * a person hears when the guard held an order and why, with the permission or setting to fix it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { balanceBody, documentedError, startBss, type BssScripted, type BssStandin } from '../support/bss-standin.js';
import { EMULATOR_CREDENTIALS } from '../support/emulator.js';
import { detailItem, domainItem, pageBody, registrarTime, type StandinOptions } from '../support/registrar-standin.js';
import { inboxPerTest } from '../support/webhook-inbox.js';
import { decisionsOf, dueExpiration, runAgainst, standinPerTest } from './standin-runs.js';

const start = standinPerTest();
const inbox = inboxPerTest();
let bss: BssStandin | undefined;
afterEach(async () => {
  await bss?.close();
  bss = undefined;
});

const due = (name: string, daysLeft = 3) => domainItem(name, dueExpiration(name) + (daysLeft - 3) * 86_400_000);

/** A live run of the registrar stand-in `registrar` with BSS answering `answer`, its message sent to an inbox. */
async function guardedRun(answer: (n: number) => BssScripted, registrar: StandinOptions, env: Record<string, string>) {
  bss = await startBss(EMULATOR_CREDENTIALS, (call) => answer(call.n));
  const s = await start(registrar);
  const box = await inbox();
  const run = await runAgainst(s, { env: { BSS_ENDPOINT: bss.url, NOTIFY_WEBHOOK_URL: box.url, NOTIFY_WEBHOOK_SECRET: 'x'.repeat(32), ...env } });
  const message = box.bodies[0] as { run: { read_problems: string[] }; at_risk: Array<Record<string, unknown>> } | undefined;
  return { s, run, message, bss };
}

describe('a balance BSS refuses to show: the person hears what to fix', () => {
  it('no connection to BSS (BSS_ENDPOINT names a port nothing listens on): the message names BSS_ENDPOINT', async () => {
    const closed = await startBss(EMULATOR_CREDENTIALS, () => ({ body: balanceBody() }));
    const url = closed.url;
    await closed.close();
    const s = await start({ domains: [due('wanted.com')] });
    const box = await inbox();
    const run = await runAgainst(s, { env: { REDEEM_PRICES: '{"*": 100}', BSS_ENDPOINT: url, NOTIFY_WEBHOOK_URL: box.url, NOTIFY_WEBHOOK_SECRET: 'x'.repeat(32) } });
    expect(s.orders).toHaveLength(0);
    expect(decisionsOf(run).find((d) => d.domain === 'wanted.com')).toMatchObject({ outcome: 'skipped', reason: 'balance-unknown' });
    expect(((box.bodies[0] as { run: { read_problems: string[] } }).run.read_problems).join(' ')).toContain('BSS_ENDPOINT');
  });

  it('NotAuthorized (the documented RAM refusal): the message names the permission bss:DescribeAcccount', async () => {
    const { s, run, message } = await guardedRun(() => documentedError('NotAuthorized'), { domains: [due('wanted.com')] }, { REDEEM_PRICES: '{"*": 100}' });
    expect(s.orders).toHaveLength(0);
    expect(decisionsOf(run).find((d) => d.domain === 'wanted.com')).toMatchObject({ outcome: 'skipped', reason: 'balance-unknown' });
    expect(message?.run.read_problems.join(' ')).toContain('bss:DescribeAcccount');
  });

  it('NotApplicable (BSS does not serve this account\'s balance): the message names the settings that turn the guard on', async () => {
    const { s, message } = await guardedRun(() => documentedError('NotApplicable'), { domains: [due('wanted.com')] }, { REDEEM_PRICES: '{"*": 100}' });
    expect(s.orders).toHaveLength(0);
    const said = message?.run.read_problems.join(' ') ?? '';
    expect(said).toContain('REDEEM_PRICES');
    expect(said).toContain('REDEEM_MIN_BALANCE');
  });
});

describe('an order the registrar lists without naming its domain', () => {
  // QueryTaskList lists a redeem task (TaskNum 1) whose details QueryTaskDetailList does not serve yet: the
  // ledger counts it as one order of an unknown domain. Priced at "*" (the cheapest here) it hides the
  // price of a .com it may well be. Since it may be wanted.com's own order, it holds the order before the
  // money is weighed (Ledger.unnamedTask); either way nothing is ordered.
  const unnamedTask = (statusCode: number): StandinOptions['script'] => (call) => {
    if (call.action === 'QueryTaskList') return { body: pageBody('QueryTaskList', [{ TaskNo: 'T-UNNAMED', TaskType: 'ORDER_REDEEM', TaskNum: 1, CreateTime: registrarTime(Date.now() - 3_600_000), TaskStatusCode: statusCode }], { pageNum: 1, nextPage: false, totalPages: 1 }) };
    if (call.action === 'QueryTaskDetailList') return { body: pageBody('QueryTaskDetailList', [], { pageNum: 1, nextPage: false, totalPages: 0 }) };
    return undefined;
  };
  const PRICES = '{"com": 600, "*": 100}';

  it('still open (not yet paid): counted at the highest price against the balance, so 700 cannot pay it and a .com at 600', async () => {
    const { s, run } = await guardedRun(() => ({ body: balanceBody({ AvailableAmount: '700.00', AvailableCashAmount: '700.00' }) }), { domains: [due('wanted.com')], script: unnamedTask(1) }, { REDEEM_PRICES: PRICES });
    expect(s.orders).toHaveLength(0);
    expect(decisionsOf(run).find((d) => d.domain === 'wanted.com')).toMatchObject({ outcome: 'skipped', reason: 'task-in-flight', error_message: expect.stringContaining('T-UNNAMED') });
  });

  it('finished in the last 24 h: counted at the highest price on the spend cap, so REDEEM_MAX_SPEND_PER_DAY=700 leaves no room for a .com at 600', async () => {
    const { s, run } = await guardedRun(() => ({ body: balanceBody() }), { domains: [due('wanted.com')], script: unnamedTask(3) }, { REDEEM_PRICES: PRICES, REDEEM_MAX_SPEND_PER_DAY: '700' });
    expect(s.orders).toHaveLength(0);
    expect(decisionsOf(run).find((d) => d.domain === 'wanted.com')).toMatchObject({ outcome: 'skipped', reason: 'task-in-flight', error_message: expect.stringContaining('T-UNNAMED') });
  });
});

describe('money the account has that cannot pay a domain order', () => {
  // accounts-and-billing.md 1.1: domain orders cannot be paid with 信任付 (MYbank trust pay), and the API's
  // orders are paid from the balance; QueryAccountBalance says MybankCreditAmount (网商银行信用额度) apart,
  // and does not say that AvailableAmount (可用额度) leaves it out.
  it('AvailableAmount 5,000 that is all MybankCreditAmount (no cash, no credit line): the guard cannot show a .com at 100 is paid, nothing is ordered, and the person hears why', async () => {
    const { s, run, message } = await guardedRun(
      () => ({ body: balanceBody({ AvailableAmount: '5000.00', AvailableCashAmount: '0.00', CreditAmount: '0.00', MybankCreditAmount: '5000.00' }) }),
      { domains: [due('wanted.com', 1)] },
      { REDEEM_PRICES: '{"*": 100}' },
    );
    expect(s.orders).toHaveLength(0);
    expect(decisionsOf(run).find((d) => d.domain === 'wanted.com')).toMatchObject({ outcome: 'skipped', reason: 'insufficient-balance' });
    expect(String(message?.at_risk[0]?.why)).toContain('MybankCreditAmount');
  });

  it('cash beside the trust pay still pays: AvailableAmount 5,000 with 4,800 of it MybankCreditAmount pays two orders at 100, not three', async () => {
    const { s } = await guardedRun(
      () => ({ body: balanceBody({ AvailableAmount: '5000.00', AvailableCashAmount: '200.00', CreditAmount: '0.00', MybankCreditAmount: '4800.00' }) }),
      { domains: [due('one.com', 1), due('two.com', 2), due('three.com', 3)] },
      { REDEEM_PRICES: '{"*": 100}', REDEEM_SUBMIT_CONCURRENCY: '1' },
    );
    expect(s.orders.map((o) => o.domainName)).toEqual(['one.com', 'two.com']);
  });

  it.each([['absent', undefined], ['null', null], ['""', '']])('MybankCreditAmount %s (an account with no MYbank credit line) is none: the balance still pays', async (_label, mybank) => {
    const { s } = await guardedRun(() => ({ body: balanceBody({ AvailableAmount: '1000.00', MybankCreditAmount: mybank }) }), { domains: [due('wanted.com')] }, { REDEEM_PRICES: '{"*": 100}' });
    expect(s.orders.map((o) => o.domainName)).toEqual(['wanted.com']);
  });
});

describe('amounts with more decimals than the guard keeps (ten-thousandths)', () => {
  it('a balance of "99.99995" does not pay an order at 100: the balance is never rounded up', async () => {
    const { s, run } = await guardedRun(() => ({ body: balanceBody({ AvailableAmount: '99.99995' }) }), { domains: [due('wanted.com')] }, { REDEEM_PRICES: '{"*": 100}' });
    expect(s.orders).toHaveLength(0);
    expect(decisionsOf(run).find((d) => d.domain === 'wanted.com')).toMatchObject({ outcome: 'skipped', reason: 'insufficient-balance' });
  });

  it('a price of 33.33334 is never rounded down: 100.00 pays two such orders, not three (3 × 33.33334 = 100.00002)', async () => {
    const { s } = await guardedRun(() => ({ body: balanceBody({ AvailableAmount: '100.00' }) }), { domains: [due('one.com', 1), due('two.com', 2), due('three.com', 3)] }, { REDEEM_PRICES: '{"*": 33.33334}', REDEEM_SUBMIT_CONCURRENCY: '1' });
    expect(s.orders.map((o) => o.domainName)).toEqual(['one.com', 'two.com']);
  });
});

describe('a success answer in another spelling', () => {
  // The page types Code as a String ("200"); the error path already reads a numeric Code (bssErrorBodySchema),
  // the success path refused the whole balance for it, and every run held every order (balance-unknown).
  it('Code 200 as a JSON number with Success true and the documented Data is a balance: the order is placed', async () => {
    const { s, run } = await guardedRun(() => ({ body: balanceBody({}, { Code: 200 }) }), { domains: [due('wanted.com')] }, { REDEEM_PRICES: '{"*": 100}' });
    expect(run.summary.run.read_problems).toBeUndefined();
    expect(s.orders.map((o) => o.domainName)).toEqual(['wanted.com']);
  });

  // A service that writes its empty fields as null (Java serialisers do): the fields the guard does not read
  // (Message, AvailableCashAmount, CreditAmount) null refused the whole balance, and every order was held.
  it('Message, AvailableCashAmount and CreditAmount null beside a readable AvailableAmount is a balance: the order is placed', async () => {
    const { s, run } = await guardedRun(() => ({ body: balanceBody({ AvailableCashAmount: null, CreditAmount: null }, { Message: null }) }), { domains: [due('wanted.com')] }, { REDEEM_PRICES: '{"*": 100}' });
    expect(run.summary.run.read_problems).toBeUndefined();
    expect(s.orders.map((o) => o.domainName)).toEqual(['wanted.com']);
  });

  it('a refusal on HTTP 200 whose Message is null (Success false, NotAuthorized) is still that refusal, with its fix, not a malformed answer', async () => {
    const { s, message } = await guardedRun(() => ({ body: { RequestId: 'R-NULL', Code: 'NotAuthorized', Message: null, Success: false } }), { domains: [due('wanted.com')] }, { REDEEM_PRICES: '{"*": 100}' });
    expect(s.orders).toHaveLength(0);
    expect(message?.run.read_problems.join(' ')).toContain('bss:DescribeAcccount');
  });
});

describe('a due domain the guard holds before its last NOTIFY_AT_RISK_DAYS', () => {
  // Due (REDEEM_WITHIN_DAYS 7) with 4 days left, outside NOTIFY_AT_RISK_DAYS (3): a hold of the guard does not
  // lift by itself (a top-up, a price to add), and a bank transfer takes days. The run that holds it says so.
  const fourDaysLeft = () => Math.floor(Date.now() - (59 - 1 - 5) * 86_400_000);

  it.each([
    ['too little balance', { REDEEM_PRICES: '{"*": 100}' }, 'REDEEM_MIN_BALANCE'],
    ['no price for its TLD', { REDEEM_PRICES: '{"net": 100}' }, 'REDEEM_PRICES'],
  ])('%s: the run tells it at once, with the setting that holds it', async (_label, env, setting) => {
    const { s, run, message } = await guardedRun(() => ({ body: balanceBody({ AvailableAmount: '50.00' }) }), { domains: [domainItem('held.com', fourDaysLeft())] }, env);
    expect(s.orders).toHaveLength(0);
    expect(decisionsOf(run).find((d) => d.domain === 'held.com')).toMatchObject({ outcome: 'skipped', reason: 'insufficient-balance', days_left: 4 });
    expect(run.summary.run.notify).toBe('sent');
    expect(message?.at_risk.map((a) => a.domain)).toEqual(['held.com']);
    expect(String(message?.at_risk[0]?.why)).toContain(setting);
  });
});

describe('who waits when the money runs short between the plan and the submission', () => {
  // README Money, "Who waits": once one cannot be paid, every less urgent one waits too, so the money is kept
  // for the most urgent; "the caps are checked again, against the fresh ledger, right before each submission".
  it('an open order that appears before the most urgent submission (300 less 150 no longer pays a .com at 200) holds the less urgent .net at 100 too, with why', async () => {
    const s = await start({
      domains: [due('urgent.com', 1), due('later.net', 2)],
      script: (call) => {
        // The initial read sees no task; every later look (the one before each submission) sees a console order, not yet paid.
        if (call.action === 'QueryTaskList' && call.n >= 2) {
          return { body: pageBody('QueryTaskList', [{ TaskNo: 'T-CONSOLE', TaskType: 'ORDER_REDEEM', TaskNum: 1, CreateTime: registrarTime(Date.now()), TaskStatusCode: 1 }], { pageNum: 1, nextPage: false, totalPages: 1 }) };
        }
        if (call.action === 'QueryTaskDetailList' && call.params.TaskNo === 'T-CONSOLE') {
          return { body: pageBody('QueryTaskDetailList', [detailItem('T-CONSOLE', 'D-CONSOLE', 'console.org', 0)], { pageNum: 1, nextPage: false, totalPages: 1 }) };
        }
        return undefined;
      },
    });
    bss = await startBss(EMULATOR_CREDENTIALS, () => ({ body: balanceBody({ AvailableAmount: '300.00', AvailableCashAmount: '300.00' }) }));
    const run = await runAgainst(s, { env: { REDEEM_PRICES: '{"com": 200, "net": 100, "org": 150}', BSS_ENDPOINT: bss.url, REDEEM_SUBMIT_CONCURRENCY: '1' } });
    expect(s.orders.map((o) => o.domainName)).toEqual([]);
    expect(decisionsOf(run).find((d) => d.domain === 'urgent.com')).toMatchObject({ outcome: 'skipped', reason: 'insufficient-balance', error_message: expect.stringContaining('below REDEEM_MIN_BALANCE') });
    expect(decisionsOf(run).find((d) => d.domain === 'later.net')).toMatchObject({ outcome: 'skipped', reason: 'insufficient-balance', error_message: expect.stringContaining('urgent.com') });
  });
});

describe('renewals and registrations still processing (ORDER_RENEW, ORDER_ACTIVATE tasks, accounts-and-billing.md 1.2) take money too', () => {
  // Created, and paid, by their task as a redemption is: while open, the balance read may not show them yet.
  it.each([['ORDER_RENEW'], ['ORDER_ACTIVATE']])('an open %s of a .com: 1,000 less its 600 no longer pays a .com at 600, which is held, with why', async (taskType) => {
    const tasks = [{ taskNo: 'T-OTHER', domainName: 'other.com', statusCode: 1, createdMs: Date.now() - 3_600_000, taskType }];
    const { s, run } = await guardedRun(() => ({ body: balanceBody({ AvailableAmount: '1000.00', AvailableCashAmount: '1000.00' }) }), { domains: [due('wanted.com')], tasks }, { REDEEM_PRICES: '{"com": 600}' });
    expect(s.orders).toHaveLength(0);
    expect(decisionsOf(run).find((d) => d.domain === 'wanted.com')).toMatchObject({ outcome: 'skipped', reason: 'insufficient-balance', error_message: expect.stringContaining('600 for other orders not yet paid') });
  });

  it('one that finished before the run is in the balance: the .com is ordered', async () => {
    const tasks = [{ taskNo: 'T-OTHER', domainName: 'other.com', statusCode: 2, createdMs: Date.now() - 3_600_000, taskType: 'ORDER_RENEW' }];
    const { s } = await guardedRun(() => ({ body: balanceBody({ AvailableAmount: '1000.00', AvailableCashAmount: '1000.00' }) }), { domains: [due('wanted.com')], tasks }, { REDEEM_PRICES: '{"com": 600}' });
    expect(s.orders.map((o) => o.domainName)).toEqual(['wanted.com']);
  });
});

describe('a domain REDEEM_PRICES cannot price, beside the count caps', () => {
  // README Money: "a TLD with no price and no * is never ordered"; the guard says such a domain "never blocks
  // the queue". The count caps were handed out before the guard looked, so the most urgent, unpriced one took
  // the only slot and the priced one behind it was not ordered at all.
  it.each([['REDEEM_MAX_PER_RUN'], ['REDEEM_MAX_PER_DAY']])('%s=1: the unpriced first.xyz takes no slot, and second.com (priced, paid for) is ordered', async (cap) => {
    const { s, run } = await guardedRun(() => ({ body: balanceBody({ AvailableAmount: '1000.00' }) }), { domains: [due('first.xyz', 1), due('second.com', 2)] }, { REDEEM_PRICES: '{"com": 100}', [cap]: '1' });
    expect(s.orders.map((o) => o.domainName)).toEqual(['second.com']);
    expect(decisionsOf(run).find((d) => d.domain === 'first.xyz')).toMatchObject({ outcome: 'skipped', reason: 'insufficient-balance', error_message: expect.stringContaining('REDEEM_PRICES has no price for first.xyz') });
  });
});

describe('prices written in one currency, an account billed in another (QueryAccountBalance Data.Currency: CNY, USD or JPY)', () => {
  // An international-site account billed in USD, with 700.00 available; the prices were copied from the
  // China site's page, in CNY. 700 USD pays a .com at 600 CNY (about 85 USD), but the guard must not know it
  // by luck: compared as numbers, a CNY account with 700.00 would pay a .com priced "80" (meant as USD), an
  // order of about 600 CNY that the balance cannot pay.
  const USD_700 = () => ({ body: balanceBody({ AvailableAmount: '700.00', AvailableCashAmount: '700.00', Currency: 'USD' }) });

  it('REDEEM_CURRENCY=CNY against a USD account: nothing is ordered, and the person hears both currencies and what to set', async () => {
    const { s, run, message } = await guardedRun(USD_700, { domains: [due('wanted.com')] }, { REDEEM_PRICES: '{"com": 600}', REDEEM_CURRENCY: 'CNY' });
    expect(s.orders).toHaveLength(0);
    expect(decisionsOf(run).find((d) => d.domain === 'wanted.com')).toMatchObject({ outcome: 'skipped', reason: 'balance-unknown' });
    const said = message?.run.read_problems.join(' ') ?? '';
    expect(said).toContain('USD');
    expect(said).toContain('CNY');
    expect(said).toContain('REDEEM_CURRENCY');
  });

  it('REDEEM_CURRENCY naming the account\'s own currency: the guard compares, and the order is placed', async () => {
    const { s, run } = await guardedRun(USD_700, { domains: [due('wanted.com')] }, { REDEEM_PRICES: '{"com": 90}', REDEEM_CURRENCY: 'usd' });
    expect(s.orders.map((o) => o.domainName)).toEqual(['wanted.com']);
    expect(run.summary.run).toMatchObject({ guard: 'on', balance_currency: 'USD' });
  });

  // RMB (人民币) is how many Chinese users write the renminbi; CNY is its ISO 4217 code, the one BSS answers.
  it.each([['RMB'], ['rmb']])('REDEEM_CURRENCY=%s against a CNY account is the same money: the guard compares, and the order is placed', async (written) => {
    const CNY_700 = () => ({ body: balanceBody({ AvailableAmount: '700.00', AvailableCashAmount: '700.00', Currency: 'CNY' }) });
    const { s, run } = await guardedRun(CNY_700, { domains: [due('wanted.com')] }, { REDEEM_PRICES: '{"com": 600}', REDEEM_CURRENCY: written });
    expect(decisionsOf(run).find((d) => d.domain === 'wanted.com')).not.toMatchObject({ reason: 'balance-unknown' });
    expect(s.orders.map((o) => o.domainName)).toEqual(['wanted.com']);
    expect(run.summary.run).toMatchObject({ guard: 'on', balance_currency: 'CNY' });
  });

  it('REDEEM_CURRENCY=RMB against a USD account: still nothing ordered, and the message names CNY, the code the account would be billed in', async () => {
    const { s, message } = await guardedRun(USD_700, { domains: [due('wanted.com')] }, { REDEEM_PRICES: '{"com": 600}', REDEEM_CURRENCY: 'RMB' });
    expect(s.orders).toHaveLength(0);
    const said = message?.run.read_problems.join(' ') ?? '';
    expect(said).toContain('REDEEM_CURRENCY is CNY');
    expect(said).toContain('USD');
  });
});
