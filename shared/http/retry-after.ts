/**
 * HTTP's own Retry-After (RFC 9110 10.2.3) on a 429 or a 503: whole seconds, or an HTTP date when the
 * caller gives its clock. Anything else (a negative or fractional number, a date already past, text)
 * counts as absent: a server's wait is only believed when it is one the standard allows.
 */
import { headerValue, type HttpAnswer } from './transport.js';

export function httpRetryAfterMs(answer: HttpAnswer, nowMs?: number): number | undefined {
  if (answer.status !== 429 && answer.status !== 503) return undefined;
  const value = headerValue(answer.headers, 'retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d{1,9}$/.test(value)) return Number(value) > 0 ? Number(value) * 1000 : undefined;
  return httpDateWaitMs(value, nowMs);
}

/** The time from `nowMs` until an HTTP date (IMF-fixdate, "Tue, 01 Dec 2026 12:00:07 GMT"), if it is one and later. */
export function httpDateWaitMs(value: string, nowMs: number | undefined): number | undefined {
  if (nowMs === undefined || !/^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(value)) return undefined;
  const wait = Date.parse(value) - nowMs;
  return Number.isFinite(wait) && wait > 0 ? wait : undefined;
}
