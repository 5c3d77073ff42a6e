/**
 * Findings 6 and 7: a signed webhook request starts at most one run however often it is sent (409 for a
 * repeat inside the window), and the custom runtime's /invoke is an event only when FC says so with
 * exactly `x-fc-control-path: /invoke`: any other spelling, and any number at once, is an outside request.
 */
import type { ServerType } from '@hono/node-server';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Emulator } from '../emulator/server.js';
import { FC_CREDENTIALS, WEBHOOK_SECRET, fcContext, httpEvent, loadBundledHandler, signedHeaders } from '../support/fc.js';
import { startRuntime } from './harness.js';
import { trialEmulator } from './trials.js';

let emulator: Emulator;
let server: ServerType;
let base: string;
const lines: string[] = [];

beforeAll(async () => {
  emulator = await trialEmulator();
  const started = await startRuntime({ REDEEM_MODE: 'live', REDEEM_DOMAINS: '*', REDEEM_MAX_PER_DAY: '3', REDEEM_API_QPS: '1000', DOMAIN_ENDPOINT: emulator.url, WEBHOOK_SECRET }, lines);
  server = started.server;
  base = started.url;
});
afterAll(async () => {
  server.close();
  await emulator.close();
});

const fcHttpHeaders = (requestId: string) => ({
  'content-type': 'application/json',
  'x-fc-control-path': '/http-invoke',
  'x-fc-request-id': requestId,
  'x-fc-access-key-id': FC_CREDENTIALS.accessKeyId,
  'x-fc-access-key-secret': FC_CREDENTIALS.accessKeySecret,
  'x-fc-security-token': FC_CREDENTIALS.securityToken,
  'x-fc-function-timeout': '30',
});

const startedRuns = () => lines.filter((line) => line.includes('"kind":"run"') && line.includes('"outcome":"started"')).length;

async function post(path: string, headers: Record<string, string>, body: string) {
  const res = await fetch(`${base}${path}`, { method: 'POST', headers, body });
  return { status: res.status, json: (await res.json()) as any };
}

describe('finding 6: webhook replays (custom runtime)', () => {
  it('the same signed request sent twice: the second answers 409 and starts nothing', async () => {
    const body = JSON.stringify({ mode: 'dry-run', reason: 'replayed twice' });
    const signed = signedHeaders(body);
    const runs = startedRuns();
    const first = await post('/webhook', { ...fcHttpHeaders('req-replay-1'), ...signed }, body);
    // Another FC request id does not make it another request: the signature is what was replayed.
    const second = await post('/webhook', { ...fcHttpHeaders('req-replay-2'), ...signed }, body);
    expect(first.status).toBe(200);
    expect(second.status).toBe(409);
    expect(second.json.error.code).toBe('replayed');
    expect(startedRuns()).toBe(runs + 1);
    // Signed again with a new timestamp, it is a new request.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect((await post('/webhook', { ...fcHttpHeaders('req-replay-3'), ...signedHeaders(body) }, body)).status).toBe(200);
  });

  it('five copies of one signed live request at once: one run, four 409s, orders within the cap', async () => {
    const body = JSON.stringify({ reason: 'five at once' });
    const signed = signedHeaders(body);
    const runs = startedRuns();
    const orders = emulator.domain.tasks.length;
    const answers = await Promise.all(Array.from({ length: 5 }, (_, i) => post('/webhook', { ...fcHttpHeaders(`req-five-${i}`), ...signed }, body)));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409, 409, 409, 409]);
    expect(startedRuns()).toBe(runs + 1);
    expect(emulator.domain.tasks.length - orders).toBeLessThanOrEqual(3);
  });
});

