/**
 * Sends one report to every configured channel, in parallel, inside a deadline. A robot that could not
 * be reached, or a 5xx (not a gateway's 504: the robot had the message), is retried at most twice with a short backoff while the deadline allows. No robot
 * deduplicates, so a request that reached it whole and got no answer that can be read (a timeout, a
 * connection dropped or reset after it was written, an answer cut off or undecodable) is never sent again:
 * it may have been posted (unknown). A reset before the last byte was written posted nothing and is retried. A vendor's error code is not retried (a rate
 * limit would only extend its penalty, a refused signature will be refused again).
 * Nothing here throws: each channel ends as ok, failed (with the vendor's code), unknown (sent whole, no
 * answer: it may have been posted) or off.
 */
import { errorMessage } from '../errors/index.js';
import { certainlyNotSent, HttpTimeoutError, httpRetryAfterMs, refusedCertificateCode, refusedCertificateWords, requestWritten, systemErrorCode, send as httpSend, type HttpAnswer, type HttpExchange } from '../http/index.js';
import { CHANNEL_NAMES, type ChannelName, type ChannelTarget, type NotifyConfig } from './config.js';
import type { Channel, Verdict } from './channels/channel.js';
import { dingtalk } from './channels/dingtalk.js';
import { feishu } from './channels/feishu.js';
import { slack } from './channels/slack.js';
import { webhook } from './channels/webhook.js';
import { wecom } from './channels/wecom.js';
import { redact, redactDeep } from '../signing/index.js';
import { hostOf, secretsOf } from './redact.js';
import type { NotificationReport } from './report.js';
import { holdRobot, robotHold, takeSlot } from './robot-pacing.js';
import { channelText, plainText } from './text.js';

const CHANNELS: Readonly<Record<ChannelName, Channel>> = { dingtalk, feishu, wecom, slack, webhook };

export interface ChannelResult {
  readonly channel: ChannelName;
  /**
   * unknown: the whole message was sent and no answer that can be read came before the deadline (a slow
   * robot, a connection lost after the request): it may have been posted, so it is neither told as delivered nor as refused.
   */
  readonly status: 'ok' | 'failed' | 'unknown' | 'off';
  /** The vendor's error code (e.g. "130101", "19021"), "HTTP 503", a network error code, or "Deadline". */
  readonly code?: string | undefined;
  readonly message?: string | undefined;
  /** The URL's host (and port), never its path or query: they carry the token. Absent when off. */
  readonly host?: string | undefined;
  readonly attempts?: number | undefined;
}

export interface SendOptions {
  /** Epoch ms by which every channel is done (the run's finishing margin). */
  readonly deadlineMs: number;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly send?: (exchange: HttpExchange) => Promise<HttpAnswer>;
}

/** Waits before the second and third attempts. */
const RETRY_WAITS_MS = [300, 1_000] as const;
/**
 * One attempt's own timeout, and the least time left worth starting one. The attempt takes what the
 * deadline leaves, up to this: a robot that posts and answers after 5 to 15 s (seen) timed out at a fixed
 * 5 s, was recorded as failed, and its run's orders were told again by the next run as never reported.
 * Only a request that never reached the robot is sent again, so a longer wait costs no second message.
 */
const ATTEMPT_TIMEOUT_MS = 20_000;
const MIN_ATTEMPT_MS = 250;

export async function sendNotifications(config: Pick<NotifyConfig, 'channels'>, report: NotificationReport, options: SendOptions): Promise<ChannelResult[]> {
  // Every channel's secrets are kept out of every result, not only its own.
  const secrets = CHANNEL_NAMES.flatMap((name) => (config.channels[name] ? secretsOf(config.channels[name]) : [])).sort((a, b) => b.length - a.length);
  return Promise.all(
    CHANNEL_NAMES.map(async (name): Promise<ChannelResult> => {
      const target = config.channels[name];
      if (!target) return { channel: name, status: 'off' };
      const host = hostOf(target.url);
      try {
        const outcome = await deliver(CHANNELS[name], target, report, options, secrets);
        // The words from outside (the vendor's answer, a network error) were redacted where they came in
        // (see deliver): redacting the whole message again took URL words that are no token (the README's
        // webhook path /hooks/redeemer) out of the advice written here, which then said to add the
        // keyword "domain-***". Cut in the vendor's words, never in the advice after them.
        const message = outcome.message === undefined ? undefined : channelText(outcome.message, 300);
        // The code comes from the vendor's answer too, and goes into the run record as it is.
        const code = outcome.code === undefined ? undefined : plainText(redact(outcome.code, secrets), 60);
        return { channel: name, status: outcome.ok ? 'ok' : outcome.maybePosted ? 'unknown' : 'failed', code, message, host, attempts: outcome.attempts };
      } catch (error) {
        // A bug in a request builder must not cost the other channels, or the run.
        return { channel: name, status: 'failed', code: 'InternalError', message: plainText(redact(String(error), secrets), 300), host };
      }
    }),
  );
}

