/**
 * The FC handler behind an HTTP-trigger stand-in written from FC's published event format
 * (test/support/fc-http-trigger.ts), against a registrar stand-in: real HTTP on 127.0.0.1 both ways, odd
 * but possible requests, and what a caller gets back.
 */
import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { handler } from '../../functions/redeem/index.js';
import { reasonWords } from '../../shared/notify/report.js';
import { webhookSignature } from '../../shared/signing/webhook.js';
import { dueExpiration } from '../safety/standin-runs.js';
import { WEBHOOK_SECRET, captureStdio, fcContext, httpEvent, timerEvent } from '../support/fc.js';
import { startTriggerStandin, type TriggerStandin } from '../support/fc-http-trigger.js';
import { domainItem, startStandin, type RegistrarStandin } from '../support/registrar-standin.js';

const NAMES = ['held-one.com', 'held-two.com'];
let trigger: TriggerStandin;
let registrar: RegistrarStandin;
const saved = { ...process.env };

beforeAll(async () => {
  registrar = await startStandin({ domains: NAMES.map((name) => domainItem(name, dueExpiration(name))) });
  for (const key of Object.keys(process.env)) if (/^(REDEEM_|DOMAIN_|SLS_|WEBHOOK_|NOTIFY_|ALIBABA_CLOUD_)/.test(key)) delete process.env[key];
  Object.assign(process.env, { REDEEM_MODE: 'live', REDEEM_DOMAINS: '*', REDEEM_API_QPS: '1000', REDEEM_FOLLOW_SECONDS: '1', DOMAIN_ENDPOINT: registrar.url, WEBHOOK_SECRET });
  trigger = await startTriggerStandin({ handler: handler as (event: unknown, context: unknown) => Promise<unknown>, context: (requestId) => fcContext({ requestId }) });
});
afterAll(async () => {
  await trigger.close();
  await registrar.close();
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
});
afterEach(() => vi.restoreAllMocks());

function signed(body: string | Buffer, timestamp = Math.floor(Date.now() / 1000)): Record<string, string> {
  return { 'x-redeem-timestamp': String(timestamp), 'x-redeem-signature': webhookSignature(WEBHOOK_SECRET, String(timestamp), body) };
}

/** A POST whose header values go on the wire as the bytes given (fetch would refuse bytes above 0x7F). */
function post(path: string, headers: Record<string, string | Buffer>, body: string | Buffer): Promise<{ status: number; text: string }> {
  const url = new URL(trigger.url + path);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
    });
    // Node writes a header's string as latin1, one byte per character: a Buffer's bytes go out as they are.
    for (const [name, value] of Object.entries(headers)) req.setHeader(name, typeof value === 'string' ? value : value.toString('latin1'));
    req.on('error', reject);
    // A Buffer body keeps the header block in latin1 (a string body would re-encode it as UTF-8).
    req.end(Buffer.from(body));
  });
}

describe('headers FC passes on as they came', () => {
  it('a signed webhook with a UTF-8 header value (a monitor naming itself in Chinese) runs like any other', async () => {
    const body = '{"mode":"dry-run","reason":"utf-8 header"}';
    const stdio = captureStdio();
    const answer = await post('/webhook', { 'content-type': 'application/json', 'x-source': Buffer.from('监控'), ...signed(body) }, body);
    vi.restoreAllMocks();
    expect(trigger.events.at(-1)!.headers['x-source']).toBe('监控');
    expect(answer.status, `${answer.text}\n(function log: ${stdio.text.slice(0, 500) || 'nothing'})`).toBe(200);
    expect(JSON.parse(answer.text).run).toMatchObject({ trigger: 'webhook', mode: 'dry-run', outcome: 'completed', count_would_redeem: 2 });
  });

  it('a header whose bytes are not UTF-8 (FC can only pass them as U+FFFD) does not stop a signed webhook either', async () => {
    const body = '{"mode":"dry-run","reason":"latin-1 header"}';
    const answer = await post('/webhook', { 'content-type': 'application/json', 'x-note': Buffer.from('caf\xe9', 'latin1'), ...signed(body) }, body);
    expect(trigger.events.at(-1)!.headers['x-note']).toBe('caf\uFFFD');
    expect(answer.status, answer.text).toBe(200);
  });
});

