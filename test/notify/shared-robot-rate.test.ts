/**
 * DingTalk (130101, "send too fast, exceed 20 times per minute", then 10 minutes of throttling) and WeCom
 * (45009, 20 a minute) refuse a robot over its cap with HTTP 200 (fixture chat-robot-rules.json). This
 * instance keeps its own messages under each cap (robot-pacing.ts), so such a refusal means that others
 * post to the same robot: another tool, or this function's runs on other instances (the account runs of
 * REDEEM_ACCOUNTS are invoked apart). "Rate limited, not retried" alone reads as this function's own
 * fault and leaves a person nothing to change; the record must say what to do, and that this run's orders
 * are told by the next message that gets through.
 */
import { describe, expect, it } from 'vitest';
import { sendNotifications, type SendOptions } from '../../shared/notify/deliver.js';
import { buildReport } from '../../shared/notify/report.js';
import { chatRobotsPerTest } from '../support/chat-robots.js';
import { decision, runRecord } from '../support/notify.js';

const start = chatRobotsPerTest();
const report = buildReport([decision('shop.com', 1, { action: 'redeem', reason: 'due', outcome: 'succeeded', task_no: 't-1' })], runRecord(), [], 3);
const options = (): SendOptions => ({ deadlineMs: Date.now() + 10_000, now: Date.now, sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) });

describe('a robot another sender keeps over its cap', () => {
  it('DingTalk 130101: not retried, and the record says the robot is shared and what to do', async () => {
    const robots = await start();
    // Another sender on the robot went over its 20 a minute: DingTalk throttles it for 10 minutes.
    robots.throttleDingtalk();
    const [result] = (await sendNotifications({ channels: { dingtalk: robots.targets().dingtalk } }, report, options())).filter((r) => r.status !== 'off');
    expect(result).toMatchObject({ channel: 'dingtalk', status: 'failed', code: '130101', attempts: 1 });
    expect(result!.message).toMatch(/^rate limited, not retried: send too fast/);
    expect(result!.message).toMatch(/other senders.*robot of its own.*NOTIFY_DINGTALK_URL/);
  });

  it('WeCom 45009: the same, naming NOTIFY_WECOM_URL', async () => {
    const robots = await start();
    robots.answerWith('wecom', { body: { errcode: 45009, errmsg: 'api freq out of limit' } });
    const [result] = (await sendNotifications({ channels: { wecom: robots.targets().wecom } }, report, options())).filter((r) => r.status !== 'off');
    expect(result).toMatchObject({ channel: 'wecom', status: 'failed', code: '45009', attempts: 1 });
    expect(result!.message).toMatch(/other senders.*robot of its own.*NOTIFY_WECOM_URL/);
  });
});
