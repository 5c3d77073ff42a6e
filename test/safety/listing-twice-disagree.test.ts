/**
 * One domain listed twice in the redemption list (QueryDomainList), once with a date that can be its expiry
 * and once with one that cannot (unreadable, before 1985, in the future): the registrar's answer is
 * untrusted, and two listings that disagree about one domain say nothing sure of it. Ordered on the good
 * one alone, the run paid on a date the registrar's own list contradicts. Held, and the person told which
 * domain and what disagrees. Written against the stand-in.
 */
import { describe, expect, it } from 'vitest';
import { domainItem } from '../support/registrar-standin.js';
import { inboxPerTest } from '../support/webhook-inbox.js';
import { decisionsOf, dueExpiration, runAgainst, standinPerTest } from './standin-runs.js';

const start = standinPerTest();
const openInbox = inboxPerTest();

describe('a domain listed twice, once with a good expiration date and once with a bad one', () => {
  it.each([
    ['unreadable (junk), listed after the good one', (good: number) => [good, 'junk']],
    ['unreadable (junk), listed before the good one', (good: number) => ['junk', good]],
    ['before 1985 (seconds)', (good: number) => [good, Math.floor(good / 1000)]],
    ['in the future (microseconds)', (good: number) => [good, good * 1000]],
  ])('%s: not ordered, and the message names the domain and the disagreement', async (_label, dates) => {
    const good = dueExpiration('twice.com');
    const [first, second] = dates(good);
    const s = await start({ domains: [domainItem('twice.com', first), domainItem('other.com', dueExpiration('other.com')), domainItem('twice.com', second)] });
    const inbox = await openInbox();
    const run = await runAgainst(s, { env: { NOTIFY_WEBHOOK_URL: inbox.url, NOTIFY_WEBHOOK_SECRET: 'inbox-secret' } });
    expect(Object.fromEntries(s.ordersPerDomain()), 'orders taken').toEqual({ 'other.com': 1 });
    const decisions = decisionsOf(run).filter((d) => d.domain === 'twice.com');
    expect(decisions, 'one decision for the domain').toHaveLength(1);
    expect(decisions[0]).toMatchObject({ action: 'skip', reason: 'invalid-listing' });
    expect(String(decisions[0]?.error_message)).toMatch(/listed more than once.*disagree/);
    expect(String(decisions[0]?.error_message)).toContain(`ExpirationDateLong ${good}`);
    const told = inbox.bodies.flatMap((b) => (b.at_risk ?? []) as Array<Record<string, unknown>>).filter((a) => a.domain === 'twice.com');
    expect(told.map((a) => String(a.why)).join(' | ')).toMatch(/listed more than once.*disagree/);
  });

  it('two listings that agree are one domain, ordered once', async () => {
    const good = dueExpiration('twice.com');
    const s = await start({ domains: [domainItem('twice.com', good), domainItem('TWICE.com', String(good))] });
    const run = await runAgainst(s);
    expect(Object.fromEntries(s.ordersPerDomain())).toEqual({ 'twice.com': 1 });
    expect(decisionsOf(run).filter((d) => d.domain === 'twice.com')).toHaveLength(1);
  });

  it('a bad listing alone is held as before, with its own problem', async () => {
    const s = await start({ domains: [domainItem('bad.com', 'junk')] });
    const run = await runAgainst(s);
    expect(s.orders).toHaveLength(0);
    expect(decisionsOf(run).find((d) => d.domain === 'bad.com')).toMatchObject({ reason: 'invalid-listing', error_message: 'ExpirationDateLong is not a positive whole number of milliseconds within the safe range' });
  });
});
