/**
 * A hostile body as large as FC lets through (32 MB sync, function-compute.md "Limits": HTTP body), base64 in
 * the built-in runtime's event (`isBase64Encoded: true`) or plain, against the webhook's own 64 KiB limit.
 * The webhook must refuse it by name, and the built-in adapter must not decode the whole body (24 MB, then
 * copied again into the Request) to find out that the first 64 KiB were already too many. Both runtimes,
 * over real HTTP on 127.0.0.1: the built-in handler behind the HTTP-trigger stand-in, and the custom runtime.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { ServerType } from '@hono/node-server';
import { handler } from '../../functions/redeem/index.js';
import { parseHttpEvent } from '../../shared/fc/events.js';
import { eventToRequest } from '../../shared/fc/http-adapter.js';
import { startTriggerStandin, type TriggerStandin } from '../support/fc-http-trigger.js';
import { WEBHOOK_SECRET, fcContext, fcInvokeHeaders, signedHeaders, startRuntime } from '../support/fc.js';

/** Near FC's 32 MB limit once base64 (4/3) and the event's JSON around it are counted. */
const HOSTILE_BYTES = 23 * 1024 * 1024;
const LIMIT = 64 * 1024;

function hostileEvent(base64: boolean, bytes = HOSTILE_BYTES) {
  const raw = Buffer.alloc(bytes, 0x7b); // '{' repeated: not JSON, not worth decoding
  return parseHttpEvent({
    version: 'v1',
    rawPath: '/webhook',
    body: base64 ? raw.toString('base64') : raw.toString('latin1'),
    isBase64Encoded: base64,
    headers: { 'Content-Type': 'application/json' },
    requestContext: { domainName: 'redeem-abcdefghij.cn-hangzhou.fcapp.run', http: { method: 'POST', path: '/webhook' } },
  });
}

async function firstChunk(request: Request): Promise<number> {
  const reader = request.body!.getReader();
  const { value } = await reader.read();
  await reader.cancel();
  return value?.length ?? 0;
}

describe('built-in runtime: a 32 MB body in the event', () => {
  it.each([true, false])('is not decoded whole before the webhook reads its first 64 KiB (isBase64Encoded %s)', async (base64) => {
    const event = hostileEvent(base64);
    const before = process.memoryUsage().arrayBuffers;
    const request = eventToRequest(event);
    const grown = process.memoryUsage().arrayBuffers - before;
    // Built from the event alone, the Request holds no decoded copy of the body (a few KiB of bookkeeping at most).
    expect(grown).toBeLessThan(4 * 1024 * 1024);
    // The body is handed over in pieces, so a reader that stops at its limit stops decoding there.
    expect(await firstChunk(request)).toBeLessThanOrEqual(LIMIT);
  });

  it('decodes every body exactly, base64 (with the line breaks some encoders add) or text (any character at a piece boundary)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 3 * LIMIT }), fc.boolean(), async (bytes, wrapped) => {
        const buffer = Buffer.from(bytes);
        const text = buffer.toString('base64');
        const body = wrapped ? text.replace(/.{76}/g, '$&\r\n') : text;
        const request = eventToRequest({ ...hostileEvent(true, 0), body, isBase64Encoded: true });
        expect(Buffer.from(await request.arrayBuffer()).equals(buffer)).toBe(true);
      }),
      { numRuns: 60 },
    );
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'grapheme', maxLength: 40_000 }), async (body) => {
        const request = eventToRequest({ ...hostileEvent(false, 0), body, isBase64Encoded: false });
        expect(await request.text()).toBe(body);
      }),
      { numRuns: 60 },
    );
  });

  describe('through the HTTP trigger', () => {
    let trigger: TriggerStandin;
    const env = { ...process.env };
    beforeAll(async () => {
      process.env.WEBHOOK_SECRET = WEBHOOK_SECRET;
      trigger = await startTriggerStandin({ handler: handler as never, context: (requestId) => fcContext({ requestId }), base64: 'always' });
    });
    afterAll(async () => {
      await trigger.close();
      process.env = env;
    });

    it('refuses it with 413, naming the limit', async () => {
      const body = Buffer.alloc(HOSTILE_BYTES, 0x7b);
      const res = await fetch(`${trigger.url}/webhook`, { method: 'POST', headers: { 'content-type': 'application/octet-stream', ...signedHeaders('x') }, body });
      expect(res.status).toBe(413);
      expect(await res.json()).toEqual({ error: { code: 'payload-too-large', message: expect.stringMatching(/^The body is (\d+|more than 65536) bytes; the limit is 65536 bytes \(64 KiB\)$/) } });
      expect(trigger.events.at(-1)?.isBase64Encoded).toBe(true);
    });
  });
});

