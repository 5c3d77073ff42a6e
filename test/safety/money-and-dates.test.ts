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
import { detailItem, domainItem, pageBody, registrarTime, type Scripted, type StandinCall } from '../support/registrar-standin.js';
import { quickClock, runInProcess, type TestClock } from './harness.js';
import { decisionsOf, dueExpiration, runAgainst, standinEnv, standinPerTest } from './standin-runs.js';
import { inboxPerTest } from '../support/webhook-inbox.js';

const start = standinPerTest();
const SAVE = 'SaveSingleTaskForCreatingOrderRedeem';
const HOUR_MS = 3_600_000;
/** How far the registrar's clock may be behind ours: a listed task counts this long past 24 h of its CreateTime. */
const SLACK_MS = 15 * 60_000;
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

  it('an order another party placed mid-run that already FAILED took no money: it does not hold this run\'s second order', async () => {
    const s = await start({
      domains: [due('first.com', 1), due('second.com', 2)],
      script: (call, standin) => {
        if (call.action === 'QueryAccountBalance') return balanceAnswer('250.00');
        if (call.action === SAVE && call.n === 1) standin.tasks.push({ taskNo: 'T-CONSOLE-FAILED', domainName: 'console.com', statusCode: 3, createdMs: Date.now() });
        return undefined;
      },
    });
    await runAgainst(s, { env: { REDEEM_PRICES: '{"*": 100}', BSS_ENDPOINT: s.url, REDEEM_SUBMIT_CONCURRENCY: '1' } });
    expect(s.orders.map((o) => o.domainName)).toEqual(['first.com', 'second.com']);
  });

  it('two runs of one process at once (two webhooks naming different domains) share one balance: 250 pays two orders in all, not two each', async () => {
    const s = await start({ domains: [due('a1.com', 1), due('a2.com', 2), due('b1.com', 1), due('b2.com', 2)], newTaskStatus: 0, script: bss('250.00') });
    const env = standinEnv(s, { REDEEM_PRICES: '{"*": 100}', BSS_ENDPOINT: s.url });
    const both = await Promise.all([
      runInProcess(env, { options: { domains: ['a1.com', 'a2.com'] }, clock: quickClock, budgetMs: 20_000, followIntervalMs: 10 }),
      runInProcess(env, { options: { domains: ['b1.com', 'b2.com'] }, clock: quickClock, budgetMs: 20_000, followIntervalMs: 10 }),
    ]);
    expect(s.orders).toHaveLength(2);
    expect(both.flatMap(decisionsOf).filter((d) => d.reason === 'insufficient-balance')).toHaveLength(2);
  });

  it('this run\'s own orders are counted once, not again when the ledger lists them: 200 pays exactly two', async () => {
    const s = await start({ domains: [due('one.com', 1), due('two.com', 2)], newTaskStatus: 0, script: bss('200.00') });
    await runAgainst(s, { env: { REDEEM_PRICES: '{"*": 100}', BSS_ENDPOINT: s.url, REDEEM_SUBMIT_CONCURRENCY: '1' } });
    expect(s.orders.map((o) => o.domainName)).toEqual(['one.com', 'two.com']);
  });
});

/** The run's clock moved to `at` (then running on in real time), so a test can pick the hour of the day. */
function clockAt(at: number): TestClock {
  const offset = at - Date.now();
  return { ...quickClock, now: () => Date.now() + offset };
}

