/**
 * A due domain the caps held back (REDEEM_MAX_PER_RUN, REDEEM_MAX_PER_DAY) is named in the run's message
 * under "Left for the next run" and counted in its summary line, whatever its days left: six days from its
 * deadline (outside NOTIFY_AT_RISK_DAYS), it was named nowhere. Written against the stand-in.
 */
import { describe, expect, it } from 'vitest';
import { domainItem } from '../support/registrar-standin.js';
import { inboxPerTest } from '../support/webhook-inbox.js';
import { decisionsOf, dueExpiration, runAgainst, standinPerTest } from './standin-runs.js';

const start = standinPerTest();
const openInbox = inboxPerTest();
const DAY_MS = 86_400_000;
/** Six days from its deadline: inside REDEEM_WITHIN_DAYS (7), outside NOTIFY_AT_RISK_DAYS (3). */
const sixDaysLeft = (name: string, extra = 0) => domainItem(name, dueExpiration(name) + 3 * DAY_MS + extra);
const webhook = (url: string) => ({ NOTIFY_WEBHOOK_URL: url, NOTIFY_WEBHOOK_SECRET: 'inbox-secret' });

describe('a due domain a cap held, six days from its deadline', () => {
  it('REDEEM_MAX_PER_RUN=1: the one not ordered is named under left_for_next_run and in the summary', async () => {
    const s = await start({ domains: [sixDaysLeft('first.com'), sixDaysLeft('second.com', 60_000)] });
    const inbox = await openInbox();
    const run = await runAgainst(s, { env: { REDEEM_MAX_PER_RUN: '1', ...webhook(inbox.url) } });
    expect(s.orders.map((o) => o.domainName)).toEqual(['first.com']);
    expect(decisionsOf(run).find((d) => d.domain === 'second.com')).toMatchObject({ reason: 'cap-per-run', outcome: 'skipped' });
    const [body] = inbox.bodies;
    expect(((body?.left_for_next_run ?? []) as Array<Record<string, unknown>>).map((l) => [l.domain, l.why])).toEqual([['second.com', 'cap reached: REDEEM_MAX_PER_RUN']]);
    expect(String(body?.summary)).toMatch(/1 left for the next run/);
  });

  it("REDEEM_MAX_PER_DAY=1 filled by an order of the last hours: named with what fills the day's cap", async () => {
    const s = await start({ domains: [sixDaysLeft('waits.com')], tasks: [{ taskNo: 'T-EARLIER', domainName: 'earlier.com', statusCode: 2, createdMs: Date.now() - 3_600_000 }] });
    const inbox = await openInbox();
    // Nothing ordered and nothing at risk: NOTIFY_ON=changes sends no message (a cap is not a failure).
    await runAgainst(s, { env: { REDEEM_MAX_PER_DAY: '1', NOTIFY_ON: 'always', ...webhook(inbox.url) } });
    expect(s.orders).toHaveLength(0);
    const [body] = inbox.bodies;
    const left = (body?.left_for_next_run ?? []) as Array<Record<string, unknown>>;
    expect(left.map((l) => l.domain)).toEqual(['waits.com']);
    expect(String(left[0]?.why)).toMatch(/^cap reached: REDEEM_MAX_PER_DAY: REDEEM_MAX_PER_DAY=1 is used by 1 order of the last 24 h/);
    expect(String(body?.summary)).toMatch(/1 left for the next run/);
  });
});
