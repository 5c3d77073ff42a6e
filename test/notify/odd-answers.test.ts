/**
 * Answers that are not the vendor's "posted" are never called delivered: a 302 to a login page, an HTML
 * 200 from a proxy or captive portal, an empty 200, the other vendor's success shape, a code as a string.
 * The success signals are the vendors' published ones (test/fixtures/chat-robot-rules.json, from the
 * project's vendor notes): DingTalk and WeCom HTTP 200 with errcode 0, Feishu HTTP 200 with code 0 (or
 * StatusCode 0), Slack HTTP 200 with the body "ok", the notification webhook any 2xx.
 * Real HTTP to the robot stand-ins (test/support/chat-robots.ts).
 */
import { describe, expect, it } from 'vitest';
import { sendNotifications } from '../../shared/notify/deliver.js';
import { buildReport } from '../../shared/notify/report.js';
import { chatRobotsPerTest } from '../support/chat-robots.js';
import { busyRun } from '../support/notify.js';

const { decisions, run, watch } = busyRun();
const report = buildReport(decisions, run, watch, 3);
const startRobots = chatRobotsPerTest();

type Answer = { status?: number; body: string | object; contentType?: string; headers?: Record<string, string> };
const CHANNELS = ['dingtalk', 'feishu', 'wecom', 'slack', 'webhook'] as const;

describe('an answer that is not "posted"', () => {
  it.each<[string, Answer, string]>([
    // [answer, what each of dingtalk feishu wecom slack webhook must end as]
    ['a 302 to a login page', { status: 302, body: '<html>sign in</html>', contentType: 'text/html', headers: { location: 'https://sso.example/login' } }, 'failed failed failed failed failed'],
    ['an HTML 200 (a proxy, a captive portal)', { status: 200, body: '<html><body>Welcome</body></html>', contentType: 'text/html' }, 'failed failed failed failed ok'],
    ['an empty 200', { status: 200, body: '' }, 'failed failed failed failed ok'],
    ['errcode "0" as a string', { body: { errcode: '0', errmsg: 'ok' } }, 'failed failed failed failed ok'],
    ["Feishu's success shape", { body: { code: 0, msg: 'success' } }, 'failed ok failed failed ok'],
    ["DingTalk's and WeCom's success shape", { body: { errcode: 0, errmsg: 'ok' } }, 'ok failed ok failed ok'],
    ["Slack's ok", { body: 'ok', contentType: 'text/html' }, 'failed failed failed ok ok'],
    ['JSON null', { body: 'null' }, 'failed failed failed failed ok'],
    ['Feishu: StatusCode 0 beside a code that refuses', { body: { StatusCode: 0, code: 19021, msg: 'sign match fail' } }, 'failed failed failed failed ok'],
  ])('%s', async (_label, answer, expected) => {
    const robots = await startRobots();
    for (const channel of CHANNELS) robots.answerWith(channel, answer);
    const results = await sendNotifications({ channels: robots.targets() }, report, { deadlineMs: Date.now() + 8_000, now: Date.now, sleep: async () => undefined });
    expect(results.map((r) => r.status).join(' ')).toBe(expected);
    // What a failure records is a code and words, never the page itself.
    for (const r of results.filter((r) => r.status === 'failed')) expect(r.code, r.channel).toMatch(/^[\w. ]{1,40}$/);
  });
});
