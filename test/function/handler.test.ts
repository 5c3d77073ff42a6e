/** End-to-end: the bundled handler (dist/redeem/index.js) with FC-shaped timer and HTTP events against the emulator. */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Emulator } from '../emulator/server.js';
import { startEmulator } from '../support/emulator.js';
import { FC_CREDENTIALS, WEBHOOK_SECRET, fcContext, httpEvent, loadBundledHandler, signedHeaders, timerEvent, captureStdio } from '../support/fc.js';

let emulator: Emulator;
let handler: ReturnType<typeof loadBundledHandler>;
let stdio = { text: '' };
const baseEnv = { ...process.env };

beforeAll(async () => {
  emulator = await startEmulator({ domains: 120, seed: 21, accessKeys: { [FC_CREDENTIALS.accessKeyId]: FC_CREDENTIALS.accessKeySecret }, taskTiming: { waitingMs: 30, executingMs: 30 } });
  handler = loadBundledHandler();
});
afterAll(() => emulator.close());

function configure(env: Record<string, string>) {
  for (const key of Object.keys(process.env)) if (/^(REDEEM_|DOMAIN_|SLS_|WEBHOOK_|ALIBABA_CLOUD_)/.test(key)) delete process.env[key];
  Object.assign(process.env, { REDEEM_API_QPS: '1000', DOMAIN_ENDPOINT: emulator.url, SLS_ENDPOINT: emulator.url, SLS_PROJECT: 'audit', SLS_LOGSTORE: 'results', WEBHOOK_SECRET, ...env });
}

beforeEach(() => {
  configure({});
  emulator.domain.tasks.length = 0;
  stdio = captureStdio();
});
afterEach(() => {
  vi.restoreAllMocks();
  Object.assign(process.env, baseEnv);
});

function records() {
  return stdio.text
    .split('\n')
    .filter((l) => l.startsWith('{"kind"'))
    .map((l) => JSON.parse(l));
}

async function webhook(body: string, headers: Record<string, string> = signedHeaders(body), requestId = 'req-webhook') {
  const struct = await handler(httpEvent({ body, headers }), fcContext({ requestId }));
  return { ...struct, json: struct.body ? JSON.parse(struct.isBase64Encoded ? Buffer.from(struct.body, 'base64').toString() : struct.body) : undefined };
}

