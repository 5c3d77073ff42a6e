/**
 * A robot URL (its access_token is the credential) or a secret pasted into the wrong variable of s.yaml is
 * a typo a person makes. The run then cannot start, and its error is told to every robot, written to the
 * function log and to SLS: the error names the variable, and must not repeat the pasted value, or the
 * robot's token goes to the whole chat group and the logs. Robots: test/support/chat-robots.ts.
 */
import { describe, expect, it } from 'vitest';
import { invokeRun } from '../../shared/fc/invocation.js';
import { createLogger } from '../../shared/log/index.js';
import { chatRobotsPerTest } from '../support/chat-robots.js';
import { EMULATOR_CREDENTIALS } from '../support/emulator.js';

const TOKEN = 'robot-token-5f3c9a0b1d2e4f60';
const startRobots = chatRobotsPerTest();

describe('a robot URL pasted into another variable', () => {
  it.each(['REDEEM_MODE', 'REDEEM_DOMAINS', 'REDEEM_MAX_PER_RUN', 'DOMAIN_SITE', 'REDEEM_MIN_BALANCE', 'REDEEM_ACCOUNTS'])('%s: the variable is named, the URL and its token are in no message, record or log line', async (variable) => {
    const robots = await startRobots({ token: TOKEN });
    const url = robots.targets().dingtalk.url;
    const lines: string[] = [];
    const env = { REDEEM_MODE: 'live', REDEEM_DOMAINS: '*', DOMAIN_ENDPOINT: 'http://127.0.0.1:9', NOTIFY_DINGTALK_URL: url, [variable]: url };
    const platform = { channel: 'event', credentials: EMULATOR_CREDENTIALS, requestId: 'req-1', timeoutSeconds: 60 } as const;
    const error = await invokeRun('timer', {}, platform, { env, logger: createLogger((line) => lines.push(line)) }).catch((e: unknown) => e as Error);
    expect(error).toMatchObject({ code: 'bad-configuration' });
    const text = robots.posted('dingtalk').at(-1)?.body.markdown.text as string;
    expect(text).toContain(variable);
    for (const [where, shown] of [['the message', text], ['the log', lines.join('\n')], ['the error', String((error as Error).message)]] as const) expect(shown, where).not.toContain(TOKEN);
  });

  // A whole line of s.yaml pasted as the value ("NOTIFY_DINGTALK_URL: https://…"): not a URL, so the
  // endpoint variables refused it, quoting it whole, the robot's token with it.
  it.each(['DOMAIN_ENDPOINT', 'SLS_ENDPOINT', 'BSS_ENDPOINT', 'STS_ENDPOINT'])('%s holding a pasted line with the robot URL: the variable is named, the token is in no message or log line', async (variable) => {
    const robots = await startRobots({ token: TOKEN });
    const url = robots.targets().dingtalk.url;
    const lines: string[] = [];
    const env: Record<string, string> = { REDEEM_MODE: 'live', REDEEM_DOMAINS: '*', DOMAIN_ENDPOINT: 'http://127.0.0.1:9', NOTIFY_DINGTALK_URL: url, [variable]: `NOTIFY_DINGTALK_URL: ${url}` };
    if (variable === 'STS_ENDPOINT') env.REDEEM_ACCOUNTS = 'acs:ram::1234567890123456:role/redeemer';
    const platform = { channel: 'event', credentials: EMULATOR_CREDENTIALS, requestId: 'req-1', timeoutSeconds: 60 } as const;
    const error = await invokeRun('timer', {}, platform, { env, logger: createLogger((line) => lines.push(line)) }).catch((e: unknown) => e as Error);
    expect(error).toMatchObject({ code: 'bad-configuration' });
    const text = robots.posted('dingtalk').at(-1)?.body.markdown.text as string;
    expect(text).toContain(variable);
    for (const [where, shown] of [['the message', text], ['the log', lines.join('\n')], ['the error', String((error as Error).message)]] as const) expect(shown, where).not.toContain(TOKEN);
  });
});
