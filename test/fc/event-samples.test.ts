/**
 * Each sample of test/fixtures/fc-events (copied from the shared reference's fc-events/, the FC 3.0
 * built-in runtime shapes of function-compute.md section 2-3), handed to the bundled handler exactly as FC
 * would deliver it: the event as a Buffer of its JSON text, the context as the object, nothing rebuilt
 * from a helper. A registrar stand-in that checks every signature with the sample context's own STS keys
 * proves the run signed with what FC handed it.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { dueExpiration } from '../safety/standin-runs.js';
import { captureStdio, loadBundledHandler } from '../support/fc.js';
import { domainItem, startStandin, type RegistrarStandin } from '../support/registrar-standin.js';
import { readFixture } from '../support/vectors.js';
import { webhookSignature } from '../../shared/signing/webhook.js';

const SECRET = 'sample-webhook-secret-0123456789';
const timerSample = readFixture('fc-events/timer-event.json');
const httpSample = readFixture('fc-events/http-event.json');
const contextSample = readFixture('fc-events/context.json');
const NAMES = ['sample-0.com', 'sample-1.net'];

let registrar: RegistrarStandin;
let handler: ReturnType<typeof loadBundledHandler>;
let stdio = { text: '' };
const saved = { ...process.env };

beforeAll(async () => {
  registrar = await startStandin({ domains: NAMES.map((name) => domainItem(name, dueExpiration(name))), verify: contextSample.credentials });
  handler = loadBundledHandler({ fresh: true });
});
afterAll(async () => {
  await registrar.close();
});
beforeEach(() => {
  for (const key of Object.keys(process.env)) if (/^(REDEEM_|DOMAIN_|SLS_|WEBHOOK_|NOTIFY_|ALIBABA_CLOUD_)/.test(key)) delete process.env[key];
  // Live and allow-all: a sample that asks for dry-run must narrow it.
  Object.assign(process.env, { REDEEM_MODE: 'live', REDEEM_DOMAINS: '*', REDEEM_API_QPS: '1000', REDEEM_FOLLOW_SECONDS: '1', DOMAIN_ENDPOINT: registrar.url, WEBHOOK_SECRET: SECRET });
  stdio = captureStdio();
});
afterEach(() => {
  vi.restoreAllMocks();
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
});

const asDelivered = (sample: object) => Buffer.from(JSON.stringify(sample));
const runRecords = () => stdio.text.split('\n').filter((l) => l.startsWith('{"kind":"run"')).map((l) => JSON.parse(l));

describe('timer-event.json with context.json, as FC delivers them', () => {
  it('runs once in dry-run (its payload narrows the live configuration), signed with the context credentials, the request id in the record', async () => {
    const result = await handler(asDelivered(timerSample), structuredClone(contextSample));
    expect(result.run).toMatchObject({ kind: 'run', trigger: 'timer', mode: 'dry-run', outcome: 'completed', fc_request_id: contextSample.requestId });
    expect(result.decisions.map((d: any) => d.outcome).sort()).toEqual(['would-redeem', 'would-redeem']);
    expect(registrar.orders).toEqual([]);
    expect(registrar.refusals).toEqual([]);
    expect(registrar.calls.length).toBeGreaterThan(0);
    expect(runRecords().at(-1)).toMatchObject({ trigger: 'timer', fc_request_id: contextSample.requestId });
    expect(stdio.text).not.toContain(contextSample.credentials.accessKeySecret);
    expect(stdio.text).not.toContain(contextSample.credentials.securityToken);
  });
});

describe('http-event.json, as FC delivers it', () => {
  it('as it is (its signature a placeholder, its timestamp of 2026-12-01 01:00 UTC): refused 401 as JSON, no run', async () => {
    const before = registrar.calls.length;
    const answer = await handler(asDelivered(httpSample), structuredClone(contextSample));
    expect(answer.statusCode).toBe(401);
    expect(answer.headers['content-type']).toMatch(/application\/json/);
    const body = JSON.parse(answer.isBase64Encoded ? Buffer.from(answer.body, 'base64').toString() : answer.body);
    expect(body.error.code).toEqual(expect.any(String));
    expect(registrar.calls.length).toBe(before);
  });

  it('signed now over its own base64 body (mixed-case headers, query parameters it ignores): runs the dry-run it asks for', async () => {
    const raw = Buffer.from(httpSample.body, 'base64').toString('utf8');
    const timestamp = String(Math.floor(Date.now() / 1000));
    const event = { ...httpSample, headers: { ...httpSample.headers, 'X-Redeem-Timestamp': timestamp, 'X-Redeem-Signature': webhookSignature(SECRET, timestamp, raw) } };
    const answer = await handler(asDelivered(event), structuredClone(contextSample));
    expect(answer.statusCode).toBe(200);
    const body = JSON.parse(answer.isBase64Encoded ? Buffer.from(answer.body, 'base64').toString() : answer.body);
    expect(body.run).toMatchObject({ trigger: 'webhook', mode: 'dry-run', outcome: 'completed', fc_request_id: contextSample.requestId });
    expect(registrar.orders).toEqual([]);
    expect(registrar.refusals).toEqual([]);
  });
});

describe('context.json of a function without a role (credentials: {}, as the reference says FC sends then)', () => {
  it('a timer run signs with the ALIBABA_CLOUD_* variables instead', async () => {
    Object.assign(process.env, {
      ALIBABA_CLOUD_ACCESS_KEY_ID: contextSample.credentials.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: contextSample.credentials.accessKeySecret,
      ALIBABA_CLOUD_SECURITY_TOKEN: contextSample.credentials.securityToken,
    });
    const result = await handler(asDelivered(timerSample), { ...structuredClone(contextSample), credentials: {} });
    expect(result.run).toMatchObject({ mode: 'dry-run', outcome: 'completed' });
    expect(registrar.refusals).toEqual([]);
  });

  it('and with no variables either: an error naming what is missing, no stack, no call', async () => {
    const before = registrar.calls.length;
    const failure = await handler(asDelivered(timerSample), { ...structuredClone(contextSample), credentials: {} }).then(
      () => undefined,
      (error: Error) => error,
    );
    expect(failure).toBeInstanceOf(Error);
    expect(failure!.message).toMatch(/credential|ALIBABA_CLOUD_ACCESS_KEY_ID|role/i);
    expect(failure!.stack).not.toMatch(/\n\s+at /);
    expect(registrar.calls.length).toBe(before);
  });
});