describe('timer events', () => {
  it('runs with the options in the payload; the FC request id is in every record', async () => {
    configure({ REDEEM_MODE: 'live', REDEEM_DOMAINS: '*' });
    const summary = await handler(timerEvent('{"mode":"dry-run","reason":"nightly"}'), fcContext({ requestId: 'req-timer-1' }));
    expect(summary.run).toMatchObject({ kind: 'run', trigger: 'timer', mode: 'dry-run', reason: 'nightly', outcome: 'completed', fc_request_id: 'req-timer-1' });
    expect(summary.run.count_would_redeem).toBeGreaterThan(0);
    expect(emulator.domain.tasks).toHaveLength(0);
    const lines = records();
    // The run's start, one record per domain on the renewal list, one decision per domain, the run's end.
    expect(lines.length).toBe(summary.run.candidates + summary.run.watched! + 2);
    for (const r of lines) expect(r.fc_request_id).toBe('req-timer-1');
    expect(emulator.sls.logs.filter((l) => l.contents.fc_request_id === 'req-timer-1')).toHaveLength(lines.length);
  });

  it('an empty payload runs with the configuration (live here) and uses context.credentials', async () => {
    configure({ REDEEM_MODE: 'live', REDEEM_DOMAINS: '*', REDEEM_MAX_PER_RUN: '2', ALIBABA_CLOUD_ACCESS_KEY_ID: 'env-key', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'env-secret' });
    const summary = await handler(timerEvent(''), fcContext({ requestId: 'req-timer-2' }));
    expect(summary.run).toMatchObject({ mode: 'live', outcome: 'completed' });
    expect(summary.run.count_succeeded + summary.run.count_submitted).toBe(2);
    expect(emulator.domain.tasks).toHaveLength(2);
  });

  it('falls back to the environment credentials when the function has no role', async () => {
    configure({ ALIBABA_CLOUD_ACCESS_KEY_ID: FC_CREDENTIALS.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: FC_CREDENTIALS.accessKeySecret, ALIBABA_CLOUD_SECURITY_TOKEN: FC_CREDENTIALS.securityToken });
    const summary = await handler(timerEvent(''), fcContext({ credentials: {} }));
    expect(summary.run.outcome).toBe('completed');
  });

  it('a context whose optional parts are null or of another type runs as if they were absent, on the environment credentials', async () => {
    // The built-in runtime's context is the platform's, not the user's: a null where the docs show an
    // object (a function without a role) must not stop the run before it has written or told anything.
    configure({ ALIBABA_CLOUD_ACCESS_KEY_ID: FC_CREDENTIALS.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: FC_CREDENTIALS.accessKeySecret, ALIBABA_CLOUD_SECURITY_TOKEN: FC_CREDENTIALS.securityToken });
    const odd = { ...fcContext({ requestId: 'req-odd-context' }), credentials: null, service: { qualifier: null, versionId: 7 }, region: null, logger: { info: () => undefined } };
    const summary = await handler(timerEvent(''), odd);
    expect(summary.run).toMatchObject({ outcome: 'completed', fc_request_id: 'req-odd-context' });
    const noTimeout = await handler(timerEvent(''), { ...odd, function: { name: 'redeem', timeout: '60' } });
    expect(noTimeout.run.outcome).toBe('completed');
  });

  it('missing credentials, a payload that is not JSON, and bad configuration are errors that say what is wrong, with no stack', async () => {
    const noCreds = await handler(timerEvent(''), fcContext({ credentials: {} })).catch((e: Error) => e);
    expect(noCreds.message).toMatch(/No credentials: give the function a role/);
    expect(noCreds.stack).not.toMatch(/\n\s+at /);
    await expect(handler(timerEvent('{mode: live}'), fcContext())).rejects.toThrow(/timer payload is not JSON/);
    configure({ REDEEM_MODE: 'live' });
    await expect(handler(timerEvent(''), fcContext())).rejects.toThrow(/REDEEM_DOMAINS: required when REDEEM_MODE=live/);
  });

  it('the time budget comes from context.function.timeout', async () => {
    configure({ REDEEM_MODE: 'live', REDEEM_DOMAINS: '*' });
    emulator.latencyMs = 150;
    try {
      const summary = await handler(timerEvent(''), fcContext({ timeout: 3 }));
      expect(summary.run.left_for_next_run).toBeGreaterThan(0);
      expect(summary.run.duration_ms).toBeLessThan(3_000);
    } finally {
      emulator.latencyMs = 0;
    }
  });
});

describe('direct invocations', () => {
  it('the payload is the run options', async () => {
    const summary = await handler(Buffer.from('{"domains":["nothing-here.com"]}'), fcContext());
    expect(summary.run).toMatchObject({ trigger: 'invoke', outcome: 'completed' });
    // Allowed (a dry run with no REDEEM_DOMAINS allows every domain), but not named by the request.
    expect(summary.decisions.every((d: { reason: string }) => d.reason === 'not-requested')).toBe(true);
  });

  it('bytes that are not JSON, and unknown option fields, are refused by name', async () => {
    await expect(handler(Buffer.from('not json'), fcContext())).rejects.toThrow(/The event is not JSON/);
    await expect(handler(Buffer.from('{"mode":"dry-run","force":true}'), fcContext())).rejects.toThrow(/unknown field force/);
  });
});

