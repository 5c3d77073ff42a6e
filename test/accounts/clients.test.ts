/** Our STS, ResourceManager and FC InvokeFunction clients, against the emulator and against canned answers. */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountListingError, PayloadTooLargeError } from '../../shared/accounts/errors.js';
import { DomainApiError, MalformedResponseError } from '../../shared/domain-api/errors.js';
import { invokeFunctionAsync, fcInvokeEndpoint, mayHaveBeenQueued } from '../../shared/accounts/fc-invoke.js';
import { listAccounts } from '../../shared/accounts/resource-manager.js';
import { assumeRole, durationForTimeout, roleSessionName } from '../../shared/accounts/sts.js';
import { systemClock } from '../../shared/clock/index.js';
import type { Emulator } from '../emulator/server.js';
import { DEFAULT_ACCOUNT_ID, MEMBERS, roleArnOf } from '../support/accounts.js';
import { cannedServer } from '../support/canned-server.js';
import { EMULATOR_CREDENTIALS, clientAt, recordingRuntime, startEmulator } from '../support/emulator.js';

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ domains: 30, seed: 3, accounts: [...MEMBERS, { id: '2000000000000009', externalId: 'trust-me-42' }] });
});
afterAll(() => emulator.close());

const [A, B, C] = MEMBERS.map((m) => m.id) as [string, string, string];
/** The run's clock and a deadline, as every call takes them. */
const bounds = () => ({ clock: systemClock, deadlineMs: Date.now() + 30_000 });

function assume(accountId: string, extra: { externalId?: string; roleArn?: string } = {}) {
  return assumeRole({ credentials: EMULATOR_CREDENTIALS, roleArn: extra.roleArn ?? roleArnOf(accountId), accountId, endpoint: emulator.url, externalId: extra.externalId, ...bounds() });
}

async function domainNames(credentials: { accessKeyId: string; accessKeySecret: string; securityToken?: string }) {
  // 40 domains an account: one page holds them all.
  const page = await clientAt(emulator.url, { credentials }).queryDomainList({ pageNum: 1, pageSize: 100 });
  expect(page.hasNext).toBe(false);
  return page.items.map((item) => item.DomainName);
}