describe('finding 6: webhook replays (built FC handler)', () => {
  let handler: ReturnType<typeof loadBundledHandler>;
  let output = '';
  const saved = { ...process.env };
  beforeAll(() => {
    handler = loadBundledHandler();
  });
  afterEach(() => {
    vi.restoreAllMocks();
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  });

  async function hook(body: string, headers: Record<string, string>, requestId: string) {
    const struct = await handler(httpEvent({ body, headers }), fcContext({ requestId, timeout: 30 }));
    return struct.statusCode as number;
  }

  it('twice, then five at once: one run each time, the copies answer 409', async () => {
    Object.assign(process.env, { REDEEM_MODE: 'live', REDEEM_DOMAINS: '*', REDEEM_API_QPS: '1000', DOMAIN_ENDPOINT: emulator.url, WEBHOOK_SECRET });
    vi.spyOn(process.stdout, 'write').mockImplementation(((chunk: unknown) => ((output += String(chunk)), true)) as never);
    const started = () => output.split('\n').filter((l) => l.includes('"kind":"run"') && l.includes('"outcome":"started"')).length;

    const body = JSON.stringify({ mode: 'dry-run', reason: 'fc replay' });
    const signed = signedHeaders(body);
    expect(await hook(body, signed, 'req-fc-1')).toBe(200);
    expect(await hook(body, signed, 'req-fc-2')).toBe(409);
    expect(started()).toBe(1);

    const five = JSON.stringify({ mode: 'dry-run', reason: 'fc five' });
    const fiveSigned = signedHeaders(five);
    const statuses = await Promise.all(Array.from({ length: 5 }, (_, i) => hook(five, fiveSigned, `req-fc-five-${i}`)));
    expect(statuses.sort()).toEqual([200, 409, 409, 409, 409]);
    expect(started()).toBe(2);
  });
});

describe('finding 7: /invoke is an event only when FC marks it exactly so', () => {
  const spoofed = (controlPath: string | undefined) => ({
    'content-type': 'application/octet-stream',
    ...(controlPath === undefined ? {} : { 'x-fc-control-path': controlPath }),
    'x-fc-request-id': 'req-spoofed-invoke',
    'x-fc-access-key-id': FC_CREDENTIALS.accessKeyId,
    'x-fc-access-key-secret': FC_CREDENTIALS.accessKeySecret,
    'x-fc-security-token': FC_CREDENTIALS.securityToken,
    'x-fc-function-timeout': '900',
  });
  const liveEvent = JSON.stringify({ triggerTime: '2026-12-01T01:00:00Z', triggerName: 'daily', payload: '{"mode":"live"}' });

  for (const controlPath of [undefined, '', '/INVOKE', '/invoke/', '/invoke?x=1', '/http-invoke/../invoke', '/invoke, /invoke', 'invoke']) {
    it(`x-fc-control-path ${controlPath === undefined ? 'absent' : JSON.stringify(controlPath)}: 404, nothing run or ordered, the caller's x-fc-* unused`, async () => {
      const runs = startedRuns();
      const orders = emulator.domain.tasks.length;
      const res = await post('/invoke', spoofed(controlPath), liveEvent);
      expect(res.status).toBe(404);
      expect(startedRuns()).toBe(runs);
      expect(emulator.domain.tasks.length).toBe(orders);
      expect(lines.some((line) => line.includes('req-spoofed-invoke'))).toBe(false);
    });
  }

  it('ten unsigned /invoke requests at once without the mark: ten 404s, no run, no order', async () => {
    const runs = startedRuns();
    const orders = emulator.domain.tasks.length;
    const answers = await Promise.all(Array.from({ length: 10 }, () => post('/invoke', spoofed(undefined), liveEvent)));
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(404));
    expect(startedRuns()).toBe(runs);
    expect(emulator.domain.tasks.length).toBe(orders);
  });

  it('the mark FC sets for its own events still works (control)', async () => {
    const runs = startedRuns();
    const res = await post('/invoke', { ...spoofed('/invoke'), 'x-fc-request-id': 'req-real-event' }, JSON.stringify({ triggerTime: '2026-12-01T01:00:00Z', triggerName: 'daily', payload: '{"mode":"dry-run"}' }));
    expect(res.status).toBe(200);
    expect(startedRuns()).toBe(runs + 1);
  });
});
