/**
 * Answers that are not the vendor's "posted" are never called delivered: a 302 to a login page, an HTML
 * 200 from a proxy or captive portal, an empty 200, the other vendor's success shape, a code as a string.
 * A 2xx that cannot be read as the vendor's answer is unknown, not failed: the robot may have read the
 * message and posted it (a proxy mangling the answer, the URL of another vendor's robot), so it is not
 * sent again and the next run says the message may not have reached you.
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
    ['an HTML 200 (a proxy, a captive portal)', { status: 200, body: '<html><body>Welcome</body></html>', contentType: 'text/html' }, 'unknown unknown unknown unknown ok'],
    ['an empty 200', { status: 200, body: '' }, 'unknown unknown unknown unknown ok'],
    ['errcode "0" as a string', { body: { errcode: '0', errmsg: 'ok' } }, 'unknown unknown unknown unknown ok'],
    ["Feishu's success shape", { body: { code: 0, msg: 'success' } }, 'unknown ok unknown unknown ok'],
    ["DingTalk's and WeCom's success shape", { body: { errcode: 0, errmsg: 'ok' } }, 'ok unknown ok unknown ok'],
    ["Slack's ok", { body: 'ok', contentType: 'text/html' }, 'unknown unknown unknown ok ok'],
    ['JSON null', { body: 'null' }, 'unknown unknown unknown failed ok'],
    ['Feishu: StatusCode 0 beside a code that refuses', { body: { StatusCode: 0, code: 19021, msg: 'sign match fail' } }, 'unknown failed unknown unknown ok'],
    // A gateway in front of the robot that gave up waiting for it: the robot had the message and may have posted it.
    ['a 504 from a gateway in front of the robot', { status: 504, body: '<html><body>504 Gateway Time-out</body></html>', contentType: 'text/html' }, 'unknown unknown unknown unknown unknown'],
    ['errcode 0 at HTTP 201', { status: 201, body: { errcode: 0, errmsg: 'ok' } }, 'unknown unknown unknown unknown ok'],
    ["Slack's ok at HTTP 201", { status: 201, body: 'ok', contentType: 'text/plain' }, 'unknown unknown unknown unknown ok'],
  ])('%s', async (_label, answer, expected) => {
    const robots = await startRobots();
    for (const channel of CHANNELS) robots.answerWith(channel, answer);
    const results = await sendNotifications({ channels: robots.targets() }, report, { deadlineMs: Date.now() + 8_000, now: Date.now, sleep: async () => undefined });
    expect(results.map((r) => r.status).join(' ')).toBe(expected);
    // What a failure records is a code and words, never the page itself.
    for (const r of results.filter((r) => r.status !== 'ok')) expect(r.code, r.channel).toMatch(/^[\w. ]{1,40}$/);
    // A 2xx the channel cannot read may have been posted (the robot read it, the answer was mangled): unknown, said so.
    for (const r of results.filter((r) => r.status === 'unknown')) {
      expect(r.message, r.channel).toMatch(/may have been posted/);
      expect(r.attempts, r.channel).toBe(1);
    }
  });
});
