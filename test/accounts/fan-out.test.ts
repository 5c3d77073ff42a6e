/**
 * The fan-out end to end against the emulator: an orchestrating run lists REDEEM_ACCOUNTS and invokes
 * FC once per account (async, ACS3); the emulator hands each event to an account run built from the
 * same pieces the handler will use (splitAccountEvent, resolveAccounts, authorizeAccount,
 * assumeAccount) and the real runRedemption, with the member account's temporary credentials.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseAccounts, resolveAccounts, type AccountsConfig } from '../../shared/accounts/accounts-config.js';
import { AccountListingError } from '../../shared/accounts/errors.js';
import { DomainApiError } from '../../shared/domain-api/errors.js';
import { fcInvokeEndpoint, invokeFunctionAsync } from '../../shared/accounts/fc-invoke.js';
import { assumeAccount, authorizeAccount, orchestrate, splitAccountEvent, type AccountFields as AccountRecord } from '../../shared/accounts/orchestrate.js';
import { listAccounts } from '../../shared/accounts/resource-manager.js';
import { loadConfig } from '../../shared/config/config.js';
import { createLogger } from '../../shared/log/index.js';
import { parseRunOptions } from '../../shared/run/options.js';
import { runRedemption, type RunSummary } from '../../shared/run/run.js';
import type { InvocationEvent } from '../emulator/fc-service.js';
import type { Emulator } from '../emulator/server.js';
import { DEFAULT_ACCOUNT_ID, MEMBERS, roleArnOf } from '../support/accounts.js';
import { EMULATOR_CREDENTIALS, startEmulator } from '../support/emulator.js';
import { systemClock } from '../../shared/clock/index.js';

const bounds = () => ({ clock: systemClock, deadlineMs: Date.now() + 30_000 });

const OWN = EMULATOR_CREDENTIALS;
const FUNCTION_NAME = 'domain-redeemer';
const [A, B, C] = MEMBERS.map((m) => m.id) as [string, string, string];

let emulator: Emulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

function envFor(e: Emulator, accounts: string): Record<string, string> {
  return {
    REDEEM_MODE: 'live',
    REDEEM_DOMAINS: '*',
    REDEEM_MAX_PER_RUN: '2',
    REDEEM_MAX_PER_DAY: '100',
    DOMAIN_ENDPOINT: e.url,
    REDEEM_ACCOUNTS: accounts,
    STS_ENDPOINT: e.url,
    RESOURCE_MANAGER_ENDPOINT: e.url,
    FC_ENDPOINT: e.url,
  };
}

interface AccountRunResult {
  readonly accountId: unknown;
  readonly summary?: RunSummary;
  readonly error?: unknown;
}

/** What the handler will do with an event that carries an account. */
function accountRunner(env: Record<string, string>, accounts: AccountsConfig, results: AccountRunResult[]) {
  return async (event: InvocationEvent) => {
    const { account, options } = splitAccountEvent(JSON.parse(event.payload.toString('utf8')));
    try {
      const resolved = await resolveAccounts(accounts, () => listAccounts({ credentials: OWN, endpoint: accounts.resourceManagerEndpoint, ...bounds() }));
      const ref = authorizeAccount(account, resolved);
      const assumed = await assumeAccount(ref, { credentials: OWN, config: accounts, timeoutSeconds: 600, ...bounds() });
      const summary = await runRedemption({
        config: loadConfig(env),
        credentials: assumed.credentials,
        trigger: 'invoke',
        options: parseRunOptions(options),
        fcRequestId: event.requestId,
        budgetMs: 30_000,
        followIntervalMs: 20,
        logger: createLogger(() => undefined),
      });
      results.push({ accountId: ref.id, summary });
    } catch (error) {
      results.push({ accountId: (account as { id?: unknown } | undefined)?.id, error });
    }
  };
}

function orchestrator(e: Emulator, accounts: AccountsConfig, records: AccountRecord[], runOptions: Record<string, unknown> = { reason: 'nightly' }) {
  return orchestrate(
    { config: accounts, runOptions },
    {
      clock: systemClock,
      listAccounts: () => listAccounts({ credentials: OWN, endpoint: accounts.resourceManagerEndpoint, pageSize: 2, ...bounds() }),
      invoke: (payload) => invokeFunctionAsync({ endpoint: fcInvokeEndpoint(DEFAULT_ACCOUNT_ID, 'cn-hangzhou', accounts.fcEndpoint), functionName: FUNCTION_NAME, payload, credentials: OWN, ...bounds() }),
      writeRecord: (record) => void records.push(record),
    },
  );
}

