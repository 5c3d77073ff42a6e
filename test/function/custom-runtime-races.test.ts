/**
 * What arrives at once at one custom-runtime instance: signed webhooks that name the same domains in other
 * spellings, one asking for everything, and FC's timer event on /invoke, against a registrar that lists a
 * task only a while after it took the order and takes a second order for the same domain (the account
 * pays twice). At most one order per domain, and every answer is the run's.
 */
import type { ServerType } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookSignature } from '../../shared/signing/webhook.js';
import { dueExpiration } from '../safety/standin-runs.js';
import { WEBHOOK_SECRET, fcInvokeHeaders, startRuntime, timerEvent } from '../support/fc.js';
import { domainItem, startStandin, type RegistrarStandin } from '../support/registrar-standin.js';

const NAMES = Array.from({ length: 6 }, (_, i) => `race-${i}.com`);
let registrar: RegistrarStandin;
let server: ServerType;
let base: string;
const lines: string[] = [];

beforeAll(async () => {
  registrar = await startStandin({
    domains: NAMES.map((name) => domainItem(name, dueExpiration(name))),
    listAfterMs: 10_000,
    secondOrder: 'accept',
    delayMs: (call) => (call.action === 'SaveSingleTaskForCreatingOrderRedeem' ? 40 : 5),
  });
  const started = await startRuntime(
    { REDEEM_MODE: 'live', REDEEM_DOMAINS: '*', REDEEM_API_QPS: '1000', REDEEM_FOLLOW_SECONDS: '1', DOMAIN_ENDPOINT: registrar.url, WEBHOOK_SECRET, ALIBABA_CLOUD_ACCESS_KEY_ID: 'env-key', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'env-secret' },
    lines,
  );
  server = started.server;
  base = started.url;
});
afterAll(async () => {
  server.close();
  await registrar.close();
});

function webhook(body: string): Promise<{ status: number; json: any }> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const headers = { 'content-type': 'application/json', 'x-fc-control-path': '/http-invoke', 'x-redeem-timestamp': timestamp, 'x-redeem-signature': webhookSignature(WEBHOOK_SECRET, timestamp, body) };
  return fetch(`${base}/webhook`, { method: 'POST', headers, body }).then(async (res) => ({ status: res.status, json: await res.json() }));
}

describe('webhooks and a timer at once on one instance', () => {
  it('three webhooks (two naming race-0 and race-1 in other spellings) and the timer: each domain ordered once', async () => {
    const answers = await Promise.all([
      webhook(JSON.stringify({ domains: ['race-0.com', 'RACE-1.COM'] })),
      webhook(JSON.stringify({ domains: ['race-0.com.', ' race-1.com '], reason: 'same two' })),
      webhook(JSON.stringify({ reason: 'everything' })),
      fetch(`${base}/invoke`, { method: 'POST', body: timerEvent(''), headers: fcInvokeHeaders('req-timer') }).then(async (res) => ({ status: res.status, json: await res.json() })),
    ]);
    expect(answers.map((a) => [a.status, a.json.run?.outcome])).toEqual(Array(4).fill([200, 'completed']));
    expect(Object.fromEntries(registrar.submissionsPerDomain())).toEqual(Object.fromEntries(NAMES.map((name) => [name, 1])));
    const submitted = answers.reduce((sum, a) => sum + a.json.run.count_submitted + a.json.run.count_succeeded, 0);
    expect(submitted).toBe(NAMES.length);
  });
});
