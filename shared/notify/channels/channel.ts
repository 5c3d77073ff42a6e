/**
 * What every channel is: a pure request builder (URL, headers and body from the report, the target and
 * the clock, signed where the vendor signs) and a judge of the vendor's answer. Vendors answer errors
 * with HTTP 200, so an answer is judged on its body, never on its status alone.
 */
import * as z from 'zod/mini';
import type { HttpAnswer } from '../../http/index.js';
import type { ChannelName, ChannelTarget } from '../config.js';
import type { NotificationReport } from '../report.js';
import type { RobotCap } from '../robot-pacing.js';
import { plainText } from '../text.js';

export interface OutgoingRequest {
  readonly url: string;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: string;
}

/** retry: only for answers that say nothing was delivered and trying again may help (5xx). */
export type Verdict = { readonly ok: true } | { readonly ok: false; readonly code: string; readonly message: string; readonly retry: boolean };

export interface Channel {
  readonly name: ChannelName;
  /** The vendor's published per-robot caps (robot-pacing.ts); none where none is published. */
  readonly caps?: readonly RobotCap[] | undefined;
  readonly request: (target: ChannelTarget, report: NotificationReport, nowMs: number) => OutgoingRequest;
  readonly judge: (answer: HttpAnswer) => Verdict;
}

export const JSON_HEADERS: ReadonlyArray<readonly [string, string]> = [['content-type', 'application/json;charset=utf-8']];

/** The answer's body as one short clean line, for a failure's message. */
export function answerText(answer: HttpAnswer): string {
  return plainText(answer.body.subarray(0, 400).toString('utf8'), 200);
}

/** Before the body: a 5xx may be retried, a 429 is the vendor asking us to stop (reported, not hammered). */
export function judgeStatus(answer: HttpAnswer): Verdict | undefined {
  if (answer.status >= 500) return { ok: false, code: `HTTP ${answer.status}`, message: answerText(answer) || 'server error', retry: true };
  if (answer.status === 429) return { ok: false, code: 'HTTP 429', message: `rate limited, not retried${answerText(answer) ? `: ${answerText(answer)}` : ''}`, retry: false };
  return undefined;
}

const codeAnswer = z.object({ code: z.number(), message: z.optional(z.string()) });

/**
 * For vendors whose JSON answer carries a numeric code (DingTalk and WeCom errcode, Feishu code), 0 on
 * success. `read` maps the vendor's field names; rate-limit codes get words saying they were not retried.
 */
export function judgeJsonCode(answer: HttpAnswer, read: (json: Record<string, unknown>) => unknown, rateLimitCodes: ReadonlySet<number>): Verdict {
  const byStatus = judgeStatus(answer);
  if (byStatus) return byStatus;
  let json: unknown;
  try {
    json = JSON.parse(answer.body.toString('utf8'));
  } catch {
    json = undefined;
  }
  const parsed = json !== null && typeof json === 'object' ? codeAnswer.safeParse(read(json as Record<string, unknown>)) : undefined;
  if (!parsed?.success) {
    return { ok: false, code: answer.status === 200 ? 'MalformedResponse' : `HTTP ${answer.status}`, message: answerText(answer) || 'no answer body', retry: false };
  }
  const { code, message } = parsed.data;
  if (code === 0) return answer.status === 200 ? { ok: true } : { ok: false, code: `HTTP ${answer.status}`, message: answerText(answer), retry: false };
  const words = plainText(message ?? '', 200);
  return { ok: false, code: String(code), message: rateLimitCodes.has(code) ? `rate limited, not retried: ${words}` : words, retry: false };
}
