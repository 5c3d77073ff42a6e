/**
 * A run of this process ordered a domain a moment ago, and the registrar does not list the task yet (the
 * docs do not say how soon it does, domain-api.md). Meanwhile its redemption-list entry already shows the
 * expiry the order sets, months ahead (the lists lag, §5): the listing "looks invalid". What holds the
 * domain is that order, and a person must hear so: "its listing looks invalid" sends them to the console to
 * order by hand a domain being redeemed (the case e0a8838 mended for a task the registrar lists).
 */
import { describe, expect, it } from 'vitest';
import { domainItem } from '../support/registrar-standin.js';
import { inboxPerTest } from '../support/webhook-inbox.js';
import { decisionsOf, dueExpiration, runAgainst, standinPerTest } from './standin-runs.js';

const start = standinPerTest();
const openInbox = inboxPerTest();
const DAY_MS = 86_400_000;

describe("a domain this process ordered, not listed yet, whose listing then shows the new expiry", () => {
  it('is held by that order and told so, not told "its listing looks invalid"', async () => {
    const s = await start({ domains: [domainItem('justordered.com', dueExpiration('justordered.com'))], listAfterMs: 3_600_000, newTaskStatus: 0 });
    const first = await runAgainst(s, { env: { REDEEM_FOLLOW_SECONDS: '1' } });
    const taskNo = first.summary.decisions[0]!.task_no!;
    expect(taskNo).toBeTruthy();
    s.domains = [domainItem('justordered.com', Date.now() + 320 * DAY_MS, { ExpirationCurrDateDiff: 320, ExpirationDateStatus: '1' })];
    const inbox = await openInbox();
    const next = await runAgainst(s, { env: { REDEEM_FOLLOW_SECONDS: '1', NOTIFY_WEBHOOK_URL: inbox.url, NOTIFY_WEBHOOK_SECRET: 'x'.repeat(32) } });
    expect(s.orders, 'not ordered again').toHaveLength(1);
    const decision = decisionsOf(next).find((d) => d.domain === 'justordered.com');
    expect(decision).toMatchObject({ action: 'skip', reason: 'task-in-flight', task_no: taskNo });
    expect(String(decision?.error_message)).toMatch(/ExpirationDateLong/);
    const why = inbox.bodies.flatMap((b) => (b.at_risk ?? []) as Array<Record<string, unknown>>).map((a) => String(a.why)).join(' | ');
    expect(why).not.toMatch(/looks invalid/);
  }, 30_000);
});