describe('the day\'s spend (REDEEM_MAX_SPEND_PER_DAY) counts money spent, not orders that failed', () => {
  // A redeem task that ended EXECUTE_FAILURE (the registry refused, or the balance could not pay: the Domain
  // API documents no balance error, so a payment failure shows as a failed task, accounts-and-billing.md 1.2)
  // took no money: the balance guard already leaves it out (it is no unsettled order). Counted at its price on
  // the spend cap, it held the order placed again for that very domain for 24 h, its days running out.
  it('a failed order of this morning at 600 leaves REDEEM_MAX_SPEND_PER_DAY=1000 room for the order placed again at 600', async () => {
    const s = await start({
      domains: [due('retry.com', 1)],
      tasks: [{ taskNo: 'T-FAILED', domainName: 'retry.com', statusCode: 3, createdMs: Date.now() - 2 * HOUR_MS }],
      script: bss('10000.00'),
    });
    const run = await runAgainst(s, { env: { REDEEM_PRICES: '{"com": 600}', REDEEM_MAX_SPEND_PER_DAY: '1000', BSS_ENDPOINT: s.url } });
    expect(decisionsOf(run).find((d) => d.domain === 'retry.com')).not.toMatchObject({ reason: 'cap-spend-per-day' });
    expect(s.orders.map((o) => o.domainName)).toEqual(['retry.com']);
  });

  it('a succeeded order at 600 still counts: the same cap holds a second .com at 600', async () => {
    const s = await start({
      domains: [due('second.com', 1)],
      tasks: [{ taskNo: 'T-DONE', domainName: 'first.com', statusCode: 2, createdMs: Date.now() - 2 * HOUR_MS }],
      script: bss('10000.00'),
    });
    const run = await runAgainst(s, { env: { REDEEM_PRICES: '{"com": 600}', REDEEM_MAX_SPEND_PER_DAY: '1000', BSS_ENDPOINT: s.url } });
    expect(decisionsOf(run).find((d) => d.domain === 'second.com')).toMatchObject({ outcome: 'skipped', reason: 'cap-spend-per-day' });
    expect(s.orders).toHaveLength(0);
  });
});

describe('task times in the ledger, for the day\'s cap', () => {
  it('a CreateTime printed with AM/PM ("Dec 01,2026 01:30:00 PM") is not read as 01:30: a 21.5 h old order still holds the one slot of REDEEM_MAX_PER_DAY=1', async () => {
    // 03:00 UTC on 2 December; the order was placed 21.5 h before, at 13:30 Beijing (05:30 UTC) on 1 December.
    const now = Date.UTC(2026, 11, 2, 3, 0, 0);
    const printed = 'Dec 01,2026 01:30:00 PM';
    const s = await start({
      domains: [domainItem('wanted.com', dueExpiration('wanted.com', now))],
      script: (call) => {
        if (call.action === 'QueryTaskList') {
          return { body: pageBody('QueryTaskList', [{ TaskNo: 'T-PM', TaskType: 'ORDER_REDEEM', TaskNum: 1, CreateTime: printed, TaskStatus: 'COMPLETE', TaskStatusCode: 3 }], { pageNum: 1, nextPage: false, totalPages: 1 }) };
        }
        if (call.action === 'QueryTaskDetailList') {
          return { body: pageBody('QueryTaskDetailList', [{ ...detailItem('T-PM', 'D-PM', 'earlier.com', 2), CreateTime: '2026-12-01 01:30:00 PM', UpdateTime: '2026-12-01 01:31:00 PM' }], { pageNum: 1, nextPage: false, totalPages: 1 }) };
        }
        return undefined;
      },
    });
    const run = await runInProcess(standinEnv(s, { REDEEM_MAX_PER_DAY: '1' }), { clock: clockAt(now), budgetMs: 20_000, followIntervalMs: 10 });
    expect(s.orders).toHaveLength(0);
    expect(decisionsOf(run).find((d) => d.domain === 'wanted.com')).toMatchObject({ outcome: 'skipped', reason: 'cap-per-day' });
  });
});

describe('the deadline estimate of a name the registrar lists', () => {
  it('a TLD spelt like a property of every JS object ("constructor") has no rule: assumed 30 + 14 days, outside the window, not ordered', async () => {
    // Expired 31 days ago (less an hour), past the assumed grace: with 30 + 14 days (less the day of margin) 12 days are left.
    const s = await start({ domains: [domainItem('brand.constructor', Date.now() - 31 * 86_400_000 + HOUR_MS)] });
    const run = await runAgainst(s);
    expect(s.orders).toHaveLength(0);
    expect(decisionsOf(run).find((d) => d.domain === 'brand.constructor')).toMatchObject({ rules: 'assumed', reason: 'outside-window', days_left: 12 });
  });
});