describe('HTTP trigger: webhook', () => {
  it('a signed request runs and answers the summary as JSON', async () => {
    const res = await webhook('{"mode":"dry-run","reason":"monitor"}');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.json.run).toMatchObject({ trigger: 'webhook', mode: 'dry-run', reason: 'monitor', fc_request_id: 'req-webhook' });
  });

  it('refuses a missing, forged or stale signature with 401', async () => {
    const body = '{"mode":"dry-run"}';
    expect((await webhook(body, {})).statusCode).toBe(401);
    expect((await webhook(body, signedHeaders(body, undefined, 'not-the-secret'))).statusCode).toBe(401);
    expect((await webhook(body, signedHeaders('{"mode":"live"}'))).statusCode).toBe(401);
    const stale = await webhook(body, signedHeaders(body, Math.floor(Date.now() / 1000) - 301));
    expect(stale).toMatchObject({ statusCode: 401, json: { error: { code: 'unauthorized', message: expect.stringContaining('300 s') } } });
  });

  it('refuses a body above 64 KiB with 413', async () => {
    const body = JSON.stringify({ reason: 'x'.repeat(70 * 1024) });
    expect((await webhook(body)).statusCode).toBe(413);
  });

  it('bad JSON and unknown fields get 400 with the issues', async () => {
    expect(await webhook('{"mode":')).toMatchObject({ statusCode: 400, json: { error: { code: 'invalid-json' } } });
    const unknown = await webhook('{"mode":"dry-run","budget":1}');
    expect(unknown).toMatchObject({ statusCode: 400, json: { error: { code: 'invalid-options', message: expect.stringContaining('unknown field budget') } } });
    const badDomains = await webhook('{"domains":["ok.com", "no way"]}');
    expect(badDomains.json.error.message).toContain('"no way"');
  });

  it('an attempt to escalate to live is refused, and nothing is ordered', async () => {
    configure({ REDEEM_MODE: 'dry-run' });
    const res = await webhook('{"mode":"live"}');
    expect(res).toMatchObject({ statusCode: 403, json: { error: { code: 'escalation-refused' } } });
    expect(emulator.domain.tasks).toHaveLength(0);
  });

  it('a dry-run webhook orders nothing even when live is configured; named domains are intersected with the allow-list', async () => {
    configure({ REDEEM_MODE: 'live', REDEEM_DOMAINS: '*.com' });
    const dry = await webhook('{"mode":"dry-run"}');
    expect(dry.statusCode).toBe(200);
    expect(dry.json.run.count_would_redeem).toBeGreaterThan(0);
    expect(emulator.domain.tasks).toHaveLength(0);

    const target = emulator.domain.domains.find((d) => d.domainStatus === 2 && !d.domainName.endsWith('.com'))!;
    const narrowed = await webhook(JSON.stringify({ domains: [target.domainName] }));
    expect(narrowed.json.decisions.find((d: { domain: string }) => d.domain === target.domainName).reason).toBe('not-allowed');
    expect(emulator.domain.tasks).toHaveLength(0);
  });

  it('503 when WEBHOOK_SECRET is unset', async () => {
    configure({ WEBHOOK_SECRET: '' });
    expect((await webhook('{}')).statusCode).toBe(503);
  });

  // An HMAC key anyone can guess in a few tries signs orders: a secret too short to resist guessing is no secret.
  it('503 naming WEBHOOK_SECRET when it is too short to be a secret, and nothing is run', async () => {
    configure({ REDEEM_MODE: 'live', REDEEM_DOMAINS: '*', WEBHOOK_SECRET: 'abc' });
    const before = emulator.calls.length;
    const body = '{}';
    const ts = String(Math.floor(Date.now() / 1000));
    const { webhookSignature } = await import('../../shared/signing/index.js');
    const res = await webhook(body, { 'x-redeem-timestamp': ts, 'x-redeem-signature': webhookSignature('abc', ts, body) });
    expect(res.statusCode).toBe(503);
    expect(res.json.error.message).toMatch(/WEBHOOK_SECRET.*at least 16/);
    expect(res.json.error.message).not.toContain('abc');
    expect(emulator.calls.length).toBe(before);
    expect(emulator.domain.tasks).toHaveLength(0);
  });

  // Without a line, a caller whose signing is broken (or someone probing the URL) goes unnoticed by the operator.
  it('a refused webhook (bad signature, replay) leaves one log line with its request id and the code, never the signature', async () => {
    const body = '{"mode":"dry-run","reason":"a refused request is logged"}';
    const bad = await webhook(body, { 'x-redeem-timestamp': String(Math.floor(Date.now() / 1000)), 'x-redeem-signature': `sha256=${'0'.repeat(64)}` }, 'req-refused-1');
    expect(bad.statusCode).toBe(401);
    const headers = signedHeaders(body);
    expect((await webhook(body, headers, 'req-ok')).statusCode).toBe(200);
    expect((await webhook(body, headers, 'req-refused-2')).statusCode).toBe(409);
    const lines = stdio.text.split('\n').filter((l) => l.includes('req-refused'));
    expect(lines, stdio.text.slice(-2000)).toHaveLength(2);
    expect(lines[0]).toMatch(/"code":"unauthorized"/);
    expect(lines[1]).toMatch(/"code":"replayed"/);
    for (const line of lines) expect(line).not.toContain('0'.repeat(64));
    for (const line of lines) expect(line).not.toContain(headers['X-Redeem-Signature']!.slice(7));
  });

  // README "The webhook": "every refused request leaves one WARN line in the function log"; a GET or PUT of
  // the webhook URL (someone trying it) is refused with 405 and was the one refusal that left none.
  it('a request to /webhook with another method (405) leaves its refusal line too', async () => {
    for (const method of ['GET', 'PUT']) {
      const res = await handler(httpEvent({ method, path: '/webhook' }), fcContext({ requestId: `req-method-${method}` }));
      expect(res.statusCode, res.body).toBe(405);
      const lines = stdio.text.split('\n').filter((l) => l.includes(`req-method-${method}`));
      expect(lines, `${method}: ${stdio.text.slice(-2000)}`).toHaveLength(1);
      expect(lines[0]).toMatch(/"message":"webhook refused".*"status":405,"code":"method-not-allowed"/);
    }
  });

  it('a webhook URL with a trailing slash (POST /webhook/, which Hono routes to the webhook) leaves its refusal line too', async () => {
    const body = '{"mode":"dry-run","reason":"trailing slash"}';
    const bad = await handler(
      httpEvent({ path: '/webhook/', body, headers: { 'x-redeem-timestamp': String(Math.floor(Date.now() / 1000)), 'x-redeem-signature': `sha256=${'0'.repeat(64)}` } }),
      fcContext({ requestId: 'req-slash-refused' }),
    );
    expect(bad.statusCode, bad.body).toBe(401);
    const lines = stdio.text.split('\n').filter((l) => l.includes('req-slash-refused'));
    expect(lines, stdio.text.slice(-2000)).toHaveLength(1);
    expect(lines[0]).toMatch(/"message":"webhook refused".*"code":"unauthorized"/);
  });
});

