import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ReplayGuard, WEBHOOK_WINDOW_SECONDS, verifyWebhook } from '../../shared/fc/webhook-signature.js';
import { webhookSignature } from '../../shared/signing/webhook.js';

const AT = 1_764_550_800_000;
const WINDOW_MS = WEBHOOK_WINDOW_SECONDS * 1000;

describe('webhook signature', () => {
  it('accepts upper-case hex and refuses one changed byte of the body', () => {
    const body = Buffer.from('{"mode":"dry-run"}');
    const signature = webhookSignature('s', '1764550800', body);
    const at = 1_764_550_800_000;
    expect(verifyWebhook('s', { timestamp: '1764550800', signature: signature.toUpperCase().replace('SHA256=', 'sha256=') }, body, at)).toMatchObject({ ok: true });
    expect(verifyWebhook('s', { timestamp: '1764550800', signature }, Buffer.from('{"mode":"dry-run "}'), at).ok).toBe(false);
    expect(verifyWebhook('s', { timestamp: '1764550800', signature }, body, at + 301_000).ok).toBe(false);
    expect(verifyWebhook('s', { timestamp: '1764550800', signature }, body, at - 299_000).ok).toBe(true);
    expect(verifyWebhook('s', { timestamp: '17645508.5', signature }, body, at).ok).toBe(false);
  });

  it('accepts the signature the README tells callers to compute (HMAC-SHA256 of "timestamp.body", hex)', () => {
    const body = '{"mode":"dry-run","domains":["example.com"],"reason":"manual check"}';
    const hex = createHmac('sha256', 'webhook-secret').update(`1764550800.${body}`).digest('hex');
    expect(verifyWebhook('webhook-secret', { timestamp: '1764550800', signature: ` sha256=${hex} ` }, Buffer.from(body), AT)).toEqual({ ok: true, signature: `sha256=${hex}` });
    expect(verifyWebhook('other-secret', { timestamp: '1764550800', signature: `sha256=${hex}` }, Buffer.from(body), AT)).toEqual({ ok: false, message: 'x-redeem-signature does not match' });
    expect(verifyWebhook('webhook-secret', { timestamp: '1764550800', signature: hex }, Buffer.from(body), AT).ok).toBe(false);
  });

  it('says which header is missing or malformed, and never echoes the secret', () => {
    const body = Buffer.from('{}');
    expect(verifyWebhook('s3cret', { timestamp: null, signature: 'sha256=00' }, body, AT)).toEqual({ ok: false, message: 'x-redeem-timestamp and x-redeem-signature are required' });
    expect(verifyWebhook('s3cret', { timestamp: '1764550800', signature: null }, body, AT).ok).toBe(false);
    expect(verifyWebhook('s3cret', { timestamp: '1764550800000', signature: 'sha256=00' }, body, AT)).toEqual({ ok: false, message: 'x-redeem-timestamp must be unix seconds' });
    const stale = verifyWebhook('s3cret', { timestamp: '1764550000', signature: 'sha256=00' }, body, AT);
    expect(stale).toEqual({ ok: false, message: `x-redeem-timestamp is more than ${WEBHOOK_WINDOW_SECONDS} s from the server's clock` });
    expect(JSON.stringify(stale)).not.toContain('s3cret');
  });
});

describe('webhook signature: what to fix', () => {
  it('a bare hex HMAC (the sha256= prefix left out, as many HMAC recipes print it) is told to add the prefix', () => {
    const body = Buffer.from('{"mode":"dry-run"}');
    const hex = createHmac('sha256', 's').update('1764550800.').update(body).digest('hex');
    const verdict = verifyWebhook('s', { timestamp: '1764550800', signature: hex }, body, AT);
    expect(verdict).toEqual({ ok: false, message: expect.stringContaining('sha256=') });
    // The format is public (README): saying it gives nothing away; the value sent is not echoed.
    expect(JSON.stringify(verdict)).not.toContain(hex);
  });
});

