/**
 * Many accounts end to end through the bundled handler (dist/redeem/index.js), with FC-shaped events only:
 * a timer event starts the orchestrating run, which invokes the emulator's FC once per account; each
 * queued event is handed back to the same handler as FC would (one at a time: reservedConcurrency 1).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Emulator } from '../emulator/server.js';
import { DEFAULT_ACCOUNT_ID, MEMBERS, roleArnOf } from '../support/accounts.js';
import { startEmulator } from '../support/emulator.js';
import { FC_CREDENTIALS, WEBHOOK_SECRET, fcContext, httpEvent, loadBundledHandler, signedHeaders, timerEvent, captureStdio } from '../support/fc.js';

const [A, B, C] = MEMBERS.map((m) => m.id) as [string, string, string];
const ROBOT_SECRET = 'SEC-accounts-test';
const baseEnv = { ...process.env };
/** The real stdout, for the figures line: the records themselves are captured. */
const baseWrite = process.stdout.write.bind(process.stdout);

let emulator: Emulator;
let handler: ReturnType<typeof loadBundledHandler>;
let stdio = { text: '' };

beforeAll(async () => {
  emulator = await startEmulator({
    domains: 30,
    seed: 4,
    accessKeys: { [FC_CREDENTIALS.accessKeyId]: FC_CREDENTIALS.accessKeySecret },
    accounts: MEMBERS,
    taskTiming: { waitingMs: 20, executingMs: 30 },
    robots: { dingtalk: ROBOT_SECRET },
  });
  handler = loadBundledHandler();
  // What FC does with a queued asynchronous event: the same function, one invocation at a time.
  emulator.fc.reservedConcurrency = 1;
  emulator.fc.onInvoke = (event) => handler(event.payload, fcContext({ requestId: event.requestId }));
});
afterAll(() => emulator.close());

function configure(env: Record<string, string> = {}) {
  for (const key of Object.keys(process.env)) if (/^(REDEEM_|DOMAIN_|SLS_|WEBHOOK_|ALIBABA_CLOUD_|NOTIFY_|FC_|STS_|RESOURCE_MANAGER_)/.test(key)) delete process.env[key];
  Object.assign(process.env, {
    REDEEM_MODE: 'live',
    REDEEM_DOMAINS: '*',
    REDEEM_MAX_PER_RUN: '2',
    DOMAIN_ENDPOINT: emulator.url,
    SLS_ENDPOINT: emulator.url,
    SLS_PROJECT: 'audit',
    SLS_LOGSTORE: 'results',
    WEBHOOK_SECRET,
    REDEEM_ACCOUNTS: MEMBERS.map((m) => roleArnOf(m.id)).join(','),
    STS_ENDPOINT: emulator.url,
    FC_ENDPOINT: emulator.url,
    NOTIFY_DINGTALK_URL: `${emulator.url}/__robots/dingtalk?access_token=t`,
    NOTIFY_DINGTALK_SECRET: ROBOT_SECRET,
    ...env,
  });
}

beforeEach(() => {
  configure();
  for (const account of emulator.accounts.accounts.values()) account.domain.tasks.length = 0;
  // The registrar forgot its tasks, so the function starts afresh too: a warm instance keeps the orders of
  // its earlier runs until the registrar lists them, which these (wiped) never will.
  handler = loadBundledHandler({ fresh: true });
  emulator.fc.invocations.length = 0;
  emulator.fc.failures.length = 0;
  emulator.sls.logs.length = 0;
  stdio = captureStdio();
});
afterEach(() => {
  vi.restoreAllMocks();
  for (const key of Object.keys(process.env)) if (!(key in baseEnv)) delete process.env[key];
  Object.assign(process.env, baseEnv);
});

function records(): Array<Record<string, any>> {
  return stdio.text
    .split('\n')
    .filter((l) => l.startsWith('{"kind"'))
    .map((l) => JSON.parse(l));
}

function ordersByAccount(): Record<string, string[]> {
  return Object.fromEntries([...emulator.accounts.accounts.values()].map((a) => [a.id, a.domain.tasks.map((t) => t.domainName)]));
}

