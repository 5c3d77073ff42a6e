/**
 * The official @alicloud/openapi-client, a real client with its own signer, against the emulator: it
 * proves the emulator speaks the real protocol, and that it refuses what the real service refuses.
 */
import * as OpenApiModule from '@alicloud/openapi-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from './server.js';
import { EMULATOR_CREDENTIALS, startEmulator } from '../support/emulator.js';
import { OpenApiUtil } from '../support/openapi-util.js';

// CommonJS with an ES-module-style default export: the classes sit at the namespace or at `.default`,
// depending on the loader. The client's own typings are not needed to drive it.
const ns: any = typeof (OpenApiModule as { Config?: unknown }).Config === 'function' ? OpenApiModule : (OpenApiModule as any).default;
const OpenApiClient: any = typeof ns.default === 'function' ? ns.default : ns.default.default;

let emulator: Emulator;

function officialClient(secret: string = EMULATOR_CREDENTIALS.accessKeySecret, accessKeyId: string = EMULATOR_CREDENTIALS.accessKeyId) {
  return new OpenApiClient(
    new ns.Config({
      accessKeyId,
      accessKeySecret: secret,
      securityToken: EMULATOR_CREDENTIALS.securityToken,
      endpoint: emulator.url.replace('http://', ''),
      protocol: 'HTTP',
    }),
  );
}

async function call(action: string, query: Record<string, string | number>, client = officialClient()) {
  const params = new ns.Params({
    action,
    version: '2017-12-18',
    protocol: 'HTTP',
    pathname: '/',
    method: 'POST',
    authType: 'AK',
    style: 'RPC',
    reqBodyType: 'formData',
    bodyType: 'json',
  });
  const request = new ns.OpenApiRequest({ query: OpenApiUtil.query(query) });
  const response = (await client.callApi(params, request, { autoretry: false, maxAttempts: 1 })) as {
    statusCode: number;
    body: Record<string, any>;
  };
  return response;
}

beforeAll(async () => {
  emulator = await startEmulator({ domains: 120, seed: 7, taskTiming: { waitingMs: 100, executingMs: 200 } });
});
afterAll(() => emulator.close());

describe('the official openapi-client against the emulator', () => {
  it('QueryDomainList: paged redemption list with the real shape', async () => {
    const { statusCode, body } = await call('QueryDomainList', { PageNum: 1, PageSize: 10, QueryType: 2 });
    expect(statusCode).toBe(200);
    const inRedemption = emulator.domain.domains.filter((d) => d.domainStatus === 2).length;
    expect(body.TotalItemNum).toBe(inRedemption);
    expect(body.NextPage).toBe(inRedemption > 10);
    expect(body.Data.Domain).toHaveLength(Math.min(10, inRedemption));
    for (const item of body.Data.Domain) {
      expect(item.DomainStatus).toBe('2');
      expect(typeof item.ExpirationDateLong).toBe('number');
    }
  });

  it('SaveSingleTaskForCreatingOrderRedeem, then QueryTaskDetailList and QueryTaskList see the task', async () => {
    const target = emulator.domain.domains.find((d) => d.domainStatus === 2)!;
    const saved = await call('SaveSingleTaskForCreatingOrderRedeem', { DomainName: target.domainName, CurrentExpirationDate: target.expirationDateLong });
    expect(saved.statusCode).toBe(200);
    expect(saved.body.TaskNo).toMatch(/^[0-9a-f-]{36}$/);

    const detail = await call('QueryTaskDetailList', { TaskNo: saved.body.TaskNo, PageNum: 1, PageSize: 10 });
    expect(detail.body.Data.TaskDetail[0]).toMatchObject({ DomainName: target.domainName, TaskType: 'ORDER_REDEEM', TaskStatusCode: 0, TaskStatus: 'WAITING_EXECUTE' });

    const list = await call('QueryTaskList', { PageNum: 1, PageSize: 10, BeginCreateTime: Date.now() - 86_400_000, EndCreateTime: Date.now() });
    expect(list.body.Data.TaskInfo.map((t: { TaskNo: string }) => t.TaskNo)).toContain(saved.body.TaskNo);
  });

  it('refuses a request signed with the wrong secret', async () => {
    await expect(call('QueryDomainList', { PageNum: 1, PageSize: 10 }, officialClient('not-the-secret'))).rejects.toMatchObject({
      code: 'SignatureDoesNotMatch',
    });
    expect(emulator.calls.at(-1)).toMatchObject({ code: 'SignatureDoesNotMatch', status: 400 });
  });

  it('refuses an unknown access key id', async () => {
    await expect(call('QueryDomainList', { PageNum: 1, PageSize: 10 }, officialClient('x', 'nobody'))).rejects.toMatchObject({
      code: 'InvalidAccessKeyId.NotFound',
    });
  });

  it('answers MissingParameter for a missing required parameter', async () => {
    await expect(call('QueryTaskDetailList', { PageNum: 1, PageSize: 10 })).rejects.toMatchObject({ code: 'MissingParameter' });
  });
});
