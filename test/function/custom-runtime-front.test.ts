/**
 * The custom runtime behind an FC HTTP-trigger front written from FC's custom-runtime contract
 * (test/support/fc-http-trigger.ts startCustomRuntimeFront): what a caller sends, FC's headers added.
 */
import type { ServerType } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookSignature } from '../../shared/signing/webhook.js';
import { dueExpiration } from '../safety/standin-runs.js';
import { FC_CREDENTIALS, WEBHOOK_SECRET, startRuntime, timerEvent } from '../support/fc.js';
import { startCustomRuntimeFront } from '../support/fc-http-trigger.js';
import { domainItem, startStandin, type RegistrarStandin } from '../support/registrar-standin.js';

let registrar: RegistrarStandin;
let runtime: { server: ServerType; url: string };
let front: Awaited<ReturnType<typeof startCustomRuntimeFront>>;
const lines: string[] = [];

beforeAll(async () => {
  registrar = await startStandin({ domains: ['front-one.com'].map((name) => domainItem(name, dueExpiration(name))) });
  runtime = await startRuntime({ REDEEM_MODE: 'live', REDEEM_DOMAINS: '*', REDEEM_API_QPS: '1000', REDEEM_FOLLOW_SECONDS: '1', DOMAIN_ENDPOINT: registrar.url, WEBHOOK_SECRET }, lines);
  front = await startCustomRuntimeFront({ target: runtime.url, credentials: FC_CREDENTIALS, timeoutSeconds: 30 });
});
afterAll(async () => {
  await front.close();
  runtime.server.close();
  await registrar.close();
});

describe('through the HTTP trigger, a caller cannot speak for FC', () => {
  it("a caller's own x-fc-control-path: /invoke (with a timer event) reaches /invoke as FC's /http-invoke: 404, no run, no order", async () => {
    const res = await fetch(`${front.url}/invoke`, { method: 'POST', headers: { 'x-fc-control-path': '/invoke', 'x-fc-access-key-id': 'STS.forged', 'x-fc-function-timeout': '86400' }, body: timerEvent('') });
    expect(res.status).toBe(404);
    expect(lines.some((line) => line.includes('"kind":"run"'))).toBe(false);
    expect(registrar.orders).toHaveLength(0);
  });

  it("a signed webhook runs with FC's request id and FC's timeout, not the caller's", async () => {
    const body = '{"mode":"dry-run"}';
    const timestamp = String(Math.floor(Date.now() / 1000));
    const res = await fetch(`${front.url}/webhook`, {
      method: 'POST',
      headers: { 'x-redeem-timestamp': timestamp, 'x-redeem-signature': webhookSignature(WEBHOOK_SECRET, timestamp, body), 'x-fc-request-id': 'forged-id', 'x-fc-function-timeout': '86400' },
      body,
    });
    const summary = (await res.json()) as { run: { fc_request_id: string; outcome: string; count_would_redeem: number } };
    expect([res.status, summary.run.outcome, summary.run.count_would_redeem]).toEqual([200, 'completed', 1]);
    expect(summary.run.fc_request_id).toBe(front.requestIds.at(-1));
    expect(lines).toContain(`FC Invoke Start RequestId: ${front.requestIds.at(-1)}`);
  });
});