describe('the ledger window near the registrar\'s midnight', () => {
  const BEIJING_MS = 8 * HOUR_MS;
  /** The Beijing calendar day of an instant, as a number of days since the epoch. */
  const beijingDay = (ms: number) => Math.floor((ms + BEIJING_MS) / 86_400_000);

  it('a task the registrar dated just after its midnight (its clock minutes ahead of ours, inside ACS3\'s 15 min) is seen: QueryTaskList filters by whole days', async () => {
    // Our clock: 23:55 Beijing on 1 December. The registrar's: 10 minutes ahead, 00:05 on 2 December.
    const ours = Date.UTC(2026, 11, 1, 15, 55, 0);
    const s = await start({
      domains: [domainItem('contested.com', dueExpiration('contested.com', ours))],
      // Another party's order for the same domain, two minutes old by the registrar's clock, still waiting.
      tasks: [{ taskNo: 'T-AFTER-MIDNIGHT', domainName: 'contested.com', statusCode: 0, createdMs: ours + 8 * 60_000 }],
      script: (call, standin) => {
        if (call.action !== 'QueryTaskList') return undefined;
        // "BeginCreateTime / EndCreateTime (Long ms, by day)": whole registrar (Beijing) days, both ends included.
        const from = beijingDay(Number(call.params.BeginCreateTime));
        const to = beijingDay(Number(call.params.EndCreateTime));
        const listed = standin.tasks.filter((t) => beijingDay(t.createdMs) >= from && beijingDay(t.createdMs) <= to);
        const items = listed.map((t) => ({ TaskNo: t.taskNo, TaskType: 'ORDER_REDEEM', TaskNum: 1, CreateTime: registrarTime(t.createdMs), TaskStatus: t.statusCode >= 2 ? 'COMPLETE' : 'WAITING_EXECUTE', TaskStatusCode: t.statusCode >= 2 ? 3 : t.statusCode + 1 }));
        return { body: pageBody('QueryTaskList', items, { pageNum: 1, nextPage: false, totalPages: 1 }) };
      },
    });
    const run = await runInProcess(standinEnv(s), { clock: clockAt(ours), budgetMs: 20_000, followIntervalMs: 10 });
    expect(s.orders).toHaveLength(0);
    expect(decisionsOf(run).find((d) => d.domain === 'contested.com')).toMatchObject({ outcome: 'skipped', reason: 'task-in-flight', task_no: 'T-AFTER-MIDNIGHT' });
  });
});

describe('an expiration date no domain can have', () => {
  it('ExpirationDateLong in seconds (1970 read as ms) is an invalid listing, not the most urgent domain: it does not take the one slot of REDEEM_MAX_PER_RUN=1 from a domain a day from its deadline', async () => {
    const realExpiry = dueExpiration('real.com') - 2 * 86_400_000;
    const s = await start({ domains: [domainItem('seconds.com', Math.floor(realExpiry / 1000)), domainItem('real.com', realExpiry)] });
    const run = await runAgainst(s, { env: { REDEEM_MAX_PER_RUN: '1' } });
    expect(s.orders.map((o) => o.domainName)).toEqual(['real.com']);
    expect(decisionsOf(run).find((d) => d.domain === 'seconds.com')).toMatchObject({ outcome: 'skipped', reason: 'invalid-listing' });
  });
});

