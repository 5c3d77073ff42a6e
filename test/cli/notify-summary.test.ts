/**
 * The CLI's summary says what became of the run's chat message. A person running `redeemer run` (by hand,
 * or from cron with its output mailed) is told the SLS delivery; a message every robot refused (a keyword
 * the DingTalk robot asks for, a revoked Slack hook) must be said as plainly, never left out, and never
 * read as sent. Registrar: registrar-standin.ts; robots: chat-robots.ts (the vendors' answer shapes).
 */
import { describe, expect, it } from 'vitest';
import { dueExpiration, standinPerTest } from '../safety/standin-runs.js';
import { chatRobotsPerTest } from '../support/chat-robots.js';
import { runCli } from '../support/emulator.js';
import { domainItem } from '../support/registrar-standin.js';

const start = standinPerTest();
const startRobots = chatRobotsPerTest();

describe('redeemer run: the chat message in the summary', () => {
  it('names each channel that refused the message, with its code and what to fix, and the one that took it', async () => {
    const registrar = await start({ domains: [domainItem('due-now.com', dueExpiration('due-now.com'))] });
    const robots = await startRobots({ dingtalkKeywords: ['告警'] });
    const t = robots.targets();
    const { code, out } = await runCli(registrar, ['run', '--mode', 'live'], { REDEEM_DOMAINS: '*', REDEEM_FOLLOW_SECONDS: '1', NOTIFY_DINGTALK_URL: t.dingtalk.url, NOTIFY_SLACK_URL: t.slack.url });
    expect(registrar.orders).toHaveLength(1);
    expect(robots.posted('dingtalk')).toHaveLength(0);
    expect(robots.posted('slack')).toHaveLength(1);
    expect(code).toBe(0);
    const line = out.split('\n').find((l) => /^Chat message/.test(l));
    expect(line, out).toBeDefined();
    expect(line).toMatch(/dingtalk FAILED \(310000: keywords not in content/);
    expect(line).toMatch(/slack delivered/);
    expect(out).not.toContain('robot-token');
  }, 30_000);

  it('says no message was sent when nothing was worth one', async () => {
    const registrar = await start({ domains: [domainItem('later.com', Date.now() - 5 * 86_400_000)] });
    const robots = await startRobots();
    const { out } = await runCli(registrar, ['plan'], { NOTIFY_SLACK_URL: robots.targets().slack.url });
    expect(out).toMatch(/^Chat message: none sent \(nothing worth one, or no NOTIFY_\* channel configured\)$/m);
    expect(robots.received).toHaveLength(0);
  }, 30_000);
});
