import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signAcs3 } from '../../shared/signing/acs3.js';
import { generatePortfolio } from './portfolio.js';
import { parseFaultSpec } from './faults.js';
import type { Emulator } from './server.js';
import { EMULATOR_CREDENTIALS, sendSigned, startEmulator } from '../support/emulator.js';

let emulator: Emulator;

const send = (action: string, params: Record<string, string | number>, options: Parameters<typeof sendSigned>[3] = {}) => sendSigned(emulator, action, params, options);

beforeAll(async () => {
  emulator = await startEmulator({ domains: 300, seed: 11, taskTiming: { waitingMs: 150, executingMs: 150 } });
});
afterAll(() => emulator.close());

describe('signature checks', () => {
  it('InvalidTimeStamp.Expired outside 15 minutes', async () => {
    const answer = await send('QueryDomainList', { PageNum: 1, PageSize: 5 }, { now: new Date(Date.now() - 16 * 60_000) });
    expect(answer).toMatchObject({ status: 400, body: { Code: 'InvalidTimeStamp.Expired' } });
    expect(answer.body).toHaveProperty('RequestId');
    expect(answer.body).toHaveProperty('HostId');
  });

  it('SignatureNonceUsed when a nonce comes back', async () => {
    const first = await send('QueryDomainList', { PageNum: 1, PageSize: 5 }, { nonce: 'nonce-once' });
    expect(first.status).toBe(200);
    const again = await send('QueryDomainList', { PageNum: 1, PageSize: 5 }, { nonce: 'nonce-once' });
    expect(again).toMatchObject({ status: 400, body: { Code: 'SignatureNonceUsed' } });
  });

  it('SignatureDoesNotMatch for a wrong secret, and a forged request does not burn its nonce', async () => {
    const forged = await send('QueryDomainList', { PageNum: 1, PageSize: 5 }, { secret: 'wrong', nonce: 'nonce-forged' });
    expect(forged).toMatchObject({ status: 400, body: { Code: 'SignatureDoesNotMatch' } });
    expect((await send('QueryDomainList', { PageNum: 1, PageSize: 5 }, { nonce: 'nonce-forged' })).status).toBe(200);
  });

  it('SignatureDoesNotMatch when a parameter is altered after signing', async () => {
    const signed = signAcs3(
      { method: 'POST', url: `${emulator.url}/?PageNum=1&PageSize=5`, headers: [['x-acs-action', 'QueryDomainList'], ['x-acs-version', '2017-12-18']] },
      EMULATOR_CREDENTIALS,
    );
    const response = await fetch(signed.url.replace('PageSize=5', 'PageSize=6'), { method: 'POST', headers: signed.headers.filter(([n]) => n !== 'host') });
    expect(((await response.json()) as { Code: string }).Code).toBe('SignatureDoesNotMatch');
  });
});

