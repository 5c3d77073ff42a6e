import { describe, expect, it } from 'vitest';
import { parseHttpEvent } from '../../shared/fc/events.js';
import { eventToRequest, responseToStruct } from '../../shared/fc/http-adapter.js';
import { budgetFromTimeout } from '../../shared/fc/invocation.js';
import { httpEvent } from '../support/fc.js';

describe('FC3 HTTP adapter', () => {
  it('builds the URL from rawPath and queryParameters, keeps comma-joined values, decodes base64 bodies', async () => {
    const request = eventToRequest(parseHttpEvent(JSON.parse(httpEvent({ body: '{"mode":"dry-run"}' }).toString())));
    const url = new URL(request.url);
    expect(url.pathname).toBe('/webhook');
    expect(url.hostname).toBe('redeem-abcdefghij.cn-hangzhou.fcapp.run');
    expect(url.searchParams.get('tag')).toBe('a,b');
    expect(url.searchParams.get('source')).toBe('monitor');
    expect(request.method).toBe('POST');
    expect(request.headers.get('x-redeem-timestamp')).toBeNull();
    expect(request.headers.get('content-type')).toBe('application/json');
    expect(await request.text()).toBe('{"mode":"dry-run"}');
  });

  it('plain-text bodies and header lookups are case-insensitive', async () => {
    const event = parseHttpEvent(JSON.parse(httpEvent({ body: 'hi', base64: false, headers: { 'X-Redeem-Timestamp': '1' } }).toString()));
    const request = eventToRequest(event);
    expect(request.headers.get('x-redeem-timestamp')).toBe('1');
    expect(await request.text()).toBe('hi');
  });

  it('text responses travel as text, binary ones as base64', async () => {
    const json = await responseToStruct(new Response('{"a":1}', { status: 201, headers: { 'content-type': 'application/json' } }));
    expect(json).toEqual({ statusCode: 201, headers: { 'content-type': 'application/json' }, isBase64Encoded: false, body: '{"a":1}' });
    const binary = await responseToStruct(new Response(new Uint8Array([0, 255, 1]), { headers: { 'content-type': 'application/octet-stream' } }));
    expect(binary).toMatchObject({ isBase64Encoded: true, body: Buffer.from([0, 255, 1]).toString('base64') });
    const gzipped = await responseToStruct(new Response('x', { headers: { 'content-type': 'text/plain', 'content-encoding': 'gzip' } }));
    expect(gzipped.isBase64Encoded).toBe(true);
  });

  it('the run budget is the FC timeout less a reserve', () => {
    expect(budgetFromTimeout(900)).toBe(890_000);
    expect(budgetFromTimeout(3)).toBe(2_700);
    expect(budgetFromTimeout(undefined)).toBe(54_000);
  });
});

describe('webhook signature', () => {
  it('accepts upper-case hex and refuses one changed byte of the body', async () => {
    const { verifyWebhook } = await import('../../shared/fc/webhook-signature.js');
    const { webhookSignature } = await import('../../shared/signing/webhook.js');
    const body = Buffer.from('{"mode":"dry-run"}');
    const signature = webhookSignature('s', '1764550800', body);
    const at = 1_764_550_800_000;
    expect(verifyWebhook('s', { timestamp: '1764550800', signature: signature.toUpperCase().replace('SHA256=', 'sha256=') }, body, at)).toMatchObject({ ok: true });
    expect(verifyWebhook('s', { timestamp: '1764550800', signature }, Buffer.from('{"mode":"dry-run "}'), at).ok).toBe(false);
    expect(verifyWebhook('s', { timestamp: '1764550800', signature }, body, at + 301_000).ok).toBe(false);
    expect(verifyWebhook('s', { timestamp: '1764550800', signature }, body, at - 299_000).ok).toBe(true);
    expect(verifyWebhook('s', { timestamp: '17645508.5', signature }, body, at).ok).toBe(false);
  });
});