describe('assumeRole', () => {
  it('sends RoleSessionName redeemer-<account-id> and 900 s, and gets credentials bound to that account', async () => {
    const assumed = await assume(A);
    expect(emulator.sts.assumed.at(-1)).toMatchObject({ roleArn: roleArnOf(A), sessionName: `redeemer-${A}`, code: 'OK', callerAccountId: DEFAULT_ACCOUNT_ID });
    expect(assumed.assumedRoleArn).toBe(`${roleArnOf(A)}/redeemer-${A}`);
    expect(assumed.credentials.securityToken.length).toBeGreaterThan(400);
    // 900 s as asked: the emulator derives the expiry from DurationSeconds.
    expect(assumed.expiresAt - Date.now()).toBeGreaterThan(895_000);
    expect(assumed.expiresAt - Date.now()).toBeLessThanOrEqual(900_000);
  });

  it('with account A credentials the Domain API shows A portfolio only: B domains are invisible and cannot be ordered', async () => {
    const a = await assume(A);
    const b = await assume(B);
    const seenA = await domainNames(a.credentials);
    const seenB = await domainNames(b.credentials);
    expect(seenA.length).toBeGreaterThan(0);
    expect(new Set(seenA)).toEqual(new Set(emulator.accounts.get(A).domain.domains.map((d) => d.domainName)));
    expect(seenA.some((name) => seenB.includes(name))).toBe(false);
    const foreign = emulator.accounts.get(B).domain.domains.find((d) => d.domainStatus === 2)!;
    const clientA = clientAt(emulator.url, { credentials: a.credentials });
    await expect(clientA.saveSingleTaskForCreatingOrderRedeem({ domainName: foreign.domainName, currentExpirationDate: foreign.expirationDateLong })).rejects.toMatchObject({ code: 'DomainNotExist' });
    expect(emulator.accounts.get(B).domain.tasks).toHaveLength(0);
  });

  it('an unknown role: DomainApiError EntityNotExist.Role with the request id, and no secret in the message', async () => {
    const error = (await assume(C).catch((e: unknown) => e)) as DomainApiError;
    expect(error).toBeInstanceOf(DomainApiError);
    expect(error).toMatchObject({ action: 'AssumeRole', code: 'EntityNotExist.Role', httpStatus: 404 });
    expect(error.requestId).toMatch(/^[0-9A-F-]{36}$/);
    expect(error.message).not.toContain(EMULATOR_CREDENTIALS.accessKeySecret);
    // Not retried: a missing role does not appear by asking again.
    expect(emulator.sts.assumed.filter((a) => a.roleArn === roleArnOf(C))).toHaveLength(1);
  });

  it('passes REDEEM_EXTERNAL_ID as ExternalId; the trust policy refuses another', async () => {
    await expect(assume('2000000000000009', { externalId: 'nope-nope' })).rejects.toMatchObject({ code: 'NoPermission' });
    await expect(assume('2000000000000009', { externalId: 'trust-me-42' })).resolves.toMatchObject({ assumedRoleArn: expect.stringContaining('2000000000000009') });
  });

  it('refuses an answer bound to another account, or without a token, without echoing any value', async () => {
    const secret = 'do-not-echo-this-secret';
    const answers = [
      { AssumedRoleUser: { Arn: `${roleArnOf(B)}/redeemer-${A}` }, Credentials: { AccessKeyId: 'STS.x', AccessKeySecret: secret, SecurityToken: 'CAIS', Expiration: '2999-01-01T00:00:00Z' } },
      { AssumedRoleUser: { Arn: `${roleArnOf(A)}/redeemer-${A}` }, Credentials: { AccessKeyId: 'STS.x', AccessKeySecret: secret, Expiration: '2999-01-01T00:00:00Z' } },
      { AssumedRoleUser: { Arn: `${roleArnOf(A)}/redeemer-${A}` }, Credentials: { AccessKeyId: 'STS.x', AccessKeySecret: secret, SecurityToken: 'CAIS', Expiration: '2001-01-01T00:00:00Z' } },
    ];
    const server = await cannedServer((_req, n) => ({ body: { RequestId: `req-${n}`, ...answers[n - 1] } }));
    try {
      const errors: unknown[] = [];
      for (let i = 0; i < answers.length; i++) {
        errors.push(await assumeRole({ credentials: EMULATOR_CREDENTIALS, roleArn: roleArnOf(A), accountId: A, endpoint: server.url, ...bounds(), retry: { maxAttempts: 1 } }).catch((e: unknown) => e));
      }
      expect(errors.map((e) => (e as MalformedResponseError).field)).toEqual(['AssumedRoleUser.Arn', 'Credentials.SecurityToken', 'Credentials.Expiration']);
      for (const e of errors) {
        expect(e).toBeInstanceOf(MalformedResponseError);
        expect((e as Error).message).not.toContain(secret);
      }
    } finally {
      await server.close();
    }
  });

  it('session name and duration rules', () => {
    expect(roleSessionName(A)).toBe(`redeemer-${A}`);
    expect(durationForTimeout(undefined)).toBe(900);
    expect(durationForTimeout(900)).toBe(960);
    expect(durationForTimeout(86_400)).toBe(3600);
  });
});

