/**
 * A robot's answer that is not its JSON (a proxy's or gateway's page, often in Chinese in front of DingTalk,
 * WeCom and Feishu) is shown cut to a short line: the cut falls between characters, never inside a UTF-8
 * sequence (a U+FFFD where a character was), and says it is a cut. Real HTTP to the robot stand-ins
 * (test/support/chat-robots.ts).
 */
import { describe, expect, it } from 'vitest';
import { sendNotifications } from '../../shared/notify/deliver.js';
import { buildReport } from '../../shared/notify/report.js';
import { chatRobotsPerTest } from '../support/chat-robots.js';
import { busyRun } from '../support/notify.js';

const { decisions, run, watch } = busyRun();
const report = buildReport(decisions, run, watch, 3);
const startRobots = chatRobotsPerTest();

describe('a long page in Chinese instead of the vendor answer', () => {
  it.each([
    // 133⅓ characters of 3 bytes in the first 400 bytes: the cut falls inside one.
    ['a 200 (unknown: it may have been posted)', 200, 'unknown'],
    ['a 429', 429, 'failed'],
  ])('%s: cut between characters, and said to be cut', async (_label, status, outcome) => {
    const robots = await startRobots();
    robots.answerWith('dingtalk', { status, body: '网关错误请稍后再试'.repeat(40), contentType: 'text/html; charset=utf-8' });
    const results = await sendNotifications({ channels: { dingtalk: robots.targets().dingtalk } }, report, { deadlineMs: Date.now() + 8_000, now: Date.now, sleep: async () => undefined });
    expect(results[0]!.status).toBe(outcome);
    const message = results[0]!.message!;
    expect(message).toContain('网关错误');
    expect(message).not.toContain('\uFFFD');
    expect(message).toMatch(/…/);
  });
});
