/**
 * What every channel is: a pure request builder (URL, headers and body from the report, the target and
 * the clock, signed where the vendor signs) and a judge of the vendor's answer. Vendors answer errors
 * with HTTP 200, so an answer is judged on its body, never on its status alone.
 */
import { StringDecoder } from 'node:string_decoder';
import * as z from 'zod/mini';
import type { HttpAnswer } from '../../http/index.js';
import type { ChannelName, ChannelTarget } from '../config.js';
import type { NotificationReport } from '../report.js';
import type { RobotCap } from '../robot-pacing.js';
import { plainText } from '../text.js';
import { onFirstUse, parseJsonOrUndefined } from '../../validation/index.js';

export interface OutgoingRequest {
  readonly url: string;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: string;
}

/**
 * retry: only for answers that say nothing was delivered and trying again may help (5xx).
 * holdMs: the vendor refuses the robot everything for this long (DingTalk's throttle): see holdRobot.
 */
export type Verdict =
  | { readonly ok: true }
  | { readonly ok: false; readonly code: string; readonly message: string; readonly retry: boolean; readonly holdMs?: number | undefined; readonly maybePosted?: boolean | undefined };

export interface Channel {
  readonly name: ChannelName;
  /** The vendor's published per-robot caps (robot-pacing.ts); none where none is published. */
  readonly caps?: readonly RobotCap[] | undefined;
  readonly request: (target: ChannelTarget, report: NotificationReport, nowMs: number) => OutgoingRequest;
  readonly judge: (answer: HttpAnswer) => Verdict;
}

export const JSON_HEADERS: ReadonlyArray<readonly [string, string]> = [['content-type', 'application/json;charset=utf-8']];

/**
 * The answer's body as one short clean line, for a failure's message. Its first 400 bytes, up to the last
 * whole character (StringDecoder keeps back a sequence cut short, where toString made it U+FFFD), and "…"
 * where more was left out.
 */
export function answerText(answer: HttpAnswer): string {
  const head = new StringDecoder('utf8').write(answer.body.subarray(0, 400));
  return plainText(answer.body.length > 400 ? `${head}…` : head, 200);
}

/** Before the body: a 5xx may be retried, a 429 is the vendor asking us to stop (reported, not hammered). */
export function judgeStatus(answer: HttpAnswer): Verdict | undefined {
  // A gateway in front of the robot that gave up waiting for its answer: the robot had the message and may
  // have posted it, so it is not sent again (sent twice, it would be posted twice).
  if (answer.status === 504) return { ok: false, code: 'HTTP 504', message: `${answerText(answer) || 'gateway timeout'}: the robot had the message, it may have been posted (not sent again)`, retry: false, maybePosted: true };
  if (answer.status >= 500) return { ok: false, code: `HTTP ${answer.status}`, message: answerText(answer) || 'server error', retry: true };
  // Not retried here: a 429 naming its wait in Retry-After is waited and sent again by the deliver loop.
  if (answer.status === 429) return { ok: false, code: 'HTTP 429', message: `rate limited${answerText(answer) ? `: ${answerText(answer)}` : ''}`, retry: false };
  return undefined;
}

const codeAnswer = onFirstUse(() => z.object({ code: z.number(), message: z.optional(z.string()) }));

/**
 * What a person must change when a robot refuses: a vendor's code alone ("310000") does not say whether
 * the keyword, the 加签 secret or the IP whitelist is wrong, nor which variable holds it. Appended to the
 * vendor's words, which the run record (notify_<channel>_error), notify-test and the doctor show.
 */
export interface Remedies {
  /** The variable holding the robot's URL (NOTIFY_DINGTALK_URL, …). */
  readonly urlVariable: string;
  /** For a vendor's code (and its words): what to fix, or undefined when the code says nothing the user can fix. */
  readonly forCode?: (code: number, words: string) => string | undefined;
  /**
   * Codes that say nothing was posted and to try again shortly (DingTalk -1 system busy, Feishu 11232 under
   * its load around the hour and half hour): asked again like a 5xx. Never a code that costs a penalty.
   */
  readonly retryCodes?: ReadonlySet<number>;
  /** Codes after which the vendor refuses the robot everything for a while, and for how long. */
  readonly holdCodes?: ReadonlyMap<number, number>;
}