describe('listAccounts', () => {
  it('walks the pages of the Resource Directory: management account first, then the members', async () => {
    const listing = await listAccounts({ credentials: EMULATOR_CREDENTIALS, endpoint: emulator.url, pageSize: 2, ...bounds() });
    expect(listing.accounts.map((a) => a.id)).toEqual([DEFAULT_ACCOUNT_ID, A, B, C, '2000000000000009']);
    expect(listing.pages).toBe(3);
    expect(listing.accounts[1]).toMatchObject({ status: 'CreateSuccess', type: 'ResourceAccount' });
  });

  it('a member account may not list the directory', async () => {
    const a = await assume(A);
    await expect(listAccounts({ credentials: a.credentials, endpoint: emulator.url, ...bounds() })).rejects.toMatchObject({ code: 'NoPermission', httpStatus: 403 });
  });

  const page = (n: number, ids: string[], total: number) => ({ RequestId: `r${n}`, PageNumber: n, PageSize: 100, TotalCount: total, Accounts: { Account: ids.map((AccountId) => ({ AccountId })) } });

  it('an endless directory stops at the page cap with a clear error and what was listed', async () => {
    const server = await cannedServer((_req, n) => ({ body: page(n, [`${3000 + n * 10}`, `${3001 + n * 10}`], 1_000_000) }));
    try {
      const error = (await listAccounts({ credentials: EMULATOR_CREDENTIALS, endpoint: server.url, maxPages: 5, ...bounds() }).catch((e: unknown) => e)) as AccountListingError;
      expect(error).toBeInstanceOf(AccountListingError);
      expect(error.code).toBe('PagingLimit');
      expect(error.message).toBe('ListAccounts: still not at the end after 5 pages of 100; 10 account(s) listed before the stop');
      expect(error.partial).toHaveLength(10);
      expect(server.requests).toHaveLength(5);
    } finally {
      await server.close();
    }
  });

  it('a directory that hands back the same page again stops at once', async () => {
    const server = await cannedServer(() => ({ body: { ...page(1, ['3001', '3002'], 50), PageNumber: undefined } }));
    try {
      await expect(listAccounts({ credentials: EMULATOR_CREDENTIALS, endpoint: server.url, ...bounds() })).rejects.toMatchObject({
        code: 'PageRepeated',
        message: 'ListAccounts: page 2 repeats accounts already listed; 2 account(s) listed before the stop',
        partial: [{ id: '3001' }, { id: '3002' }],
      });
      expect(server.requests).toHaveLength(2);
    } finally {
      await server.close();
    }
  });

  it('an echoed page number that is not the one asked for, or an empty page short of TotalCount, stops the walk', async () => {
    const echo = await cannedServer(() => ({ body: page(1, ['3001'], 50) }));
    const empty = await cannedServer((_req, n) => ({ body: page(n, n === 1 ? ['3001'] : [], 50) }));
    try {
      await expect(listAccounts({ credentials: EMULATOR_CREDENTIALS, endpoint: echo.url, ...bounds() })).rejects.toMatchObject({ code: 'PageRepeated', message: expect.stringContaining('asked for page 2, got page 1') });
      await expect(listAccounts({ credentials: EMULATOR_CREDENTIALS, endpoint: empty.url, ...bounds() })).rejects.toMatchObject({ code: 'PageEmpty', partial: [{ id: '3001' }] });
    } finally {
      await echo.close();
      await empty.close();
    }
  });
});

