/**
 * QueryDomainList dates the reference's rules make impossible (domain-api.md §3.1 and §5: ExpirationDateLong
 * is epoch milliseconds; a domain reaches the redemption period, QueryType=2 / DomainStatus 2, only after
 * its expiry and the renewal grace period after it). Written from the reference, against the stand-in.
 */
import { describe, expect, it } from 'vitest';
import { domainItem } from '../support/registrar-standin.js';
import { inboxPerTest } from '../support/webhook-inbox.js';
import { decisionsOf, dueExpiration, runAgainst, standinPerTest } from './standin-runs.js';

const start = standinPerTest();
const openInbox = inboxPerTest();
const DAY_MS = 86_400_000;

describe('a redemption-list domain whose ExpirationDateLong lies in the future', () => {
  it.each([
    ['in microseconds (the expiry of 45 days ago times 1,000: year 50,000 and more, still a safe integer)', (now: number) => (now - 45 * DAY_MS) * 1_000],
    ['a year ahead (a date that cannot be the expiry of a domain in redemption)', (now: number) => now + 365 * DAY_MS],
  ])('%s: an invalid listing a person hears of, not a silent "outside the window"', async (_label, expiry) => {
    const s = await start({ domains: [domainItem('future.com', expiry(Date.now())), domainItem('good.com', dueExpiration('good.com'))] });
    const inbox = await openInbox();
    const run = await runAgainst(s, { env: { NOTIFY_WEBHOOK_URL: inbox.url, NOTIFY_WEBHOOK_SECRET: 'inbox-secret' } });
    expect(Object.fromEntries(s.ordersPerDomain())).toEqual({ 'good.com': 1 });
    const decision = decisionsOf(run).find((d) => d.domain === 'future.com');
    expect(decision).toMatchObject({ action: 'skip', reason: 'invalid-listing' });
    expect(String(decision?.error_message)).toMatch(/ExpirationDateLong/);
    // The message says why it was not ordered, not only that its listing "looks invalid".
    expect(JSON.stringify(inbox.bodies)).toMatch(/"future\.com"[^}]*"why":"[^"]*ExpirationDateLong/);
  });
});

describe('a redemption-list domain whose ExpirationDateLong lies years in the past', () => {
  it('its registration date given as its expiry (2015): an invalid listing, not the most urgent domain; it does not take the one slot of REDEEM_MAX_PER_RUN=1 from a domain a day from its deadline', async () => {
    const realExpiry = dueExpiration('real.com') - 2 * DAY_MS;
    const s = await start({ domains: [domainItem('old.com', Date.UTC(2015, 5, 1)), domainItem('real.com', realExpiry)] });
    const run = await runAgainst(s, { env: { REDEEM_MAX_PER_RUN: '1' } });
    expect(s.orders.map((o) => o.domainName)).toEqual(['real.com']);
    const decision = decisionsOf(run).find((d) => d.domain === 'old.com');
    expect(decision).toMatchObject({ outcome: 'skipped', reason: 'invalid-listing' });
    expect(String(decision?.error_message)).toMatch(/ExpirationDateLong/);
  });

  it('a gTLD whose deadline passed two days ago (the registrar still lists it) is still due and ordered', async () => {
    const s = await start({ domains: [domainItem('late.com', Date.now() - (59 + 2) * DAY_MS)] });
    await runAgainst(s);
    expect(s.orders.map((o) => o.domainName)).toEqual(['late.com']);
  });
});

describe('ExpirationDateLong against ExpirationCurrDateDiff (days from today to expiry, negative once expired: domain-api.md §3.1)', () => {
  it('the day count puts the expiry 45 days before ExpirationDateLong (55 days ago, not 10): the deadline cannot be estimated, an invalid listing a person hears of, not "outside the window"', async () => {
    const s = await start({ domains: [domainItem('disagree.com', Date.now() - 10 * DAY_MS, { ExpirationCurrDateDiff: -55 })] });
    const inbox = await openInbox();
    const run = await runAgainst(s, { env: { NOTIFY_WEBHOOK_URL: inbox.url, NOTIFY_WEBHOOK_SECRET: 'inbox-secret' } });
    expect(s.orders).toHaveLength(0);
    const decision = decisionsOf(run).find((d) => d.domain === 'disagree.com');
    expect(decision).toMatchObject({ action: 'skip', reason: 'invalid-listing' });
    expect(String(decision?.error_message)).toMatch(/ExpirationCurrDateDiff/);
    expect(JSON.stringify(inbox.bodies)).toMatch(/"disagree\.com"[^}]*"why":"[^"]*ExpirationCurrDateDiff/);
  });

  it.each([
    ['agree (a day count rounded down)', -56],
    ['agree (a day count rounded up)', -55],
    ['disagree only by the sign (a day count that counts up after expiry: later, never earlier, so not held)', 55],
    ['agree, the day count given as a string', '-56'],
  ])('when they %s the domain is decided on ExpirationDateLong and ordered', async (_label, diff) => {
    const s = await start({ domains: [domainItem('agree.com', Date.now() - 55.5 * DAY_MS, { ExpirationCurrDateDiff: diff })] });
    await runAgainst(s);
    expect(s.orders.map((o) => o.domainName)).toEqual(['agree.com']);
  });
});

describe('a redemption-list item that is not an object', () => {
  it.each([
    ['null', null],
    ['a string', 'broken.com'],
    ['a number', 42],
    ['an array', ['odd.com']],
  ])('%s among the items: the other domains are still decided and ordered, and the item is told as an invalid listing', async (_label, odd) => {
    const s = await start({
      script: (call) =>
        call.action === 'QueryDomainList' && call.params.QueryType === '2'
          ? { body: { RequestId: 'R', CurrentPageNum: 1, PageSize: 100, TotalItemNum: 2, TotalPageNum: 1, PrePage: false, NextPage: false, Data: { Domain: [odd, domainItem('good.com', dueExpiration('good.com'))] } } }
          : undefined,
    });
    const run = await runAgainst(s);
    expect(run.summary.run.outcome).toBe('completed');
    expect(s.orders.map((o) => o.domainName)).toEqual(['good.com']);
    expect(decisionsOf(run).filter((d) => d.reason === 'invalid-listing')).toHaveLength(1);
  });
});

describe('a renewal-list domain near the end of its grace period (QueryType=1, DomainStatus 1)', () => {
  // domain-api.md §5: gTLD grace "~30 days", and "the redemption period can be off by up to ±24 hours". The
  // redemption deadline is estimated a day early for that reason (DESIGN §3); the day a domain enters
  // redemption, told to a person so that a renewal (a fraction of the redemption fee) comes first, must be too.
  it('expired 28.5 days ago: the grace ends in 1.5 days by the 30-day rule, possibly in half a day; its days_to_redemption is 0 ("redemption within a day"), not 1', async () => {
    const s = await start({ domains: [domainItem('grace.com', Date.now() - 28.5 * DAY_MS, { DomainStatus: '1' })] });
    const inbox = await openInbox();
    const run = await runAgainst(s, { env: { NOTIFY_WEBHOOK_URL: inbox.url, NOTIFY_WEBHOOK_SECRET: 'inbox-secret', NOTIFY_ON: 'always' } });
    const watch = run.records.find((r) => r.kind === 'watch' && r.domain === 'grace.com');
    expect(watch).toMatchObject({ days_to_redemption: 0 });
    expect(JSON.stringify(inbox.bodies)).toMatch(/"domain":"grace\.com"[^}]*"days_to_redemption":0/);
  });
});
