/** End to end against the emulator's robots: real HTTP on 127.0.0.1, the vendors' checks and answers. */
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ChannelTarget, NotifyConfig } from '../../shared/notify/config.js';
import { notifyRecordFields, sendNotifications, type SendOptions } from '../../shared/notify/deliver.js';
import { buildReport, testReport } from '../../shared/notify/report.js';
import { forgetRobotSends } from '../../shared/notify/robot-pacing.js';
import type { Emulator } from '../emulator/server.js';
import { ROBOT_NAMES } from '../emulator/robots.js';
import { startEmulator } from '../support/emulator.js';
import { busyRun, decision, NOW, runRecord } from '../support/notify.js';

const SECRETS = { dingtalk: 'SECdingtalk0123456789abcdef', feishu: 'feishu-secret-0123456789', webhook: 'webhook-secret-0123456789' };
const TOKENS = {
  dingtalk: 'dt0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd',
  feishu: '0b8e2f6a-1111-2222-3333-444455556666',
  wecom: '693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa',
  slack: 'XXXXXXXXXXXXslacktokenXX',
};
const ALL_SECRETS = [...Object.values(SECRETS), ...Object.values(TOKENS)];

let emulator: Emulator;
let channels: Record<string, ChannelTarget>;

beforeAll(async () => {
  emulator = await startEmulator({ domains: 10, robots: SECRETS });
  const base = emulator.url;
  channels = {
    dingtalk: { url: `${base}/__robots/dingtalk?access_token=${TOKENS.dingtalk}`, secret: SECRETS.dingtalk },
    feishu: { url: `${base}/__robots/feishu/${TOKENS.feishu}`, secret: SECRETS.feishu },
    wecom: { url: `${base}/__robots/wecom?key=${TOKENS.wecom}` },
    slack: { url: `${base}/__robots/slack/T0001/B0002/${TOKENS.slack}` },
    webhook: { url: `${base}/__robots/webhook`, secret: SECRETS.webhook },
  };
});
afterAll(() => emulator.close());

beforeEach(() => {
  // Each test is a fresh instance: the vendors' caps are counted per process (robot-cap.test.ts).
  forgetRobotSends();
  for (const name of ROBOT_NAMES) emulator.robots.setMode(name, 'ok');
});

function config(overrides: Partial<Record<string, ChannelTarget>> = {}): Pick<NotifyConfig, 'channels'> {
  return { channels: { ...channels, ...overrides } };
}

function options(deadlineInMs = 10_000): SendOptions & { waits: number[] } {
  const waits: number[] = [];
  return { deadlineMs: Date.now() + deadlineInMs, now: Date.now, sleep: async (ms) => void waits.push(ms), waits };
}

function received(name: (typeof ROBOT_NAMES)[number]) {
  return emulator.state('none').robots[name].received;
}

const { decisions, run, watch } = busyRun();
const report = buildReport(decisions, run, watch, 3, { accountId: '1234567890' });

