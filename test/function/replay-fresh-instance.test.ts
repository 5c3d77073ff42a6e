/**
 * A signed webhook replayed to a fresh instance (FC recycled the one that served it, inside the ±300 s
 * window). The fresh instance cannot know the signature was used: the replay guard lives in the memory of
 * the instance that accepted it, and nothing else records it. What it can know is what the first run left
 * in the results logstore and the registrar's ledger: so the replay orders no domain the first run
 * ordered, even while the registrar does not list that task yet. It may still order what the first run
 * left for later (a cap, the time budget), as the next timer run would: that is the open part, said in the
 * report, not asserted away here.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { webhookSignature } from '../../shared/signing/webhook.js';
import { dueExpiration } from '../safety/standin-runs.js';
import { FC_CREDENTIALS, WEBHOOK_SECRET, fcContext, httpEvent } from '../support/fc.js';
import { domainItem, startStandin, type RegistrarStandin } from '../support/registrar-standin.js';
import { keysFor, startSlsStandin, type SlsStandin } from '../support/sls-standin.js';

const NAMES = ['replay-0.com', 'replay-1.com', 'replay-2.com'];
let registrar: RegistrarStandin;
let sls: SlsStandin;
const saved = { ...process.env };

beforeAll(async () => {
  registrar = await startStandin({ domains: NAMES.map((name) => domainItem(name, dueExpiration(name))), listAfterMs: 120_000, secondOrder: 'accept' });
  sls = await startSlsStandin({ keys: keysFor(FC_CREDENTIALS) });
  for (const key of Object.keys(process.env)) if (/^(REDEEM_|DOMAIN_|SLS_|WEBHOOK_|NOTIFY_|ALIBABA_CLOUD_)/.test(key)) delete process.env[key];
  Object.assign(process.env, {
    REDEEM_MODE: 'live', REDEEM_DOMAINS: '*', REDEEM_MAX_PER_RUN: '1', REDEEM_API_QPS: '1000', REDEEM_FOLLOW_SECONDS: '1', DOMAIN_ENDPOINT: registrar.url, WEBHOOK_SECRET,
    SLS_ENDPOINT: sls.url, SLS_PROJECT: 'audit', SLS_LOGSTORE: 'results',
  });
});
afterAll(async () => {
  await registrar.close();
  await sls.close();
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
});

type Handler = (event: unknown, context: unknown) => Promise<{ statusCode: number; body: string }>;
async function freshInstance(): Promise<Handler> {
  vi.resetModules();
  return (await import('../../functions/redeem/index.js')).handler as unknown as Handler;
}

describe('a signed webhook replayed to a fresh instance', () => {
  it('the same instance answers 409; a fresh one runs it, and orders no domain the first run ordered', async () => {
    const body = JSON.stringify({ reason: 'once' });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const headers = { 'X-Redeem-Timestamp': timestamp, 'X-Redeem-Signature': webhookSignature(WEBHOOK_SECRET, timestamp, body) };
    const first = await freshInstance();
    expect((await first(httpEvent({ body, headers }), fcContext({ requestId: 'req-first' }))).statusCode).toBe(200);
    expect((await first(httpEvent({ body, headers }), fcContext({ requestId: 'req-again' }))).statusCode).toBe(409);
    const orderedFirst = registrar.orders.map((o) => o.domainName);
    expect(orderedFirst).toHaveLength(1);

    const replay = await (await freshInstance())(httpEvent({ body, headers }), fcContext({ requestId: 'req-replay' }));
    expect(replay.statusCode).toBe(200);
    const decisions = JSON.parse(replay.body).decisions as Array<{ domain: string; reason: string }>;
    expect(decisions.find((d) => d.domain === orderedFirst[0])?.reason).toBe('task-in-flight');
    expect(Math.max(...registrar.submissionsPerDomain().values())).toBe(1);
  });
});