interface Delivery {
  readonly ok: boolean;
  /** No answer after the whole request was written: it may have been posted (ChannelResult status unknown). */
  readonly maybePosted?: boolean | undefined;
  readonly code?: string | undefined;
  readonly message?: string | undefined;
  readonly attempts: number;
}

async function deliver(channel: Channel, target: ChannelTarget, report: NotificationReport, options: SendOptions, secrets: readonly string[]): Promise<Delivery> {
  const send = options.send ?? httpSend;
  let last: Verdict = { ok: false, code: 'Deadline', message: 'no time left before the deadline to send', retry: false };
  let waitedForServer = false;
  // Ends by a return: after the last attempt there is no wait left (RETRY_WAITS_MS), and the loop returns.
  for (let attempt = 1; ; attempt++) {
    let left = options.deadlineMs - options.now();
    if (left < MIN_ATTEMPT_MS) return { ...failure(last), attempts: attempt - 1 };
    // Within the vendor's cap for this robot, counted over every run of this process: waited for when the
    // deadline allows, otherwise not sent (over the cap it would be refused, and DingTalk would then
    // refuse this robot everything for 10 minutes).
    const held = robotHold(target.url, options.now());
    if (held) return { ok: false, code: 'RateLimitAvoided', message: `not sent: ${held.why}, until ${new Date(held.untilMs).toISOString().slice(11, 16)} UTC`, attempts: attempt - 1 };
    if (!(await robotSlot(channel, target, options))) {
      return { ok: false, code: 'RateLimitAvoided', message: `not sent: the robot's cap (${capWords(channel)}) is reached by this instance's earlier messages`, attempts: attempt - 1 };
    }
    left = options.deadlineMs - options.now();
    if (left < MIN_ATTEMPT_MS) return { ...failure(last), attempts: attempt - 1 };
    // Built for each attempt: a signature's timestamp must be fresh.
    const request = channel.request(target, report, options.now());
    let serverWaitMs: number | undefined;
    try {
      // On a connection of its own, like an order: a reset on a reused idle one cannot be told from a
      // message posted, so it would not be sent again, and a person would hear nothing.
      const answer = await send({ method: 'POST', url: request.url, headers: request.headers, body: request.body, timeoutMs: Math.min(ATTEMPT_TIMEOUT_MS, left), freshConnection: true });
      last = channel.judge(answerWithoutSecrets(answer, secrets));
      serverWaitMs = httpRetryAfterMs(answer, options.now());
    } catch (error) {
      const code = networkCode(error);
      // Redacted here, where it comes in: a transport error may quote the request.
      const words = redact(errorMessage(error), secrets);
      // Only a request that never reached the robot whole may go again: sent twice, it could be posted twice.
      // One not written whole (a reset before its last byte) cannot have been posted: the robot reads to the
      // Content-Length before it acts.
      const written = requestWritten(error) ?? (error instanceof HttpTimeoutError && error.written);
      const retry = certainlyNotSent(error) || requestWritten(error) === false;
      // The whole message went out and no answer came back that can be read (none in time, a reset, an
      // answer cut off or undecodable): the robot may well have posted it.
      if (written) {
        const why = error instanceof HttpTimeoutError ? 'a robot slow to answer' : 'the robot read it, its answer was lost';
        return { ok: false, maybePosted: true, code, message: `${words} after the whole message was sent: it may have been posted (not sent again; ${why})`, attempts: attempt };
      }
      // A refused certificate is refused again: nothing was sent, and nothing is sent again.
      last = refusedCertificateCode(error)
        ? { ok: false, code, message: `${words}: ${refusedCertificateWords(code, "the robot's", `the host of NOTIFY_${channel.name.toUpperCase()}_URL`)}`, retry: false }
        : { ok: false, code, message: retry ? words : `${words}; not sent again, the robot may have posted it`, retry };
    }
    if (last.ok) return { ok: true, attempts: attempt };
    if (last.maybePosted) return { ok: false, maybePosted: true, code: last.code, message: last.message, attempts: attempt };
    if (last.holdMs) holdRobot(target.url, options.now() + last.holdMs, `the vendor throttles this robot for ${Math.round(last.holdMs / 60_000)} min after ${last.code}`);
    const backoff = RETRY_WAITS_MS[attempt - 1];
    if (serverWaitMs !== undefined && backoff !== undefined) {
      // A 429 or 503 naming its wait (Slack's rate limit does) posted nothing and asks to be sent again
      // after it: waited for when the deadline allows, and otherwise the record says what was asked.
      if (options.now() + serverWaitMs + MIN_ATTEMPT_MS > options.deadlineMs) {
        return { ...failure({ ...last, message: `rate limited: the vendor asked to wait ${Math.ceil(serverWaitMs / 1000)} s, past the time this run has to send` }), attempts: attempt };
      }
      last = { ...last, retry: true };
      waitedForServer = true;
    }
    const wait = serverWaitMs === undefined || backoff === undefined ? backoff : Math.max(backoff, serverWaitMs);
    if (!last.retry || wait === undefined || options.now() + wait + MIN_ATTEMPT_MS > options.deadlineMs) {
      return { ...failure(waitedForServer ? { ...last, message: `${last.message}; sent again after the Retry-After it named, ${attempt} attempts in all` } : last), attempts: attempt };
    }
    await options.sleep(wait);
  }
}