/**
 * A vendor's per-robot cap refused the message: this instance never goes over it (robot-pacing.ts), so other
 * senders post to the robot as well (another tool, or this function's runs on other instances: each account
 * run of REDEEM_ACCOUNTS is an invocation of its own).
 */
export function sharedRobotRemedy(urlVariable: string): string {
  return `other senders post to this robot too (another tool, or this function's runs on other instances): give domain-redeemer a robot of its own (${urlVariable})`;
}

function withRemedy(verdict: Verdict & { ok: false }, remedy: string | undefined): Verdict {
  return remedy ? { ...verdict, message: verdict.message ? `${verdict.message} → ${remedy}` : remedy } : verdict;
}

/**
 * An answer that is not the vendor's: a 404 page (a wrong path in the URL), HTML from a proxy or a
 * captive portal. Its body is no use to a person; the variable to check is.
 */
export function notTheRobot(answer: HttpAnswer, urlVariable: string): Verdict {
  const code = answer.status === 200 ? 'MalformedResponse' : `HTTP ${answer.status}`;
  if (answer.status === 404) return { ok: false, code, message: `nothing answers at that address → check the path of ${urlVariable}`, retry: false };
  // A 2xx that cannot be read as the vendor's answer (not JSON, cut short, another vendor's shape, a proxy
  // mangling it): the robot may have read the message and posted it, so it is unknown, not refused.
  const maybePosted = answer.status >= 200 && answer.status < 300;
  const words = `${answerText(answer) || 'no answer body'}${maybePosted ? ': it may have been posted (not sent again)' : ''}`;
  return { ...withRemedy({ ok: false, code, message: words, retry: false }, `not this vendor's answer: check the host of ${urlVariable} (a proxy in between?)`), ...(maybePosted ? { maybePosted } : {}) } as Verdict & { ok: false };
}

/**
 * For vendors whose JSON answer carries a numeric code (DingTalk and WeCom errcode, Feishu code), 0 on
 * success. `read` maps the vendor's field names; rate-limit codes get words saying they were not retried.
 */
export function judgeJsonCode(answer: HttpAnswer, read: (json: Record<string, unknown>) => unknown, rateLimitCodes: ReadonlySet<number>, remedies: Remedies): Verdict {
  const byStatus = judgeStatus(answer);
  if (byStatus) return byStatus;
  // A leading byte order mark (a gateway re-encoding the answer) is no part of the JSON (RFC 8259 8.1).
  const json = parseJsonOrUndefined(answer.body.toString('utf8').replace(/^\uFEFF/, ''));
  const parsed = json !== null && typeof json === 'object' ? codeAnswer().safeParse(read(json as Record<string, unknown>)) : undefined;
  if (!parsed?.success) return notTheRobot(answer, remedies.urlVariable);
  const { code, message } = parsed.data;
  if (code === 0) {
    if (answer.status === 200) return { ok: true };
    // The vendor's success at another 2xx: posted, most likely, but not as the vendor says it.
    const maybePosted = answer.status >= 200 && answer.status < 300;
    return { ok: false, code: `HTTP ${answer.status}`, message: `${answerText(answer)}${maybePosted ? ': it may have been posted (not sent again)' : ''}`, retry: false, ...(maybePosted ? { maybePosted } : {}) };
  }
  const words = plainText(message ?? '', 160);
  if (remedies.retryCodes?.has(code)) return { ok: false, code: String(code), message: `${words || 'busy'} (asked again while the deadline allowed)`, retry: true };
  // What to do is said for a rate limit too: this instance keeps under the vendor's cap (robot-pacing.ts), so
  // the robot's other senders used it up, and "not retried" alone reads as this function's own fault.
  if (rateLimitCodes.has(code)) return withRemedy({ ok: false, code: String(code), message: `rate limited, not retried: ${words}`, retry: false, holdMs: remedies.holdCodes?.get(code) }, remedies.forCode?.(code, words));
  return withRemedy({ ok: false, code: String(code), message: words, retry: false }, remedies.forCode?.(code, words));
}
