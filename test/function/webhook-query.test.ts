/**
 * Some webhook senders cannot set headers and put everything in the URL: the signature and the timestamp
 * in the query string. The webhook reads them from the headers only (README "The webhook"); told only
 * that they "are required", a caller who sent both looked for a typo in their names.
 */
import { describe, expect, it } from 'vitest';
import { createApp } from '../../functions/redeem/app.js';
import { WEBHOOK_SECRET, signedHeaders } from '../support/fc.js';

const platform = { channel: 'http' as const, credentials: undefined, requestId: 'req-query', timeoutSeconds: 60 };
const app = createApp({ env: { WEBHOOK_SECRET } });

describe('a webhook signed in the query string', () => {
  it('is refused 401 saying they are read from the headers, not the query string', async () => {
    const body = '{"mode":"dry-run"}';
    const signed = signedHeaders(body);
    const query = new URLSearchParams({ 'x-redeem-timestamp': signed['X-Redeem-Timestamp']!, 'x-redeem-signature': signed['X-Redeem-Signature']! });
    const res = await app.fetch(new Request(`https://fc.example/webhook?${query}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body }), { platform });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: { code: 'unauthorized', message: 'x-redeem-timestamp and x-redeem-signature are read from the request headers, not the query string' } });
  });

  it('without them anywhere: that they are required (control)', async () => {
    const res = await app.fetch(new Request('https://fc.example/webhook', { method: 'POST', body: '{}' }), { platform });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe('x-redeem-timestamp and x-redeem-signature are required');
  });
});
