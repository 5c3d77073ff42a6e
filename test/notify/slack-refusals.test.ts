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
