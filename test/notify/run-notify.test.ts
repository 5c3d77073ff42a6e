/** Notifications from whole runs against the emulator's robots: one message per run per channel, only when worth it. */
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/config/config.js';
import { createLogger } from '../../shared/log/index.js';
import { runRedemption } from '../../shared/run/run.js';
import { main } from '../../shared/cli/main.js';
import type { Emulator } from '../emulator/server.js';
import { EMULATOR_CREDENTIALS, startEmulator } from '../support/emulator.js';
import { closedPort } from '../support/canned-server.js';

const SECRETS = { dingtalk: 'SEC-dingtalk-signing-secret', feishu: 'feishu-signing-secret', webhook: 'webhook-signing-secret' };
const TOKEN = 'robot-access-token-0123456789';

let emulator: Emulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

function channels(e: Emulator): Record<string, string> {
  return {
    NOTIFY_DINGTALK_URL: `${e.url}/__robots/dingtalk?access_token=${TOKEN}`,
    NOTIFY_DINGTALK_SECRET: SECRETS.dingtalk,
    NOTIFY_FEISHU_URL: `${e.url}/__robots/feishu/${TOKEN}`,
    NOTIFY_FEISHU_SECRET: SECRETS.feishu,
    NOTIFY_WECOM_URL: `${e.url}/__robots/wecom?key=${TOKEN}`,
    NOTIFY_SLACK_URL: `${e.url}/__robots/slack/T0/B0/${TOKEN}`,
    NOTIFY_WEBHOOK_URL: `${e.url}/__robots/webhook`,
    NOTIFY_WEBHOOK_SECRET: SECRETS.webhook,
  };
}

function env(e: Emulator, extra: Record<string, string> = {}): Record<string, string> {
  return {
    REDEEM_MODE: 'live',
    REDEEM_DOMAINS: '*',
    REDEEM_MAX_PER_RUN: '100',
    REDEEM_MAX_PER_DAY: '100',
    REDEEM_API_QPS: '1000', DOMAIN_ENDPOINT: e.url,
    SLS_ENDPOINT: e.url,
    SLS_PROJECT: 'audit',
    SLS_LOGSTORE: 'results',
    ...channels(e),
    ...extra,
  };
}

async function run(variables: Record<string, string>) {
  const lines: string[] = [];
  const summary = await runRedemption({
    config: loadConfig(variables),
    credentials: EMULATOR_CREDENTIALS,
    trigger: 'timer',
    options: {},
    budgetMs: 30_000,
    followIntervalMs: 50,
    logger: createLogger((line) => lines.push(line)),
  });
  return { summary, lines };
}

const received = (e: Emulator) => Object.fromEntries(Object.entries(e.state('none').robots).map(([name, robot]) => [name, robot.received.length]));

