/** The custom-runtime server over real HTTP: /invoke (timer and direct events) and /webhook. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerType } from '@hono/node-server';
import type { Emulator } from '../emulator/server.js';
import { startEmulator } from '../support/emulator.js';
import { FC_CREDENTIALS, WEBHOOK_SECRET, fcInvokeHeaders, signedHeaders, startRuntime } from '../support/fc.js';

let emulator: Emulator;
let server: ServerType;
let base: string;
const logs: string[] = [];

beforeAll(async () => {
  emulator = await startEmulator({ domains: 60, seed: 8, accessKeys: { [FC_CREDENTIALS.accessKeyId]: FC_CREDENTIALS.accessKeySecret }, taskTiming: { waitingMs: 20, executingMs: 20 } });
  ({ server, url: base } = await startRuntime({ REDEEM_MODE: 'live', REDEEM_DOMAINS: '*', REDEEM_API_QPS: '1000', DOMAIN_ENDPOINT: emulator.url, WEBHOOK_SECRET }, logs));
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await emulator.close();
});

const fcHeaders = fcInvokeHeaders;

describe('custom runtime', () => {
  it('POST /invoke runs a timer event with the x-fc-* credentials, sets x-fc-status and logs the invoke markers', async () => {
    const res = await fetch(`${base}/invoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', ...fcHeaders('req-custom-1') },
      body: JSON.stringify({ triggerTime: '2026-12-01T01:00:00Z', triggerName: 'daily', payload: '{"mode":"dry-run"}' }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-fc-status')).toBe('200');
    const summary = (await res.json()) as any;
    expect(summary.run).toMatchObject({ trigger: 'timer', mode: 'dry-run', fc_request_id: 'req-custom-1', outcome: 'completed' });
    expect(logs).toContain('FC Invoke Start RequestId: req-custom-1');
    expect(logs).toContain('FC Invoke End RequestId: req-custom-1');
  });

  it('POST /invoke without credentials answers x-fc-status 404 with a clear error', async () => {
    const res = await fetch(`${base}/invoke`, { method: 'POST', headers: { 'x-fc-control-path': '/invoke', 'x-fc-request-id': 'req-custom-2' }, body: '{}' });
    expect(res.headers.get('x-fc-status')).toBe('404');
    expect(((await res.json()) as any).error).toMatchObject({ code: 'missing-credentials' });
  });

  it('POST /webhook is verified and runs (live as configured)', async () => {
    const body = '{"reason":"pager"}';
    const res = await fetch(`${base}/webhook`, { method: 'POST', headers: { ...fcHeaders('req-custom-3', '/http-invoke'), ...signedHeaders(body) }, body });
    expect(res.status).toBe(200);
    const summary = (await res.json()) as any;
    expect(summary.run).toMatchObject({ trigger: 'webhook', mode: 'live', reason: 'pager' });
    expect(emulator.domain.tasks.length).toBe(summary.run.count_succeeded + summary.run.count_submitted);
    const forged = await fetch(`${base}/webhook`, { method: 'POST', headers: signedHeaders('{}', undefined, 'wrong'), body: '{}' });
    expect(forged.status).toBe(401);
  });

  it('/invoke refuses what FC marks as an HTTP-trigger request (x-fc-control-path: /http-invoke)', async () => {
    const tasks = emulator.domain.tasks.length;
    const res = await fetch(`${base}/invoke`, { method: 'POST', headers: { ...fcHeaders('req-custom-4'), 'x-fc-control-path': '/http-invoke' }, body: '{}' });
    expect(res.status).toBe(404);
    expect(emulator.domain.tasks.length).toBe(tasks);
  });

  it('/invoke without FC\'s own x-fc-control-path is an outside request: 404, nothing ordered, its x-fc-* headers ignored', async () => {
    const tasks = emulator.domain.tasks.length;
    const { 'x-fc-control-path': _, ...spoofed } = fcHeaders('req-spoofed');
    const res = await fetch(`${base}/invoke`, { method: 'POST', headers: spoofed, body: '{"mode":"live"}' });
    expect(res.status).toBe(404);
    expect(emulator.domain.tasks.length).toBe(tasks);
    // Through the webhook too, a caller's x-fc-* credentials and request id are not taken for FC's.
    const body = '{"mode":"dry-run"}';
    const hook = await fetch(`${base}/webhook`, { method: 'POST', headers: { ...spoofed, ...signedHeaders(body) }, body });
    expect(hook.status).toBe(500);
    expect(((await hook.json()) as any).error.code).toBe('missing-credentials');
    expect(logs.some((line) => line.includes('req-spoofed'))).toBe(false);
  });

  it('GET /healthz and a JSON 404', async () => {
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok' });
    const missing = await fetch(`${base}/missing`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as any).error.code).toBe('not-found');
  });
});