describe('a date beyond what a JS Date can hold', () => {
  const openInbox = inboxPerTest();

  it('a renewal-list domain whose ExpirationDateLong is a safe integer past year 275760 does not cost the message: the order placed is still told', async () => {
    const sink = await openInbox();
    const s = await start({
      script: (call) => {
        if (call.action !== 'QueryDomainList') return undefined;
        const items = call.params.QueryType === '1' ? [domainItem('forever.com', 8_700_000_000_000_000, { DomainStatus: '1' })] : [due('ordered.com')];
        return { body: pageBody('QueryDomainList', items, { pageNum: 1, nextPage: false, totalPages: 1 }) };
      },
    });
    // A text channel renders dates for a person (the webhook channel sends the records as JSON).
    const run = await runAgainst(s, { env: { REDEEM_WATCH_RENEWALS: 'true', NOTIFY_SLACK_URL: sink.url } });
    expect(s.orders.map((o) => o.domainName)).toEqual(['ordered.com']);
    // The inbox answers {} where Slack answers "ok", so the channel says it is not Slack's answer
    // (MalformedResponse, as the JSON channels say of a 200 they cannot read): the message itself arrived.
    expect(run.summary.run).toMatchObject({ notify: 'sent', notify_slack_code: 'MalformedResponse' });
    expect(JSON.stringify(sink.bodies[0])).toContain('ordered.com');
    expect(JSON.stringify(sink.bodies[0])).toContain('forever.com');
  });
});

describe('a due domain the guard holds, told as at risk', () => {
  const inbox = inboxPerTest();
  // An open redeem task of a TLD REDEEM_PRICES has no price for (a console order, another deployment's)
  // leaves the balance left for this run's orders unknown, and the guard holds every priced order while
  // that task is open, however large the balance. The person hearing of the held domain must hear why:
  // 'the account balance is too low' sends them to a balance that is plenty, not to REDEEM_PRICES.
  it('the at-risk line says what holds it (an unpriced open order), not only that the balance is too low', async () => {
    const s = await start({
      domains: [due('wanted.com')],
      tasks: [{ taskNo: 'T-OPEN-XYZ', domainName: 'console.xyz', statusCode: 0, createdMs: Date.now() - HOUR_MS }],
      script: bss('100000.00'),
    });
    const box = await inbox();
    const run = await runAgainst(s, { env: { REDEEM_PRICES: '{"com": 100}', BSS_ENDPOINT: s.url, NOTIFY_WEBHOOK_URL: box.url, NOTIFY_WEBHOOK_SECRET: 'x'.repeat(32) } });
    expect(decisionsOf(run).find((d) => d.domain === 'wanted.com')).toMatchObject({ outcome: 'skipped', reason: 'insufficient-balance' });
    const atRisk = (box.bodies[0]?.at_risk ?? []) as Array<Record<string, unknown>>;
    expect(atRisk.map((a) => a.domain)).toEqual(['wanted.com']);
    expect(String(atRisk[0]!.why)).toContain('console.xyz');
    expect(String(atRisk[0]!.why)).toContain('REDEEM_PRICES has no price');
  });
});

describe('the day\'s cap held by the day before\'s orders, told to a person', () => {
  const openInbox = inboxPerTest();
  // domain-api.md §3.6: CreateTime "Dec 26,2017 11:00:54", no zone; the run reads it as UTC, so an order
  // the registrar dates in Beijing time counts on the rolling 24 h 8 h longer (README, Safety model). The
  // daily timer at 09:07 Beijing then finds the day before's orders still counted; "cap reached" alone
  // sends a person to a console whose last 24 h may show no order at all.
  it('an order of 24 h 3 min ago (a Beijing CreateTime) fills REDEEM_MAX_PER_DAY=1: the at-risk line says how it is counted and when the slot frees', async () => {
    const placedMs = Date.now() - 24 * HOUR_MS - 3 * 60_000;
    const s = await start({
      domains: [domainItem('next-day.com', dueExpiration('next-day.com') - 2 * 86_400_000)],
      tasks: [{ taskNo: 'T-YESTERDAY', domainName: 'yesterday.com', statusCode: 2, createdMs: placedMs }],
    });
    const inbox = await openInbox();
    const run = await runAgainst(s, { env: { REDEEM_MAX_PER_DAY: '1', NOTIFY_WEBHOOK_URL: inbox.url, NOTIFY_WEBHOOK_SECRET: 'inbox-secret' } });
    expect(s.orders).toHaveLength(0);
    const decision = decisionsOf(run).find((d) => d.domain === 'next-day.com');
    expect(decision).toMatchObject({ outcome: 'skipped', reason: 'cap-per-day' });
    // Read as UTC, the Beijing CreateTime is 8 h later than the order: its slot frees 8 h less 3 min from now,
    // and 15 min more, the registrar's clock slack (its CreateTime may be that far behind ours).
    const frees = new Date(Math.floor((placedMs + 8 * HOUR_MS + 24 * HOUR_MS + SLACK_MS) / 1000) * 1000).toISOString().slice(0, 16).replace('T', ' ');
    expect(String(decision?.error_message)).toMatch(/read as UTC/);
    expect(String(decision?.error_message)).toContain(`frees at ${frees} UTC`);
    expect(JSON.stringify(inbox.bodies)).toMatch(new RegExp(`"next-day\\.com"[^}]*"why":"cap reached: REDEEM_MAX_PER_DAY: [^"]*frees at ${frees} UTC`));
  });
});

