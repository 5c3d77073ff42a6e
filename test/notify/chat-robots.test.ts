/**
 * The five channels against stand-ins written from the vendors' published rules (test/support/chat-robots.ts),
 * real HTTP on 127.0.0.1: what fits, what is signed, what each error answer means, and what registrar text
 * can do to a message.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sendNotifications, type SendOptions } from '../../shared/notify/deliver.js';
import { buildReport } from '../../shared/notify/report.js';
import { forgetRobotSends } from '../../shared/notify/robot-pacing.js';
import { EVERY_ROBOT_ACCEPTED, startChatRobots, type ChatRobots } from '../support/chat-robots.js';
import { decision, runRecord, watchRecord } from '../support/notify.js';

const SECRETS = { dingtalk: 'SECd1ngtalk+/=&?#%20 密钥', feishu: 'feishu+/=&?# 密钥', webhook: 'webhook+/=&?# 密钥' };

let robots: ChatRobots | undefined;
beforeEach(() => forgetRobotSends());
afterEach(async () => {
  await robots?.close();
  robots = undefined;
});

function options(deadlineInMs = 10_000): SendOptions {
  return { deadlineMs: Date.now() + deadlineInMs, now: Date.now, sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };
}

/** The text each robot showed. */
function shown(r: ChatRobots): Record<string, string> {
  return r.lastTexts() as Record<string, string>;
}

/** The item lines under a section title (up to the next blank line), "…and N more" excluded. */
function sectionLines(text: string, title: RegExp): string[] {
  const blocks = text.split('\n\n');
  const block = blocks.find((b) => title.test(b.split('\n')[0]!));
  if (!block) return [];
  return block.split('\n').slice(1).filter((l) => !/…and \d+ more/.test(l));
}

describe('a run with hundreds of everything', () => {
  // 40 orders, 30 failures with long Chinese error texts (3 bytes a character), 5 unknown outcomes,
  // 200 domains at risk, 300 renewals, a read that came back short.
  const decisions = [
    ...Array.from({ length: 40 }, (_, i) => decision(`ordered-${i}.中国`, 1, { action: 'redeem', reason: 'due', outcome: 'succeeded', task_no: `task-${i}` })),
    ...Array.from({ length: 30 }, (_, i) =>
      decision(`failed-${i}-中文域名很长很长.中国`, 1, { action: 'redeem', reason: 'due', outcome: 'failed', task_no: `t-${i}`, error_code: 'InternalError', error_message: '域名状态异常，请稍后重试。'.repeat(8) }),
    ),
    ...Array.from({ length: 5 }, (_, i) => decision(`unknown-${i}.com`, 1, { action: 'redeem', reason: 'due', outcome: 'failed', error_code: 'OutcomeUnknown', error_message: 'socket hang up '.repeat(15) })),
    ...Array.from({ length: 200 }, (_, i) => decision(`risk-${i}-xn--fiqs8s-very-long-idn-label.com`, 2, { reason: 'cap-per-day' })),
  ];
  const watch = Array.from({ length: 300 }, (_, i) => watchRecord(`renew-${i}-a-long-domain-name-for-renewal.com`, 5));
  const report = buildReport(decisions, runRecord(), watch, 3, { readProblems: ['the redemption list was served short: 300 of 900 listed'] });

  it('each vendor accepts it, and the urgent sections keep named lines before the renewals keep any', async () => {
    robots = await startChatRobots({ secrets: SECRETS });
    const results = await sendNotifications({ channels: robots.targets() }, report, options());
    expect(results.map((r) => [r.channel, r.status, r.code])).toEqual(EVERY_ROBOT_ACCEPTED);
    for (const [channel, text] of Object.entries(shown(robots))) {
      const failed = sectionLines(text, /Failed \(30\)/);
      const unknown = sectionLines(text, /Outcome unknown \(5\)/);
      const risk = sectionLines(text, /At risk \(200\)/);
      const notRead = sectionLines(text, /Not read/);
      const renew = sectionLines(text, /Renew now \(300\)/);
      // A failed order may be a domain about to be lost: its name must be in the message, not only a count.
      expect({ channel, failed: failed.length > 0, unknown: unknown.length > 0, risk: risk.length > 0, notRead: notRead.length }).toEqual({ channel, failed: true, unknown: true, risk: true, notRead: 1 });
      // Renewals can wait: they give up their lines before any urgent section gives up all of its.
      if (renew.length > 0) expect({ channel, failed: failed.length, risk: risk.length }).toEqual({ channel, failed: 30, risk: 200 });
    }
    // The webhook (64 KiB): every failure and unknown outcome whole, the renewals cut first and counted.
    const hook = robots.posted('webhook').at(-1)!;
    expect(hook.raw.length).toBeLessThanOrEqual(64 * 1024);
    expect({ failed: hook.body.failed.length, unknown: hook.body.outcome_unknown.length, renewCut: hook.body.left_out?.renew > 0 }).toEqual({ failed: 30, unknown: 5, renewCut: true });
    expect(hook.body.renew.length + hook.body.left_out.renew).toBe(300);
  });
});