describe('Domain API behaviour', () => {
  it('InvalidParameter and MissingParameter name the parameter', async () => {
    expect((await send('QueryDomainList', { PageNum: 'x', PageSize: 5 })).body).toMatchObject({ Code: 'InvalidParameter', Message: expect.stringContaining('PageNum') });
    expect((await send('SaveSingleTaskForCreatingOrderRedeem', { DomainName: 'a.com' })).body).toMatchObject({ Code: 'MissingParameter', Message: expect.stringContaining('CurrentExpirationDate') });
  });

  it('orders by expiration date and pages to the end', async () => {
    const seen: number[] = [];
    for (let page = 1; page < 100; page++) {
      const { body } = await send('QueryDomainList', { PageNum: page, PageSize: 7, QueryType: 2, OrderKeyType: 'ExpirationDate', OrderByType: 'ASC' });
      seen.push(...(body.Data?.Domain ?? []).map((d: { ExpirationDateLong: number }) => d.ExpirationDateLong));
      if (!body.NextPage) {
        expect(body.CurrentPageNum).toBe(body.TotalPageNum);
        break;
      }
    }
    expect(seen).toHaveLength(emulator.domain.domains.filter((d) => d.domainStatus === 2).length);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
  });

  it('a page past the end has no Data', async () => {
    const { body } = await send('QueryDomainList', { PageNum: 999, PageSize: 50, QueryType: 2 });
    expect(body.Data).toBeUndefined();
    expect(body.NextPage).toBe(false);
  });

  it('redeem: ParameterIllegal on a stale expiration date, TaskIsBeingProcessed while open, then the domain leaves the list', async () => {
    const target = emulator.domain.domains.find((d) => d.domainStatus === 2 && d.phase === 'late-redemption')!;
    const expiration = target.expirationDateLong;
    expect((await send('SaveSingleTaskForCreatingOrderRedeem', { DomainName: target.domainName, CurrentExpirationDate: expiration - 1 })).body.Code).toBe('ParameterIllegal');
    const saved = await send('SaveSingleTaskForCreatingOrderRedeem', { DomainName: target.domainName, CurrentExpirationDate: expiration });
    expect(saved.status).toBe(200);
    expect((await send('SaveSingleTaskForCreatingOrderRedeem', { DomainName: target.domainName, CurrentExpirationDate: expiration })).body.Code).toBe('TaskIsBeingProcessed');

    const statuses: number[] = [];
    for (let i = 0; i < 40 && statuses.at(-1) !== 2; i++) {
      const { body } = await send('QueryTaskDetailList', { TaskNo: saved.body.TaskNo, PageNum: 1, PageSize: 10 });
      const code = body.Data.TaskDetail[0].TaskStatusCode as number;
      if (statuses.at(-1) !== code) statuses.push(code);
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(statuses).toEqual([0, 1, 2]);
    expect(target.expirationDateLong).toBeGreaterThan(expiration);
    expect(target.domainStatus).toBe(3);
    const again = await send('SaveSingleTaskForCreatingOrderRedeem', { DomainName: target.domainName, CurrentExpirationDate: expiration });
    expect(again.body.Code).toBe('ParameterIllegal');
  });

  it('the QPS limit answers Throttling.User with x-acs-retry-after', async () => {
    emulator.qps = 3;
    try {
      const answers = await Promise.all(Array.from({ length: 6 }, () => send('QueryDomainList', { PageNum: 1, PageSize: 1 })));
      const throttled = answers.filter((a) => a.body.Code === 'Throttling.User');
      expect(throttled.length).toBe(3);
      for (const a of throttled) expect(Number(a.headers.get('x-acs-retry-after'))).toBeGreaterThan(0);
    } finally {
      emulator.qps = undefined;
    }
  });

  it('injected faults hit the named action the given number of times', async () => {
    emulator.faults.add(...parseFaultSpec('throttle@QueryTaskList*2+750,network-io@QueryTaskList*1'));
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push((await send('QueryTaskList', { PageNum: 1, PageSize: 5 })).body.Code ?? 'OK');
    expect(codes).toEqual(['Throttling', 'Throttling', 'NetworkIOError', 'OK']);
  });

  it('GET /__emulator/state reports domains, tasks and calls', async () => {
    const state = (await (await fetch(`${emulator.url}/__emulator/state`)).json()) as { domains: any[]; tasks: any[]; calls: any[] };
    expect(state.domains).toHaveLength(300);
    expect(state.domains[0]).toEqual(expect.objectContaining({ domainName: expect.any(String), domainStatus: expect.any(Number), expirationDateLong: expect.any(Number) }));
    expect(state.tasks.length).toBeGreaterThan(0);
    expect(state.calls.some((c) => c.action === 'QueryDomainList' && c.code === 'OK')).toBe(true);
  });
});

describe('portfolio', () => {
  it('is deterministic for a seed and covers every phase and TLD family', () => {
    const now = Date.UTC(2026, 11, 1);
    const a = generatePortfolio({ count: 2000, seed: 5, redemptionShare: 0.3, now });
    expect(generatePortfolio({ count: 2000, seed: 5, redemptionShare: 0.3, now })).toEqual(a);
    expect(generatePortfolio({ count: 2000, seed: 6, redemptionShare: 0.3, now })).not.toEqual(a);
    expect(new Set(a.map((d) => d.phase))).toEqual(new Set(['active', 'grace', 'early-redemption', 'late-redemption', 'past-deadline']));
    for (const tld of ['com', 'cn', 'com.cn', 'co', 'hk', 'xn--fiqs8s', 'xyz']) expect(a.some((d) => d.tld === tld)).toBe(true);
  });

  it('rejects an unreadable fault spec with the grammar in the message', () => {
    expect(() => parseFaultSpec('explode@X')).toThrow(/kind\[@Action\]/);
  });
});