describe('invokeFunctionAsync', () => {
  it('202 from the emulator, which verified the ACS3 signature over the body', async () => {
    const payload = JSON.stringify({ mode: 'dry-run', account: { id: A, roleArn: roleArnOf(A) } });
    const before = emulator.fc.invocations.length;
    const result = await invokeFunctionAsync({ endpoint: emulator.url, functionName: 'domain-redeemer', payload, credentials: EMULATOR_CREDENTIALS, ...bounds() });
    const event = emulator.fc.invocations[before]!;
    expect(result.requestId).toBe(event.requestId);
    expect(event).toMatchObject({ functionName: 'domain-redeemer', invocationType: 'Async', callerAccountId: DEFAULT_ACCOUNT_ID });
    expect(event.payload.toString('utf8')).toBe(payload);
  });

  it('the request on the wire: path, headers and the body hash (computed here with node:crypto)', async () => {
    const server = await cannedServer(() => ({ status: 202, body: '', headers: { 'x-fc-request-id': 'fc-req-1' } }));
    try {
      const payload = '{"mode":"dry-run","account":{"id":"1","roleArn":"acs:ram::1:role/r"}}';
      await expect(invokeFunctionAsync({ endpoint: server.url, functionName: 'domain-redeemer', qualifier: 'LATEST', payload, credentials: EMULATOR_CREDENTIALS, ...bounds() })).resolves.toEqual({ requestId: 'fc-req-1' });
      const req = server.requests[0]!;
      expect(req.method).toBe('POST');
      expect(req.url).toBe('/2023-03-30/functions/domain-redeemer/invocations?qualifier=LATEST');
      expect(req.headers).toMatchObject({
        'x-acs-action': 'InvokeFunction',
        'x-acs-version': '2023-03-30',
        'x-fc-invocation-type': 'Async',
        'content-type': 'application/octet-stream',
        'x-acs-content-sha256': createHash('sha256').update(payload).digest('hex'),
        'x-acs-security-token': EMULATOR_CREDENTIALS.securityToken,
      });
      expect(String(req.headers.authorization)).toMatch(/^ACS3-HMAC-SHA256 Credential=emulator-ak,SignedHeaders=content-type;host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-security-token;x-acs-signature-nonce;x-acs-version,Signature=[0-9a-f]{64}$/);
    } finally {
      await server.close();
    }
  });

  it('a 5xx is not retried (the event may be queued), throttling is; a 200 is not taken for 202', async () => {
    const answers = [
      { status: 503, body: { Code: 'ServiceUnavailable', Message: 'busy', RequestId: 'r-503' } },
      { status: 429, body: { Code: 'ResourceThrottled', Message: 'slow down', RequestId: 'r-429' } },
      { status: 202, body: '' },
      { status: 200, body: '' },
    ];
    const server = await cannedServer((_req, n) => answers[n - 1]!);
    const { clock, waits } = recordingRuntime();
    const call = () => invokeFunctionAsync({ endpoint: server.url, functionName: 'f', payload: '{}', credentials: EMULATOR_CREDENTIALS, clock, deadlineMs: Date.now() + 30_000 });
    try {
      await expect(call()).rejects.toMatchObject({ code: 'ServiceUnavailable', requestId: 'r-503', httpStatus: 503 });
      expect(server.requests).toHaveLength(1);
      await expect(call()).resolves.toEqual({ requestId: undefined });
      expect(server.requests).toHaveLength(3);
      expect(waits).toHaveLength(1);
      await expect(call()).rejects.toMatchObject({ code: 'NotAccepted', httpStatus: 200 });
    } finally {
      await server.close();
    }
  });

  // FC's shape for a function's own error (x-fc-error-type, {"errorMessage","errorType"}), answered by a
  // front that ran the event: JSON, told as "non-JSON error answer", and nothing said of what failed.
  it('a function error in FC\'s shape (x-fc-error-type, errorMessage) is named as such, and still may have been queued', async () => {
    const server = await cannedServer(() => ({ status: 502, headers: { 'x-fc-error-type': 'UnhandledInvocationError', 'x-fc-request-id': 'r-502' }, body: { errorMessage: 'Process exited unexpectedly', errorType: 'Error' } }));
    try {
      const error = await invokeFunctionAsync({ endpoint: server.url, functionName: 'f', payload: '{}', credentials: EMULATOR_CREDENTIALS, ...bounds() }).then(() => undefined, (e: unknown) => e);
      expect(error).toMatchObject({ code: 'UnhandledInvocationError', message: expect.stringContaining('Process exited unexpectedly'), requestId: 'r-502', httpStatus: 502 });
      expect(mayHaveBeenQueued(error)).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('an event over 128 KB is refused before any request', async () => {
    const server = await cannedServer(() => ({ status: 202, body: '' }));
    try {
      await expect(invokeFunctionAsync({ endpoint: server.url, functionName: 'f', payload: 'x'.repeat(128 * 1024 + 1), credentials: EMULATOR_CREDENTIALS, ...bounds() })).rejects.toBeInstanceOf(PayloadTooLargeError);
      expect(server.requests).toHaveLength(0);
    } finally {
      await server.close();
    }
  });

  it('the invocation host is the one the fc3 tool uses, unless FC_ENDPOINT is given', () => {
    expect(fcInvokeEndpoint(DEFAULT_ACCOUNT_ID, 'cn-hangzhou')).toBe(`https://${DEFAULT_ACCOUNT_ID}.cn-hangzhou.fc.aliyuncs.com`);
    expect(fcInvokeEndpoint(DEFAULT_ACCOUNT_ID, 'cn-hangzhou', 'http://127.0.0.1:9/')).toBe('http://127.0.0.1:9');
  });
});

