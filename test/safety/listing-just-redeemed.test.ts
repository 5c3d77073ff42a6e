/**
 * A domain this function redeemed yesterday: its redeem task succeeded (domain-api.md §3.5, TaskStatusCode
 * 2), the registrar's redemption list still names it (its lists may lag by up to 24 h, §5), and its
 * ExpirationDateLong already carries the new expiry a redemption sets, months ahead (with an
 * ExpirationCurrDateDiff that agrees). The future expiry is exactly what a redeemed domain looks like:
 * the person must hear it is redeemed, not be sent to the console by a false "at risk".
 */
import { describe, expect, it } from 'vitest';
import { domainItem } from '../support/registrar-standin.js';
import { inboxPerTest } from '../support/webhook-inbox.js';
import { forgetRegistrar } from '../../shared/run/ledger.js';
import { decisionsOf, runAgainst, standinPerTest } from './standin-runs.js';

const start = standinPerTest();
const openInbox = inboxPerTest();
const DAY_MS = 86_400_000;

describe('a redemption-list domain whose redeem task succeeded, its expiry already moved ahead', () => {
  it('is skipped as already redeemed with its task, and not told as at risk', async () => {
    const newExpiry = Date.now() + 320 * DAY_MS;
    const s = await start({ domains: [domainItem('redeemed.com', newExpiry, { ExpirationCurrDateDiff: 320, ExpirationDateStatus: '1' })], newTaskStatus: 2 });
    const task = s.takeOrder('redeemed.com', String(Date.now() - 45 * DAY_MS))!;
    const inbox = await openInbox();
    forgetRegistrar(s.url);
    const run = await runAgainst(s, { env: { NOTIFY_WEBHOOK_URL: inbox.url, NOTIFY_WEBHOOK_SECRET: 'inbox-secret' } });
    expect(s.orders, 'not ordered again').toHaveLength(1);
    expect(decisionsOf(run).find((d) => d.domain === 'redeemed.com')).toMatchObject({ action: 'skip', reason: 'already-redeemed', task_no: task.taskNo });
    const atRisk = inbox.bodies.flatMap((b) => ((b.at_risk ?? []) as Array<Record<string, unknown>>).map((a) => a.domain));
    expect(atRisk, 'at_risk of the message').toEqual([]);
  });
});

describe('a redemption-list domain whose listing looks invalid while its redeem task is still executing', () => {
  it('is held by the task and told as such: "its listing looks invalid" would send a person to order by hand a domain already being redeemed', async () => {
    const newExpiry = Date.now() + 320 * DAY_MS;
    // TaskStatusCode 1: executing (domain-api.md §3.5); the listing already shows the expiry the order sets.
    const s = await start({ domains: [domainItem('redeeming.com', newExpiry, { ExpirationCurrDateDiff: 320, ExpirationDateStatus: '1' })], newTaskStatus: 1 });
    const task = s.takeOrder('redeeming.com', String(Date.now() - 45 * DAY_MS))!;
    const inbox = await openInbox();
    forgetRegistrar(s.url);
    const run = await runAgainst(s, { env: { NOTIFY_WEBHOOK_URL: inbox.url, NOTIFY_WEBHOOK_SECRET: 'inbox-secret' } });
    expect(s.orders, 'not ordered again').toHaveLength(1);
    const decision = decisionsOf(run).find((d) => d.domain === 'redeeming.com');
    expect(decision).toMatchObject({ action: 'skip', reason: 'task-in-flight', task_no: task.taskNo });
    // The listing's problem stays on the record for whoever reads it.
    expect(String(decision?.error_message)).toMatch(/ExpirationDateLong/);
    const atRisk = inbox.bodies.flatMap((b) => (b.at_risk ?? []) as Array<Record<string, unknown>>).filter((a) => a.domain === 'redeeming.com');
    expect(atRisk.map((a) => String(a.why)).join(' | ')).not.toMatch(/looks invalid/);
  });
});
