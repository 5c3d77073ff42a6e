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
import { JSON_HEADERS, judgeJsonCode, sharedRobotRemedy, type Channel, type OutgoingRequest } from './channel.js';

/** The content limit is 20,000 bytes ("message too long, exceed 20000 bytes"); the whole body is kept under it. */
const DINGTALK_BODY_LIMIT = 20_000;
const RATE_LIMIT = new Set([130101, 410100]);
/** -1 system busy: nothing posted, try again shortly (130101 is never asked again: 10 minutes of throttling). */
const RETRY = new Set([-1]);
/** "Exceeding it throttles the robot for 10 minutes": this process sends it nothing in those minutes. */
const HOLD = new Map([[130101, 600_000], [410100, 600_000]]);
/** "token is not exist" (300005, also reported as 300001 and 400101), missing access_token, robot not found. */
const UNKNOWN_TOKEN = new Set([300005, 300001, 400101, 40035, 400106]);

/** 310000 is one code for three security settings; its errmsg tells which, in English or (since 2022) in Chinese. */
function dingtalkRemedy(code: number, words: string): string | undefined {
  if (code === 310000) {
    if (/keyword|关键词/i.test(words)) return 'the robot asks for a custom keyword: add "domain-redeemer" to its keywords (every message starts with it), or use 加签 with NOTIFY_DINGTALK_SECRET';
    if (/whitelist|白名单|\bip\b/i.test(words)) return "the robot's IP whitelist does not hold this function's outbound address: add it, or use 加签 with NOTIFY_DINGTALK_SECRET";
    if (/sign|timestamp|签名|时间戳/i.test(words)) return "check NOTIFY_DINGTALK_SECRET (the robot's 加签 secret, SEC…), and this machine's clock (within an hour)";
    return "the robot's security settings (keywords, 加签 secret NOTIFY_DINGTALK_SECRET, IP whitelist) refused it";
  }
  if (RATE_LIMIT.has(code)) return sharedRobotRemedy('NOTIFY_DINGTALK_URL');
  if (UNKNOWN_TOKEN.has(code)) return 'NOTIFY_DINGTALK_URL: DingTalk knows no robot with this access_token (removed, or the URL not copied whole)';
  if (code === 400102) return "the robot is stopped: start it again in the group's robot settings";
  if (code === 400013) return 'the robot\'s group was dissolved: NOTIFY_DINGTALK_URL needs a robot of another group';
  // "webhook over limit": the quota of messages some DingTalk editions give a custom robot (a few a natural
  // day, the vendor notes say), not this function's pace: the robot takes nothing more until it renews.
  if (code === 90030) return "DingTalk's quota of messages for this robot is used up (some DingTalk editions allow a few a day): it takes no more until the quota renews; check the edition's robot quota, or add another channel (NOTIFY_*_URL)";
  return undefined;
}

/** base64(HMAC-SHA256(secret, `${timestampMs}\n${secret}`)), before URL-encoding. */
export function dingtalkSign(secret: string, timestampMs: number): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`, 'utf8').digest('base64');
}

/**
 * The URL with this request's pair as its only one: a URL copied from a script that signed it carries a
 * stale `timestamp` and `sign`, which the robot reads first (310000), and after a `#` the pair is never sent.
 */
function dingtalkUrl(url: string, secret: string | undefined, timestampMs: number): string {
  if (!secret) return url;
  const whole = url.split('#', 1)[0]!;
  const at = whole.indexOf('?');
  const kept = at < 0 ? [] : whole.slice(at + 1).split('&').filter((pair) => pair !== '' && !/^(timestamp|sign)(=|$)/.test(pair));
  return `${at < 0 ? whole : whole.slice(0, at)}?${[...kept, `timestamp=${timestampMs}`, `sign=${encodeURIComponent(dingtalkSign(secret, timestampMs))}`].join('&')}`;
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
  judge: (answer) => judgeJsonCode(answer, (json) => ({ code: json.errcode, message: json.errmsg }), RATE_LIMIT, { urlVariable: 'NOTIFY_DINGTALK_URL', forCode: dingtalkRemedy, retryCodes: RETRY, holdCodes: HOLD }),
};
