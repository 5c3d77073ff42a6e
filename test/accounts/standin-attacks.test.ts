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
import { domainItem, startStandin } from '../support/registrar-standin.js';
import { dueExpiration, standinEnv } from '../safety/standin-runs.js';

const KEY = { accessKeyId: 'STS.function-key', accessKeySecret: 'function-secret-value-1234', securityToken: 'CAIS/function+token=value/9876' };
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

/** Real time, and a sleep that only moves it on: a wait of many seconds (a Retry-After) costs none. */
function jumpingClock() {
  let offset = 0;
  return { now: () => Date.now() + offset, random: () => 0.5, sleep: async (ms: number) => void (offset += ms) };
}

async function setUp(options: Omit<AccountsStandinOptions, 'key'>, accounts = 'rd:domain-redeemer', timeoutSeconds = 60, extraEnv: Record<string, string> = {}, clock?: ReturnType<typeof jumpingClock>) {
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
    ALIBABA_CLOUD_SECURITY_TOKEN: KEY.securityToken,
    NOTIFY_WEBHOOK_URL: inbox.url,
    NOTIFY_ON: 'failures',
    ...extraEnv,
  };
  const lines: Array<Record<string, any>> = [];
  const deps = { env, logger: createLogger((line) => void lines.push(JSON.parse(line))), clock: clock ?? { now: Date.now, random: () => 0.5, sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, Math.min(ms, 5))) } };
  const platform = (requestId: string): Platform => ({ channel: 'event', credentials: undefined, requestId, timeoutSeconds });
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
    // The member role's trust policy refused it: attaching ram-policy.json to the function's role changes nothing.
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

