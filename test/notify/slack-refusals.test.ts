/**
 * Slack's incoming webhooks answer a hook that can no longer post with a plain-text error and an HTTP
 * status (docs.slack.dev, "Sending messages using incoming webhooks", Handling errors; the 2016 changelog
 * the project's vendor notes cite lists the first of them): besides no_service, channel_not_found,
 * channel_is_archived and action_prohibited, a revoked token (invalid_token), a hook switched off
 * (no_active_hooks), a bad hook id (no_service_id), a workspace gone or disabled (no_team, team_disabled)
 * and #general closed to posting (posting_to_general_channel_denied). Each must say what to change, as the
 * others do: Slack's word alone names no variable.
 */
import { describe, expect, it } from 'vitest';
import { sendNotifications } from '../../shared/notify/deliver.js';
import { buildReport } from '../../shared/notify/report.js';
import { chatRobotsPerTest } from '../support/chat-robots.js';
import { decision, runRecord } from '../support/notify.js';

const start = chatRobotsPerTest();
const report = buildReport([decision('shop.com', 1, { action: 'redeem', reason: 'due', outcome: 'succeeded', task_no: 't-1' })], runRecord(), [], 3);

describe('a Slack hook that can no longer post', () => {
  it.each([
    ['invalid_token', 403, /NOTIFY_SLACK_URL/],
    ['no_active_hooks', 404, /NOTIFY_SLACK_URL/],
    ['no_service_id', 400, /NOTIFY_SLACK_URL/],
    ['no_team', 404, /NOTIFY_SLACK_URL/],
    ['team_disabled', 403, /workspace/],
    ['posting_to_general_channel_denied', 403, /#general/],
  ] as const)('%s: says what to change', async (error, status, remedy) => {
    const robots = await start();
    robots.answerWith('slack', { status, body: error, contentType: 'text/html' });
    const [result] = (await sendNotifications({ channels: { slack: robots.targets().slack } }, report, { deadlineMs: Date.now() + 10_000, now: Date.now, sleep: async () => {} })).filter((r) => r.status !== 'off');
    expect(result).toMatchObject({ status: 'failed', code: error });
    expect(result!.message).toMatch(/→/);
    expect(result!.message).toMatch(remedy);
  });
});

/**
 * Slack's JSON form of the same answers ({"ok": true} / {"ok": false, "error": "…"}, HTTP 200): its Web
 * API's convention ("every response has a top-level boolean ok"), which Workflow Builder webhooks
 * (hooks.slack.com/triggers/…) answer with. Read as "not this vendor's answer", a message Slack had
 * posted was recorded failed (and told again by the next run as never heard), and a refusal sent a person
 * looking for a proxy instead of the hook.
 */
describe('Slack answering in its JSON form', () => {
  const send = async (answer: { status: number; body: object }) => {
    const robots = await start();
    robots.answerWith('slack', { ...answer, contentType: 'application/json; charset=utf-8' });
    const results = await sendNotifications({ channels: { slack: robots.targets().slack } }, report, { deadlineMs: Date.now() + 10_000, now: Date.now, sleep: async () => {} });
    return results.find((r) => r.channel === 'slack')!;
  };

  it('{"ok":true} is a message posted', async () => {
    expect(await send({ status: 200, body: { ok: true } })).toMatchObject({ status: 'ok' });
  });

  it('{"ok":false,"error":"channel_not_found"} (HTTP 200) is that refusal, with what to change', async () => {
    const result = await send({ status: 200, body: { ok: false, error: 'channel_not_found' } });
    expect(result).toMatchObject({ status: 'failed', code: 'channel_not_found' });
    expect(result.message).toMatch(/→ NOTIFY_SLACK_URL: the webhook's channel was removed/);
  });

  it('{"ok":true} with a 4xx status is no success', async () => {
    expect(await send({ status: 400, body: { ok: true } })).toMatchObject({ status: 'failed' });
  });
});