describe('ReplayGuard', () => {
  it('refuses a signature seen inside the window, and accepts it once the window is over', () => {
    const guard = new ReplayGuard();
    expect(guard.accept('sha256=aa', AT)).toBe(true);
    expect(guard.accept('sha256=aa', AT + 1)).toBe(false);
    expect(guard.accept('sha256=bb', AT + 1)).toBe(true);
    // Remembered for two windows: a timestamp up to 300 s ahead of the clock stays valid for 600 s.
    expect(guard.accept('sha256=aa', AT + 2 * WINDOW_MS)).toBe(false);
    expect(guard.accept('sha256=aa', AT + 2 * WINDOW_MS + 1)).toBe(true);
  });

  it.each([
    ['599 s later: the timestamp still passes, the guard does not', 599_000],
    ['exactly 600 s later: the timestamp passes to the millisecond, so the guard must too', 2 * WINDOW_MS],
  ])('a request signed 300 s ahead, replayed %s', (_, laterMs) => {
    const guard = new ReplayGuard();
    const body = Buffer.from('{"mode":"dry-run"}');
    const timestamp = String(AT / 1000 + WEBHOOK_WINDOW_SECONDS);
    const headers = { timestamp, signature: webhookSignature('s', timestamp, body) };
    const first = verifyWebhook('s', headers, body, AT);
    expect(first.ok && guard.accept(first.signature, AT)).toBe(true);
    const replay = verifyWebhook('s', headers, body, AT + laterMs);
    expect(replay.ok).toBe(true);
    expect(replay.ok && guard.accept(replay.signature, AT + laterMs)).toBe(false);
  });

  it('its memory is bounded: past 10,000 signatures inside one window the oldest is forgotten', () => {
    const guard = new ReplayGuard();
    const seen = () => (guard as unknown as { seen: Map<string, number> }).seen.size;
    for (let i = 0; i <= 10_000; i++) expect(guard.accept(`sig-${i}`, AT + i)).toBe(true);
    expect(seen()).toBe(10_000);
    // sig-0 was dropped to make room; a recent one is still remembered.
    expect(guard.accept('sig-5000', AT + 20_000)).toBe(false);
    expect(guard.accept('sig-0', AT + 20_000)).toBe(true);
    expect(seen()).toBe(10_000);
  });

  it('forgets expired signatures as it goes', () => {
    const guard = new ReplayGuard();
    const seen = () => (guard as unknown as { seen: Map<string, number> }).seen.size;
    for (let i = 0; i < 100; i++) guard.accept(`sig-${i}`, AT);
    expect(seen()).toBe(100);
    guard.accept('later', AT + 2 * WINDOW_MS + 1);
    expect(seen()).toBe(1);
  });
});

describe('webhook signature: a header sent twice', () => {
  // FC joins a repeated header's values with "," (Node's server, the custom runtime's, with ", "): a caller
  // whose HTTP library added the header a second time was told the signature "does not match" or the
  // timestamp was not "unix seconds", and went looking for a wrong secret or clock.
  it('is named as sent more than once, whichever header it is, and the value is not echoed', () => {
    const body = Buffer.from('{"mode":"dry-run"}');
    const signature = webhookSignature('s', '1764550800', body);
    for (const joiner of [',', ', ']) {
      const twiceSigned = verifyWebhook('s', { timestamp: '1764550800', signature: `${signature}${joiner}${signature}` }, body, AT);
      expect(twiceSigned).toEqual({ ok: false, message: 'x-redeem-signature was sent more than once (its values arrive joined with ","); send it once' });
      expect(verifyWebhook('s', { timestamp: `1764550800${joiner}1764550800`, signature }, body, AT)).toEqual({ ok: false, message: 'x-redeem-timestamp was sent more than once (its values arrive joined with ","); send it once' });
    }
  });
});