async function webhook(body: string) {
  const struct = await handler(httpEvent({ body, headers: signedHeaders(body) }), fcContext({ requestId: 'req-webhook' }));
  return { status: struct.statusCode as number, json: JSON.parse(struct.isBase64Encoded ? Buffer.from(struct.body, 'base64').toString() : struct.body) };
}

describe('the bundled handler fans out over three accounts, one of which cannot be assumed', () => {
  it('two accounts are redeemed within their own caps, each order in its own account; the third is reported', async () => {
    const summary = await handler(timerEvent('{"reason":"nightly"}'), fcContext({ requestId: 'req-orchestrator' }));
    await emulator.fc.drain();

    // The orchestrating run: three accounts handed on, nothing ordered by it.
    expect(summary.run).toMatchObject({ kind: 'run', trigger: 'timer', outcome: 'completed', count_accounts: 3, count_invoked: 3, count_failed: 0, fc_request_id: 'req-orchestrator' });
    expect(summary.accounts.map((r: any) => [r.kind, r.account_id, r.outcome])).toEqual(MEMBERS.map((m) => ['account', m.id, 'invoked']));
    expect(emulator.fc.invocations.map((i) => [i.functionName, i.invocationType, JSON.parse(i.payload.toString('utf8'))])).toEqual(
      MEMBERS.map((m) => ['redeem', 'Async', { reason: 'nightly', account: { id: m.id, roleArn: roleArnOf(m.id) } }]),
    );
    expect(emulator.fc.peakConcurrency).toBe(1);

    // Each account's orders are its own portfolio's, within its own REDEEM_MAX_PER_RUN.
    const orders = ordersByAccount();
    for (const id of [A, B]) {
      const own = new Set(emulator.accounts.get(id).domain.domains.map((d) => d.domainName));
      expect(orders[id]).toHaveLength(2);
      expect(orders[id]!.every((name) => own.has(name))).toBe(true);
    }
    expect(orders[C]).toEqual([]);
    expect(orders[DEFAULT_ACCOUNT_ID]).toEqual([]);

    // The third account's run failed on AssumeRole, said so, and FC saw a failed invocation.
    const requestOf = (id: string) => emulator.fc.invocations.find((i) => JSON.parse(i.payload.toString('utf8')).account.id === id)!.requestId;
    const lines = records();
    const runEnds = lines.filter((r) => r.kind === 'run' && r.outcome !== 'started');
    expect(runEnds.map((r) => [r.account_id ?? 'orchestrator', r.outcome, r.error_code])).toEqual([
      ['orchestrator', 'completed', undefined],
      [A, 'completed', undefined],
      [B, 'completed', undefined],
      [C, 'failed', 'EntityNotExist.Role'],
    ]);
    expect(emulator.fc.failures.map((f) => f.requestId)).toEqual([requestOf(C)]);
    expect(String(emulator.fc.failures[0]!.error)).toContain('EntityNotExist.Role');

    // Every record of an account run carries its account and its own FC request id; SLS got them all
    // (with the function's own key: the emulator's logstore refuses a member account's temporary keys).
    for (const id of [A, B, C]) {
      const own = lines.filter((r) => r.fc_request_id === requestOf(id));
      expect(own.length).toBeGreaterThan(1);
      expect(own.every((r) => r.account_id === id)).toBe(true);
    }
    expect(emulator.sls.logs.map((l) => l.contents.kind).sort()).toEqual(lines.map((r) => r.kind).sort());
    expect(emulator.sls.logs.filter((l) => l.contents.kind === 'account').map((l) => l.contents.account_id)).toEqual([A, B, C]);

    // One message per account run, naming its account.
    const messages = emulator.robots.state().dingtalk.received.map((m) => (m.body as { markdown: { text: string } }).markdown.text);
    for (const id of [A, B, C]) expect(messages.filter((t) => t.includes(`account ${id}`))).toHaveLength(1);

    const calls = emulator.calls.reduce<Record<string, number>>((n, c) => ({ ...n, [c.action]: (n[c.action] ?? 0) + 1 }), {});
    process.stdout.write = baseWrite;
    process.stdout.write(
      `bundled fan-out figures: accounts=${summary.run.count_accounts} invocations=${emulator.fc.invocations.length} orders=${JSON.stringify(Object.fromEntries(Object.entries(orders).map(([k, v]) => [k, v.length])))} calls=${JSON.stringify(calls)}\n`,
    );
  });

  it('the orchestrator firing twice at once orders nothing twice, and the caps hold per account', async () => {
    configure({ REDEEM_MAX_PER_RUN: '2', REDEEM_MAX_PER_DAY: '3' });
    const [first, second] = await Promise.all([
      handler(timerEvent(''), fcContext({ requestId: 'req-orchestrator-1' })),
      handler(timerEvent(''), fcContext({ requestId: 'req-orchestrator-2' })),
    ]);
    await emulator.fc.drain();
    expect([first.run.count_invoked, second.run.count_invoked]).toEqual([3, 3]);
    expect(emulator.fc.invocations).toHaveLength(6);
    expect(emulator.fc.peakConcurrency).toBe(1);
    const orders = ordersByAccount();
    for (const id of [A, B]) {
      // Two runs in the account, one after the other: 2 orders, then 1 more (the day's cap of 3), none twice.
      expect(orders[id]).toHaveLength(3);
      expect(new Set(orders[id]).size).toBe(3);
    }
    expect(orders[C]).toEqual([]);
    const capped = records().filter((r) => r.kind === 'decision' && r.reason === 'cap-per-day');
    expect(new Set(capped.map((r) => r.account_id))).toEqual(new Set([A, B]));
  });
});