describe('an answer that sends the caller to the function log', () => {
  it('has its error there: an event the web Request cannot be built from (method TRACE) is logged with its request id', async () => {
    const stdio = captureStdio();
    const struct = (await handler(httpEvent({ method: 'TRACE', body: '' }), fcContext({ requestId: 'req-trace' }))) as { statusCode: number; body: string };
    vi.restoreAllMocks();
    expect(struct.statusCode).toBe(500);
    expect(JSON.parse(struct.body).error.message).toMatch(/see the function log/);
    const logged = stdio.text.split('\n').filter((line) => line.includes('req-trace'));
    expect(logged.join('\n'), 'the function log holds nothing for req-trace').toMatch(/TRACE/);
    expect(logged.join('\n')).not.toMatch(/\n\s+at /);
  });
});

describe('bodies that JSON parsers read differently', () => {
  it('a body in ISO-8859-1 (charset=iso-8859-1, "é" as one byte) is refused naming UTF-8, not run with the text mangled', async () => {
    const body = Buffer.from('{"mode":"dry-run","reason":"vérifier"}', 'latin1');
    const answer = await post('/webhook', { 'content-type': 'application/json; charset=iso-8859-1', ...signed(body) }, body);
    expect(answer.status, answer.text).toBe(400);
    expect(JSON.parse(answer.text).error).toMatchObject({ code: 'invalid-json', message: expect.stringMatching(/charset=iso-8859-1.*UTF-8/) });
  });

  it('a body in UTF-16 (Windows PowerShell 5.1 writes `echo … > body.json` so) is refused with what to fix: UTF-8', async () => {
    const body = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{"mode":"dry-run"}', 'utf16le')]);
    const answer = await post('/webhook', { 'content-type': 'application/json', ...signed(body) }, body);
    expect(answer.status, answer.text).toBe(400);
    expect(JSON.parse(answer.text).error.message).toMatch(/UTF-16.*UTF-8/);
  });

  it('a body saved with a UTF-8 byte order mark (a Windows editor, then curl --data-binary @file) runs, as the same file does with s invoke', async () => {
    const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"mode":"dry-run","reason":"bom"}')]);
    const answer = await post('/webhook', { 'content-type': 'application/json', ...signed(body) }, body);
    expect(answer.status, answer.text).toBe(200);
    expect(JSON.parse(answer.text).run).toMatchObject({ mode: 'dry-run', reason: 'bom', outcome: 'completed' });
  });

  it('a compressed body (Content-Encoding: gzip, as some webhook senders send) is refused naming the encoding, not as UTF-16', async () => {
    const body = gzipSync(Buffer.from('{"mode":"dry-run","reason":"gzip"}'));
    const orders = registrar.orders.length;
    const answer = await post('/webhook', { 'content-type': 'application/json', 'content-encoding': 'gzip', ...signed(body) }, body);
    expect(registrar.orders.length - orders, 'orders placed').toBe(0);
    expect(answer.status, answer.text).toBe(415);
    expect(JSON.parse(answer.text).error).toMatchObject({ code: 'unsupported-encoding', message: expect.stringMatching(/Content-Encoding: gzip.*uncompressed/) });
    // The same bytes with no header are named as gzip too; a body that is JSON runs whatever the header says
    // (a front that decompressed it and kept the header).
    const other = gzipSync(Buffer.from('{"mode":"dry-run","reason":"gzip, no header"}'));
    const bare = await post('/webhook', { 'content-type': 'application/json', ...signed(other) }, other);
    expect(JSON.parse(bare.text).error, bare.text).toMatchObject({ code: 'unsupported-encoding', message: expect.stringMatching(/gzip-compressed.*uncompressed/) });
    const plain = '{"mode":"dry-run","reason":"already decompressed"}';
    const decompressed = await post('/webhook', { 'content-type': 'application/json', 'content-encoding': 'gzip', ...signed(plain) }, plain);
    expect(decompressed.status, decompressed.text).toBe(200);
  });

  it('a field named twice ({"mode":"dry-run","mode":"live"}) is refused by name, and nothing is ordered', async () => {
    // JSON.parse keeps the last value, many parsers (and a caller's own check of what it sends) the first:
    // a caller who checked "dry-run" would have a live run order for it.
    const body = '{"mode":"dry-run","reason":"check only","mode":"live"}';
    const orders = registrar.orders.length;
    const answer = await post('/webhook', { 'content-type': 'application/json', ...signed(body) }, body);
    expect(registrar.orders.length - orders, 'orders placed').toBe(0);
    expect(answer.status, answer.text).toBe(400);
    expect(JSON.parse(answer.text).error).toMatchObject({ code: 'invalid-json', message: expect.stringContaining('"mode"') });
  });
});

