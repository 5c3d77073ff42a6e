/**
 * A channel's result message (notify_<channel>_error, which the next run's message repeats) is cut to 300
 * characters. WeCom's real 45009 answer is long (its errmsg carries a hint, the caller's IP and a "more info"
 * URL), and the vendor's words came first: the cut took the advice written here (what to change, and which
 * variable) off the end. The vendor's words are cut, never the advice.
 */
import { describe, expect, it } from 'vitest';
import { sendNotifications, type SendOptions } from '../../shared/notify/deliver.js';
import { buildReport } from '../../shared/notify/report.js';
import { sharedRobotRemedy } from '../../shared/notify/channels/channel.js';
import { chatRobotsPerTest } from '../support/chat-robots.js';
import { decision, runRecord } from '../support/notify.js';

const start = chatRobotsPerTest();
const report = buildReport([decision('shop.com', 1, { action: 'redeem', reason: 'due', outcome: 'succeeded', task_no: 't-1' })], runRecord(), [], 3);
const options = (): SendOptions => ({ deadlineMs: Date.now() + 10_000, now: Date.now, sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) });
// As WeCom words it (the hint and the URL are its own; the IP is this caller's).
const LONG_45009 = 'api freq out of limit, hint: [1701234567123456789012345], from ip: 203.0.113.77, more info at https://open.work.weixin.qq.com/devtool/query?e=45009';

describe('a long vendor answer and the advice after it', () => {
  it('WeCom 45009 with its hint and URL: the message keeps the whole advice, and fits 300 characters', async () => {
    const robots = await start();
    robots.answerWith('wecom', { body: { errcode: 45009, errmsg: LONG_45009 } });
    const [result] = (await sendNotifications({ channels: { wecom: robots.targets().wecom } }, report, options())).filter((r) => r.status !== 'off');
    expect(result).toMatchObject({ channel: 'wecom', status: 'failed', code: '45009' });
    expect(Array.from(result!.message!).length).toBeLessThanOrEqual(300);
    expect(result!.message).toMatch(/^rate limited, not retried: api freq out of limit/);
    const advice = ` → ${sharedRobotRemedy('NOTIFY_WECOM_URL')}`;
    expect(result!.message!.slice(-advice.length)).toBe(advice);
  });

  it('a short answer is left whole', async () => {
    const robots = await start();
    robots.answerWith('wecom', { body: { errcode: 45009, errmsg: 'api freq out of limit' } });
    const [result] = (await sendNotifications({ channels: { wecom: robots.targets().wecom } }, report, options())).filter((r) => r.status !== 'off');
    expect(result!.message).toBe(`rate limited, not retried: api freq out of limit → ${sharedRobotRemedy('NOTIFY_WECOM_URL')}`);
  });
});