describe('no secret in any output', () => {
  it('STS, ResourceManager and FC answers that quote the request\'s token and secret (plain and JSON-escaped, with 200 and with 4xx) reach no record and no message', async () => {
    const quoted = `token ${KEY.securityToken} escaped ${KEY.securityToken.replace(/\//g, '\\/')} secret ${KEY.accessKeySecret}`;
    const quote = (status: number) => ({ status, body: `{"RequestId":"q-${status}","Code":"InvalidParameter","Message":"${quoted.replace(/"/g, '')}"}` });
    // A first orchestrator: ListAccounts quotes with 200. A second: FC quotes with 400 for A. A's run: AssumeRole quotes with 200.
    const fn = await setUp({
      members: [{ id: MGMT }, { id: A }],
      listAccounts: (call, normal) => (call.n === 1 ? quote(200) : normal()),
      invoke: (invocation) => (invocation.payload.includes(A) ? quote(400) : undefined),
      sts: () => quote(200),
    });
    const first = (await fn.run({}, 'req-orchestrator-1')) as any;
    expect(first.run).toMatchObject({ outcome: 'failed', error_code: 'InvalidParameter' });
    const second = (await fn.run({}, 'req-orchestrator-2')) as any;
    expect(second.accounts.find((r: any) => r.account_id === A)).toMatchObject({ outcome: 'failed', error_code: 'InvalidParameter' });
    await expect(fn.run({ account: { id: A, roleArn: ROLE(A) } }, 'req-account-a')).resolves.toMatchObject({ run: { outcome: 'failed', error_code: 'InvalidParameter' } });
    const orchestrated = [first, second];
    const everything = JSON.stringify([fn.lines, fn.inbox.bodies, orchestrated]);
    expect(fn.standin.answered.join('')).toContain(KEY.securityToken);
    expect(everything).not.toContain(KEY.securityToken);
    expect(everything).not.toContain(KEY.securityToken.replace(/\//g, '\\/'));
    expect(everything).not.toContain(KEY.accessKeySecret);
    expect(everything).toContain('InvalidParameter');
  });
});

describe('a directory listed only in part', () => {
  it('the accounts past the stop are told (the ones listed are handed on), though every hand-on succeeded', async () => {
    // 150 members: page 1 (100) lists, page 2 keeps failing. The 100 listed are handed on; 50 are never seen.
    const members = Array.from({ length: 150 }, (_, i) => ({ id: String(3000000000000000 + i) }));
    const fn = await setUp({
      members,
      listAccounts: (call, normal) => (call.params.PageNumber === '2' ? { status: 503, body: { RequestId: 'rm-503', Code: 'ServiceUnavailable', Message: 'The request has failed due to a temporary failure of the server.' } } : normal()),
    });
    const summary = (await fn.run({}, 'req-orchestrator')) as any;
    expect(summary.run).toMatchObject({ count_accounts: 100, count_invoked: 100, count_failed: 0, listing_error_code: 'ServiceUnavailable' });
    expect(fn.standin.invocations).toHaveLength(100);
    // Nothing else will ever name the 50 accounts past page 1: this run's message must say the listing stopped.
    expect(fn.inbox.bodies).toHaveLength(1);
    const text = JSON.stringify(fn.inbox.bodies[0]);
    expect(text).toContain('ServiceUnavailable');
    expect(text).toContain('100 account(s) listed before the stop');
  });
});

describe('a directory that names one member in two forms', () => {
  it('hands that member on once, with the id STS reads: 02000000000000001 is 2000000000000001', async () => {
    // An account id is a number (REDEEM_ACCOUNTS refuses one listed both ways): two forms of it in one
    // listing are one account, and two account runs in one account at once each count the caps alone.
    const fn = await setUp({
      members: [{ id: A }],
      listAccounts: (call) => ({
        body: {
          RequestId: `rm-${call.n}`,
          PageNumber: 1,
          PageSize: 100,
          // One member, as the directory counts it.
          TotalCount: 1,
          Accounts: { Account: [{ AccountId: `0${A}`, Status: 'CreateSuccess' }, { AccountId: Number(A), Status: 'CreateSuccess' }] },
        },
      }),
    });
    const summary = (await fn.run({}, 'req-orchestrator')) as any;
    expect(fn.standin.invocations.map((i) => JSON.parse(i.payload).account)).toEqual([{ id: A, roleArn: ROLE(A) }]);
    expect(summary.run).toMatchObject({ count_accounts: 1, count_invoked: 1 });
  });
});

describe('a directory that names a member with spaces about its id', () => {
  it('hands every member on, that one by its id: the page is not refused for it', async () => {
    const fn = await setUp({
      members: [{ id: A }, { id: B }],
      listAccounts: (call, normal) => {
        const answer = normal() as { body: any };
        return { body: { ...answer.body, Accounts: { Account: answer.body.Accounts.Account.map((a: any) => (a.AccountId === B ? { ...a, AccountId: ` ${B}\t` } : a)) } } };
      },
    });
    const summary = (await fn.run({}, 'req-orchestrator')) as any;
    expect(summary.run).toMatchObject({ outcome: 'completed', count_accounts: 2, count_invoked: 2 });
    expect(fn.standin.invocations.map((i) => JSON.parse(i.payload).account.id)).toEqual([A, B]);
  });
});

describe('a directory page whose informational fields are null', () => {
  it('hands every member on: a null DisplayName, Status or Type of a row, or a null RequestId, refuses no page', async () => {
    const fn = await setUp({
      members: [{ id: A }, { id: B }],
      listAccounts: (call, normal) => {
        const answer = normal() as { body: any };
        const rows = answer.body.Accounts.Account.map((a: any) => (a.AccountId === B ? { ...a, DisplayName: null, Status: null, Type: null } : a));
        return { body: { ...answer.body, RequestId: null, Accounts: { Account: rows } } };
      },
    });
    const summary = (await fn.run({}, 'req-orchestrator')) as any;
    expect(summary.run).toMatchObject({ outcome: 'completed', count_accounts: 2, count_invoked: 2 });
    expect(fn.standin.invocations.map((i) => JSON.parse(i.payload).account.id)).toEqual([A, B]);
  });
});

describe('a directory page whose PageNumber and PageSize are null', () => {
  it('is read (the page number is then not said, and not checked): every member is handed on', async () => {
    const fn = await setUp({
      members: [{ id: A }, { id: B }],
      listAccounts: (call, normal) => ({ body: { ...(normal() as { body: any }).body, PageNumber: null, PageSize: null } }),
    });
    const summary = (await fn.run({}, 'req-orchestrator')) as any;
    expect(summary.run).toMatchObject({ outcome: 'completed', count_accounts: 2, count_invoked: 2 });
  });
});

describe('a directory of exactly one full page, whose empty page after it has Accounts null', () => {
  it('is listed whole: no "listed only in part" for the page that only says it has ended', async () => {
    const members = Array.from({ length: 100 }, (_, i) => ({ id: String(3000000000000000 + i) }));
    const fn = await setUp({
      members,
      listAccounts: (call, normal) => (call.params.PageNumber === '2' ? { body: { ...(normal() as { body: any }).body, Accounts: null } } : normal()),
    });
    const summary = (await fn.run({}, 'req-orchestrator')) as any;
    expect(summary.run).toMatchObject({ outcome: 'completed', count_accounts: 100, count_invoked: 100 });
    expect(summary.run.listing_error_code).toBeUndefined();
  });
});

describe('a directory that lists no account', () => {
  it('is a failed run that a person hears of, not a completed run that guarded nothing', async () => {
    // A Resource Directory always holds its management account; an empty answer (TotalCount 0) is the service's
    // or the caller's oddity, and every timer run would guard nothing, in silence.
    const fn = await setUp({ members: [] });
    const summary = (await fn.run({}, 'req-orchestrator')) as any;
    expect(fn.standin.invocations).toEqual([]);
    expect(summary.run).toMatchObject({ outcome: 'failed', count_accounts: 0 });
    expect(String(summary.run.error_message)).toContain('REDEEM_ACCOUNTS');
    expect(fn.inbox.bodies).toHaveLength(1);
  });
});

describe('a fan-out that outlasts its time budget', () => {
  it('sends no invocation it cannot hear the answer of: the accounts left are told "not run", none "may have been handed on"', async () => {
    // 80 accounts, FC answering each after 400 ms, 8 at a time: 4 s of hand-ons in a 3 s function (1.7 s of work).
    const members = Array.from({ length: 80 }, (_, i) => ({ id: String(3000000000000000 + i) }));
    const fn = await setUp({ members, invokeDelayMs: 400 }, members.map((m) => ROLE(m.id)).join(','), 3);
    const summary = (await fn.run({}, 'req-orchestrator')) as any;
    const records = summary.accounts as any[];
    const queuedMaybe = records.filter((r) => r.maybe_queued);
    // Every account is accounted for: handed on, or told as not run (and the next run hands it on).
    expect(records).toHaveLength(80);
    expect(summary.run.count_invoked).toBeGreaterThan(0);
    expect(summary.run.count_invoked).toBeLessThan(80);
    expect(queuedMaybe.map((r) => [r.account_id, r.error_code])).toEqual([]);
    // FC took exactly the events the run says it handed on.
    expect(fn.standin.invocations.length).toBe(summary.run.count_invoked);
  });
});

describe('a hand-on throttled near the end of the budget', () => {
  it('is not asked again after the hand-on time: the account is told not handed on, not "may have been handed on"', async () => {
    // A 60 s function: hand-ons stop 43.2 s in, the work deadline is at 48.6 s. FC answers the first
    // InvokeFunction 429 ResourceThrottled with Retry-After 45 s: a retry then would go out after the
    // hand-on time, where its answer may not come back before the run ends.
    const fn = await setUp(
      { members: [{ id: A }], invoke: (_invocation, n) => (n === 1 ? { status: 429, headers: { 'retry-after': '45' }, body: { Code: 'ResourceThrottled', Message: 'Reserve resource exceeded limit', RequestId: 'fc-429' } } : 'drop') },
      ROLE(A),
      60,
      {},
      jumpingClock(),
    );
    const summary = (await fn.run({}, 'req-orchestrator')) as any;
    expect(fn.standin.invocations).toHaveLength(1);
    expect(summary.accounts).toHaveLength(1);
    expect(summary.accounts[0]).toMatchObject({ account_id: A, outcome: 'failed', error_code: 'ResourceThrottled' });
    expect(summary.accounts[0].maybe_queued).toBeUndefined();
  });
});

describe('a narrowed run while the directory cannot be listed', () => {
  it('says ListAccounts failed, not that the accounts asked for are outside REDEEM_ACCOUNTS', async () => {
    const fn = await setUp({
      members: [{ id: MGMT }, { id: A }, { id: B }],
      listAccounts: () => ({ status: 503, body: { RequestId: 'rm-503', Code: 'ServiceUnavailable', Message: 'The request has failed due to a temporary failure of the server.' } }),
    });
    // A run narrowed to A (a signed webhook's "accounts", here as an event): A is a member, the directory is down.
    const outcome = await fn.run({ accounts: [A] }, 'req-narrowed').then((summary: any) => summary.run, (error: any) => ({ thrown: error.code, message: error.message }));
    expect(outcome).not.toMatchObject({ thrown: 'account-refused' });
    expect(outcome).toMatchObject({ outcome: 'failed', error_code: 'ServiceUnavailable' });
    expect(fn.standin.invocations).toEqual([]);
    expect(fn.inbox.bodies).toHaveLength(1);
  });
});

describe('AssumeRole on the wire', () => {
  it('an ExternalId with every character STS allows (+ = , . @ : / -) is signed and sent so that STS reads it as set', async () => {
    const externalId = 'a+b=c,d.e@f:g/h-i_j';
    const fn = await setUp({ members: [{ id: MGMT }, { id: A, externalId }] }, 'rd:domain-redeemer', 60, { REDEEM_EXTERNAL_ID: externalId });
    const summary = (await fn.run({ account: { id: A, roleArn: ROLE(A) } }, 'req-account-a')) as any;
    // The role was assumed (the vendor's signature check and the trust policy passed); the run then fails at
    // the member's Domain API, which is not there in this test.
    expect(fn.standin.calls.filter((c) => c.action === 'AssumeRole').map((c) => c.params.ExternalId)).toEqual([externalId]);
    expect(summary.run.error_code).toBe('NetworkError');
  });
});

describe('orders are signed with the account\'s own credentials', () => {
  it('A\'s run orders with A\'s session key (the registrar checks the signature); B\'s run cannot order with it, nor with the function\'s key', async () => {
    // STS hands each member a fixed session; the registrar knows A's key only (it is A's Domain API).
    const session = (id: string) => ({ AccessKeyId: `STS.session-${id}`, AccessKeySecret: `session-secret-${id}`, SecurityToken: `CAIS-session-token-${id}` });
    const registrar = await startStandin({
      domains: [domainItem('alpha-one.com', dueExpiration('alpha-one.com'))],
      verify: { accessKeyId: session(A).AccessKeyId, accessKeySecret: session(A).AccessKeySecret, securityToken: session(A).SecurityToken },
    });
    try {
      const fn = await setUp(
        {
          members: [{ id: MGMT }, { id: A }, { id: B }],
          sts: (call, normal) => {
            const answer = normal();
            if (answer === 'drop' || typeof answer.body === 'string' || !('Credentials' in answer.body)) return answer;
            const id = /acs:ram::(\d+):/.exec(call.params.RoleArn ?? '')![1]!;
            return { body: { ...answer.body, Credentials: { ...(answer.body as any).Credentials, ...session(id) } } };
          },
        },
        'rd:domain-redeemer',
        60,
        { ...standinEnv(registrar), REDEEM_API_QPS: '1000' },
      );
      const a = (await fn.run({ account: { id: A, roleArn: ROLE(A) } }, 'req-account-a')) as any;
      expect(a.run).toMatchObject({ outcome: 'completed', count_submitted: expect.any(Number) });
      expect(registrar.orders.map((o) => o.domainName)).toEqual(['alpha-one.com']);
      const b = (await fn.run({ account: { id: B, roleArn: ROLE(B) } }, 'req-account-b')) as any;
      expect(b.run).toMatchObject({ outcome: 'failed', error_code: 'InvalidAccessKeyId.NotFound' });
      // Refused at the signature: B's key is not A's, and no request went with the function's key.
      expect(registrar.refusals.length).toBeGreaterThan(0);
      expect(registrar.orders).toHaveLength(1);
      expect(registrar.calls.length + registrar.refusals.length).toBeGreaterThan(0);
    } finally {
      await registrar.close();
    }
  });
});

describe('a redirect from the invocation endpoint', () => {
  it('is told with its Location, without the credentials it quotes, and names FC_ENDPOINT', async () => {
    const fn = await setUp(
      { members: [], invoke: () => ({ status: 302, body: '', headers: { location: `https://gateway.example/login?from=fc&token=${encodeURIComponent(KEY.securityToken)}&raw=${KEY.securityToken}` } }) },
      ROLE(A),
    );
    const summary = (await fn.run({}, 'req-orchestrator')) as any;
    const record = summary.accounts[0];
    expect(record).toMatchObject({ outcome: 'failed', error_code: 'HTTP302' });
    expect(record.error_message).toContain('https://gateway.example/login');
    expect(record.error_message).toContain('FC_ENDPOINT');
    const everything = JSON.stringify([summary, fn.lines, fn.inbox.bodies]);
    expect(everything).not.toContain(KEY.securityToken);
    expect(everything).not.toContain(encodeURIComponent(KEY.securityToken));
  });
});

describe('a redirect from STS or ResourceManager', () => {
  it('names the variable that set the endpoint (an http:// address that the service sends to https://)', async () => {
    const fn = await setUp({ members: [{ id: MGMT }, { id: A }], listAccounts: () => ({ status: 301, body: '', headers: { location: 'https://resourcemanager.aliyuncs.com/' } }) });
    const summary = (await fn.run({}, 'req-orchestrator')) as any;
    expect(summary.run).toMatchObject({ outcome: 'failed', error_code: 'HTTP301' });
    expect(summary.run.error_message).toContain('RESOURCE_MANAGER_ENDPOINT');
    await fn.standin.close();
    await fn.inbox.close();
    const sts = await setUp({ members: [{ id: MGMT }, { id: A }], sts: () => ({ status: 301, body: '', headers: { location: 'https://sts.aliyuncs.com/' } }) });
    const run = (await sts.run({ account: { id: A, roleArn: ROLE(A) } }, 'req-account-a')) as any;
    expect(run.run).toMatchObject({ outcome: 'failed', error_code: 'HTTP301' });
    expect(run.run.error_message).toContain('STS_ENDPOINT');
  });
});

describe('a redirect that repeats the request', () => {
  // An http:// endpoint that the service sends to https:// keeps the path and query (the usual redirect): the
  // query is the request's own, AssumeRole's ExternalId among its parameters, which REDEEM_EXTERNAL_ID keeps
  // out of every message (accounts-config.ts: no value that might be sensitive is echoed).
  it('is told with where it points and STS_ENDPOINT, never with the REDEEM_EXTERNAL_ID it quotes', async () => {
    const externalId = 'trust-me-7f3a9c21e5';
    const fn = await setUp(
      {
        members: [{ id: MGMT }, { id: A, externalId }],
        sts: (call) => ({ status: 301, body: '', headers: { location: `https://sts.aliyuncs.com/?${new URLSearchParams(call.params as Record<string, string>).toString()}` } }),
      },
      'rd:domain-redeemer',
      60,
      { REDEEM_EXTERNAL_ID: externalId },
    );
    const run = (await fn.run({ account: { id: A, roleArn: ROLE(A) } }, 'req-account-a')) as any;
    expect(run.run).toMatchObject({ outcome: 'failed', error_code: 'HTTP301' });
    expect(run.run.error_message).toContain('https://sts.aliyuncs.com/');
    expect(run.run.error_message).toContain('STS_ENDPOINT');
    const everything = JSON.stringify([run, fn.lines, fn.inbox.bodies]);
    expect(everything).not.toContain(externalId);
  });
});

describe('an STS refusal that quotes the request', () => {
  // As a gateway quotes the request's token (above), one quoting the request line quotes AssumeRole's own
  // parameters: the ExternalId REDEEM_EXTERNAL_ID holds, which no message may echo.
  it.each([403, 200])('with HTTP %i: the ExternalId it quotes (plain and percent-encoded) reaches no record and no message', async (status) => {
    const externalId = 'trust/me=7f3a9c21e5';
    const fn = await setUp(
      {
        members: [{ id: MGMT }, { id: A, externalId }],
        sts: (call) => ({
          status,
          body: { RequestId: 'sts-quote', Code: 'NoPermission', Message: `You are not authorized to do this action. You should be authorized by RAM. Request: POST /?${new URLSearchParams(call.params as Record<string, string>).toString()} ExternalId=${call.params.ExternalId}` },
        }),
      },
      'rd:domain-redeemer',
      60,
      { REDEEM_EXTERNAL_ID: externalId },
    );
    const run = (await fn.run({ account: { id: A, roleArn: ROLE(A) } }, 'req-account-a')) as any;
    expect(run.run).toMatchObject({ outcome: 'failed', error_code: 'NoPermission' });
    expect(run.run.error_message).toContain('REDEEM_EXTERNAL_ID');
    const everything = JSON.stringify([run, fn.lines, fn.inbox.bodies]);
    expect(fn.standin.answered.join('')).toContain(externalId);
    expect(everything).not.toContain(externalId);
    expect(everything).not.toContain(encodeURIComponent(externalId));
  });
});

describe('AssumeRole throttled, then failing, then answering', () => {
  it('is asked again (it changes nothing) and the run goes on with the session it got', async () => {
    const fn = await setUp({
      members: [{ id: MGMT }, { id: A }],
      sts: (call) =>
        call.n === 1
          ? { status: 400, body: { RequestId: 's-thr', Code: 'Throttling.User', Message: 'Request was denied due to user flow control.' } }
          : call.n === 2
            ? { status: 200, body: { RequestId: 's-200', Code: 'ServiceUnavailable', Message: 'The request has failed due to a temporary failure of the server.' } }
            : call.n === 3
              ? { status: 503, body: { RequestId: 's-503', Code: 'ServiceUnavailable', Message: 'busy' } }
              : undefined,
    });
    const summary = (await fn.run({ account: { id: A, roleArn: ROLE(A) } }, 'req-account-a')) as any;
    expect(fn.standin.calls.filter((c) => c.action === 'AssumeRole')).toHaveLength(4);
    // Past STS: the member's Domain API is not there in this test.
    expect(summary.run.error_code).toBe('NetworkError');
  });
});

describe('errorText', () => {
  it('keeps an error as it is when it fits, and cuts the error before its advice when it does not', async () => {
    const { errorText } = await import('../../shared/notify/text.js');
    const fits = `${'e'.repeat(30)}; what to do: ${'f'.repeat(56)}`;
    expect(errorText(fits, 100)).toBe(fits);
    const long = `${'e'.repeat(300)}; what to do: set X`;
    expect(errorText(long, 100)).toBe(`${'e'.repeat(80)}…; what to do: set X`);
    expect(Array.from(errorText(long, 100))).toHaveLength(100);
  });
});

describe('an endpoint that cannot be reached', () => {
  it('names the variable that sets it: STS_ENDPOINT, RESOURCE_MANAGER_ENDPOINT, FC_ENDPOINT', async () => {
    const { closedPort } = await import('../support/canned-server.js');
    const nowhere = `http://127.0.0.1:${await closedPort()}`;
    const listing = await setUp({ members: [{ id: MGMT }, { id: A }] }, 'rd:domain-redeemer', 60, { RESOURCE_MANAGER_ENDPOINT: nowhere });
    const orchestrated = (await listing.run({}, 'req-orchestrator')) as any;
    expect(orchestrated.run).toMatchObject({ outcome: 'failed', error_code: 'NetworkError' });
    expect(orchestrated.run.error_message).toContain('RESOURCE_MANAGER_ENDPOINT');
    await listing.standin.close();
    await listing.inbox.close();

    const invoking = await setUp({ members: [] }, ROLE(A), 60, { FC_ENDPOINT: nowhere });
    const handedOn = (await invoking.run({}, 'req-orchestrator')) as any;
    expect(handedOn.accounts[0]).toMatchObject({ outcome: 'failed', error_code: 'NetworkError' });
    expect(handedOn.accounts[0].maybe_queued).toBeUndefined();
    expect(handedOn.accounts[0].error_message).toContain('FC_ENDPOINT');
    await invoking.standin.close();
    await invoking.inbox.close();

    const assuming = await setUp({ members: [] }, ROLE(A), 60, { STS_ENDPOINT: nowhere });
    const run = (await assuming.run({ account: { id: A, roleArn: ROLE(A) } }, 'req-account-a')) as any;
    expect(run.run).toMatchObject({ outcome: 'failed', error_code: 'NetworkError' });
    expect(run.run.error_message).toContain('STS_ENDPOINT');
  });
});

describe('the message of an account run that could not check its account', () => {
  it('does not say that every run fails the same way when what stopped it was throttling', async () => {
    const { startChatRobots } = await import('../support/chat-robots.js');
    const { forgetRobotSends } = await import('../../shared/notify/robot-pacing.js');
    forgetRobotSends();
    const robots = await startChatRobots();
    try {
      const fn = await setUp(
        { members: [{ id: MGMT }, { id: A }], listAccounts: () => ({ status: 400, body: { RequestId: 'rm-throttled', Code: 'Throttling.User', Message: 'Request was denied due to user flow control.' } }) },
        'rd:domain-redeemer',
        60,
        { NOTIFY_SLACK_URL: robots.targets().slack.url },
      );
      await expect(fn.run({ account: { id: A, roleArn: ROLE(A) } }, 'req-account-a')).rejects.toMatchObject({ code: 'Throttling.User' });
      const shown = robots.posted('slack').map((m) => String(m.body.text));
      expect(shown).toHaveLength(1);
      expect(shown[0]).toContain(A);
      expect(shown[0]).toContain('Throttling.User');
      // Throttling passes: the next run tries again. Only the function's own configuration fails every run alike.
      expect(shown[0]).not.toContain('every run fails the same way');
    } finally {
      await robots.close();
    }
  });
});

describe('an account run whose check of the directory stopped part-way', () => {
  // The directory has more members than one ListAccounts page (100); A is on page 2, and the account
  // run's own walk is throttled there. The accounts of page 1 vouch for nothing about A: A is not run
  // (the event's word is never enough), but A is no account outside REDEEM_ACCOUNTS either.
  const members = [{ id: MGMT }, ...Array.from({ length: 99 }, (_, i) => ({ id: String(3000000000000001 + i) })), { id: A }];
  const throttledOnPage2 = (call: { params: Readonly<Record<string, string>> }) =>
    call.params.PageNumber === '2' ? { status: 400, body: { RequestId: 'rm-throttled', Code: 'Throttling.User', Message: 'Request was denied due to user flow control.' } } : undefined;

  it('is refused with the stop it met (Throttling.User), not as an account outside REDEEM_ACCOUNTS, and told that the next run tries again', async () => {
    const { startChatRobots } = await import('../support/chat-robots.js');
    const { forgetRobotSends } = await import('../../shared/notify/robot-pacing.js');
    forgetRobotSends();
    const robots = await startChatRobots();
    try {
      const fn = await setUp({ members, listAccounts: throttledOnPage2 }, 'rd:domain-redeemer', 60, { NOTIFY_SLACK_URL: robots.targets().slack.url });
      const refused = await fn.run({ account: { id: A, roleArn: ROLE(A) } }, 'req-account-a').then(
        () => undefined,
        (error: unknown) => error as { code?: string; message?: string },
      );
      expect(refused).toBeDefined();
      // Nothing was assumed in A: the account could not be vouched for.
      expect(fn.standin.calls.filter((c) => c.action === 'AssumeRole')).toHaveLength(0);
      expect(refused!.code).not.toBe('account-refused');
      expect(refused!.message).toContain('Throttling.User');
      const record = fn.lines.find((l) => l.kind === 'run' && l.outcome === 'failed');
      expect(record).toMatchObject({ account_id: A });
      expect(record!.error_code).not.toBe('account-refused');
      const shown = robots.posted('slack').map((m) => String(m.body.text));
      expect(shown).toHaveLength(1);
      expect(shown[0]).toContain(A);
      expect(shown[0]).not.toContain('is not among the accounts REDEEM_ACCOUNTS resolves to');
      expect(shown[0]).not.toContain('every run fails the same way');
    } finally {
      await robots.close();
    }
  });

  it('an account the walk did list before the stop is still run (control)', async () => {
    const first = members[1]!.id;
    const fn = await setUp({ members, listAccounts: throttledOnPage2 }, 'rd:domain-redeemer');
    await fn.run({ account: { id: first, roleArn: ROLE(first) } }, 'req-account-first').catch(() => undefined);
    expect(fn.standin.calls.filter((c) => c.action === 'AssumeRole')).toHaveLength(1);
  });
});