describe('the day\'s cap reached mid-run, told to a person', () => {
  it('another party\'s order placed between the plan and the submissions: the domain the fresh look holds says what fills REDEEM_MAX_PER_DAY and when a slot frees', async () => {
    const s = await start({
      domains: [domainItem('first.com', dueExpiration('first.com') - 86_400_000), domainItem('second.com', dueExpiration('second.com'))],
      script: (call, standin) => {
        // The look right before the first submission: another party ordered a third domain meanwhile.
        if (call.action === 'QueryTaskList' && call.n === 2) standin.tasks.push({ taskNo: 'T-OTHER', domainName: 'other.com', statusCode: 0, createdMs: Date.now() });
        return undefined;
      },
    });
    const run = await runAgainst(s, { env: { REDEEM_MAX_PER_DAY: '2' } });
    expect(s.orders.map((o) => o.domainName)).toEqual(['first.com']);
    const held = decisionsOf(run).find((d) => d.domain === 'second.com');
    expect(held).toMatchObject({ outcome: 'skipped', reason: 'cap-per-day' });
    expect(String(held?.error_message)).toMatch(/REDEEM_MAX_PER_DAY=2 is used by 2 orders[^;]*read as UTC[^;]*; the first slot frees at \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
  });
});

describe('the day\'s cap exceeded, when a slot frees', () => {
  // REDEEM_MAX_PER_DAY counts every order of the rolling 24 h (README, Safety model). With more orders
  // counted than the cap (a cap lowered, or another party's orders), a slot frees only once enough of them
  // have left the 24 h: the earliest leaving frees none while the later ones still fill the cap.
  it('two listed orders (10 h and 3 h ago) and REDEEM_MAX_PER_DAY=1: the first slot frees when the later one leaves, not the earlier', async () => {
    const earlierMs = Date.now() - 10 * HOUR_MS;
    const laterMs = Date.now() - 3 * HOUR_MS;
    const s = await start({
      domains: [domainItem('waiting.com', dueExpiration('waiting.com') - 2 * 86_400_000)],
      tasks: [
        { taskNo: 'T-EARLIER', domainName: 'earlier.com', statusCode: 2, createdMs: earlierMs },
        { taskNo: 'T-LATER', domainName: 'later.com', statusCode: 2, createdMs: laterMs },
      ],
    });
    const run = await runAgainst(s, { env: { REDEEM_MAX_PER_DAY: '1' } });
    expect(s.orders).toHaveLength(0);
    const decision = decisionsOf(run).find((d) => d.domain === 'waiting.com');
    expect(decision).toMatchObject({ outcome: 'skipped', reason: 'cap-per-day' });
    // The stand-in dates in Beijing time, read as UTC (8 h later), plus the registrar's clock slack: see the test above.
    const minute = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 16).replace('T', ' ');
    expect(String(decision?.error_message)).toMatch(/REDEEM_MAX_PER_DAY=1 is used by 2 orders/);
    expect(String(decision?.error_message)).toContain(`the first slot frees at ${minute(laterMs + 8 * HOUR_MS + 24 * HOUR_MS + SLACK_MS)} UTC`);
  });
});