describe('webhooks naming domains', () => {
  it('a domain on the allow-list that the request did not name is not told as "not on the allow-list"', async () => {
    // REDEEM_DOMAINS is "*": held-two.com is allowed. Told "not on the allow-list (REDEEM_DOMAINS)", a person
    // would go and change a setting that is right.
    const body = JSON.stringify({ mode: 'dry-run', domains: ['held-one.com'] });
    const answer = await post('/webhook', { 'content-type': 'application/json', ...signed(body) }, body);
    const decisions = JSON.parse(answer.text).decisions as Array<{ domain: string; reason: string }>;
    const other = decisions.find((d) => d.domain === 'held-two.com')!;
    expect(other.reason).toBe('not-requested');
    expect(reasonWords(other.reason)).not.toMatch(/allow-list|REDEEM_DOMAINS/);
  });

  it('names in other spellings are the listed domains; a name the redemption list does not hold is named in the answer', async () => {
    const body = JSON.stringify({ mode: 'dry-run', domains: [' HELD-ONE.COM. ', 'held-one.com', 'Not-Held.com', 'held-two.com'] });
    const answer = await post('/webhook', { 'content-type': 'application/json', ...signed(body) }, body);
    expect(answer.status, answer.text).toBe(200);
    const summary = JSON.parse(answer.text);
    expect(summary.decisions.map((d: { domain: string; outcome: string }) => [d.domain, d.outcome])).toEqual([
      ['held-one.com', 'would-redeem'],
      ['held-two.com', 'would-redeem'],
    ]);
    // The caller asked about not-held.com: the answer (and the run record in the log) must say it was not there.
    expect(summary.run.not_in_redemption, JSON.stringify(summary.run)).toBe('not-held.com');
  });
});

describe('methods', () => {
  it('GET /webhook (a person checking the URL in a browser) is told to POST, not that the route does not exist', async () => {
    const res = await fetch(`${trigger.url}/webhook`);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect([res.status, body.error.code, body.error.message]).toEqual([405, 'method-not-allowed', expect.stringMatching(/POST/)]);
    expect(res.headers.get('allow')).toBe('POST');
  });

  it('HEAD and GET /healthz answer; POST /healthz is told to GET', async () => {
    expect((await fetch(`${trigger.url}/healthz`, { method: 'HEAD' })).status).toBe(200);
    const res = await fetch(`${trigger.url}/healthz`, { method: 'POST', body: '{}' });
    expect([res.status, ((await res.json()) as { error: { code: string } }).error.code]).toEqual([405, 'method-not-allowed']);
  });
});

describe('what the run could not read', () => {
  it('is in the answer the caller gets: a renewal list refused (no permission) is named, not only in a robot message', async () => {
    const refusing = await startStandin({
      domains: NAMES.map((name) => domainItem(name, dueExpiration(name))),
      script: (call) => (call.action === 'QueryDomainList' && call.params.QueryType === '1' ? { status: 403, body: { Code: 'Forbidden', Message: 'User not authorized to operate on the specified resource.', RequestId: 'req-403' } } : undefined),
    });
    process.env.DOMAIN_ENDPOINT = refusing.url;
    try {
      const body = '{"mode":"dry-run","reason":"renewals refused"}';
      const answer = await post('/webhook', { 'content-type': 'application/json', ...signed(body) }, body);
      expect(answer.status, answer.text).toBe(200);
      const run = JSON.parse(answer.text).run;
      expect(run.outcome).toBe('completed');
      expect(run.read_problems ?? `no read_problems in ${JSON.stringify(run)}`).toMatch(/renewal list.*Forbidden/);
    } finally {
      process.env.DOMAIN_ENDPOINT = registrar.url;
      await refusing.close();
    }
  });
});

