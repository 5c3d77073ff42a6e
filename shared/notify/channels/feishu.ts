/**
 * Feishu / Lark custom bot: a text message; with 签名校验, `timestamp` (seconds, as a string) and
 * `sign = base64(HMAC-SHA256(key = timestamp + "\n" + secret, message = empty))` in the JSON body,
 * not the URL, and not URL-encoded. Success is `code: 0`; older bots answer `StatusCode: 0` without
 * `code`. Its security settings refuse with HTTP 200 too: 19021 the signature or timestamp, 19022 the IP
 * whitelist, 19024 the custom keywords; 19001 is a hook id no bot has. 11232 is the throttle (asked again, see RETRY).
 */
import { createHmac } from 'node:crypto';
import type { ChannelTarget } from '../config.js';
import { composeMessage, PLAIN, renderWithin } from '../message.js';
import type { NotificationReport } from '../report.js';
import { JSON_HEADERS, judgeJsonCode, type Channel, type OutgoingRequest } from './channel.js';

/** "The body must be ≤ 20 KB"; 20,000 bytes leaves room whichever K they meant. */
const FEISHU_BODY_LIMIT = 20_000;
/**
 * 11232 is the throttle; Feishu says it comes of its own load around the hour and half hour (when our
 * timer fires), not only of a sender over 100 a minute or 5 a second (paced in-process, robot-pacing.ts),
 * and names no penalty: it is asked again after a short wait.
 */
const RETRY = new Set([11232]);
const RATE_LIMIT = new Set<number>();

/**
 * What to change for each refusal a user can fix, as DingTalk's 310000 says it (dingtalk.ts): the vendor's
 * words alone ("Key Words Not Found", "Ip Not Allowed") name neither the setting in the bot nor the variable.
 */
function feishuRemedy(code: number): string | undefined {
  if (code === 19021) return "check NOTIFY_FEISHU_SECRET (the bot's 签名校验 secret), and this machine's clock (within an hour)";
  if (code === 19024) return 'the bot asks for a custom keyword (自定义关键词): add "domain-redeemer" to its keywords (every message starts with it), or use 签名校验 with NOTIFY_FEISHU_SECRET';
  if (code === 19022) return "the bot's IP whitelist (IP 白名单) does not hold this function's outbound address: add it, or use 签名校验 with NOTIFY_FEISHU_SECRET";
  if (code === 19001) return 'NOTIFY_FEISHU_URL: Feishu knows no bot with this hook id (removed from the group, or the URL not copied whole)';
  return undefined;
}

export function feishuSign(secret: string, timestampSeconds: number): string {
  return createHmac('sha256', `${timestampSeconds}\n${secret}`).update('').digest('base64');
}

export function feishuRequest(target: ChannelTarget, report: NotificationReport, nowMs: number): OutgoingRequest {
  const doc = composeMessage(report);
  const timestamp = Math.floor(nowMs / 1000);
  const signed = target.secret ? { timestamp: String(timestamp), sign: feishuSign(target.secret, timestamp) } : {};
  const body = (text: string) => JSON.stringify({ ...signed, msg_type: 'text', content: { text } });
  return { url: target.url, headers: JSON_HEADERS, body: body(renderWithin(doc, PLAIN, FEISHU_BODY_LIMIT, body)) };
}

export const feishu: Channel = {
  name: 'feishu',
  caps: [
    { messages: 100, perMs: 60_000 },
    { messages: 5, perMs: 1_000 },
  ],
  request: feishuRequest,
  judge: (answer) =>
    judgeJsonCode(answer, (json) => (json.code !== undefined ? { code: json.code, message: json.msg } : { code: json.StatusCode, message: json.StatusMessage }), RATE_LIMIT, {
      urlVariable: 'NOTIFY_FEISHU_URL',
      retryCodes: RETRY,
      forCode: feishuRemedy,
    }),
};