function ordersByAccount(e: Emulator): Record<string, string[]> {
  return Object.fromEntries([...e.accounts.accounts.values()].map((account) => [account.id, account.domain.tasks.map((t) => t.domainName)]));
}

describe('fan-out over three accounts, one of which cannot be assumed', () => {
  it('invokes three times; two accounts are redeemed within their own caps, each order in its own account; the third is reported', async () => {
    const e = (emulator = await startEmulator({ domains: 40, seed: 4, accounts: MEMBERS, taskTiming: { waitingMs: 20, executingMs: 40 } }));
    const env = envFor(e, MEMBERS.map((m) => roleArnOf(m.id)).join(','));
    const accounts = parseAccounts(env).config!;
    const runs: AccountRunResult[] = [];
    e.fc.onInvoke = accountRunner(env, accounts, runs);
    const records: AccountRecord[] = [];

    const result = await orchestrator(e, accounts, records);
    await e.fc.drain();

    expect(result).toMatchObject({ count_accounts: 3, count_invoked: 3, count_failed: 0 });
    expect(records.map((r) => [r.kind, r.account_id, r.outcome])).toEqual([
      ['account', A, 'invoked'],
      ['account', B, 'invoked'],
      ['account', C, 'invoked'],
    ]);
    expect(e.fc.invocations.map((i) => JSON.parse(i.payload.toString('utf8')))).toEqual(
      MEMBERS.map((m) => ({ reason: 'nightly', account: { id: m.id, roleArn: roleArnOf(m.id) } })),
    );
    expect(records.map((r) => r.invocation_request_id)).toEqual(e.fc.invocations.map((i) => i.requestId));

    const orders = ordersByAccount(e);
    for (const id of [A, B]) {
      expect(orders[id]).toHaveLength(2);
      const own = new Set(e.accounts.get(id).domain.domains.map((d) => d.domainName));
      expect(orders[id]!.every((name) => own.has(name))).toBe(true);
      const run = runs.find((r) => r.accountId === id)!;
      expect(run.summary!.run).toMatchObject({ outcome: 'completed', mode: 'live' });
      expect(run.summary!.decisions.filter((d) => d.action === 'redeem').length).toBe(2);
    }
    expect(orders[DEFAULT_ACCOUNT_ID]).toEqual([]);
    expect(orders[C]).toEqual([]);
    const failed = runs.find((r) => r.accountId === C)!;
    expect(failed.error).toMatchObject({ code: 'EntityNotExist.Role', action: 'AssumeRole' });

    // The figures for the closing note.
    const calls = e.calls.reduce<Record<string, number>>((n, c) => ({ ...n, [c.action]: (n[c.action] ?? 0) + 1 }), {});
    process.stdout.write(
      `fan-out figures: accounts=${result.count_accounts} invocations=${e.fc.invocations.length} orders=${JSON.stringify(Object.fromEntries(Object.entries(orders).map(([k, v]) => [k, v.length])))} calls=${JSON.stringify(calls)}\n`,
    );
  });

  it('rd:<role>: every listed account (management first) over paged ListAccounts, the one without the role reported', async () => {
    const e = (emulator = await startEmulator({ domains: 20, seed: 4, accounts: MEMBERS, taskTiming: { waitingMs: 20, executingMs: 40 } }));
    const env = envFor(e, 'rd:domain-redeemer');
    const accounts = parseAccounts(env).config!;
    const runs: AccountRunResult[] = [];
    e.fc.onInvoke = accountRunner(env, accounts, runs);
    const records: AccountRecord[] = [];
    const result = await orchestrator(e, accounts, records, { mode: 'dry-run' });
    await e.fc.drain();
    expect(result).toMatchObject({ count_accounts: 4, count_invoked: 4 });
    expect(records.map((r) => r.account_id)).toEqual([DEFAULT_ACCOUNT_ID, A, B, C]);
    expect(runs.filter((r) => r.summary?.run.outcome === 'completed').map((r) => r.accountId).sort()).toEqual([DEFAULT_ACCOUNT_ID, A, B].sort());
    expect(runs.find((r) => r.accountId === C)?.error).toMatchObject({ code: 'EntityNotExist.Role' });
    // dry-run: nothing ordered anywhere.
    expect(Object.values(ordersByAccount(e)).flat()).toEqual([]);
  });

  it('an account run refuses an event naming an account outside REDEEM_ACCOUNTS, before any AssumeRole', async () => {
    const e = (emulator = await startEmulator({ domains: 10, accounts: MEMBERS }));
    const env = envFor(e, roleArnOf(A));
    const runs: AccountRunResult[] = [];
    const run = accountRunner(env, parseAccounts(env).config!, runs);
    await run({ requestId: 'r', functionName: FUNCTION_NAME, qualifier: undefined, invocationType: 'Async', callerAccountId: DEFAULT_ACCOUNT_ID, at: 0, payload: Buffer.from(JSON.stringify({ account: { id: B, roleArn: roleArnOf(B) } })) });
    expect(runs[0]!.error).toMatchObject({ code: 'account-refused' });
    expect(e.sts.assumed).toEqual([]);
    expect(e.accounts.get(B).domain.tasks).toEqual([]);
  });
});

