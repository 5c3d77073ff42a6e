/**
 * A vendor answer whose JSON starts with a UTF-8 byte order mark (a gateway or proxy in front of the robot
 * that re-encodes it): the BOM is no part of the document (RFC 8259 section 8.1 lets a parser ignore it), so
 * the answer is read as the vendor's, not as "not this vendor's answer, it may have been posted".
 * The shapes are the vendors' published ones (test/fixtures/chat-robot-rules.json, from the project's
 * vendor notes); real HTTP to the robot stand-ins (test/support/chat-robots.ts).
 */
import { describe, expect, it } from 'vitest';
import { sendNotifications } from '../../shared/notify/deliver.js';
import { buildReport } from '../../shared/notify/report.js';
import { chatRobotsPerTest } from '../support/chat-robots.js';
import { busyRun } from '../support/notify.js';

const { decisions, run, watch } = busyRun();
const report = buildReport(decisions, run, watch, 3);
const startRobots = chatRobotsPerTest();
const BOM = '\uFEFF';
const options = () => ({ deadlineMs: Date.now() + 8_000, now: Date.now, sleep: async () => undefined });

describe('a JSON answer that starts with a byte order mark', () => {
  it("is the vendor's success: DingTalk and WeCom errcode 0, Feishu code 0 and StatusCode 0", async () => {
    const robots = await startRobots();
    robots.answerWith('dingtalk', { body: `${BOM}{"errcode":0,"errmsg":"ok"}` });
    robots.answerWith('wecom', { body: `${BOM}{"errcode":0,"errmsg":"ok"}` });
    robots.answerWith('feishu', { body: `${BOM}{"StatusCode":0,"StatusMessage":"success","code":0,"data":{},"msg":"success"}` });
    const { dingtalk, feishu, wecom } = robots.targets();
    const results = await sendNotifications({ channels: { dingtalk, feishu, wecom } }, report, options());
    expect(results.filter((r) => r.status !== 'off').map((r) => [r.channel, r.status, r.code])).toEqual([
      ['dingtalk', 'ok', undefined],
      ['feishu', 'ok', undefined],
      ['wecom', 'ok', undefined],
    ]);
  });

  it("is the vendor's refusal, with what to fix: DingTalk 310000 keywords, Feishu 19021", async () => {
    const robots = await startRobots();
    robots.answerWith('dingtalk', { body: `${BOM}{"errcode":310000,"errmsg":"keywords not in content"}` });
    robots.answerWith('feishu', { body: `${BOM}{"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time"}` });
    const { dingtalk, feishu } = robots.targets();
    const results = await sendNotifications({ channels: { dingtalk, feishu } }, report, options());
    const [dt, fs] = results;
    expect([dt!.status, dt!.code, fs!.status, fs!.code]).toEqual(['failed', '310000', 'failed', '19021']);
    expect(dt!.message).toMatch(/keyword.*domain-redeemer/);
    expect(fs!.message).toMatch(/NOTIFY_FEISHU_SECRET/);
  });
});

describe('a refusal with a byte order mark that quotes the token, a character of it escaped', () => {
  it('carries no piece of the token in its result', async () => {
    const robots = await startRobots({ token: 'robot-token-0123456789abcdef' });
    robots.answerWith('dingtalk', { body: `${BOM}{"errcode":300005,"errmsg":"token robot-\\u0074oken-0123456789abcdef is not exist"}` });
    const results = await sendNotifications({ channels: { dingtalk: robots.targets().dingtalk } }, report, options());
    expect(results[0]).toMatchObject({ status: 'failed', code: '300005' });
    expect(results[0]!.message).not.toContain('0123456789abcdef');
  });
});