describe('what never starts a run', () => {
  it('unsigned, badly signed, stale, replayed or misrouted requests: no run starts, nothing is ordered, every answer is JSON naming what to fix', async () => {
    const body = '{"reason":"live as configured"}';
    const good = signed(body);
    const stale = signed(body, Math.floor(Date.now() / 1000) - 301);
    const first = await post('/webhook', { 'content-type': 'application/json', ...good }, body);
    expect(first.status).toBe(200);
    const orders = registrar.orders.length;
    const stdio = captureStdio();
    const attempts: Array<[string, string, Record<string, string | Buffer>, string]> = [
      ['POST', '/webhook', {}, body],
      ['POST', '/webhook', { 'x-redeem-timestamp': good['x-redeem-timestamp']! }, body],
      ['POST', '/webhook', { ...good, 'x-redeem-signature': good['x-redeem-signature']!.replace(/.$/, (c) => (c === '0' ? '1' : '0')) }, body],
      ['POST', '/webhook', { ...good, 'x-redeem-signature': '' }, body],
      ['POST', '/webhook', stale, body],
      ['POST', '/webhook', good, body],
      ['POST', '/webhook', good, `${body} `],
      ['POST', '/webhook', { ...good, 'x-redeem-timestamp': `${good['x-redeem-timestamp']}000` }, body],
      ['POST', '/invoke', { 'x-fc-control-path': '/invoke' }, '{}'],
      ['PUT', '/webhook', good, body],
      ['POST', '/WEBHOOK', good, body],
    ];
    for (const [method, path, headers, payload] of attempts) {
      const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
        const url = new URL(trigger.url + path);
        const req = request({ host: url.hostname, port: url.port, path: url.pathname, method }, (res) => {
          let text = '';
          res.on('data', (chunk) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        });
        for (const [name, value] of Object.entries(headers)) req.setHeader(name, value as string);
        req.on('error', reject);
        req.end(Buffer.from(payload));
      });
      expect(answer.status, `${method} ${path} ${JSON.stringify(headers)}`).toBeGreaterThanOrEqual(400);
      const error = JSON.parse(answer.text).error as { code: string; message: string };
      expect(error.message.length, answer.text).toBeGreaterThan(10);
      expect(answer.text).not.toMatch(/\n\s+at |webhook-secret-value/);
    }
    vi.restoreAllMocks();
    expect(stdio.text).not.toMatch(/"kind":"run"/);
    expect(registrar.orders.length).toBe(orders);
  });
});

describe('near the function timeout', () => {
  it('a live webhook against a slow registrar answers inside a 6 s function timeout, every domain decided', async () => {
    const names = Array.from({ length: 8 }, (_, i) => `slow-${i}.com`);
    const slow = await startStandin({
      domains: names.map((name) => domainItem(name, dueExpiration(name))),
      newTaskStatus: 0,
      delayMs: (call) => (call.action === 'SaveSingleTaskForCreatingOrderRedeem' ? 1_200 : 300),
    });
    process.env.DOMAIN_ENDPOINT = slow.url;
    try {
      const body = '{"reason":"slow registrar"}';
      const started = Date.now();
      const struct = (await handler(httpEvent({ body, headers: signed(body) }), fcContext({ requestId: 'req-slow', timeout: 6 }))) as { statusCode: number; body: string };
      const elapsed = Date.now() - started;
      expect(elapsed, 'answered after the function timeout').toBeLessThan(6_000);
      expect(struct.statusCode, struct.body).toBe(200);
      const summary = JSON.parse(struct.body) as { run: { outcome: string }; decisions: Array<{ domain: string; outcome: string }> };
      expect(summary.run.outcome).toBe('completed');
      expect(summary.decisions.map((d) => d.domain).sort()).toEqual(names);
      // Every order the registrar took has its decision in the answer.
      const submitted = summary.decisions.filter((d) => d.outcome === 'submitted' || d.outcome === 'succeeded').map((d) => d.domain);
      expect(submitted.sort()).toEqual(slow.orders.map((o) => o.domainName).sort());
    } finally {
      process.env.DOMAIN_ENDPOINT = registrar.url;
      await slow.close();
    }
  });
});

describe('run options named twice in an event', () => {
  it('a direct invocation (s invoke -e) or a timer payload naming mode twice is refused by name, and nothing is ordered', async () => {
    const orders = registrar.orders.length;
    const twice = '{"mode":"dry-run","reason":"check","mode":"live"}';
    await expect(handler(Buffer.from(twice), fcContext({ requestId: 'req-invoke-twice' }))).rejects.toThrow(/"mode" twice/);
    await expect(handler(timerEvent(twice), fcContext({ requestId: 'req-timer-twice' }))).rejects.toThrow(/"mode" twice/);
    expect(registrar.orders.length - orders, 'orders placed').toBe(0);
  });
});
