/**
 * The fan-out's records (the orchestrating run's `account` and `run` records, each account run's own)
 * against the SLS stand-in: every PutLogs passes SLS's checks, every record is flat and carries its
 * run's seq, and each account run's read of the previous run asks for its own account only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invokeRun, type Platform } from '../../shared/fc/invocation.js';
import { createLogger } from '../../shared/log/index.js';
import type { Emulator } from '../emulator/server.js';
import { MEMBERS, roleArnOf } from '../support/accounts.js';
import { EMULATOR_CREDENTIALS, startEmulator } from '../support/emulator.js';
import { keysFor, startSlsStandin, type SlsStandin } from '../support/sls-standin.js';
import { webhookInbox, type WebhookInbox } from '../support/webhook-inbox.js';

const [A, B] = MEMBERS.map((m) => m.id) as [string, string];
let emulator: Emulator;
let sls: SlsStandin;
let inbox: WebhookInbox;

beforeAll(async () => {
  emulator = await startEmulator({ domains: 20, seed: 4, accounts: MEMBERS, taskTiming: { waitingMs: 20, executingMs: 40 } });
  sls = await startSlsStandin({ keys: keysFor(EMULATOR_CREDENTIALS) });
  inbox = await webhookInbox();
});
afterAll(async () => {
  await emulator.close();
  await sls.close();
  await inbox.close();
});

describe('a fan-out writing to SLS', () => {
  it('two accounts: every record accepted, flat, numbered per run; each account run reads back its own account only', async () => {
    const env = {
      REDEEM_MODE: 'live',
      REDEEM_DOMAINS: '*',
      REDEEM_MAX_PER_RUN: '2',
      REDEEM_API_QPS: '1000',
      DOMAIN_ENDPOINT: emulator.url,
      REDEEM_ACCOUNTS: [roleArnOf(A), roleArnOf(B)].join(','),
      STS_ENDPOINT: emulator.url,
      FC_ENDPOINT: emulator.url,
      FC_FUNCTION_NAME: 'domain-redeemer',
      ALIBABA_CLOUD_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: EMULATOR_CREDENTIALS.accessKeySecret,
      ALIBABA_CLOUD_SECURITY_TOKEN: EMULATOR_CREDENTIALS.securityToken,
      SLS_ENDPOINT: sls.url,
      SLS_PROJECT: 'audit',
      SLS_LOGSTORE: 'results',
      NOTIFY_WEBHOOK_URL: inbox.url,
      NOTIFY_WEBHOOK_SECRET: 'webhook-signing-secret-0123456789',
    };
    const lines: Array<Record<string, unknown>> = [];
    const deps = { env, followIntervalMs: 20, logger: createLogger((line) => void lines.push(JSON.parse(line))) };
    const platform = (requestId: string): Platform => ({ channel: 'event', credentials: undefined, requestId, timeoutSeconds: 60 });
    const accountRuns: Array<Promise<unknown>> = [];
    emulator.fc.reservedConcurrency = 1;
    emulator.fc.onInvoke = (event) => {
      const run = invokeRun('invoke', JSON.parse(event.payload.toString('utf8')), platform(event.requestId), deps);
      accountRuns.push(run);
      return run;
    };
    await invokeRun('timer', {}, platform('req-orchestrator'), deps);
    for (let i = 0; i < 200 && accountRuns.length < 2; i++) await new Promise((r) => setTimeout(r, 25));
    await Promise.all(accountRuns);
    expect(sls.callsOf('PutLogs').filter((c) => c.verdict !== 'ok')).toEqual([]);
    expect(sls.duplicateKeys).toEqual([]);
    const byRun = new Map<string, number[]>();
    for (const r of lines) {
      expect(Object.values(r).filter((v) => typeof v === 'object' && v !== null), String(r.kind)).toEqual([]);
      byRun.set(String(r.run_id), [...(byRun.get(String(r.run_id)) ?? []), Number(r.seq)]);
    }
    expect(byRun.size).toBe(3);
    for (const seqs of byRun.values()) expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    const stored = sls.records();
    expect(stored.filter((r) => r.kind === 'account').map((r) => r.account_id).sort()).toEqual([A, B]);
    // Each account run reads back its own account only: the previous run's message, and the day's orders.
    const queries = sls.callsOf('GetLogs').map((c) => c.query.query);
    expect(queries.filter((q) => q?.includes('notify: sent')).sort()).toEqual([`kind: run and notify: sent and account_id: ${A}`, `kind: run and notify: sent and account_id: ${B}`]);
    expect(queries.filter((q) => q?.startsWith('kind: decision')).sort()).toEqual([`kind: decision and action: redeem and account_id: ${A}`, `kind: decision and action: redeem and account_id: ${B}`]);
    for (const q of queries) expect(q).toMatch(new RegExp(`account_id: (${A}|${B})$`));
  }, 30_000);
});
