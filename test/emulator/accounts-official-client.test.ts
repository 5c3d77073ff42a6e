/**
 * The official @alicloud/sts20150401 and @alicloud/fc20230330 clients, each with its own signer, against
 * the emulator's STS, FC InvokeFunction and per-account Domain API: the emulator speaks the real
 * protocol (and refuses what the real services refuse), so our own clients' passing tests mean something.
 */
import * as OpenApiModule from '@alicloud/openapi-client';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from './server.js';
import { EMULATOR_CREDENTIALS, startEmulator } from '../support/emulator.js';
import { DEFAULT_ACCOUNT_ID, FcClient, MEMBERS, StsClient, fc, officialConfig, roleArnOf, sts, type PlainCredentials } from '../support/accounts.js';
import { OpenApiUtil } from '../support/openapi-util.js';

const ns: any = typeof (OpenApiModule as { Config?: unknown }).Config === 'function' ? OpenApiModule : (OpenApiModule as any).default;
const OpenApiClient: any = typeof ns.default === 'function' ? ns.default : ns.default.default;

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ domains: 30, seed: 5, accounts: [...MEMBERS, { id: '2000000000000009', externalId: 'trust-me-42' }] });
});
afterAll(() => emulator.close());

async function assume(roleArn: string, extra: Record<string, unknown> = {}) {
  const client = new StsClient(officialConfig(emulator));
  return client.assumeRole(new sts.AssumeRoleRequest({ roleArn, roleSessionName: 'redeemer-test', durationSeconds: 900, ...extra }));
}

async function queryDomainList(credentials: PlainCredentials) {
  const client = new OpenApiClient(new ns.Config({ ...credentials, endpoint: emulator.url.replace('http://', ''), protocol: 'HTTP' }));
  const params = new ns.Params({ action: 'QueryDomainList', version: '2017-12-18', protocol: 'HTTP', pathname: '/', method: 'POST', authType: 'AK', style: 'RPC', reqBodyType: 'formData', bodyType: 'json' });
  const response = await client.callApi(params, new ns.OpenApiRequest({ query: OpenApiUtil.query({ PageNum: 1, PageSize: 100 }) }), { autoretry: false, maxAttempts: 1 });
  return (response.body.Data?.Domain ?? []).map((d: { DomainName: string }) => d.DomainName) as string[];
}