describe('what the HTTP trigger may ask of the accounts', () => {
  it('a signed webhook may narrow the accounts; one naming an account outside the list is refused (403) and invokes nothing', async () => {
    const refused = await webhook(JSON.stringify({ accounts: [A, '2999999999999999'] }));
    expect(refused).toEqual({ status: 403, json: { error: { code: 'account-refused', message: expect.stringContaining('2999999999999999 not among the accounts REDEEM_ACCOUNTS resolves to') } } });
    expect(emulator.fc.invocations).toHaveLength(0);

    const narrowed = await webhook(JSON.stringify({ accounts: [B], mode: 'dry-run' }));
    await emulator.fc.drain();
    expect(narrowed.status).toBe(200);
    expect(narrowed.json.run).toMatchObject({ trigger: 'webhook', count_accounts: 1, count_invoked: 1 });
    expect(emulator.fc.invocations.map((i) => JSON.parse(i.payload.toString('utf8')))).toEqual([{ mode: 'dry-run', account: { id: B, roleArn: roleArnOf(B) } }]);
    expect(Object.values(ordersByAccount()).flat()).toEqual([]);
  });

  it('an account payload over the HTTP trigger is refused (400), and nothing is assumed or invoked', async () => {
    const assumedBefore = emulator.sts.assumed.length;
    const refused = await webhook(JSON.stringify({ account: { id: A, roleArn: roleArnOf(A) } }));
    expect(refused.status).toBe(400);
    expect(refused.json.error).toMatchObject({ code: 'invalid-options', message: expect.stringContaining('account') });
    expect(emulator.sts.assumed.length).toBe(assumedBefore);
    expect(emulator.fc.invocations).toHaveLength(0);
  });

  it('without REDEEM_ACCOUNTS an event naming an account is refused (403) before any call', async () => {
    configure({ REDEEM_ACCOUNTS: '' });
    const assumedBefore = emulator.sts.assumed.length;
    const event = Buffer.from(JSON.stringify({ account: { id: A, roleArn: roleArnOf(A) } }));
    await expect(handler(event, fcContext({ requestId: 'req-stray' }))).rejects.toThrow('account: REDEEM_ACCOUNTS is not set');
    expect(records().at(-1)).toMatchObject({ kind: 'run', outcome: 'failed', error_code: 'account-refused', account_id: A, fc_request_id: 'req-stray' });
    expect(emulator.sts.assumed.length).toBe(assumedBefore);
    expect(Object.values(ordersByAccount()).flat()).toEqual([]);
  });
});
