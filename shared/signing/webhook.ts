/**
 * The signature of our own webhooks, both directions (the function's POST /webhook and the notifier's
 * outgoing webhook): sha256=<hex HMAC-SHA256(secret, timestamp + "." + raw body)>, timestamp in unix seconds.
 */
import { createHmac } from 'node:crypto';

export function webhookSignature(secret: string, timestamp: string, rawBody: Uint8Array | string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex')}`;
}