describe('orchestrate keeps going', () => {
  const config = parseAccounts({ REDEEM_ACCOUNTS: MEMBERS.map((m) => roleArnOf(m.id)).join(',') }).config!;

  it('an account that cannot be invoked is reported; the others are invoked', async () => {
    const records: AccountRecord[] = [];
    const result = await orchestrate(
      { config, runOptions: {} },
      {
        clock: systemClock,
        listAccounts: async () => Promise.reject(new Error('not used')),
        invoke: async (_payload, account) => {
          if (account.id === B) throw new DomainApiError({ action: 'InvokeFunction', code: 'ResourceThrottled', message: 'slow down', requestId: 'r-b', httpStatus: 429, retryAfterMs: undefined });
          return { requestId: `req-${account.id}` };
        },
        writeRecord: (record) => void records.push(record),
        concurrency: 1,
      },
    );
    expect(result).toMatchObject({ count_accounts: 3, count_invoked: 2, count_failed: 1 });
    expect(records.map((r) => [r.account_id, r.outcome, r.invocation_request_id ?? r.error_code])).toEqual([
      [A, 'invoked', `req-${A}`],
      [B, 'failed', 'ResourceThrottled'],
      [C, 'invoked', `req-${C}`],
    ]);
    expect(records[1]!.error_message).toBe('InvokeFunction failed: ResourceThrottled: slow down (HTTP 429, RequestId r-b)');
  });

  it('a listing that stopped early: the accounts listed are still invoked, the stop is reported', async () => {
    const directory = parseAccounts({ REDEEM_ACCOUNTS: 'rd:domain-redeemer' }).config!;
    const invoked: string[] = [];
    const result = await orchestrate(
      { config: directory, runOptions: {} },
      {
        clock: systemClock,
        listAccounts: async () => Promise.reject(new AccountListingError('PagingLimit', 'ListAccounts: still not at the end after 50 pages of 100', [{ id: A }])),
        invoke: async (_p, account) => {
          invoked.push(account.roleArn);
          return { requestId: 'x' };
        },
        writeRecord: () => undefined,
      },
    );
    expect(invoked).toEqual([roleArnOf(A)]);
    expect(result).toMatchObject({ count_accounts: 1, count_invoked: 1, listing_error_code: 'PagingLimit', listing_error_message: expect.stringContaining('50 pages') });
  });

  it('an event that would not stay well under 128 KB is not sent', async () => {
    const records: AccountRecord[] = [];
    let calls = 0;
    const domains = Array.from({ length: 1000 }, (_, i) => `${'x'.repeat(60)}-${i}.example.com`);
    const result = await orchestrate(
      { config, runOptions: { domains } },
      { clock: systemClock, listAccounts: async () => Promise.reject(new Error('not used')), invoke: async () => ({ requestId: String(++calls) }), writeRecord: (r) => void records.push(r) },
    );
    expect(calls).toBe(0);
    expect(result.count_failed).toBe(3);
    expect(records[0]).toMatchObject({ outcome: 'failed', error_code: 'payload-too-large' });
  });

  it('at most `concurrency` invocations at once', async () => {
    const many = parseAccounts({ REDEEM_ACCOUNTS: Array.from({ length: 20 }, (_, i) => roleArnOf(String(3000 + i))).join(',') }).config!;
    let inFlight = 0;
    let peak = 0;
    await orchestrate(
      { config: many, runOptions: {} },
      {
        clock: systemClock,
        listAccounts: async () => Promise.reject(new Error('not used')),
        invoke: async () => {
          peak = Math.max(peak, ++inFlight);
          await new Promise((r) => setTimeout(r, 5));
          inFlight--;
          return { requestId: 'x' };
        },
        writeRecord: () => undefined,
        concurrency: 4,
      },
    );
    expect(peak).toBe(4);
  });
});
