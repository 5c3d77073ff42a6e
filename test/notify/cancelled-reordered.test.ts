/**
 * A redeem order whose task was cancelled (TaskCancelStatusCode 2, domain-api.md §3.6 and §4, as
 * test/support/registrar-standin.ts serves it) placed nothing, and the run orders the domain again. The chat
 * message must count that domain once, as ordered (the registrar took the new order), never as failed too.
 * Robots: test/support/chat-robots.ts; registrar: test/support/registrar-standin.ts.
 */
import { describe, expect, it } from 'vitest';
import { dueExpiration, runAgainst, standinPerTest } from '../safety/standin-runs.js';
import { chatRobotsPerTest } from '../support/chat-robots.js';
import { domainItem } from '../support/registrar-standin.js';

const start = standinPerTest();
const startRobots = chatRobotsPerTest();

describe('an order cancelled, then ordered again', () => {
  it('the message counts and lists it once, as ordered', async () => {
    const s = await start({
      domains: [domainItem('cancelled.com', dueExpiration('cancelled.com')), domainItem('other.com', dueExpiration('other.com'))],
      tasks: [{ taskNo: 'T-cancelled', domainName: 'cancelled.com', statusCode: 0, createdMs: Date.now() - 7_200_000, cancelStatusCode: 2, listStatusCode: 3 }],
    });
    const robots = await startRobots();
    const run = await runAgainst(s, { env: { NOTIFY_DINGTALK_URL: robots.targets().dingtalk.url, REDEEM_FOLLOW_SECONDS: '1' } });
    expect(Object.fromEntries(s.ordersPerDomain())).toEqual({ 'cancelled.com': 1, 'other.com': 1 });
    expect(run.summary.run).toMatchObject({ notify_dingtalk: 'ok' });
    const text = robots.posted('dingtalk').at(-1)?.body.markdown.text as string;
    const summary = text.split('\n')[0]!;
    expect(summary).toMatch(/2 ordered/);
    expect(summary).not.toMatch(/failed|unknown/);
    expect(text).toMatch(/Ordered \(2\)/);
    expect(text.split('cancelled.com').length - 1, text).toBe(1);
  }, 30_000);
});
