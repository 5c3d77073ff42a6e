/**
 * An order is told to a person once a message about it reached someone, not once a message was tried: a
 * run whose message every channel refused (a keyword-protected DingTalk robot, a revoked Slack hook) placed
 * orders nobody heard of, and the next run must tell them as it tells a killed run's orders.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hostOrderJournal } from '../../shared/cli/host-lock.js';
import { loadConfig } from '../../shared/config/config.js';
import { createLogger } from '../../shared/log/index.js';
import { runRedemption } from '../../shared/run/run.js';
import { forgetRobotSends } from '../../shared/notify/robot-pacing.js';
import { runInProcess } from '../safety/harness.js';
import { dueExpiration, standinPerTest } from '../safety/standin-runs.js';
import { startChatRobots, type ChatRobots } from '../support/chat-robots.js';
import { EMULATOR_CREDENTIALS } from '../support/emulator.js';
import { standinEnv } from '../safety/standin-runs.js';
import { domainItem } from '../support/registrar-standin.js';
import { keysFor, liveRunWithSls, startSlsStandin, type SlsStandin } from '../support/sls-standin.js';

const start = standinPerTest();
let robots: ChatRobots | undefined;
let sls: SlsStandin | undefined;
afterEach(async () => {
  await robots?.close();
  await sls?.close();
  robots = sls = undefined;
});

describe('a run whose message reached no one', () => {
  it("has its orders told by the next run, as 'ordered by a run that never reported'", async () => {
    forgetRobotSends();
    // In flight at the registrar, deadline 3 days away: outside NOTIFY_AT_RISK_DAYS=1, so only the order itself can name it.
    const registrar = await start({ domains: [domainItem('unheard.com', dueExpiration('unheard.com'))], newTaskStatus: 0 });
    sls = await startSlsStandin({ keys: keysFor(EMULATOR_CREDENTIALS) });
    robots = await startChatRobots();
    const env = liveRunWithSls(registrar.url, sls.url, { NOTIFY_DINGTALK_URL: robots.targets().dingtalk.url, NOTIFY_AT_RISK_DAYS: '1', REDEEM_FOLLOW_SECONDS: '1' });
    // The robot asks for a keyword the message lacks: refused with HTTP 200, nothing shown in the group.
    robots.answerWith('dingtalk', { body: { errcode: 310000, errmsg: 'keywords not in content' } });
    const first = await runInProcess(env, { followIntervalMs: 10 });
    expect(registrar.orders).toHaveLength(1);
    expect(first.records.findLast((r) => r.kind === 'run')).toMatchObject({ notify: 'sent', notify_dingtalk: 'failed', notify_dingtalk_code: '310000' });
    expect(robots.posted('dingtalk')).toHaveLength(0);

    await runInProcess(env, { followIntervalMs: 10 });
    expect(registrar.orders, 'not ordered again').toHaveLength(1);
    const shown = robots.posted('dingtalk').map((m) => m.body.markdown.text as string);
    expect(shown, 'the next run sent one message').toHaveLength(1);
    expect(shown[0]).toMatch(/Ordered by a run that never reported \(1\)/);
    expect(shown[0]).toContain(`unheard.com: task ${registrar.orders[0]!.taskNo}`);
  }, 30_000);
});

describe("the CLI's orders file, without a logstore", () => {
  it('writes no told line for a run whose message reached no channel: the next run tells its order', async () => {
    forgetRobotSends();
    const dir = mkdtempSync(join(tmpdir(), 'unheard-'));
    try {
      const registrar = await start({ domains: [domainItem('unheard.com', dueExpiration('unheard.com'))], newTaskStatus: 0 });
      robots = await startChatRobots();
      const env = standinEnv(registrar, { NOTIFY_SLACK_URL: robots.targets().slack.url, NOTIFY_AT_RISK_DAYS: '1', REDEEM_FOLLOW_SECONDS: '1', TMPDIR: dir });
      // Each run as the CLI makes it: its own journal over the one file.
      const run = () => runRedemption({ config: loadConfig(env), credentials: EMULATOR_CREDENTIALS, trigger: 'cli', options: {}, budgetMs: 20_000, followIntervalMs: 10, logger: createLogger(() => undefined), orderJournal: hostOrderJournal(env) });
      // The hook was revoked: 404 no_service.
      robots.answerWith('slack', { status: 404, body: 'no_service', contentType: 'text/html' });
      expect((await run()).run).toMatchObject({ notify: 'sent', notify_slack: 'failed', notify_slack_code: 'no_service' });
      expect(registrar.orders).toHaveLength(1);
      await run();
      const shown = robots.posted('slack').map((m) => m.body.text as string);
      expect(shown).toHaveLength(1);
      expect(shown[0]).toContain(`unheard.com: task ${registrar.orders[0]!.taskNo}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
