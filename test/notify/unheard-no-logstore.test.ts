/**
 * A run whose records never reached the results logstore (SLS unreachable for the whole run) and whose
 * message reached no robot: the order it placed is on stdout (FC's function log) alone. The next run of the
 * same warm instance, with SLS and the robot back, must tell that order: the logstore the next run reads
 * has no word of it, but this process placed it and knows that no message of it reached anyone.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { forgetRobotSends } from '../../shared/notify/robot-pacing.js';
import { runInProcess } from '../safety/harness.js';
import { dueExpiration, standinPerTest } from '../safety/standin-runs.js';
import { startChatRobots, type ChatRobots } from '../support/chat-robots.js';
import { EMULATOR_CREDENTIALS } from '../support/emulator.js';
import { domainItem, type Scripted, type StandinCall } from '../support/registrar-standin.js';
import { keysFor, liveRunWithSls, startSlsStandin, type SlsStandin } from '../support/sls-standin.js';

const start = standinPerTest();
let robots: ChatRobots | undefined;
let sls: SlsStandin | undefined;
afterEach(async () => {
  await robots?.close();
  await sls?.close();
  robots = sls = undefined;
});

describe('a run that reached neither the logstore nor a robot', () => {
  it('has its order told by the next run of the same instance', async () => {
    forgetRobotSends();
    // In flight at the registrar, deadline 3 days away: outside NOTIFY_AT_RISK_DAYS=1, so only the order itself can name it.
    const registrar = await start({ domains: [domainItem('nolog.com', dueExpiration('nolog.com'))], newTaskStatus: 0 });
    let down = true;
    // SLS's documented 500 InternalServerError to every call while `down` (sls.md: a retryable server error).
    sls = await startSlsStandin({ keys: keysFor(EMULATOR_CREDENTIALS), script: () => (down ? { status: 500, errorCode: 'InternalServerError', errorMessage: 'internal server error' } : undefined) });
    robots = await startChatRobots();
    const env = liveRunWithSls(registrar.url, sls.url, { NOTIFY_SLACK_URL: robots.targets().slack.url, NOTIFY_AT_RISK_DAYS: '1', REDEEM_FOLLOW_SECONDS: '1' });
    // The hook was revoked: 404 no_service (Slack's own answer).
    robots.answerWith('slack', { status: 404, body: 'no_service', contentType: 'text/html' });
    const first = await runInProcess(env, { followIntervalMs: 10 });
    expect(registrar.orders).toHaveLength(1);
    expect(first.summary.run).toMatchObject({ sls_delivery: 'failed', notify_slack: 'failed' });
    expect(sls.logs, 'nothing reached the logstore').toHaveLength(0);
    expect(robots.posted('slack')).toHaveLength(0);

    down = false;
    await runInProcess(env, { followIntervalMs: 10 });
    expect(registrar.orders, 'not ordered again').toHaveLength(1);
    const shown = robots.posted('slack').map((m) => m.body.text as string);
    expect(shown, 'the next run sent one message').toHaveLength(1);
    expect(shown[0]).toMatch(/Ordered by a run that never reported \(1\)/);
    expect(shown[0]).toContain(`nolog.com: task ${registrar.orders[0]!.taskNo} (run ${first.summary.run.run_id})`);
  }, 60_000);

  it('has its order of unknown outcome told by the next run of the same instance', async () => {
    forgetRobotSends();
    // The first order's connection is dropped before the registrar takes it: run 1 records OutcomeUnknown.
    let armed = true;
    const script = (call: StandinCall): Scripted | undefined => {
      if (!armed || call.action !== 'SaveSingleTaskForCreatingOrderRedeem') return undefined;
      armed = false;
      return 'drop';
    };
    const registrar = await start({ domains: [domainItem('nolog.com', dueExpiration('nolog.com'))], newTaskStatus: 0, script: script as never });
    let down = true;
    sls = await startSlsStandin({ keys: keysFor(EMULATOR_CREDENTIALS), script: () => (down ? { status: 500, errorCode: 'InternalServerError', errorMessage: 'internal server error' } : undefined) });
    robots = await startChatRobots();
    const env = liveRunWithSls(registrar.url, sls.url, { NOTIFY_SLACK_URL: robots.targets().slack.url, NOTIFY_AT_RISK_DAYS: '1', REDEEM_FOLLOW_SECONDS: '1' });
    robots.answerWith('slack', { status: 404, body: 'no_service', contentType: 'text/html' });
    const first = await runInProcess(env, { followIntervalMs: 10 });
    expect(first.records.filter((r) => r.kind === 'decision').map((d) => d.error_code)).toEqual(['OutcomeUnknown']);
    expect(first.summary.run).toMatchObject({ sls_delivery: 'failed', notify_slack: 'failed' });
    expect(sls.logs).toHaveLength(0);

    down = false;
    await runInProcess(env, { followIntervalMs: 10 });
    const shown = robots.posted('slack').map((m) => m.body.text as string);
    expect(shown, 'the next run sent one message').toHaveLength(1);
    expect(shown[0]).toMatch(/Outcome unknown \(1\)/);
    expect(shown[0]).toContain(`sent by run ${first.summary.run.run_id}`);
  }, 60_000);

  it("says that the earlier run's records never reached the logstore, so a person looks in the function log", async () => {
    forgetRobotSends();
    // Nothing due for it to order: only the gap in the audit trail is there to tell.
    const registrar = await start({ domains: [domainItem('later.com', Date.now() + 365 * 86_400_000)] });
    let down = true;
    sls = await startSlsStandin({ keys: keysFor(EMULATOR_CREDENTIALS), script: () => (down ? { status: 500, errorCode: 'InternalServerError', errorMessage: 'internal server error' } : undefined) });
    robots = await startChatRobots();
    const env = liveRunWithSls(registrar.url, sls.url, { NOTIFY_SLACK_URL: robots.targets().slack.url, NOTIFY_ON: 'always' });
    robots.answerWith('slack', { status: 404, body: 'no_service', contentType: 'text/html' });
    const first = await runInProcess(env, { followIntervalMs: 10 });
    expect(first.summary.run).toMatchObject({ sls_delivery: 'failed', notify_slack: 'failed' });
    expect(sls.logs).toHaveLength(0);

    down = false;
    await runInProcess(env, { followIntervalMs: 10 });
    const shown = robots.posted('slack').map((m) => m.body.text as string);
    expect(shown).toHaveLength(1);
    expect(shown[0]).toContain(`run ${first.summary.run.run_id}`);
    expect(shown[0]).toMatch(/never reached the results logstore/);
    expect(shown[0]).toMatch(/function log/);
  }, 60_000);
});
