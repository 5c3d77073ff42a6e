/**
 * The webhook's own signature: x-redeem-signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + raw body)>
 * with x-redeem-timestamp in unix seconds, accepted within ±300 s, compared in constant time; and the
 * memory of signatures already accepted inside that window, so a replayed request is refused.
 */
import { timingSafeEqual } from 'node:crypto';
import { webhookSignature } from '../signing/index.js';

export const WEBHOOK_WINDOW_SECONDS = 300;

/** Shorter than this, a WEBHOOK_SECRET can be guessed: the webhook refuses to verify with it (a secret that starts runs that order). */
export const WEBHOOK_SECRET_MIN_CHARACTERS = 16;
export const WEBHOOK_SECRET_HINT = 'openssl rand -hex 32';

/** Why this WEBHOOK_SECRET disables the webhook, or undefined when it serves; the value itself is never in the text. */
export function webhookSecretProblem(secret: string | undefined): string | undefined {
  const value = secret?.trim();
  if (!value) return undefined;
  const length = Array.from(value).length;
  if (length >= WEBHOOK_SECRET_MIN_CHARACTERS) return undefined;
  return `WEBHOOK_SECRET is too short to be a secret (${length} characters): the webhook refuses every request; set at least ${WEBHOOK_SECRET_MIN_CHARACTERS} random characters (${WEBHOOK_SECRET_HINT})`;
}

type WebhookVerdict = { readonly ok: true; readonly signature: string } | { readonly ok: false; readonly message: string };

export function verifyWebhook(
  secret: string,
  headers: { readonly timestamp: string | null; readonly signature: string | null },
  rawBody: Uint8Array,
  nowMs: number,
): WebhookVerdict {
  if (!headers.timestamp || !headers.signature) return { ok: false, message: 'x-redeem-timestamp and x-redeem-signature are required' };
  // FC joins a repeated header's values with ",": told "does not match", the caller looked for a wrong secret.
  const twice = headers.timestamp.includes(',') ? 'x-redeem-timestamp' : headers.signature.includes(',') ? 'x-redeem-signature' : undefined;
  if (twice) return { ok: false, message: `${twice} was sent more than once (its values arrive joined with ","); send it once` };
  if (!/^\d{1,12}$/.test(headers.timestamp)) return { ok: false, message: 'x-redeem-timestamp must be unix seconds' };
  if (Math.abs(nowMs / 1000 - Number(headers.timestamp)) > WEBHOOK_WINDOW_SECONDS) {
    return { ok: false, message: `x-redeem-timestamp is more than ${WEBHOOK_WINDOW_SECONDS} s from the server's clock` };
  }
  const expected = Buffer.from(webhookSignature(secret, headers.timestamp, rawBody));
  // Hex is case-insensitive; some HMAC tools print it in upper case.
  const given = Buffer.from(headers.signature.trim().toLowerCase());
  // Many HMAC recipes print the bare hex: "does not match" would send the caller hunting for a wrong secret.
  if (!given.toString().startsWith('sha256=')) return { ok: false, message: 'x-redeem-signature must be "sha256=" followed by the hex HMAC-SHA256' };
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, message: 'x-redeem-signature does not match' };
  return { ok: true, signature: expected.toString() };
}

/** More distinct signed requests than this inside one window is not a real caller: the oldest are dropped. */
const MAX_REMEMBERED = 10_000;

/**
 * Signatures accepted inside the window. It lives in the instance's memory: with the function's
 * `reservedConcurrency: 1` one instance serves every request at a time, and the registrar's ledger, read
 * before every submission, stays the authority if a replay reaches a fresh instance.
 */
export class ReplayGuard {
  private readonly seen = new Map<string, number>();

  /** Answers false when this signature was accepted before inside the window; remembers it otherwise. */
  accept(signature: string, nowMs: number): boolean {
    // Kept through its last millisecond: the timestamp check passes a request up to exactly 300 s out.
    for (const [key, expiresMs] of this.seen) {
      if (expiresMs >= nowMs && this.seen.size < MAX_REMEMBERED) break;
      this.seen.delete(key);
    }
    if (this.seen.has(signature)) return false;
    this.seen.set(signature, nowMs + 2 * WEBHOOK_WINDOW_SECONDS * 1000);
    return true;
  }
}
