/**
 * A size refused says its unit and the limit: "70000 bytes; the limit is 65536 bytes", "501 characters",
 * "1001 items", not a bare number a person has to guess the unit of (bytes or KB? characters or bytes?).
 */
import { describe, expect, it } from 'vitest';
import { createApp } from '../../functions/redeem/app.js';
import { parseRunOptions } from '../../shared/run/index.js';
import { WEBHOOK_SECRET, signedHeaders } from '../support/fc.js';

const platform = { channel: 'http' as const, credentials: undefined, requestId: 'req-size', timeoutSeconds: 60 };
const app = createApp({ env: { WEBHOOK_SECRET } });

async function post(body: RequestInit['body'], headers: Record<string, string>) {
  const res = await app.fetch(new Request('https://fc.example/webhook', { method: 'POST', headers, body, duplex: 'half' } as RequestInit), { platform });
  return { status: res.status, body: (await res.json()) as { error: { code: string; message: string } } };
}

describe('the webhook body above its limit', () => {
  it('with a Content-Length: the size and the limit, both in bytes', async () => {
    const body = JSON.stringify({ reason: 'x'.repeat(70_000 - 13) });
    expect(Buffer.byteLength(body)).toBe(70_000);
    const res = await post(body, { 'content-type': 'application/json', 'content-length': '70000', ...signedHeaders(body) });
    expect(res.status).toBe(413);
    expect(res.body.error.message).toBe('The body is 70000 bytes; the limit is 65536 bytes (64 KiB)');
  });

  it('streamed without a length: what was read, and the limit, in bytes', async () => {
    const bytes = Buffer.alloc(70_000, 0x7b);
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(bytes);
        controller.close();
      },
    });
    const res = await post(stream, { 'content-type': 'application/json', ...signedHeaders('x') });
    expect(res.status).toBe(413);
    expect(res.body.error.message).toBe('The body is more than 65536 bytes; the limit is 65536 bytes (64 KiB)');
  });
});

describe('run options above their limits', () => {
  const message = (input: unknown) => {
    try {
      parseRunOptions(input);
    } catch (error) {
      return (error as Error).message;
    }
    return 'accepted';
  };

  it('reason: in characters', () => {
    expect(message({ reason: 'x'.repeat(501) })).toBe('Invalid run options: reason: must be at most 500 characters');
  });

  it('domains: the list in items, a name in characters', () => {
    expect(message({ domains: Array.from({ length: 1001 }, (_, i) => `d${i}.com`) })).toBe('Invalid run options: domains: must be at most 1000 items');
    expect(message({ domains: [`${'a'.repeat(250)}.com`] })).toBe('Invalid run options: domains[0]: must be at most 253 characters');
    expect(message({ domains: [''] })).toBe('Invalid run options: domains[0]: must be at least 1 character');
  });
});
