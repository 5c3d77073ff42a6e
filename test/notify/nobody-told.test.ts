/**
 * Every robot refuses the run's message (a keyword the DingTalk robot asks for, a revoked Slack hook: both
 * with the vendor's own answer, test/support/chat-robots.ts). The function log (stdout, where FC ships
 * each record) and the results logstore then hold the only word of what the run did: its run record must
 * say so in one field a person, or an SLS alert, can look for, not only by a channel-by-channel reading of
 * `notify: sent` and `notify_<channel>: failed`.
 */
import { describe, expect, it } from 'vitest';
import { runInProcess } from '../safety/harness.js';
import { dueExpiration, standinEnv, standinPerTest } from '../safety/standin-runs.js';
import { chatRobotsPerTest } from '../support/chat-robots.js';
import { domainItem } from '../support/registrar-standin.js';

const startRegistrar = standinPerTest();
const startRobots = chatRobotsPerTest();

describe('a run whose message every robot refused', () => {
  it('says in its run record that nobody was told, beside what it did', async () => {
    const registrar = await startRegistrar({ domains: [domainItem('unheard.com', dueExpiration('unheard.com'))] });
    const robots = await startRobots({ dingtalkKeywords: ['告警'] });
    robots.answerWith('slack', { status: 404, body: 'no_service', contentType: 'text/html' });
    const env = standinEnv(registrar, { NOTIFY_DINGTALK_URL: robots.targets().dingtalk.url, NOTIFY_SLACK_URL: robots.targets().slack.url, REDEEM_FOLLOW_SECONDS: '1' });
    const { records } = await runInProcess(env, { followIntervalMs: 10 });
    expect(registrar.orders).toHaveLength(1);
    expect(robots.received.filter((r) => r.posted)).toHaveLength(0);
    const run = records.findLast((r) => r.kind === 'run')!;
    expect(run).toMatchObject({ notify_dingtalk: 'failed', notify_slack: 'failed', notified: 'none' });
  }, 30_000);

  it('a message one robot took says nothing of the kind', async () => {
    const registrar = await startRegistrar({ domains: [domainItem('heard.com', dueExpiration('heard.com'))] });
    const robots = await startRobots();
    robots.answerWith('slack', { status: 404, body: 'no_service', contentType: 'text/html' });
    const env = standinEnv(registrar, { NOTIFY_DINGTALK_URL: robots.targets().dingtalk.url, NOTIFY_SLACK_URL: robots.targets().slack.url, REDEEM_FOLLOW_SECONDS: '1' });
    const { records } = await runInProcess(env, { followIntervalMs: 10 });
    const run = records.findLast((r) => r.kind === 'run')!;
    expect(run).toMatchObject({ notify: 'sent', notify_dingtalk: 'ok', notify_slack: 'failed' });
    expect(run.notified).toBeUndefined();
  }, 30_000);
});
