/**
 * A plain run (no REDEEM_ACCOUNTS: the function's own account) and then an account run of that very
 * account (a fan-out over the directory takes the management account first), both writing to one results
 * logstore, on a fresh instance, before the registrar lists the plain run's task: the account run must find
 * the plain run's order in the logstore read-back, or it orders the domain again (a second fee).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { invokeRun, type Platform } from '../../shared/fc/invocation.js';
import { createLogger } from '../../shared/log/index.js';
import { forgetRegistrar } from '../../shared/run/ledger.js';
import type { Emulator } from '../emulator/server.js';
import { DEFAULT_ACCOUNT_ID, MEMBERS, roleArnOf } from '../support/accounts.js';
import { EMULATOR_CREDENTIALS, startEmulator } from '../support/emulator.js';

let emulator: Emulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

function envFor(e: Emulator, extra: Record<string, string> = {}): Record<string, string> {
  return {
    REDEEM_MODE: 'live',
    REDEEM_DOMAINS: '*',
    REDEEM_MAX_PER_RUN: '1',
    REDEEM_MAX_PER_DAY: '1',
    REDEEM_FOLLOW_SECONDS: '0',
    DOMAIN_ENDPOINT: e.url,
    SLS_ENDPOINT: e.url,
    SLS_PROJECT: 'audit',
    SLS_LOGSTORE: 'results',
    ALIBABA_CLOUD_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: EMULATOR_CREDENTIALS.accessKeySecret,
    ...extra,
  };
}

describe("an account run reads back a plain run's order of its own account", () => {
  it('a plain run of the function (FC names its account) orders a domain; the account run of that account, on a fresh instance, does not order it again', async () => {
    // Tasks that stay open for the test: the domain stays in redemption.
    const e = (emulator = await startEmulator({ domains: 20, seed: 4, accounts: MEMBERS, taskTiming: { waitingMs: 600_000, executingMs: 600_000 } }));
    const own = e.accounts.get(DEFAULT_ACCOUNT_ID).domain;
    const lines: Array<Record<string, any>> = [];
    const logger = createLogger((line) => void lines.push(JSON.parse(line)));

    // The plain run: FC's context names the function's account (its owner), as on FC.
    const plain: Platform = { channel: 'event', credentials: undefined, requestId: 'req-plain', timeoutSeconds: 60, accountId: DEFAULT_ACCOUNT_ID };
    await invokeRun('timer', {}, plain, { env: envFor(e), followIntervalMs: 20, logger });
    const ordered = own.tasks.map((t) => t.domainName);
    expect(ordered).toHaveLength(1);
    const domain = ordered[0]!;

    // The registrar does not list the task yet, and the next run is on a fresh instance.
    own.tasks.splice(0);
    forgetRegistrar(e.url);

    const accountEnv = envFor(e, { REDEEM_ACCOUNTS: roleArnOf(DEFAULT_ACCOUNT_ID), STS_ENDPOINT: e.url, RESOURCE_MANAGER_ENDPOINT: e.url, FC_ENDPOINT: e.url, FC_FUNCTION_NAME: 'domain-redeemer' });
    const member: Platform = { channel: 'event', credentials: undefined, requestId: 'req-account', timeoutSeconds: 60 };
    const summary = (await invokeRun('invoke', { account: { id: DEFAULT_ACCOUNT_ID, roleArn: roleArnOf(DEFAULT_ACCOUNT_ID) } }, member, { env: accountEnv, followIntervalMs: 20, logger })) as any;
    expect(summary.run).toMatchObject({ account_id: DEFAULT_ACCOUNT_ID, outcome: 'completed' });
    // The plain run's order holds its domain and fills the day's cap of 1: nothing is ordered again.
    expect(own.tasks.map((t) => t.domainName)).toEqual([]);
    // Found by the account run's own query (`account_id: <account>`): the plain run said which account it is of.
    expect(lines.find((r) => r.kind === 'decision' && r.domain === domain && r.outcome === 'submitted' && r.fc_request_id === 'req-plain')).toMatchObject({ account_id: DEFAULT_ACCOUNT_ID });
  });

  it('in one warm instance without a results logstore, the account run of the account sees the plain run\'s order in the process and does not order it again', async () => {
    const e = (emulator = await startEmulator({ domains: 20, seed: 4, accounts: MEMBERS, taskTiming: { waitingMs: 600_000, executingMs: 600_000 } }));
    const own = e.accounts.get(DEFAULT_ACCOUNT_ID).domain;
    const logger = createLogger(() => undefined);
    const noSls = { SLS_ENDPOINT: '', SLS_PROJECT: '', SLS_LOGSTORE: '' };
    const plain: Platform = { channel: 'event', credentials: undefined, requestId: 'req-plain', timeoutSeconds: 60, accountId: DEFAULT_ACCOUNT_ID };
    await invokeRun('timer', {}, plain, { env: envFor(e, noSls), followIntervalMs: 20, logger });
    expect(own.tasks).toHaveLength(1);
    // The registrar does not list the task yet; the same process runs next (its registry of orders is all it has).
    own.tasks.splice(0);
    const accountEnv = envFor(e, { ...noSls, REDEEM_ACCOUNTS: roleArnOf(DEFAULT_ACCOUNT_ID), STS_ENDPOINT: e.url, RESOURCE_MANAGER_ENDPOINT: e.url, FC_ENDPOINT: e.url, FC_FUNCTION_NAME: 'domain-redeemer' });
    const member: Platform = { channel: 'event', credentials: undefined, requestId: 'req-account', timeoutSeconds: 60 };
    await invokeRun('invoke', { account: { id: DEFAULT_ACCOUNT_ID, roleArn: roleArnOf(DEFAULT_ACCOUNT_ID) } }, member, { env: accountEnv, followIntervalMs: 20, logger });
    expect(own.tasks.map((t) => t.domainName)).toEqual([]);
  });

  it('the plain run names the account FC_ACCOUNT_ID says first, then the context\'s; a value not shaped like an account id is not written', async () => {
    const e = (emulator = await startEmulator({ domains: 5, seed: 4, taskTiming: { waitingMs: 600_000, executingMs: 600_000 } }));
    const accountsOf = async (env: Record<string, string>, accountId: string | undefined) => {
      const lines: Array<Record<string, any>> = [];
      const platform: Platform = { channel: 'event', credentials: undefined, requestId: 'req-plain', timeoutSeconds: 60, accountId };
      await invokeRun('timer', { mode: 'dry-run' }, platform, { env: envFor(e, { SLS_ENDPOINT: '', SLS_PROJECT: '', SLS_LOGSTORE: '', ...env }), followIntervalMs: 20, logger: createLogger((line) => void lines.push(JSON.parse(line))) });
      expect(lines.length).toBeGreaterThan(1);
      return [...new Set(lines.map((r) => r.account_id))];
    };
    expect(await accountsOf({}, DEFAULT_ACCOUNT_ID)).toEqual([DEFAULT_ACCOUNT_ID]);
    expect(await accountsOf({ FC_ACCOUNT_ID: '2000000000000009' }, DEFAULT_ACCOUNT_ID)).toEqual(['2000000000000009']);
    expect(await accountsOf({}, 'acs:ram::1:role/x')).toEqual([undefined]);
    expect(await accountsOf({}, undefined)).toEqual([undefined]);
  });
});
