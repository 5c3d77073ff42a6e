/**
 * The webhook's own signature: x-redeem-signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + raw body)>
 * with x-redeem-timestamp in unix seconds, accepted within ±300 s, compared in constant time.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const WEBHOOK_WINDOW_SECONDS = 300;

export function webhookSignature(secret: string, timestamp: string, rawBody: Uint8Array | string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex')}`;
}

export type WebhookVerdict = { readonly ok: true } | { readonly ok: false; readonly message: string };

export function verifyWebhook(
  secret: string,
  headers: { readonly timestamp: string | null; readonly signature: string | null },
  rawBody: Uint8Array,
  nowMs: number,
): WebhookVerdict {
  if (!headers.timestamp || !headers.signature) return { ok: false, message: 'x-redeem-timestamp and x-redeem-signature are required' };
  if (!/^\d{1,12}$/.test(headers.timestamp)) return { ok: false, message: 'x-redeem-timestamp must be unix seconds' };
  if (Math.abs(nowMs / 1000 - Number(headers.timestamp)) > WEBHOOK_WINDOW_SECONDS) {
    return { ok: false, message: `x-redeem-timestamp is more than ${WEBHOOK_WINDOW_SECONDS} s from the server's clock` };
  }
  const expected = Buffer.from(webhookSignature(secret, headers.timestamp, rawBody));
  // Hex is case-insensitive; some HMAC tools print it in upper case.
  const given = Buffer.from(headers.signature.trim().toLowerCase());
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, message: 'x-redeem-signature does not match' };
  return { ok: true };
}
