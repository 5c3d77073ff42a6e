/**
 * A request (the webhook, `--domains`) names a domain the registrar's redemption list does not hold:
 * misspelt, another account's, or still in its renewal grace. The run record says so (`not_in_redemption`),
 * but a person who only reads the chat must hear it too: the domain they asked about was not ordered, and
 * with nothing else to tell, no message at all read as "nothing to worry about".
 * Robots: test/support/chat-robots.ts (from the vendors' published rules); registrar: registrar-standin.ts.
 */
import { describe, expect, it } from 'vitest';
import { quickClock, runInProcess } from '../safety/harness.js';
import { dueExpiration, standinEnv, standinPerTest } from '../safety/standin-runs.js';
import { chatRobotsPerTest } from '../support/chat-robots.js';
import { domainItem } from '../support/registrar-standin.js';
import { composeMessage, MARKDOWN, renderMessage } from '../../shared/notify/message.js';
import { buildReport, shouldNotify } from '../../shared/notify/report.js';
import { decision, runRecord } from '../support/notify.js';

const start = standinPerTest();
const DAY = 86_400_000;
const startRobots = chatRobotsPerTest();

describe('a request naming a domain that is not in redemption', () => {
  it('is told to each robot by name, and the webhook carries it', async () => {
    // listed.com is in redemption but far from due (40 days to its deadline): nothing to order, nothing at risk.
    const registrar = await start({ domains: [domainItem('listed.com', Date.now() - 5 * DAY)] });
    const robots = await startRobots();
    const t = robots.targets();
    const env = standinEnv(registrar, { NOTIFY_DINGTALK_URL: t.dingtalk.url, NOTIFY_WECOM_URL: t.wecom.url, NOTIFY_SLACK_URL: t.slack.url, NOTIFY_FEISHU_URL: t.feishu.url, NOTIFY_WEBHOOK_URL: t.webhook.url });
    const run = await runInProcess(env, { clock: quickClock, followIntervalMs: 10, options: { domains: ['listed.com', 'my-shop-typo.com'] } });
    expect(run.summary.run.not_in_redemption).toBe('my-shop-typo.com');
    expect(registrar.orders).toHaveLength(0);
    const texts = robots.lastTexts();
    for (const [robot, text] of Object.entries(texts)) {
      expect(text, `${robot} got no message`).toBeDefined();
      expect(text, robot).toMatch(/Not in redemption \(1\)/);
      expect(text, robot).toContain('my-shop-typo.com');
      expect(text!.split('\n')[0], robot).toMatch(/1 not in redemption/);
    }
    expect(robots.posted('webhook').at(-1)?.body.run.not_in_redemption).toEqual(['my-shop-typo.com']);
    expect(run.summary.run).toMatchObject({ notify: 'sent', notify_dingtalk: 'ok' });
  }, 30_000);

  it('1,000 long names not in redemption beside two orders: every robot gets a message within its limit, the orders and the count in it', async () => {
    const ordered = ['keep-one.com', 'keep-two.com'];
    const registrar = await start({ domains: ordered.map((name) => domainItem(name, dueExpiration(name))) });
    const robots = await startRobots();
    const t = robots.targets();
    const env = standinEnv(registrar, { NOTIFY_DINGTALK_URL: t.dingtalk.url, NOTIFY_WECOM_URL: t.wecom.url, NOTIFY_SLACK_URL: t.slack.url, NOTIFY_FEISHU_URL: t.feishu.url, NOTIFY_WEBHOOK_URL: t.webhook.url });
    const missing = Array.from({ length: 998 }, (_, i) => `${'x'.repeat(55)}-${String(i).padStart(4, '0')}.${'y'.repeat(60)}.com`);
    const run = await runInProcess(env, { clock: quickClock, followIntervalMs: 10, options: { domains: [...ordered, ...missing] } });
    expect(registrar.orders.map((o) => o.domainName).sort()).toEqual(ordered);
    expect(run.summary.run).toMatchObject({ notify: 'sent', notify_dingtalk: 'ok', notify_wecom: 'ok', notify_slack: 'ok', notify_feishu: 'ok', notify_webhook: 'ok' });
    const texts = robots.lastTexts();
    for (const [robot, text] of Object.entries(texts)) {
      expect(text, `${robot} got no message`).toBeDefined();
      expect(text!.split('\n')[0], robot).toMatch(/998 not in redemption/);
      expect(text!.split('\n')[0], robot).toMatch(/2 ordered/);
      for (const name of ordered) expect(text, robot).toContain(name);
    }
  }, 60_000);
});

// With REDEEM_ACCOUNTS the request's domains go to every account's run, and each account lists only its
// own: every other account's run found the named domain "not in redemption" there, and under
// NOTIFY_ON=changes sent a message for it alone, N−1 messages for one domain across N accounts (H22).
describe('an account run (REDEEM_ACCOUNTS) that does not hold a domain the request named', () => {
  const run = runRecord({ not_in_redemption: 'elsewhere.com', candidates: 3 });

  it('is no reason for a message by itself: the domain may be another account\'s', () => {
    expect(shouldNotify(buildReport([], run, [], 3, { accountId: '2000000000000001' }), 'changes')).toBe(false);
    expect(shouldNotify(buildReport([], run, [], 3, { accountId: '2000000000000001' }), 'failures')).toBe(false);
  });

  it("still is in the function's own account, and in an account run's message sent for another reason", () => {
    expect(shouldNotify(buildReport([], run, [], 3), 'changes')).toBe(true);
    const busy = buildReport([decision('late.com', 1, { action: 'redeem', reason: 'due', outcome: 'succeeded', task_no: 't-1' })], run, [], 3, { accountId: '2000000000000001' });
    expect(shouldNotify(busy, 'changes')).toBe(true);
    expect(renderMessage(composeMessage(busy), MARKDOWN)).toContain('elsewhere.com');
  });
});
