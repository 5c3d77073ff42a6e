/**
 * DingTalk's custom robot answers every refusal with HTTP 200 and an errcode (the vendor notes, §4.1,
 * secondary list): 400102 the robot is stopped, 400013 its group was dissolved, 300001 / 400101 / 40035 /
 * 400106 no robot with that token, 410100 "sent too fast" (as 130101: the robot throttled for minutes).
 * Each must say what to change, and a throttle must hold the robot as 130101 does.
 */
import { describe, expect, it } from 'vitest';
import { sendNotifications, type SendOptions } from '../../shared/notify/deliver.js';
import { buildReport } from '../../shared/notify/report.js';
import { chatRobotsPerTest } from '../support/chat-robots.js';
import { decision, runRecord } from '../support/notify.js';

const start = chatRobotsPerTest();
const report = buildReport([decision('shop.com', 1, { action: 'redeem', reason: 'due', outcome: 'succeeded', task_no: 't-1' })], runRecord(), [], 3);
const options = (): SendOptions => ({ deadlineMs: Date.now() + 10_000, now: Date.now, sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) });

describe('a DingTalk robot that refuses with its other codes', () => {
  it.each([
    [400102, 'bot is stopped', /robot is stopped: start it again/],
    [400013, 'group is dissolved', /group was dissolved/],
    [300001, 'token is not exist', /NOTIFY_DINGTALK_URL: DingTalk knows no robot/],
    [400101, 'access_token not exist', /NOTIFY_DINGTALK_URL: DingTalk knows no robot/],
    [40035, 'missing access_token', /NOTIFY_DINGTALK_URL: DingTalk knows no robot/],
    [400106, 'robot does not exist', /NOTIFY_DINGTALK_URL: DingTalk knows no robot/],
  ] as const)('%s (%s): failed, not retried, says what to change', async (errcode, errmsg, remedy) => {
    const robots = await start();
    robots.answerWith('dingtalk', { body: { errcode, errmsg } });
    const [result] = (await sendNotifications({ channels: { dingtalk: robots.targets().dingtalk } }, report, options())).filter((r) => r.channel === 'dingtalk');
    expect(result).toMatchObject({ status: 'failed', code: String(errcode), attempts: 1 });
    expect(result!.message).toMatch(remedy);
  });

  it('410100 (sent too fast) holds the robot like 130101: the next message of this instance is not sent', async () => {
    const robots = await start();
    robots.answerWith('dingtalk', { body: { errcode: 410100, errmsg: 'send too fast' } });
    const first = (await sendNotifications({ channels: { dingtalk: robots.targets().dingtalk } }, report, options())).find((r) => r.channel === 'dingtalk')!;
    expect(first).toMatchObject({ status: 'failed', code: '410100' });
    const before = robots.received.length;
    const second = (await sendNotifications({ channels: { dingtalk: robots.targets().dingtalk } }, report, options())).find((r) => r.channel === 'dingtalk')!;
    expect(second).toMatchObject({ status: 'failed', code: 'RateLimitAvoided' });
    expect(robots.received.length).toBe(before);
  });

  it('90030 (webhook over limit: a daily quota some DingTalk editions set) says what it is and what to do', async () => {
    const robots = await start();
    robots.answerWith('dingtalk', { body: { errcode: 90030, errmsg: 'webhook over limit' } });
    const [result] = (await sendNotifications({ channels: { dingtalk: robots.targets().dingtalk } }, report, options())).filter((r) => r.channel === 'dingtalk');
    expect(result).toMatchObject({ status: 'failed', code: '90030', attempts: 1 });
    expect(result!.message).toMatch(/webhook over limit → .*quota/);
  });
});