/**
 * The vendor's answer with every secret taken out, before a channel judges it. A channel cuts the answer's
 * words to a short line (answerText, an errmsg's 160 characters), and a cut that falls inside a quoted
 * token (a gateway page repeating the hook path, an errmsg repeating the access_token) leaves a piece of
 * it that the redaction of the whole token afterwards no longer finds. A JSON answer is redacted in its
 * parsed strings, where an escaped character ("\/", "\u0074") no longer hides the token.
 */
function answerWithoutSecrets(answer: HttpAnswer, secrets: readonly string[]): HttpAnswer {
  if (secrets.length === 0) return answer;
  const text = answer.body.toString('utf8');
  let clean: string;
  try {
    // Past a leading byte order mark too, which JSON.parse refuses and the channel's judge skips.
    clean = JSON.stringify(redactDeep(JSON.parse(text.replace(/^\uFEFF/, '')), secrets));
  } catch {
    clean = redact(text, secrets);
  }
  return clean === text ? answer : { ...answer, body: Buffer.from(clean, 'utf8') };
}

/**
 * A slot under the robot's caps, waited for while the deadline allows; false without one. Slots free one
 * at a time as the window slides, and the messages waiting together (the CLI's accounts) wake together:
 * each that finds the freed slot taken waits for the next, where waiting once left all but one unsent.
 */
async function robotSlot(channel: Channel, target: ChannelTarget, options: SendOptions): Promise<boolean> {
  const caps = channel.caps ?? [];
  for (;;) {
    const waitMs = takeSlot(target.url, caps, options.now());
    if (waitMs === undefined) return true;
    if (options.now() + waitMs + MIN_ATTEMPT_MS > options.deadlineMs) return false;
    const before = options.now();
    await options.sleep(waitMs);
    // A clock that did not move (a sleep that waits nothing) frees no slot: one more look, then none.
    if (options.now() <= before) return takeSlot(target.url, caps, options.now()) === undefined;
  }
}

function capWords(channel: Channel): string {
  return (channel.caps ?? []).map((c) => `${c.messages} per ${c.perMs >= 60_000 ? `${c.perMs / 60_000} min` : `${c.perMs / 1000} s`}`).join(', ');
}

function failure(verdict: Verdict): Omit<Delivery, 'attempts'> {
  return verdict.ok ? { ok: true } : { ok: false, code: verdict.code, message: verdict.message };
}

function networkCode(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return 'Timeout';
  const code = systemErrorCode(error);
  return code !== undefined && /^[A-Z_]{2,40}$/.test(code) ? code : 'NetworkError';
}

/**
 * Fields for the run record: notify_<channel>: ok|failed|off, and when it failed notify_<channel>_code and
 * notify_<channel>_error (the vendor's words and what to fix: DingTalk's 310000 is a keyword, a 加签
 * secret or an IP whitelist, and only its words tell which). The next run's message repeats them.
 */
export function notifyRecordFields(results: readonly ChannelResult[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const r of results) {
    fields[`notify_${r.channel}`] = r.status;
    if (undelivered(r.status) && r.code) fields[`notify_${r.channel}_code`] = r.code;
    if (undelivered(r.status) && r.message) fields[`notify_${r.channel}_error`] = r.message;
  }
  // Every channel tried refused it: the records are the only word of the run, and say so in one field
  // (not notify_…, which names a channel) that a person or an SLS alert can look for.
  if (nobodyTold(results)) fields.notified = 'none';
  return fields;
}

/** A message was tried on some channel and none took it. */
export function nobodyTold(results: readonly ChannelResult[]): boolean {
  const tried = results.filter((r) => r.status !== 'off');
  return tried.length > 0 && tried.every((r) => r.status === 'failed');
}

/** The channels a run record read back names, with their status: notifyRecordFields the other way round. */
/** A channel's status that is not a delivery: refused or failed, or sent whole with no answer (it may have been posted). */
export function undelivered(status: string | undefined): boolean {
  return status === 'failed' || status === 'unknown';
}

export function channelStatuses(record: Readonly<Record<string, string | undefined>>): Array<{ readonly key: string; readonly channel: string; readonly status: string | undefined }> {
  return Object.entries(record)
    .filter(([key]) => /^notify_[a-z]+$/.test(key))
    .map(([key, status]) => ({ key, channel: key.slice('notify_'.length), status }));
}