describe('HTTP trigger: other routes and malformed events', () => {
  it('GET /healthz answers without cloud calls', async () => {
    const before = emulator.calls.length;
    const res = await handler(httpEvent({ method: 'GET', path: '/healthz' }), fcContext());
    expect(res).toMatchObject({ statusCode: 200, isBase64Encoded: false });
    expect(JSON.parse(res.body)).toEqual({ status: 'ok' });
    expect(emulator.calls.length).toBe(before);
  });

  // An uptime monitor reads the status code: a function whose every run fails on its configuration is not healthy.
  it('GET /healthz of a misconfigured function answers 503, naming the variables, never their values', async () => {
    configure({ REDEEM_MODE: 'live-ish' });
    const res = await handler(httpEvent({ method: 'GET', path: '/healthz' }), fcContext());
    expect(res.statusCode).toBe(503);
    expect(JSON.parse(res.body)).toEqual({ status: 'misconfigured', invalid: ['REDEEM_MODE'] });
    expect(res.body).not.toContain('live-ish');
  });

  // README: a WEBHOOK_SECRET under 16 characters makes "the webhook answer 503 naming it, and redeemer doctor
  // fails its config check"; /healthz "says whether the configuration is valid and names the bad variables".
  // It answered ok while the trigger's one job, the webhook, refused every request.
  it('GET /healthz with a WEBHOOK_SECRET too short to be a secret answers 503 naming it, never its value; unset, ok', async () => {
    configure({ WEBHOOK_SECRET: 'hunter2-letmein' });
    const res = await handler(httpEvent({ method: 'GET', path: '/healthz' }), fcContext());
    expect(res.statusCode).toBe(503);
    expect(JSON.parse(res.body)).toEqual({ status: 'misconfigured', invalid: ['WEBHOOK_SECRET'] });
    expect(res.body).not.toContain('hunter2');
    configure({ REDEEM_MODE: 'live-ish', WEBHOOK_SECRET: 'hunter2-letmein' });
    expect(JSON.parse((await handler(httpEvent({ method: 'GET', path: '/healthz' }), fcContext())).body)).toEqual({ status: 'misconfigured', invalid: ['REDEEM_MODE', 'WEBHOOK_SECRET'] });
    // No webhook at all (a timer-only function) is a choice, not a fault.
    configure({});
    delete process.env.WEBHOOK_SECRET;
    expect((await handler(httpEvent({ method: 'GET', path: '/healthz' }), fcContext())).statusCode).toBe(200);
  });

  it('an unknown route is a JSON 404', async () => {
    const res = await handler(httpEvent({ method: 'GET', path: '/nope' }), fcContext());
    expect(res.statusCode).toBe(404);
    expect(JSON.parse(res.body).error.code).toBe('not-found');
  });

  it('POST /invoke through the HTTP trigger does not exist: only the signed webhook starts a run from outside', async () => {
    const before = emulator.calls.length;
    const res = await handler(httpEvent({ method: 'POST', path: '/invoke', body: '{}' }), fcContext());
    expect(res.statusCode).toBe(404);
    expect(emulator.calls.length).toBe(before);
  });

  it('a malformed HTTP event answers a 400 struct', async () => {
    const res = await handler(Buffer.from(JSON.stringify({ rawPath: '/webhook', requestContext: { http: {} } })), fcContext());
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body).error.message).toMatch(/event\.requestContext\.http\.method/);
  });
});