describe('a failed run with hundreds of everything', () => {
  const long = '域名状态异常，请稍后重试。'.repeat(8);
  const decisions = [
    ...Array.from({ length: 40 }, (_, i) => decision(`ordered-${i}.中国`, 1, { action: 'redeem', reason: 'due', outcome: 'succeeded', task_no: `task-${i}` })),
    ...Array.from({ length: 30 }, (_, i) => decision(`failed-${i}.中国`, 1, { action: 'redeem', reason: 'due', outcome: 'failed', task_no: `t-${i}`, error_code: 'InternalError', error_message: long })),
    ...Array.from({ length: 5 }, (_, i) => decision(`unknown-${i}.com`, 1, { action: 'redeem', reason: 'due', outcome: 'failed', error_code: 'OutcomeUnknown', error_message: long })),
    ...Array.from({ length: 200 }, (_, i) => decision(`risk-${i}.com`, 2, { reason: 'cap-per-day' })),
  ];
  const run = runRecord({ outcome: 'failed', error_code: 'PagingLimit', error_message: '查询域名列表失败：'.repeat(30) });
  const report = buildReport(decisions, run, [], 3, { readProblems: Array.from({ length: 5 }, (_, i) => `read ${i} came back short: ${long}`) });

  it("keeps the run's error and the first item of every urgent section, on every vendor", async () => {
    robots = await startChatRobots({ secrets: SECRETS });
    expect((await sendNotifications({ channels: robots.targets() }, report, options())).map((r) => r.status)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    for (const [channel, text] of Object.entries(shown(robots))) {
      const firsts = [/Run failed/, /Outcome unknown \(5\)/, /Failed \(30\)/, /Ordered \(40\)/, /At risk \(200\)/, /Not read/].map((title) => sectionLines(text, title)[0] ?? 'none');
      expect({ channel, firsts: firsts.map((line) => line !== 'none') }).toEqual({ channel, firsts: [true, true, true, true, true, true] });
      expect(firsts[0]).toContain('PagingLimit');
    }
  });
});

describe('a refusal names the setting to fix', () => {
  const report = buildReport([decision('shop.com', 1, { action: 'redeem', reason: 'due', outcome: 'succeeded', task_no: 't-1' })], runRecord(), [], 3);
  const byChannel = async (channels: Parameters<typeof sendNotifications>[0]['channels']) =>
    Object.fromEntries((await sendNotifications({ channels }, report, options())).filter((r) => r.status !== 'off').map((r) => [r.channel, `${r.code}: ${r.message}`]));

  it('DingTalk 310000: a keyword-protected robot, a wrong 加签 secret, an IP whitelist; 300005 a wrong token', async () => {
    robots = await startChatRobots({ secrets: SECRETS, dingtalkKeywords: ['告警'] });
    const t = robots.targets();
    const keyword = await byChannel({ dingtalk: t.dingtalk });
    expect(keyword.dingtalk).toMatch(/^310000: keywords not in content/);
    expect(keyword.dingtalk).toMatch(/keyword.*"domain-redeemer"/);
    await robots.close();
    robots = await startChatRobots({ secrets: SECRETS });
    const t2 = robots.targets();
    expect((await byChannel({ dingtalk: { ...t2.dingtalk, secret: 'SECwrong' } })).dingtalk).toMatch(/^310000: sign not match.*NOTIFY_DINGTALK_SECRET/);
    robots.answerWith('dingtalk', { body: { errcode: 310000, errmsg: 'ip 47.96.1.2 not in whitelist' } });
    expect((await byChannel({ dingtalk: t2.dingtalk })).dingtalk).toMatch(/^310000: ip 47\.96\.1\.2 not in whitelist.*IP whitelist/);
    expect((await byChannel({ dingtalk: { ...t2.dingtalk, url: t2.dingtalk.url.replace(/access_token=[^&]+/, 'access_token=not-the-token') } })).dingtalk).toMatch(/^300005: token is not exist.*NOTIFY_DINGTALK_URL/);
  });

  it('Feishu 19021, WeCom 93000, Slack no_service, the webhook 401: each names its variable', async () => {
    robots = await startChatRobots({ secrets: SECRETS });
    const t = robots.targets();
    const got = await byChannel({
      feishu: { ...t.feishu, secret: 'wrong' },
      wecom: { url: t.wecom.url.replace(/key=.*/, 'key=wrong-key') },
      slack: { url: t.slack.url.replace(/[^/]+$/, 'revoked-hook-0000') },
      webhook: { ...t.webhook, secret: 'wrong' },
    });
    expect(got.feishu).toMatch(/^19021: .*NOTIFY_FEISHU_SECRET/);
    expect(got.wecom).toMatch(/^93000: .*NOTIFY_WECOM_URL/);
    expect(got.slack).toMatch(/^no_service: .*NOTIFY_SLACK_URL/);
    expect(got.webhook).toMatch(/^HTTP 401: .*NOTIFY_WEBHOOK_SECRET/);
  });

  it('a robot URL with a wrong path (a 404 page of HTML) is said to be the URL, not a vendor error', async () => {
    robots = await startChatRobots({ secrets: SECRETS });
    const base = robots.url;
    const got = await byChannel({ dingtalk: { url: `${base}/robot/sendd?access_token=x`, secret: SECRETS.dingtalk }, wecom: { url: `${base}/cgi-bin/webhook/sned?key=x` }, feishu: { url: `${base}/open-apis/bot/v2/hok/x` } });
    expect(got.dingtalk).toMatch(/^HTTP 404: .*NOTIFY_DINGTALK_URL/);
    expect(got.wecom).toMatch(/^HTTP 404: .*NOTIFY_WECOM_URL/);
    expect(got.feishu).toMatch(/^HTTP 404: .*NOTIFY_FEISHU_URL/);
  });
});

describe('the doctor on a keyword-protected DingTalk robot', () => {
  it('says the keyword is what to fix, not only "the URL, token or secret"', async () => {
    const { checkNotify } = await import('../../shared/doctor/checks.js');
    robots = await startChatRobots({ dingtalkKeywords: ['告警'] });
    const t = robots.targets();
    const check = await checkNotify({ notifyTest: async () => (await sendNotifications({ channels: { dingtalk: { url: t.dingtalk.url } } }, buildReport([], runRecord(), [], 3), options())).filter((r) => r.status !== 'off') });
    expect(JSON.stringify(check)).toMatch(/add \\"domain-redeemer\\" to its keywords/);
  });
});

describe('answers that say "try again"', () => {
  const report = buildReport([decision('shop.com', 1, { action: 'redeem', reason: 'due', outcome: 'succeeded', task_no: 't-1' })], runRecord(), [], 3);

  // Feishu asks senders to avoid the hour and half hour (s.yaml's timer fires at 09:07 for it), where its
  // load answers 11232; a webhook or a run by hand may still send then. That is not our rate (100/min, 5/s, paced in-process) and carries no penalty.
  it('Feishu 11232 around the hour is asked again after a wait, and the message is shown once', async () => {
    robots = await startChatRobots({ secrets: SECRETS });
    robots.answerWith('feishu', { body: { code: 11232, msg: 'frequency limited psm[lark.oapi.app_platform_runtime]appID[1]' } });
    const [result] = (await sendNotifications({ channels: { feishu: robots.targets().feishu } }, report, options())).filter((r) => r.status !== 'off');
    expect(result).toMatchObject({ channel: 'feishu', status: 'ok', attempts: 2 });
    expect(robots.posted('feishu')).toHaveLength(1);
  });

  it('DingTalk -1 (system busy) is asked again; 130101 (too fast, 10 minutes of throttling) is not', async () => {
    robots = await startChatRobots({ secrets: SECRETS });
    robots.answerWith('dingtalk', { body: { errcode: -1, errmsg: '系统繁忙' } });
    const [busy] = (await sendNotifications({ channels: { dingtalk: robots.targets().dingtalk } }, report, options())).filter((r) => r.status !== 'off');
    expect(busy).toMatchObject({ channel: 'dingtalk', status: 'ok', attempts: 2 });
    forgetRobotSends();
    robots.answerWith('dingtalk', { body: { errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' } });
    const [fast] = (await sendNotifications({ channels: { dingtalk: robots.targets().dingtalk } }, report, options())).filter((r) => r.status !== 'off');
    expect(fast).toMatchObject({ channel: 'dingtalk', status: 'failed', code: '130101', attempts: 1 });
  });
});

describe("a 429 with the vendor's Retry-After", () => {
  const report = buildReport([decision('shop.com', 1, { action: 'redeem', reason: 'due', outcome: 'succeeded', task_no: 't-1' })], runRecord(), [], 3);

  // Slack answers its rate limit with 429 and Retry-After in seconds, and asks the sender to wait that
  // long: the message was not posted, and a person hears of the run only if it is sent again.
  it('Slack: waits the seconds it names, sends again, and the message is shown once', async () => {
    robots = await startChatRobots();
    robots.answerWith('slack', { status: 429, body: 'rate_limited', contentType: 'text/plain', headers: { 'retry-after': '1' } });
    const waits: number[] = [];
    const started = Date.now();
    const [result] = (await sendNotifications({ channels: { slack: robots.targets().slack } }, report, { ...options(), sleep: (ms) => (waits.push(ms), new Promise((r) => setTimeout(r, ms))) })).filter((r) => r.status !== 'off');
    expect(result).toMatchObject({ channel: 'slack', status: 'ok', attempts: 2 });
    expect(waits).toEqual([1_000]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(robots.posted('slack')).toHaveLength(1);
  });

  it('a webhook receiver naming an HTTP date is waited for too', async () => {
    robots = await startChatRobots();
    robots.answerWith('webhook', { status: 429, body: '{}', headers: { 'retry-after': new Date(Date.now() + 2_000).toUTCString() } });
    const waits: number[] = [];
    const [result] = (await sendNotifications({ channels: { webhook: robots.targets().webhook } }, report, { ...options(), sleep: (ms) => (waits.push(ms), new Promise((r) => setTimeout(r, ms))) })).filter((r) => r.status !== 'off');
    expect(result).toMatchObject({ channel: 'webhook', status: 'ok', attempts: 2 });
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThan(500);
    expect(waits[0]).toBeLessThanOrEqual(2_000);
  });

  it('still rate limited when asked again: failed, and the record does not say "not retried"', async () => {
    robots = await startChatRobots();
    robots.answerWith('slack', { status: 429, body: 'rate_limited', contentType: 'text/plain', headers: { 'retry-after': '1' } }, 3);
    const [result] = (await sendNotifications({ channels: { slack: robots.targets().slack } }, report, options())).filter((r) => r.status !== 'off');
    expect(result).toMatchObject({ channel: 'slack', status: 'failed', code: 'HTTP 429', attempts: 3 });
    expect(result!.message).not.toMatch(/not retried/);
    expect(result!.message).toMatch(/Retry-After/);
  });

  it('a wait past the deadline is not waited: failed, and the record says how long the vendor asked', async () => {
    robots = await startChatRobots();
    robots.answerWith('slack', { status: 429, body: 'rate_limited', contentType: 'text/plain', headers: { 'retry-after': '30' } });
    const [result] = (await sendNotifications({ channels: { slack: robots.targets().slack } }, report, options(5_000))).filter((r) => r.status !== 'off');
    expect(result).toMatchObject({ channel: 'slack', status: 'failed', code: 'HTTP 429', attempts: 1 });
    expect(result!.message).toMatch(/asked to wait 30 s/);
    expect(robots.received.filter((r) => r.robot === 'slack')).toHaveLength(1);
  });
});

describe("registrar text that speaks a robot's markup", () => {
  // Error messages and names come from the registrar: any of them may carry a vendor's mention syntax,
  // markdown, line breaks or Unicode controls that reorder what a person reads.
  const hostile = [
    '@all <at user_id="all">所有人</at> <!channel> <!here> <!everyone> <@U0123> <!subteam^S0123>',
    '**bold [click](http://evil.example) `code` \n\n# Heading\n- fake item',
    '&lt;!channel&gt; <font color="warning">red</font> @所有人',
  ].join(' ');
  const report = buildReport(
    [
      decision('shop.com', 1, { action: 'redeem', reason: 'due', outcome: 'failed', task_no: 't-1', error_code: 'Oops<!channel>', error_message: hostile }),
      // A right-to-left override makes "evil\u202Emoc.com" read as "evilmoc.com" reversed: another domain to the eye.
      decision('pay\u202Elapyap.com', 1, { reason: 'cap-per-day' }),
      decision('zero\u200Bwidth\u2066.com', 1, { reason: 'cap-per-day' }),
    ],
    runRecord(),
    [],
    3,
  );

  it('pings nobody, opens no link, keeps one line per item, and carries no bidi or invisible controls', async () => {
    robots = await startChatRobots({ secrets: SECRETS });
    const results = await sendNotifications({ channels: robots.targets() }, report, options());
    expect(results.map((r) => r.status)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    const dt = robots.posted('dingtalk').at(-1)!.body;
    expect(dt.at?.isAtAll ?? false).toBe(false);
    for (const [channel, text] of Object.entries(shown(robots))) {
      expect({ channel, mention: /<at |<!|<@|<font/.test(text) }).toEqual({ channel, mention: false });
      expect({ channel, link: /\]\(http/.test(text) }).toEqual({ channel, link: false });
      expect({ channel, heading: /^#/m.test(text) }).toEqual({ channel, heading: false });
      expect({ channel, controls: /[\u061C\u200B\u200E\u200F\u202A-\u202E\u2066-\u2069\uFEFF]/.test(text) }).toEqual({ channel, controls: false });
      // The failure is one line: nothing of it starts a line of its own.
      expect({ channel, fake: /^\W*fake item/m.test(text) }).toEqual({ channel, fake: false });
    }
    // Shown, so that a person sees the name is odd, rather than a name reordered to read as another.
    expect(shown(robots).wecom).toContain('pay\uFFFDlapyap.com');
    // Slack: an entity in the registrar's text stays text (&amp;lt;), it does not become a mention.
    expect(shown(robots).slack).toContain('&amp;lt;!channel&amp;gt;');
  });
});

describe('a robot DingTalk throttles', () => {
  // "Exceeding it throttles the robot for 10 minutes": every message in those minutes is refused, and
  // each is one more over the cap. The runs of one instance (the accounts of REDEEM_ACCOUNTS, webhook runs
  // in a row) share the robot.
  it('gets nothing more from this instance for 10 minutes after a 130101, and the record says why', async () => {
    let now = Date.now();
    robots = await startChatRobots({ secrets: SECRETS, now: () => now });
    const report = buildReport([decision('shop.com', 1, { action: 'redeem', reason: 'due', outcome: 'succeeded', task_no: 't-1' })], runRecord(), [], 3);
    const send = () => sendNotifications({ channels: { dingtalk: robots!.targets().dingtalk } }, report, { deadlineMs: now + 10_000, now: () => now, sleep: async (ms) => void (now += ms) });
    // Another sender on the same robot went over its 20 a minute.
    robots.throttleDingtalk();
    expect((await send()).find((r) => r.channel === 'dingtalk')).toMatchObject({ status: 'failed', code: '130101' });
    now += 5 * 60_000;
    const held = (await send()).find((r) => r.channel === 'dingtalk')!;
    expect(held).toMatchObject({ status: 'failed', code: 'RateLimitAvoided', attempts: 0 });
    expect(held.message).toMatch(/throttles this robot for 10 min after 130101/);
    expect(robots.received.filter((r) => r.robot === 'dingtalk'), 'only the first reached the robot').toHaveLength(1);
    now += 5 * 60_000 + 1_000;
    expect((await send()).find((r) => r.channel === 'dingtalk')).toMatchObject({ status: 'ok' });
  });
});
