/**
 * The fan-out from source, through invokeRun (the one entry every FC trigger goes through): an
 * orchestrating run invokes the emulator's FC once per account; each queued event comes back to invokeRun
 * as an event, as FC would hand it to the function. And the orchestrator's own rules, on stubs.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseAccounts } from '../../shared/accounts/accounts-config.js';
import { AccountListingError } from '../../shared/accounts/errors.js';
import { orchestrate, type AccountFields as AccountRecord } from '../../shared/accounts/orchestrate.js';
import { systemClock } from '../../shared/clock/index.js';
import { DomainApiError } from '../../shared/domain-api/errors.js';
import { fanOutTarget, invokeRun, type Platform } from '../../shared/fc/invocation.js';
import { createLogger } from '../../shared/log/index.js';
import type { Emulator } from '../emulator/server.js';
import { DEFAULT_ACCOUNT_ID, MEMBERS, roleArnOf } from '../support/accounts.js';
import { EMULATOR_CREDENTIALS, startEmulator } from '../support/emulator.js';

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
    DOMAIN_ENDPOINT: e.url,
    REDEEM_ACCOUNTS: accounts,
    STS_ENDPOINT: e.url,
    RESOURCE_MANAGER_ENDPOINT: e.url,
    FC_ENDPOINT: e.url,
    FC_FUNCTION_NAME: 'domain-redeemer',
    ALIBABA_CLOUD_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: EMULATOR_CREDENTIALS.accessKeySecret,
  };
}

const platform = (requestId: string): Platform => ({ channel: 'event', credentials: undefined, requestId, timeoutSeconds: 60 });

/** The function on FC: every queued event comes back to invokeRun; its records are kept. */
function functionOn(e: Emulator, env: Record<string, string>) {
  const lines: Array<Record<string, any>> = [];
  const deps = { env, followIntervalMs: 20, logger: createLogger((line) => void lines.push(JSON.parse(line))) };
  e.fc.reservedConcurrency = 1;
  e.fc.onInvoke = (event) => invokeRun('invoke', JSON.parse(event.payload.toString('utf8')), platform(event.requestId), deps);
  return {
    lines,
    run: (options: unknown, requestId = 'req-orchestrator') => invokeRun('timer', options, platform(requestId), deps),
    invoke: (options: unknown, requestId: string) => invokeRun('invoke', options, platform(requestId), deps),
  };
}

describe('fan-out through invokeRun', () => {
  it('rd:<role>: every account of the directory (management first, paged ListAccounts), the one without the role reported', async () => {
    const e = (emulator = await startEmulator({ domains: 20, seed: 4, accounts: MEMBERS, taskTiming: { waitingMs: 20, executingMs: 40 } }));
    const fn = functionOn(e, envFor(e, 'rd:domain-redeemer'));
    const summary = (await fn.run({ mode: 'dry-run' })) as any;
    await e.fc.drain();
    expect(summary.run).toMatchObject({ count_accounts: 4, count_invoked: 4, count_failed: 0, mode: 'dry-run' });
    expect(summary.accounts.map((r: AccountRecord) => r.account_id)).toEqual([DEFAULT_ACCOUNT_ID, A, B, C]);
    const ends = fn.lines.filter((r) => r.kind === 'run' && r.outcome !== 'started' && r.account_id !== undefined);
    expect(ends.map((r) => [r.account_id, r.outcome, r.error_code])).toEqual([
      [DEFAULT_ACCOUNT_ID, 'completed', undefined],
      [A, 'completed', undefined],
      [B, 'completed', undefined],
      [C, 'failed', 'EntityNotExist.Role'],
    ]);
    // dry-run: nothing ordered anywhere; each account run checked the directory again with the function's own key.
    expect([...e.accounts.accounts.values()].flatMap((a) => a.domain.tasks)).toEqual([]);
    expect(e.calls.filter((c) => c.action === 'ListAccounts').length).toBe(5);
  });

  it('an account run refuses an event naming an account outside REDEEM_ACCOUNTS (403), before any AssumeRole', async () => {
    const e = (emulator = await startEmulator({ domains: 10, accounts: MEMBERS }));
    const fn = functionOn(e, envFor(e, roleArnOf(A)));
    await expect(fn.invoke({ account: { id: B, roleArn: roleArnOf(B) } }, 'req-stray')).rejects.toMatchObject({ code: 'account-refused', message: expect.stringContaining(`account ${B}`) });
    await expect(fn.invoke({ account: { id: A, roleArn: roleArnOf(A).replace('domain-redeemer', 'AdministratorRole') } }, 'req-wider')).rejects.toMatchObject({ code: 'account-refused' });
    await expect(fn.invoke({ account: { id: A, roleArn: roleArnOf(A) }, accounts: [A] }, 'req-both')).rejects.toMatchObject({ code: 'invalid-options' });
    expect(e.sts.assumed).toEqual([]);
    expect(e.accounts.get(B).domain.tasks).toEqual([]);
    // Each refusal is a failed run on record, naming the account the event claimed.
    expect(fn.lines.map((r) => [r.kind, r.outcome, r.account_id, r.error_code])).toEqual([
      ['run', 'failed', B, 'account-refused'],
      ['run', 'failed', A, 'account-refused'],
      ['run', 'failed', A, 'invalid-options'],
    ]);
  });

  it('an orchestrating run asked for live while configured for dry-run is refused before any invocation', async () => {
    const e = (emulator = await startEmulator({ domains: 10, accounts: MEMBERS }));
    const fn = functionOn(e, { ...envFor(e, roleArnOf(A)), REDEEM_MODE: 'dry-run' });
    await expect(fn.run({ mode: 'live' })).rejects.toMatchObject({ code: 'escalation-refused' });
    expect(e.fc.invocations).toEqual([]);
  });

  it('where the account runs go: FC_FUNCTION_NAME (or the context\'s name) on {account}.{region}.fc.aliyuncs.com, or FC_ENDPOINT', () => {
    const accounts = parseAccounts({ REDEEM_ACCOUNTS: roleArnOf(A) }).config!;
    const on = (env: Record<string, string>, functionName?: string) => fanOutTarget(env, { ...platform('r'), functionName }, accounts);
    expect(on({ FC_ACCOUNT_ID: DEFAULT_ACCOUNT_ID, FC_REGION: 'cn-hangzhou', FC_FUNCTION_NAME: 'domain-redeemer' })).toEqual({ endpoint: `https://${DEFAULT_ACCOUNT_ID}.cn-hangzhou.fc.aliyuncs.com`, functionName: 'domain-redeemer' });
    expect(on({ FC_ACCOUNT_ID: DEFAULT_ACCOUNT_ID, FC_REGION: 'cn-hangzhou' }, 'redeem').functionName).toBe('redeem');
    expect(() => on({ FC_REGION: 'cn-hangzhou' })).toThrow(/FC_FUNCTION_NAME: not set.*FC_ACCOUNT_ID: not set/);
    expect(() => on({})).toThrow(expect.objectContaining({ code: 'bad-configuration' }));
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
    expect(records[1]!.error_message).toBe('InvokeFunction failed: ResourceThrottled: slow down (HTTP 429, RequestId r-b); what to do: InvokeFunction kept throttling (a quota of the whole account, shared by every identity in it): the next run tries again; if it repeats, run less often or ask for a higher quota');
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