describe('custom runtime: a 32 MB body over HTTP', () => {
  let server: ServerType;
  let base: string;
  beforeAll(async () => {
    ({ server, url: base } = await startRuntime({ WEBHOOK_SECRET }, []));
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it.each([
    ['with its Content-Length', true],
    ['chunked, with no length', false],
  ])('refuses it with 413, naming the limit (%s)', async (_name, withLength) => {
    const bytes = Buffer.alloc(HOSTILE_BYTES, 0x7b);
    const body = withLength
      ? bytes
      : new ReadableStream({
          pull(controller) {
            for (let at = 0; at < bytes.length; at += 1024 * 1024) controller.enqueue(bytes.subarray(at, at + 1024 * 1024));
            controller.close();
          },
        });
    const res = await fetch(`${base}/webhook`, { method: 'POST', headers: { ...fcInvokeHeaders('req-large', '/http-invoke'), ...signedHeaders('x') }, body, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: { code: 'payload-too-large', message: expect.stringMatching(/^The body is (\d+|more than 65536) bytes; the limit is 65536 bytes \(64 KiB\)$/) } });
  });
});

describe('a signed body of exactly the limit, multibyte characters across the pieces', () => {
  /** A JSON body of `bytes` UTF-8 bytes that names "mode" twice: read whole and its signature checked, it is a 400 naming the field. */
  function bodyOf(bytes: number, label: string): string {
    // The label keeps each runtime's bodies apart: the webhook refuses a signed body it has already seen.
    const head = `{"mode":"dry-run","mode":"live","note":"${label}`;
    const tail = '"}';
    // 3, 4 and 2 bytes in turn, so that the pieces of 16 KiB (the adapter's) fall inside and between them.
    const chars = ['监', '😀', 'é'];
    const parts: string[] = [];
    let size = Buffer.byteLength(head + tail);
    for (let i = 0; size + 4 <= bytes; i++) {
      parts.push(chars[i % 3]!);
      size += Buffer.byteLength(chars[i % 3]!);
    }
    const body = head + parts.join('') + 'a'.repeat(bytes - size) + tail;
    expect(Buffer.byteLength(body)).toBe(bytes);
    return body;
  }
  const twice = { error: { code: 'invalid-json', message: 'The body names the field "mode" twice; send each field once' } };
  const tooLarge = { error: { code: 'payload-too-large', message: expect.stringMatching(/^The body is (\d+|more than 65536) bytes; the limit is 65536 bytes \(64 KiB\)$/) } };

  describe.each([['always'], ['never']] as const)('built-in runtime behind the HTTP trigger (base64 %s)', (base64) => {
    let trigger: TriggerStandin;
    const env = { ...process.env };
    beforeAll(async () => {
      process.env.WEBHOOK_SECRET = WEBHOOK_SECRET;
      trigger = await startTriggerStandin({ handler: handler as never, context: (requestId) => fcContext({ requestId }), base64 });
    });
    afterAll(async () => {
      await trigger.close();
      process.env = env;
    });

    it.each([[LIMIT, 400, twice], [LIMIT + 1, 413, tooLarge]] as const)('%i bytes: %i', async (bytes, status, answer) => {
      const body = bodyOf(bytes, `built-in ${base64}`);
      const res = await fetch(`${trigger.url}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', ...signedHeaders(body) }, body });
      expect(await res.json()).toEqual(answer);
      expect(res.status).toBe(status);
    });
  });

  describe('custom runtime', () => {
    let server: ServerType;
    let base: string;
    beforeAll(async () => {
      ({ server, url: base } = await startRuntime({ WEBHOOK_SECRET }, []));
    });
    afterAll(() => new Promise((resolve) => server.close(resolve)));

    it.each([[LIMIT, 400, twice], [LIMIT + 1, 413, tooLarge]] as const)('%i bytes: %i', async (bytes, status, answer) => {
      const body = bodyOf(bytes, 'custom');
      const res = await fetch(`${base}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', ...fcInvokeHeaders('req-exact', '/http-invoke'), ...signedHeaders(body) }, body });
      expect(await res.json()).toEqual(answer);
      expect(res.status).toBe(status);
    });
  });
});
