/**
 * DingTalk custom robot (群自定义机器人): markdown message; with 加签, `timestamp` (ms) and
 * `sign = urlEncode(base64(HMAC-SHA256(key = secret, timestamp + "\n" + secret)))` in the query.
 * Errors come with HTTP 200 and `errcode` ≠ 0: 130101 sent too fast (20 a minute, then 10 minutes of
 * throttling, so never retried), 310000 security check failed (signature, keyword or IP).
 */
import { createHmac } from 'node:crypto';
import type { ChannelTarget } from '../config.js';
import { composeMessage, MARKDOWN, renderWithin } from '../message.js';
import type { NotificationReport } from '../report.js';
import { JSON_HEADERS, judgeJsonCode, type Channel, type OutgoingRequest } from './channel.js';

/** The content limit is 20,000 bytes ("message too long, exceed 20000 bytes"); the whole body is kept under it. */
const DINGTALK_BODY_LIMIT = 20_000;
const RATE_LIMIT = new Set([130101, 410100]);

/** base64(HMAC-SHA256(secret, `${timestampMs}\n${secret}`)), before URL-encoding. */
export function dingtalkSign(secret: string, timestampMs: number): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`, 'utf8').digest('base64');
}

function dingtalkUrl(url: string, secret: string | undefined, timestampMs: number): string {
  if (!secret) return url;
  return `${url}${url.includes('?') ? '&' : '?'}timestamp=${timestampMs}&sign=${encodeURIComponent(dingtalkSign(secret, timestampMs))}`;
}

export function dingtalkRequest(target: ChannelTarget, report: NotificationReport, nowMs: number): OutgoingRequest {
  const doc = composeMessage(report);
  const body = (text: string) => JSON.stringify({ msgtype: 'markdown', markdown: { title: doc.summary, text } });
  return { url: dingtalkUrl(target.url, target.secret, nowMs), headers: JSON_HEADERS, body: body(renderWithin(doc, MARKDOWN, DINGTALK_BODY_LIMIT, body)) };
}

export const dingtalk: Channel = {
  name: 'dingtalk',
  caps: [{ messages: 20, perMs: 60_000 }],
  request: dingtalkRequest,
  judge: (answer) => judgeJsonCode(answer, (json) => ({ code: json.errcode, message: json.errmsg }), RATE_LIMIT),
};