describe('notifications from a run', () => {
  it('a run with orders, a failure and a domain at risk sends exactly one message per channel, and says so in the run record', async () => {
    const e = (emulator = await startEmulator({ domains: 200, seed: 9, taskTiming: { waitingMs: 30, executingMs: 60 }, robots: SECRETS, faults: 'task-fail@SaveSingleTaskForCreatingOrderRedeem*1' }));
    // The most urgent due domain is excluded: at risk, with its reason.
    const due = e.domain.domains.filter((d) => d.domainStatus === 2).sort((a, b) => a.expirationDateLong - b.expirationDateLong);
    const { summary, lines } = await run(env(e, { REDEEM_EXCLUDE: due[0]!.domainName }));
    expect(summary.run.count_failed).toBe(1);
    expect(summary.run.count_succeeded).toBeGreaterThan(0);
    expect(received(e)).toEqual({ dingtalk: 1, feishu: 1, wecom: 1, slack: 1, webhook: 1 });
    const record = JSON.parse(lines.at(-1)!);
    expect(record).toMatchObject({ kind: 'run', notify: 'sent', notify_dingtalk: 'ok', notify_feishu: 'ok', notify_wecom: 'ok', notify_slack: 'ok', notify_webhook: 'ok' });
    const markdown = (e.state('none').robots.dingtalk.received[0]!.body as { markdown: { text: string } }).markdown.text;
    expect(markdown).toContain('Failed (1)');
    expect(markdown).toMatch(/At risk \(\d+\)/);
    expect(markdown).toContain(due[0]!.domainName);
    expect(markdown).toContain(`run_id: ${summary.run.run_id}`);

    // Nothing in any output carries a robot token or a secret.
    const everything = JSON.stringify([lines, summary, e.sls.logs]);
    for (const secret of [TOKEN, ...Object.values(SECRETS), EMULATOR_CREDENTIALS.accessKeySecret, EMULATOR_CREDENTIALS.securityToken]) expect(everything).not.toContain(secret);
  });

  it('a second run that changes nothing sends nothing; NOTIFY_ON=always sends a digest all the same', async () => {
    const e = (emulator = await startEmulator({ domains: 200, seed: 9, taskTiming: { waitingMs: 20, executingMs: 20 }, robots: SECRETS }));
    const first = await run(env(e));
    expect(first.summary.run.count_succeeded).toBeGreaterThan(0);
    expect(received(e).dingtalk).toBe(1);
    const second = await run(env(e));
    expect(second.summary.run.count_succeeded + second.summary.run.count_failed + second.summary.run.count_submitted).toBe(0);
    expect(received(e)).toEqual({ dingtalk: 1, feishu: 1, wecom: 1, slack: 1, webhook: 1 });
    expect(JSON.parse(second.lines.at(-1)!)).toMatchObject({ notify: 'quiet' });
    await run(env(e, { NOTIFY_ON: 'always' }));
    expect(received(e)).toEqual({ dingtalk: 2, feishu: 2, wecom: 2, slack: 2, webhook: 2 });
  });

  it('NOTIFY_ON=failures stays quiet for orders that succeeded, and speaks for a failed one', async () => {
    const e = (emulator = await startEmulator({ domains: 200, seed: 9, taskTiming: { waitingMs: 20, executingMs: 20 }, robots: SECRETS }));
    const due = e.domain.domains.filter((d) => d.domainStatus === 2);
    // Only domains that are ordered, nothing else at risk: the allow-list covers every domain in redemption.
    await run(env(e, { NOTIFY_ON: 'failures' }));
    expect(received(e).dingtalk).toBe(0);
    expect(e.domain.tasks.length).toBeGreaterThan(0);
    expect(due.length).toBeGreaterThan(0);
    const e2 = await startEmulator({ domains: 200, seed: 9, taskTiming: { waitingMs: 20, executingMs: 20 }, robots: SECRETS, faults: 'task-fail@SaveSingleTaskForCreatingOrderRedeem*1' });
    try {
      await run(env(e2, { NOTIFY_ON: 'failures' }));
      expect(received(e2).dingtalk).toBe(1);
    } finally {
      await e2.close();
    }
  });

  it('a dead channel or a vendor error leaves the run and the CLI exit code unchanged, and is in the run record', async () => {
    const e = (emulator = await startEmulator({ domains: 200, seed: 9, taskTiming: { waitingMs: 20, executingMs: 20 }, robots: SECRETS }));
    e.robots.setMode('dingtalk', 'rate-limit');
    const variables = env(e, { NOTIFY_SLACK_URL: `http://127.0.0.1:${await closedPort()}/services/T0/B0/${TOKEN}` });
    const { summary, lines } = await run(variables);
    expect(summary.run.outcome).toBe('completed');
    const record = JSON.parse(lines.at(-1)!);
    expect(record).toMatchObject({ notify_slack: 'failed', notify_dingtalk: 'failed', notify_dingtalk_code: '130101', notify_wecom: 'ok' });
    // One rate-limited answer, not hammered.
    expect(e.state('none').robots.dingtalk.received).toHaveLength(1);
    let out = '';
    const code = await main(['run', '--mode', 'live'], { env: { ...variables, ALIBABA_CLOUD_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: EMULATOR_CREDENTIALS.accessKeySecret }, out: (t) => (out += t), err: (t) => (out += t) });
    expect(code).toBe(0);
    expect(out).not.toContain(TOKEN);
  });

  it('a channel that failed on the previous run is named in the next message, read back from the results logstore', async () => {
    const e = (emulator = await startEmulator({ domains: 200, seed: 9, taskTiming: { waitingMs: 20, executingMs: 20 }, robots: SECRETS }));
    e.robots.setMode('dingtalk', 'bad-sign');
    const first = await run(env(e));
    expect(JSON.parse(first.lines.at(-1)!)).toMatchObject({ notify_dingtalk: 'failed', notify_wecom: 'ok' });
    e.robots.setMode('dingtalk', 'ok');
    await run(env(e, { NOTIFY_ON: 'always' }));
    const wecom = e.state('none').robots.wecom.received.at(-1)!.body as { markdown: { content: string } };
    expect(wecom.markdown.content).toContain(`dingtalk failed on the previous run's message (run ${first.summary.run.run_id}, 310000)`);
    // What to fix, from the previous run record's notify_dingtalk_error: 310000 alone is three settings.
    expect(JSON.parse(first.lines.at(-1)!).notify_dingtalk_error).toMatch(/sign not match → check NOTIFY_DINGTALK_SECRET/);
    expect(wecom.markdown.content).toMatch(/310000\): sign not match → check NOTIFY_DINGTALK_SECRET/);
    expect(JSON.stringify(wecom)).not.toContain(TOKEN);
  });

  it('redeemer notify-test sends one test message per configured channel and prints ok or the vendor error, host only', async () => {
    const e = (emulator = await startEmulator({ domains: 10, robots: SECRETS }));
    e.robots.setMode('feishu', 'bad-sign');
    let out = '';
    const code = await main(['notify-test'], { env: channels(e), out: (t) => (out += t), err: (t) => (out += t) });
    expect(code).toBe(1);
    expect(out).toMatch(/dingtalk\s+ok/);
    expect(out).toMatch(/feishu\s+failed\s+127\.0\.0\.1:\d+\s+19021/);
    expect(out).not.toContain(TOKEN);
    expect(received(e)).toEqual({ dingtalk: 1, feishu: 1, wecom: 1, slack: 1, webhook: 1 });
    expect(await main(['notify-test'], { env: {}, out: () => undefined, err: () => undefined })).toBe(2);
  });
});
