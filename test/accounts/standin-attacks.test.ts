/**
 * The many-accounts path attacked from outside: STS, ResourceManager and FC's InvokeFunction are played by
 * test/support/accounts-standin.ts (written from the vendors' published rules, not from the emulator), and
 * fed odd but possible answers. What must hold: an account that could not be run is told to a person,
 * never dropped in silence; what the person hears names what to fix; no secret reaches a record or message.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { invokeRun, type Platform } from '../../shared/fc/invocation.js';
import { createLogger } from '../../shared/log/index.js';
import { startAccountsStandin, type AccountsStandin, type AccountsStandinOptions } from '../support/accounts-standin.js';
import { webhookInbox, type WebhookInbox } from '../support/webhook-inbox.js';

const KEY = { accessKeyId: 'LTAI-function-key', accessKeySecret: 'function-secret-value-1234' };
const MGMT = '1000000000000001';
const A = '2000000000000001';
const B = '2000000000000002';
const ROLE = (id: string) => `acs:ram::${id}:role/domain-redeemer`;

let standin: AccountsStandin | undefined;
let inbox: WebhookInbox | undefined;
afterEach(async () => {
  await standin?.close();
  await inbox?.close();
  standin = inbox = undefined;
});

async function setUp(options: Omit<AccountsStandinOptions, 'key'>, accounts = 'rd:domain-redeemer') {
  standin = await startAccountsStandin({ key: KEY, ...options });
  inbox = await webhookInbox();
  const env: Record<string, string> = {
    REDEEM_MODE: 'live',
    REDEEM_DOMAINS: '*',
    REDEEM_ACCOUNTS: accounts,
    STS_ENDPOINT: standin.url,
    RESOURCE_MANAGER_ENDPOINT: standin.url,
    FC_ENDPOINT: standin.url,
    FC_FUNCTION_NAME: 'domain-redeemer',
    // The member account's Domain API is never reached in these tests.
    DOMAIN_ENDPOINT: 'http://127.0.0.1:9',
    ALIBABA_CLOUD_ACCESS_KEY_ID: KEY.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: KEY.accessKeySecret,
    NOTIFY_WEBHOOK_URL: inbox.url,
    NOTIFY_ON: 'failures',
  };
  const lines: Array<Record<string, any>> = [];
  const deps = { env, logger: createLogger((line) => void lines.push(JSON.parse(line))), clock: { now: Date.now, random: () => 0.5, sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, Math.min(ms, 5))) } };
  const platform = (requestId: string): Platform => ({ channel: 'event', credentials: undefined, requestId, timeoutSeconds: 60 });
  return { standin, inbox, lines, run: (options: unknown, requestId: string) => invokeRun('invoke', options, platform(requestId), deps) };
}

describe('an account run that cannot check its account', () => {
  it('is told to a person, naming the account: the orchestrator handed it on and said nothing', async () => {
    // The orchestrator listed the directory and handed A on; when A's run checks the directory again,
    // ResourceManager throttles for good (100 calls a second per account, shared by every RAM identity).
    const fn = await setUp({
      members: [{ id: MGMT }, { id: A }],
      listAccounts: () => ({ status: 400, body: { RequestId: 'rm-throttled', Code: 'Throttling.User', Message: 'Request was denied due to user flow control.' } }),
    });
    const event = { account: { id: A, roleArn: ROLE(A) } };
    await expect(fn.run(event, 'req-account-a')).rejects.toMatchObject({ code: 'Throttling.User' });
    const record = fn.lines.find((r) => r.kind === 'run' && r.account_id === A);
    expect(record).toMatchObject({ outcome: 'failed', error_code: 'Throttling.User' });
    // Nothing was ordered, no role assumed: the one thing left is that a person hears account A did not run.
    expect(fn.standin.calls.filter((c) => c.action === 'AssumeRole')).toEqual([]);
    expect(fn.inbox.bodies.length).toBe(1);
    expect(JSON.stringify(fn.inbox.bodies[0])).toContain(A);
    expect(JSON.stringify(fn.inbox.bodies[0])).toContain('Throttling.User');
    expect(record!.notify).toBe('sent');
  });
});

describe('the orchestrator\'s message', () => {
  it('an account FC may have queued (the answer was lost after FC took the event) is not told as "not run"', async () => {
    // A is refused (not there), B's event is taken by FC but the connection drops before the 202 comes back.
    const fn = await setUp(
      {
        members: [{ id: MGMT }, { id: A }, { id: B }],
        invoke: (invocation) => (invocation.payload.includes(A) ? { status: 404, body: { Code: 'FunctionNotFound', Message: 'function not found' } } : 'drop'),
      },
      `${ROLE(A)},${ROLE(B)}`,
    );
    const summary = (await fn.run({}, 'req-orchestrator')) as any;
    // FC holds B's event: B's own run will tell of B. Asking again would run B twice, so nothing is resent.
    expect(fn.standin.invocations.filter((i) => i.payload.includes(B))).toHaveLength(1);
    expect(summary.run).toMatchObject({ outcome: 'completed', count_accounts: 2, count_invoked: 0, count_failed: 2 });
    expect(fn.inbox.bodies).toHaveLength(1);
    const text = JSON.stringify(fn.inbox.bodies[0]);
    expect(text).toContain(`account ${A} not run`);
    // B may well be running (and ordering) now: a person told "not run" would run it by hand a second time.
    expect(text).not.toContain(`account ${B} not run`);
    expect(text).toContain(`account ${B} may have been handed on`);
  });
});

describe('what a person is told to fix', () => {
  it('an account run refused by AssumeRole (the trust policy wants an ExternalId) is told to check the trust policy and REDEEM_EXTERNAL_ID, not ram-policy.json', async () => {
    const fn = await setUp({ members: [{ id: MGMT }, { id: A, externalId: 'trust-me-42' }] });
    const summary = (await fn.run({ account: { id: A, roleArn: ROLE(A) } }, 'req-account-a')) as any;
    expect(summary.run).toMatchObject({ outcome: 'failed', error_code: 'NoPermission' });
    expect(fn.inbox.bodies).toHaveLength(1);
    const said = String((fn.inbox.bodies[0] as any).run.error_message);
    // ram-policy.json holds no sts:AssumeRole: attaching it changes nothing.
    expect(said).not.toContain('attach ram-policy.json');
    expect(said).toContain('sts:AssumeRole');
    expect(said).toContain('trust policy');
    expect(said).toContain('REDEEM_EXTERNAL_ID');
  });

  it('the orchestrator names what to fix for a refused InvokeFunction, a missing function, and a directory it may not list', async () => {
    const fn = await setUp(
      {
        members: [{ id: MGMT }, { id: A }, { id: B }],
        invoke: (invocation) =>
          invocation.payload.includes(A)
            ? { status: 403, body: { Code: 'AccessDenied', Message: 'The service or function does not allow you to access.' } }
            : { status: 404, body: { Code: 'FunctionNotFound', Message: 'function not found' } },
      },
      `${ROLE(A)},${ROLE(B)}`,
    );
    const summary = (await fn.run({}, 'req-orchestrator')) as any;
    const said = (id: string) => String(summary.accounts.find((r: any) => r.account_id === id).error_message);
    expect(said(A)).toContain('fc:InvokeFunction');
    expect(said(B)).toContain('FC_FUNCTION_NAME');
    // The message cuts a long error; what to do is the part a person needs, and stays whole.
    const text = JSON.stringify(fn.inbox.bodies[0]);
    expect(text).toContain('fc:InvokeFunction on acs:fc:');
    expect(text).toContain('FC_FUNCTION_NAME, FC_ACCOUNT_ID and FC_REGION (or FC_ENDPOINT)');

    const rd = await (async () => {
      await fn.standin.close();
      await fn.inbox.close();
      return setUp({ members: [], listAccounts: () => ({ status: 403, body: { RequestId: 'rm-1', Code: 'NoPermission', Message: 'You are not authorized to do this action.' } }) });
    })();
    const listed = (await rd.run({}, 'req-orchestrator-2')) as any;
    expect(listed.run).toMatchObject({ outcome: 'failed', error_code: 'NoPermission' });
    expect(String(listed.run.error_message)).toContain('resourcemanager:ListAccounts');
    expect(String(listed.run.error_message)).not.toContain('attach ram-policy.json');
  });
});