describe('@alicloud/sts20150401 against the emulator', () => {
  it('AssumeRole answers temporary credentials bound to the role account, in the SDK model', async () => {
    const member = MEMBERS[0]!.id;
    const { statusCode, body } = await assume(roleArnOf(member));
    expect(statusCode).toBe(200);
    expect(body.assumedRoleUser.arn).toBe(`${roleArnOf(member)}/redeemer-test`);
    expect(body.credentials.accessKeyId).toMatch(/^STS\./);
    expect(body.credentials.securityToken.length).toBeGreaterThan(400);
    const expiresIn = Date.parse(body.credentials.expiration) - Date.now();
    expect(expiresIn).toBeGreaterThan(890_000);
    expect(expiresIn).toBeLessThanOrEqual(900_000);
  });

  it('the temporary keys sign Domain API calls that see only the member account portfolio', async () => {
    const [a, b] = [MEMBERS[0]!.id, MEMBERS[1]!.id];
    const credsA = (await assume(roleArnOf(a))).body.credentials;
    const credsB = (await assume(roleArnOf(b))).body.credentials;
    const seenA = await queryDomainList({ accessKeyId: credsA.accessKeyId, accessKeySecret: credsA.accessKeySecret, securityToken: credsA.securityToken });
    const seenB = await queryDomainList({ accessKeyId: credsB.accessKeyId, accessKeySecret: credsB.accessKeySecret, securityToken: credsB.securityToken });
    expect(seenA.sort()).toEqual(emulator.accounts.get(a).domain.domains.map((d) => d.domainName).sort());
    expect(seenA.filter((name) => seenB.includes(name))).toEqual([]);
    const base = await queryDomainList(EMULATOR_CREDENTIALS);
    expect(base.sort()).toEqual(emulator.domain.domains.map((d) => d.domainName).sort());
  });

  it('a temporary key without its own token is refused', async () => {
    const creds = (await assume(roleArnOf(MEMBERS[0]!.id))).body.credentials;
    await expect(queryDomainList({ accessKeyId: creds.accessKeyId, accessKeySecret: creds.accessKeySecret, securityToken: 'CAISnot-the-token' })).rejects.toMatchObject({
      code: 'InvalidSecurityToken.MismatchWithAccessKey',
    });
    await expect(queryDomainList({ accessKeyId: creds.accessKeyId, accessKeySecret: creds.accessKeySecret })).rejects.toMatchObject({ code: 'MissingSecurityToken' });
  });

  it('a role that does not exist answers EntityNotExist.Role, and a wrong ExternalId NoPermission', async () => {
    await expect(assume(roleArnOf(MEMBERS[2]!.id))).rejects.toMatchObject({ code: 'EntityNotExist.Role', statusCode: 404 });
    await expect(assume(roleArnOf('2000000000000009'), { externalId: 'wrong-id' })).rejects.toMatchObject({ code: 'NoPermission', statusCode: 403 });
    expect((await assume(roleArnOf('2000000000000009'), { externalId: 'trust-me-42' })).statusCode).toBe(200);
  });

  it('DurationSeconds under 900 is refused as STS refuses it', async () => {
    await expect(assume(roleArnOf(MEMBERS[0]!.id), { durationSeconds: 899 })).rejects.toMatchObject({ code: 'InvalidParameter.DurationSeconds' });
  });
});

describe('@alicloud/fc20230330 against the emulator', () => {
  async function invoke(credentials: PlainCredentials, payload: string, type = 'Async') {
    const client = new FcClient(officialConfig(emulator, credentials));
    return client.invokeFunctionWithOptions(
      'domain-redeemer',
      new fc.InvokeFunctionRequest({ body: Readable.from(Buffer.from(payload)), qualifier: 'LATEST' }),
      new fc.InvokeFunctionHeaders({ xFcInvocationType: type }),
      { autoretry: false, maxAttempts: 1 },
    );
  }

  it('InvokeFunction Async: 202, an x-fc-request-id, and the event recorded byte for byte', async () => {
    const payload = JSON.stringify({ mode: 'dry-run', account: { id: MEMBERS[0]!.id, roleArn: roleArnOf(MEMBERS[0]!.id) } });
    const response = await invoke(EMULATOR_CREDENTIALS, payload);
    expect(response.statusCode).toBe(202);
    const event = emulator.fc.invocations.at(-1)!;
    expect(response.headers['x-fc-request-id']).toBe(event.requestId);
    expect(event).toMatchObject({ functionName: 'domain-redeemer', qualifier: 'LATEST', invocationType: 'Async', callerAccountId: DEFAULT_ACCOUNT_ID });
    expect(event.payload.toString('utf8')).toBe(payload);
  });

  it('a member account credential may not invoke the function of the management account', async () => {
    const creds = (await assume(roleArnOf(MEMBERS[0]!.id))).body.credentials;
    await expect(invoke({ accessKeyId: creds.accessKeyId, accessKeySecret: creds.accessKeySecret, securityToken: creds.securityToken }, '{}')).rejects.toMatchObject({ code: 'AccessDenied', statusCode: 403 });
  });

  it('an async event over 128 KB answers EntityTooLarge, and a wrong secret SignatureDoesNotMatch', async () => {
    await expect(invoke(EMULATOR_CREDENTIALS, 'x'.repeat(128 * 1024 + 1))).rejects.toMatchObject({ code: 'EntityTooLarge', statusCode: 413 });
    await expect(invoke({ ...EMULATOR_CREDENTIALS, accessKeySecret: 'wrong' }, '{}')).rejects.toMatchObject({ code: 'SignatureDoesNotMatch' });
  });
});
