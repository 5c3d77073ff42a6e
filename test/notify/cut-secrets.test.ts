/**
 * A refusal's text is cut to a short line before it goes into the run record. A vendor's errmsg or a
 * gateway's page that quotes the request (the URL carries the robot's token) is cut wherever its length
 * says: when the cut falls inside the token, what is left of it is no longer the whole token, and a
 * redaction that looks for the whole token misses it. Real HTTP to the robot stand-ins
 * (test/support/chat-robots.ts, from the vendors' published answer shapes).
 */
import { describe, expect, it } from 'vitest';
import { notifyRecordFields, sendNotifications, type SendOptions } from '../../shared/notify/deliver.js';
import { formatChannelResults } from '../../shared/notify/notify-run.js';
import { buildReport } from '../../shared/notify/report.js';
import { chatRobotsPerTest } from '../support/chat-robots.js';
import { busyRun } from '../support/notify.js';

const TOKEN = 'robot-token-0123456789abcdef';
const { decisions, run, watch } = busyRun();
const report = buildReport(decisions, run, watch, 3);
const startRobots = chatRobotsPerTest();

const options = (): SendOptions => ({ deadlineMs: Date.now() + 10_000, now: Date.now, sleep: async () => undefined });

/** Every place a result is shown: the result, the run record's fields, the CLI's line. */
const shown = (results: unknown) => JSON.stringify([results, notifyRecordFields(results as never), formatChannelResults(results as never)]);

describe('a refusal quoting the token, cut inside it', () => {
  // The first half of the token is enough to narrow it down; none of it may be shown.
  const TOKEN_HEAD = TOKEN.slice(0, 12);

  it.each([160, 175, 185])('Slack: a gateway 502 page with the hook path at character %i', async (at) => {
    const robots = await startRobots({ token: TOKEN });
    const page = `${'x'.repeat(at - '/services/T0/B0/'.length)}/services/T0/B0/${TOKEN} upstream timed out`;
    robots.answerWith('slack', { status: 502, body: page, contentType: 'text/html' }, 3);
    const results = await sendNotifications({ channels: { slack: robots.targets().slack } }, report, options());
    expect(results[3]).toMatchObject({ channel: 'slack', status: 'failed' });
    expect(shown(results)).not.toContain(TOKEN_HEAD);
  });

  it.each([110, 125, 130])("DingTalk: an errmsg that repeats the access_token at character %i", async (at) => {
    const robots = await startRobots({ token: TOKEN });
    robots.answerWith('dingtalk', { body: { errcode: 300005, errmsg: `${'y'.repeat(at)} access_token ${TOKEN} is not exist` } });
    const results = await sendNotifications({ channels: { dingtalk: robots.targets().dingtalk } }, report, options());
    expect(results[0]).toMatchObject({ channel: 'dingtalk', status: 'failed', code: '300005' });
    expect(shown(results)).not.toContain(TOKEN_HEAD);
  });

  it('DingTalk: an errmsg whose JSON escapes a character of the token, cut inside it', async () => {
    const robots = await startRobots({ token: TOKEN });
    const escaped = `\\u0072${TOKEN.slice(1)}`;
    robots.answerWith('dingtalk', { body: `{"errcode":300005,"errmsg":"${'y'.repeat(125)} access_token ${escaped} is not exist"}` });
    const results = await sendNotifications({ channels: { dingtalk: robots.targets().dingtalk } }, report, options());
    expect(results[0]).toMatchObject({ channel: 'dingtalk', status: 'failed', code: '300005' });
    expect(shown(results)).not.toContain(TOKEN_HEAD);
  });
});
