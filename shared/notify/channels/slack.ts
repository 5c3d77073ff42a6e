/**
 * Slack incoming webhook: `{"text": …}` in mrkdwn; the URL is the credential. Success is HTTP 200 with
 * the body `ok`; errors are plain strings with a status (400 invalid_payload, 403 action_prohibited,
 * 404 channel_not_found / no_service, 410 channel_is_archived, 429 rate limited), or the same in Slack's
 * JSON form ({"ok": true}, {"ok": false, "error": "channel_not_found"}).
 */
import type { ChannelTarget } from '../config.js';
import { composeMessage, renderWithin, SLACK } from '../message.js';
import type { NotificationReport } from '../report.js';
import { JSON_HEADERS, judgeStatus, notTheRobot, type Channel, type OutgoingRequest } from './channel.js';

/** Slack advises text under 4,000 characters; bytes ≥ characters, so 4,000 bytes is within it. */
const SLACK_TEXT_LIMIT = 4_000;
/** invalid_payload, no_service, channel_is_archived, … */
const SLACK_ERROR = /^[a-z][a-z_]{1,59}$/;
/** What to fix for Slack's errors a user can cause (docs.slack.dev, incoming webhooks, Handling errors). */
const SLACK_REMEDY: Readonly<Record<string, string>> = {
  no_service: 'NOTIFY_SLACK_URL: the webhook was revoked (or the URL not copied whole); make a new one',
  no_service_id: 'NOTIFY_SLACK_URL: its service id is not a webhook (the URL not copied whole?)',
  invalid_token: "NOTIFY_SLACK_URL: the webhook's token is no longer valid (revoked, or its app removed); make a new webhook",
  no_active_hooks: "NOTIFY_SLACK_URL: the webhook is switched off (its app's incoming webhooks deactivated); turn them on, or make a new one",
  no_team: "NOTIFY_SLACK_URL: the webhook's workspace is gone; make a webhook in a workspace that exists",
  team_disabled: "the webhook's workspace is disabled; NOTIFY_SLACK_URL needs a webhook of an active workspace",
  channel_not_found: "NOTIFY_SLACK_URL: the webhook's channel was removed; make a new webhook",
  channel_is_archived: "NOTIFY_SLACK_URL: the webhook's channel is archived",
  action_prohibited: "the workspace's admin restricts this webhook",
  posting_to_general_channel_denied: "an admin restricts posting to #general: point the webhook at another channel (NOTIFY_SLACK_URL)",
};

export function slackRequest(target: ChannelTarget, report: NotificationReport): OutgoingRequest {
  const text = renderWithin(composeMessage(report), SLACK, SLACK_TEXT_LIMIT, (t) => t);
  return { url: target.url, headers: JSON_HEADERS, body: JSON.stringify({ text }) };
}

export const slack: Channel = {
  name: 'slack',
  request: slackRequest,
  judge: (answer) => {
    const byStatus = judgeStatus(answer);
    if (byStatus) return byStatus;
    const text = answer.body.toString('utf8').trim();
    // Slack's JSON form of the same answer, {"ok": true} or {"ok": false, "error": "…"}: its Web API's
    // convention (a top-level boolean ok), which Workflow Builder webhooks answer with.
    const json = slackJson(text);
    if (text === 'ok' || json?.ok === true) {
      if (answer.status === 200) return { ok: true };
      // Slack's success at another 2xx: posted, most likely, but not as Slack says it; not sent again.
      if (answer.status >= 200 && answer.status < 300) return { ok: false, code: `HTTP ${answer.status}`, message: `${text.slice(0, 40)}: it may have been posted (not sent again)`, retry: false, maybePosted: true };
    }
    const word = json?.ok === false ? json.error : text;
    // Slack's own errors are snake_case words; any other body (a proxy's page that may quote the hook
    // path, which is the credential) is a message, never a record's code.
    if (word !== undefined && SLACK_ERROR.test(word)) return { ok: false, code: word, message: `HTTP ${answer.status}${SLACK_REMEDY[word] ? ` → ${SLACK_REMEDY[word]}` : ''}`, retry: false };
    return notTheRobot(answer, 'NOTIFY_SLACK_URL');
  },
};

/** {"ok": boolean, "error"?: string}, or undefined for any other body. */
function slackJson(text: string): { readonly ok: boolean; readonly error?: string | undefined } | undefined {
  if (!text.startsWith('{')) return undefined;
  try {
    const json = JSON.parse(text) as { ok?: unknown; error?: unknown } | null;
    if (json === null || typeof json !== 'object' || typeof json.ok !== 'boolean') return undefined;
    return { ok: json.ok, error: typeof json.error === 'string' ? json.error : undefined };
  } catch {
    return undefined;
  }
}