describe('every channel against its robot', () => {
  it('delivers one message per channel, each accepted by the vendor check', async () => {
    const before = Object.fromEntries(ROBOT_NAMES.map((n) => [n, received(n).length]));
    const results = await sendNotifications(config(), report, options());
    const host = new URL(emulator.url).host;
    expect(results).toEqual(ROBOT_NAMES.map((channel) => ({ channel, status: 'ok', code: undefined, message: undefined, host, attempts: 1 })));
    for (const name of ROBOT_NAMES) {
      const got = received(name).slice(before[name]);
      expect(got).toHaveLength(1);
      expect(got[0]!.status).toBe(200);
    }
    const dt = received('dingtalk').at(-1)!.body as any;
    // blog-000003.net, held by REDEEM_MAX_PER_DAY, is left for the next run as well as at risk (test/notify/cap-held-left.test.ts).
    expect(dt.markdown.title).toBe('domain-redeemer · live · account 1234567890: 1 failed · 1 ordered · 4 at risk · 1 left for the next run · 2 to renew');
    expect((received('feishu').at(-1)!.body as any).content.text).toContain('At risk (4): redemption deadline within 3 days');
    expect((received('wecom').at(-1)!.body as any).markdown.content).toContain('**Renew now (2)**');
    expect((received('slack').at(-1)!.body as any).text).toContain('*Failed (1)*');
    const hook = received('webhook').at(-1)!.body as any;
    expect(hook.failed).toEqual([{ domain: 'shop-000002.com', task_no: 'b1c2', error_code: 'ParameterIllegal', error_message: 'the domain expiry changed ‹@all› (click)(http://evil)', days_left: 1, deadline_ms: NOW + 86_400_000 }]);
    expect(hook.run.sls_query).toBe('run_id: run-0f1e2d3c');
  });

  it('delivers a message with 500 domains at risk to every vendor within its limits', async () => {
    const many = buildReport(Array.from({ length: 500 }, (_, i) => decision(`at-risk-${i}.com`, 1, { reason: 'cap-per-day' })), runRecord(), [], 3);
    const results = await sendNotifications(config(), many, options());
    expect(results.map((r) => r.status)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    expect((received('wecom').at(-1)!.body as any).markdown.content).toMatch(/…and \d+ more/);
  });

  it('sends channels in parallel', async () => {
    const started: number[] = [];
    const send = async () => {
      started.push(Date.now());
      await new Promise((resolve) => setTimeout(resolve, 200));
      return { status: 200, headers: {}, body: Buffer.from('{"errcode":0,"code":0}') };
    };
    await sendNotifications(config(), report, { ...options(), send });
    expect(started).toHaveLength(5);
    expect(Math.max(...started) - Math.min(...started)).toBeLessThan(150);
  });
});

describe('failures', () => {
  it('HTTP 200 with an error code is a failure: a wrong signing secret, never retried', async () => {
    const results = await sendNotifications(
      config({ dingtalk: { ...channels.dingtalk!, secret: 'SECwrong' }, feishu: { ...channels.feishu!, secret: 'wrong-feishu' }, webhook: { ...channels.webhook!, secret: 'wrong-webhook' } }),
      report,
      options(),
    );
    const by = Object.fromEntries(results.map((r) => [r.channel, r]));
    expect(by.dingtalk).toMatchObject({ status: 'failed', code: '310000', message: "sign not match → check NOTIFY_DINGTALK_SECRET (the robot's 加签 secret, SEC…), and this machine's clock (within an hour)", attempts: 1 });
    expect(by.feishu).toMatchObject({ status: 'failed', code: '19021', attempts: 1 });
    expect(by.webhook).toMatchObject({ status: 'failed', code: 'HTTP 401', attempts: 1 });
    expect(received('dingtalk').at(-1)!.status).toBe(200);
    expect(notifyRecordFields(results)).toEqual({
      notify_dingtalk: 'failed',
      notify_dingtalk_code: '310000',
      notify_dingtalk_error: by.dingtalk!.message,
      notify_feishu: 'failed',
      notify_feishu_code: '19021',
      notify_feishu_error: by.feishu!.message,
      notify_wecom: 'ok',
      notify_slack: 'ok',
      notify_webhook: 'failed',
      notify_webhook_code: 'HTTP 401',
      notify_webhook_error: by.webhook!.message,
    });
  });

  it('a rate-limit answer is reported, not retried, unless it names its wait (Slack: Retry-After: 1)', async () => {
    const before = Object.fromEntries(ROBOT_NAMES.map((n) => [n, received(n).length]));
    for (const name of ROBOT_NAMES) emulator.robots.setMode(name, 'rate-limit');
    const opts = options();
    const results = await sendNotifications(config(), report, opts);
    expect(results.map((r) => [r.channel, r.status, r.code, r.attempts])).toEqual([
      ['dingtalk', 'failed', '130101', 1],
      // Feishu's 11232 comes of its load around the hour too, with no penalty: asked again (chat-robots.test.ts).
      ['feishu', 'failed', '11232', 3],
      ['wecom', 'failed', '45009', 1],
      ['slack', 'failed', 'HTTP 429', 3],
      ['webhook', 'failed', 'HTTP 429', 1],
    ]);
    expect(results[0]!.message).toMatch(/^rate limited, not retried: send too fast, exceed 20 times per minute → other senders post to this robot too/);
    // Feishu's backoff, and Slack's own second each time (it stays rate limited here).
    expect([...opts.waits].sort((a, b) => a - b)).toEqual([300, 1_000, 1_000, 1_000]);
    for (const name of ROBOT_NAMES) expect(received(name).length - before[name]!).toBe(name === 'feishu' || name === 'slack' ? 3 : 1);
  });

  it('a 5xx is retried with a short backoff; a connection dropped after the robot read the message is not (it may have posted it)', async () => {
    const response = await fetch(`${emulator.url}/__robots/dingtalk/mode`, { method: 'POST', body: '5xx*1' });
    expect(await response.json()).toEqual({ robot: 'dingtalk', mode: '5xx', remaining: 1 });
    emulator.robots.setMode('slack', 'down', 2);
    const before = received('slack').length;
    const opts = options();
    const results = await sendNotifications(config(), report, opts);
    expect(results.find((r) => r.channel === 'dingtalk')).toMatchObject({ status: 'ok', attempts: 2 });
    // Read whole, then the connection dropped: it may have been posted (deliver.ts, ChannelResult unknown).
    expect(results.find((r) => r.channel === 'slack')).toMatchObject({ status: 'unknown', code: 'ECONNRESET', attempts: 1 });
    expect(received('slack').length - before).toBe(1);
    expect(opts.waits).toEqual([300]);
  });

  it('a channel that keeps answering 5xx fails after three attempts', async () => {
    emulator.robots.setMode('wecom', '5xx');
    const results = await sendNotifications({ channels: { wecom: channels.wecom } }, report, options());
    expect(results.find((r) => r.channel === 'wecom')).toMatchObject({ status: 'failed', code: 'HTTP 503', attempts: 3 });
  });

  it('a dead channel (connection refused) is reported as failed within the deadline', async () => {
    const port = await closedPort();
    const started = Date.now();
    const results = await sendNotifications(
      { channels: { dingtalk: { url: `http://127.0.0.1:${port}/robot/send?access_token=${TOKENS.dingtalk}`, secret: SECRETS.dingtalk }, wecom: channels.wecom } },
      report,
      { deadlineMs: started + 3_000, now: Date.now, sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) },
    );
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(results.find((r) => r.channel === 'dingtalk')).toMatchObject({ status: 'failed', code: 'ECONNREFUSED', host: `127.0.0.1:${port}`, attempts: 3 });
    expect(results.find((r) => r.channel === 'wecom')).toMatchObject({ status: 'ok' });
  });

  it('a channel that never answers gives up at the deadline', async () => {
    const silent = await silentServer();
    const port = (silent.address() as AddressInfo).port;
    const started = Date.now();
    const results = await sendNotifications({ channels: { slack: { url: `http://127.0.0.1:${port}/services/T/B/${TOKENS.slack}` } } }, report, {
      deadlineMs: started + 1_500,
      now: Date.now,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    });
    const elapsed = Date.now() - started;
    silent.close();
    expect(elapsed).toBeGreaterThanOrEqual(1_400);
    expect(elapsed).toBeLessThan(2_000);
    // The whole request went out: it may have been posted (deliver.ts, ChannelResult unknown).
    expect(results.find((r) => r.channel === 'slack')).toMatchObject({ status: 'unknown', code: 'Timeout', attempts: 1 });
  });

  it('no channel result carries a URL token or a secret, even when an error quotes the URL', async () => {
    for (const name of ROBOT_NAMES) emulator.robots.setMode(name, 'bad-sign');
    const fromRobots = await sendNotifications(config(), report, options());
    const quoting = await sendNotifications(config(), report, {
      ...options(),
      send: async (exchange) => {
        throw new Error(`could not reach ${exchange.url} with ${String(exchange.body).slice(0, 50)} ${SECRETS.dingtalk} ${SECRETS.feishu} ${SECRETS.webhook}`);
      },
    });
    const text = JSON.stringify([fromRobots, quoting, notifyRecordFields(fromRobots)]);
    expect(quoting[0]!.message).toMatch(/^could not reach \*\*\*&timestamp=\d+&sign=/);
    for (const secret of ALL_SECRETS) expect(text).not.toContain(secret);
    expect(fromRobots.find((r) => r.channel === 'slack')).toMatchObject({ status: 'failed', code: 'no_service' });
    expect(fromRobots.find((r) => r.channel === 'wecom')).toMatchObject({ status: 'failed', code: '93000' });
  });

  it('no message a robot received carries a URL token or a secret', async () => {
    await sendNotifications(config(), testReport({ runId: 'test-run', mode: 'live' }), options());
    const state = emulator.state('none').robots;
    const bodies = JSON.stringify(ROBOT_NAMES.map((n) => state[n].received.map((m) => m.body)));
    expect(bodies).toContain('test message, this channel works');
    for (const secret of ALL_SECRETS) expect(bodies).not.toContain(secret);
  });
});

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Accepts connections and never answers. */
function silentServer(): Promise<Server> {
  return new Promise((resolve) => {
    const sockets: Array<import('node:net').Socket> = [];
    const server = createServer((socket) => void sockets.push(socket));
    server.on('close', () => sockets.forEach((s) => s.destroy()));
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

describe('notifyRun and notify-test', () => {
  it('sends nothing for a quiet run under NOTIFY_ON=changes, and a digest under always', async () => {
    const { notifyRun } = await import('../../shared/notify/notify-run.js');
    const before = received('slack').length;
    const quiet = { decisions: [decision('far.com', 30)], run: runRecord(), watch: [] };
    const base = { atRiskDays: 3, watchRenewals: true, channels: { slack: channels.slack! } } as const;
    const none = await notifyRun({ ...base, on: 'changes' }, quiet, {}, options());
    expect(none).toMatchObject({ sent: false, results: [] });
    expect(received('slack').length).toBe(before);
    const digest = await notifyRun({ ...base, on: 'always' }, quiet, {}, options());
    expect(digest.sent).toBe(true);
    expect((received('slack').at(-1)!.body as any).text).toContain('nothing to report, 6 in redemption checked');
  });

  it('notify-test prints ok or the vendor error per channel, with the host only', async () => {
    const { formatChannelResults, sendTestNotifications } = await import('../../shared/notify/notify-run.js');
    emulator.robots.setMode('feishu', 'bad-sign');
    const results = await sendTestNotifications({ channels: { dingtalk: channels.dingtalk, feishu: channels.feishu } }, { runId: 'notify-test', mode: 'dry-run' }, options());
    const host = new URL(emulator.url).host;
    expect(formatChannelResults(results).split('\n')).toEqual([
      `dingtalk  ok      ${host}`,
      `feishu    failed  ${host} 19021: sign match fail or timestamp is not within one hour from current time → check NOTIFY_FEISHU_SECRET (the bot's 签名校验 secret), and this machine's clock (within an hour)`,
      'wecom     off     -',
      'slack     off     -',
      'webhook   off     -',
    ]);
  });
});
