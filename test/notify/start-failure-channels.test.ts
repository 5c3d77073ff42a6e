/**
 * A run that cannot start is told to the robots the NOTIFY_* variables name, read on their own. When what
 * is wrong is itself a notification setting that has nothing to do with reaching a robot (a typo in
 * NOTIFY_ON or NOTIFY_AT_RISK_DAYS, one channel's URL written as http), the other robots can still be
 * reached, and the function fails the same way on every timer run from then on: a person must hear it.
 * Robots: test/support/chat-robots.ts (the vendors' published rules).
 */
import { describe, expect, it } from 'vitest';
import { invokeRun } from '../../shared/fc/invocation.js';
import { createLogger } from '../../shared/log/index.js';
import { chatRobotsPerTest } from '../support/chat-robots.js';
import { EMULATOR_CREDENTIALS } from '../support/emulator.js';

const startRobots = chatRobotsPerTest();

describe('a run that cannot start because of a notification setting', () => {
  it.each([
    ['NOTIFY_ON', { NOTIFY_ON: 'change' }],
    ['NOTIFY_AT_RISK_DAYS', { NOTIFY_AT_RISK_DAYS: 'three' }],
    ['REDEEM_WATCH_RENEWALS', { REDEEM_WATCH_RENEWALS: 'yes' }],
    ['NOTIFY_FEISHU_URL', { NOTIFY_FEISHU_URL: 'http://open.feishu.cn/open-apis/bot/v2/hook/x' }],
  ])('%s is wrong: the robots that can be reached are told, naming it', async (variable, wrong) => {
    const robots = await startRobots();
    const lines: string[] = [];
    const env = { REDEEM_MODE: 'live', REDEEM_DOMAINS: '*', DOMAIN_ENDPOINT: 'http://127.0.0.1:9', NOTIFY_DINGTALK_URL: robots.targets().dingtalk.url, NOTIFY_SLACK_URL: robots.targets().slack.url, ...wrong };
    const platform = { channel: 'event', credentials: EMULATOR_CREDENTIALS, requestId: 'req-1', timeoutSeconds: 60 } as const;
    await expect(invokeRun('timer', {}, platform, { env, logger: createLogger((line) => lines.push(line)) })).rejects.toMatchObject({ code: 'bad-configuration' });
    const dingtalk = robots.posted('dingtalk').at(-1)?.body.markdown.text as string | undefined;
    const slack = robots.posted('slack').at(-1)?.body.text as string | undefined;
    expect(dingtalk, 'DingTalk was told').toContain('RUN FAILED (bad-configuration)');
    expect(dingtalk).toContain(variable);
    expect(slack, 'Slack was told').toContain(variable);
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ kind: 'run', outcome: 'failed', notify: 'sent', notify_dingtalk: 'ok', notify_slack: 'ok' });
  });

  // Since these are told (above), what the error quotes reaches the whole chat group: a WEBHOOK_SECRET
  // (16 characters or more, functions/redeem/app.ts) pasted into NOTIFY_ON must not be in it.
  it.each(['NOTIFY_ON', 'NOTIFY_AT_RISK_DAYS', 'REDEEM_WATCH_RENEWALS'])('a WEBHOOK_SECRET of 20 letters and digits pasted into %s is not told to the robots', async (variable) => {
    const secret = 'Kq3xV9mT2pLw7nRb4sYd';
    const robots = await startRobots();
    const lines: string[] = [];
    const env = { REDEEM_MODE: 'live', REDEEM_DOMAINS: '*', DOMAIN_ENDPOINT: 'http://127.0.0.1:9', NOTIFY_DINGTALK_URL: robots.targets().dingtalk.url, [variable]: secret };
    const platform = { channel: 'event', credentials: EMULATOR_CREDENTIALS, requestId: 'req-1', timeoutSeconds: 60 } as const;
    await expect(invokeRun('timer', {}, platform, { env, logger: createLogger((line) => lines.push(line)) })).rejects.toMatchObject({ code: 'bad-configuration' });
    const dingtalk = robots.posted('dingtalk').at(-1)?.body.markdown.text as string | undefined;
    expect(dingtalk, 'DingTalk was told').toContain(variable);
    expect(dingtalk).not.toContain(secret);
    expect(lines.join('\n')).not.toContain(secret);
  });
});