describe('secrets', () => {
  it('never appear in any output', async () => {
    configure({ REDEEM_MODE: 'live', REDEEM_DOMAINS: '*', REDEEM_MAX_PER_RUN: '1' });
    await handler(timerEvent(''), fcContext());
    await webhook('{"mode":"dry-run"}');
    await webhook('{}', signedHeaders('{}', undefined, 'forged'));
    await handler(timerEvent(''), fcContext({ credentials: { ...FC_CREDENTIALS, accessKeySecret: 'wrong-secret-value' } })).catch((e: Error) => (stdio.text += e.message + e.stack));
    await handler(Buffer.from('{"mode":"live","x":1}'), fcContext()).catch((e: Error) => (stdio.text += e.message + e.stack));
    expect(stdio.text.length).toBeGreaterThan(1000);
    for (const secret of [FC_CREDENTIALS.accessKeySecret, FC_CREDENTIALS.securityToken, WEBHOOK_SECRET, 'wrong-secret-value']) {
      expect(stdio.text).not.toContain(secret);
    }
    for (const log of emulator.sls.logs) for (const secret of [FC_CREDENTIALS.accessKeySecret, FC_CREDENTIALS.securityToken, WEBHOOK_SECRET]) expect(JSON.stringify(log)).not.toContain(secret);
  });
});

describe('the bundle', () => {
  it('loads on its own, with no node_modules anywhere above it, the way FC loads index.handler', async () => {
    const { mkdtempSync, copyFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { execFileSync } = await import('node:child_process');
    const dir = mkdtempSync(join(tmpdir(), 'fc-code-'));
    try {
      copyFileSync(new URL('../../dist/redeem/index.js', import.meta.url), join(dir, 'index.js'));
      const script = `require('./index.js').handler(Buffer.from(JSON.stringify({version:'v1',rawPath:'/healthz',headers:{},requestContext:{http:{method:'GET'}}})),{requestId:'r'}).then((r)=>process.stdout.write(JSON.stringify(r)))`;
      const out = execFileSync(process.execPath, ['-e', script], { cwd: dir, env: { PATH: process.env.PATH ?? '' } }).toString();
      expect(JSON.parse(out)).toMatchObject({ statusCode: 200, body: '{"status":"ok"}' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
