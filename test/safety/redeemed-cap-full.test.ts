/**
 * A domain redeemed an hour ago: its redeem task succeeded (domain-api.md §3.5), and the registrar still
 * lists it in redemption, its states lagging by up to 24 h (§5). That very order fills REDEEM_MAX_PER_DAY.
 * The run must tell it as already redeemed, as it does when the cap has room: told "cap reached" and at risk,
 * a person was sent to order by hand a domain already redeemed (a second fee). Written against the stand-in.
 */
import { describe, expect, it } from 'vitest';
import { domainItem } from '../support/registrar-standin.js';
import { inboxPerTest } from '../support/webhook-inbox.js';
import { decisionsOf, dueExpiration, runAgainst, standinPerTest } from './standin-runs.js';

const start = standinPerTest();
const openInbox = inboxPerTest();

describe("a domain redeemed an hour ago, still listed, while the day's cap is full", () => {
  it.each([
    ['REDEEM_MAX_PER_DAY=1, filled by its own order', { REDEEM_MAX_PER_DAY: '1' }],
    ["REDEEM_MAX_PER_DAY=2, filled by its order and another party's", { REDEEM_MAX_PER_DAY: '2' }],
  ])('%s: told already redeemed with its task, not "cap reached" at risk', async (_label, caps) => {
    const s = await start({
      domains: [domainItem('redeemed.com', dueExpiration('redeemed.com'))],
      tasks: [
        { taskNo: 'T-REDEEMED', domainName: 'redeemed.com', statusCode: 2, createdMs: Date.now() - 3_600_000 },
        { taskNo: 'T-OTHER', domainName: 'other.com', statusCode: 2, createdMs: Date.now() - 2 * 3_600_000 },
      ].slice(0, caps.REDEEM_MAX_PER_DAY === '1' ? 1 : 2),
    });
    const inbox = await openInbox();
    const run = await runAgainst(s, { env: { ...caps, NOTIFY_ON: 'always', NOTIFY_WEBHOOK_URL: inbox.url, NOTIFY_WEBHOOK_SECRET: 'inbox-secret' } });
    expect(s.orders, 'not ordered again').toHaveLength(0);
    expect(decisionsOf(run).find((d) => d.domain === 'redeemed.com')).toMatchObject({ action: 'skip', reason: 'already-redeemed', task_no: 'T-REDEEMED' });
    const [body] = inbox.bodies;
    const named = (list: string) => ((body?.[list] ?? []) as Array<Record<string, unknown>>).map((a) => a.domain);
    expect(named('at_risk'), 'at_risk of the message').toEqual([]);
    expect(named('left_for_next_run'), 'left_for_next_run of the message').toEqual([]);
  });
});

describe('a domain redeemed an hour ago, still listed, that REDEEM_PRICES cannot price', () => {
  it('told already redeemed, not held for its missing price', async () => {
    const s = await start({
      domains: [domainItem('redeemed.xyz', dueExpiration('redeemed.xyz'))],
      tasks: [{ taskNo: 'T-REDEEMED', domainName: 'redeemed.xyz', statusCode: 2, createdMs: Date.now() - 3_600_000 }],
    });
    const run = await runAgainst(s, { env: { REDEEM_PRICES: '{"com": 100}', BSS_ENDPOINT: s.url } });
    expect(s.orders).toHaveLength(0);
    expect(decisionsOf(run).find((d) => d.domain === 'redeemed.xyz')).toMatchObject({ action: 'skip', reason: 'already-redeemed', task_no: 'T-REDEEMED' });
  });
});
