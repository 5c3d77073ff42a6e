import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainApiClient } from '../../shared/domain-api/client.js';
import {
  DomainApiError,
  MalformedResponseError,
  NetworkError,
  OutcomeUnknownError,
  TaskIsBeingProcessedError,
} from '../../shared/domain-api/errors.js';
import type { Emulator } from '../emulator/server.js';
import { cannedServer, closedPort } from '../support/canned-server.js';
import { EMULATOR_CREDENTIALS, clientFor, recordingRuntime, startEmulator } from '../support/emulator.js';

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ domains: 500, seed: 3, taskTiming: { waitingMs: 100, executingMs: 100 } });
});
afterAll(() => emulator.close());

function redeemable() {
  return emulator.domain.domains.filter((d) => d.domainStatus === 2 && !emulator.domain.tasks.some((t) => t.domainName === d.domainName));
}

describe('QueryDomainList iterator', () => {
  it('walks every page of the redemption list with the top-level NextPage', async () => {
    const client = clientFor(emulator);
    const names: string[] = [];
    let pages = 0;
    for await (const page of client.domainPages({ queryType: 2, pageSize: 13 })) {
      pages++;
      names.push(...page.items.map((d) => d.DomainName));
    }
    const expected = emulator.domain.domains.filter((d) => d.domainStatus === 2).map((d) => d.domainName);
    expect(names).toEqual(expected);
    expect(pages).toBe(Math.ceil(expected.length / 13));
    expect(client.calls).toBe(pages);
  });

  it('normalises DomainStatus to a string and ExpirationDateLong to a number', async () => {
    const first = await clientFor(emulator).domains({ queryType: 2, pageSize: 5 }).next();
    expect(first.value).toMatchObject({ DomainStatus: '2', ExpirationDateLong: expect.any(Number) });
  });

  it('an empty page without Data is an empty page, not an error', async () => {
    const server = await cannedServer(() => ({ body: { RequestId: 'r1', CurrentPageNum: 1, TotalPageNum: 0, TotalItemNum: 0, NextPage: false } }));
    try {
      const client = new DomainApiClient({ endpoint: server.url, credentials: EMULATOR_CREDENTIALS });
      const pages = [];
      for await (const page of client.domainPages({ queryType: 2 })) pages.push(page);
      expect(pages).toHaveLength(1);
      expect(pages[0]!.items).toEqual([]);
    } finally {
      await server.close();
    }
  });
});

describe('task queries', () => {
  it('accepts TaskDetail as a single object and normalises TaskStatusCode given as a string', async () => {
    const server = await cannedServer(() => ({
      body: { RequestId: 'r2', NextPage: false, Data: { TaskDetail: { TaskNo: 't', TaskType: 'ORDER_REDEEM', DomainName: 'a.com', TaskStatus: 'EXECUTING', TaskStatusCode: '1' } } },
    }));
    try {
      const page = await new DomainApiClient({ endpoint: server.url, credentials: EMULATOR_CREDENTIALS }).queryTaskDetailList({ taskNo: 't' });
      expect(page.items).toEqual([expect.objectContaining({ DomainName: 'a.com', TaskStatusCode: 1 })]);
    } finally {
      await server.close();
    }
  });

  it('a missing field is a MalformedResponseError naming the action and the field', async () => {
    const server = await cannedServer(() => ({ body: { RequestId: 'r3', Data: { Domain: [{ DomainName: 'a.com', DomainStatus: '2' }] } } }));
    try {
      const client = new DomainApiClient({ endpoint: server.url, credentials: EMULATOR_CREDENTIALS });
      const error = await client.domains({ queryType: 2 }).next().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MalformedResponseError);
      expect(error).toMatchObject({ action: 'QueryDomainList', field: 'Data.Domain[0].ExpirationDateLong', requestId: 'r3' });
      expect((error as Error).message).toContain('Data.Domain[0].ExpirationDateLong');
    } finally {
      await server.close();
    }
  });

  it('a body that is not JSON is a MalformedResponseError', async () => {
    const server = await cannedServer(() => ({ body: '<html>oops</html>' }));
    try {
      const client = new DomainApiClient({ endpoint: server.url, credentials: EMULATOR_CREDENTIALS });
      await expect(client.queryTaskList({})).rejects.toMatchObject({ name: 'MalformedResponseError', action: 'QueryTaskList', field: '(body)' });
    } finally {
      await server.close();
    }
  });
});

describe('errors and retries', () => {
  it('typed errors carry Code, Message, RequestId, HTTP status; an unknown code is surfaced as it is', async () => {
    const server = await cannedServer(() => ({ status: 400, body: { RequestId: 'r4', HostId: 'h', Code: 'Brand.NewCode', Message: 'Something new.' } }));
    try {
      const client = new DomainApiClient({ endpoint: server.url, credentials: EMULATOR_CREDENTIALS });
      const error = await client.queryTaskList({}).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DomainApiError);
      expect(error).toMatchObject({ code: 'Brand.NewCode', serverMessage: 'Something new.', requestId: 'r4', httpStatus: 400 });
      expect(server.requests).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it('reads honour x-acs-retry-after on throttling and sign each attempt afresh', async () => {
    emulator.faults.add({ kind: 'throttle', action: 'QueryTaskList', count: 3, retryAfterMs: 1234 });
    const { waits, runtime } = recordingRuntime();
    const client = clientFor(emulator, { runtime });
    const page = await client.queryTaskList({});
    expect(page.requestId).toBeTruthy();
    expect(waits).toEqual([1234, 1234, 1234]);
    expect(client.calls).toBe(4); // a reused nonce would have been refused with SignatureNonceUsed
  });

  it('reads retry 5xx and NetworkIOError with full-jitter backoff', async () => {
    emulator.faults.add({ kind: '5xx', action: 'QueryTaskList', count: 1 }, { kind: 'network-io', action: 'QueryTaskList', count: 1 }, { kind: 'reset', action: 'QueryTaskList', count: 1 });
    const { waits, runtime } = recordingRuntime();
    await clientFor(emulator, { runtime, retry: { baseDelayMs: 100 } }).queryTaskList({});
    // random() is 0.5: half of 100, 200, 400.
    expect(waits).toEqual([50, 100, 200]);
  });

  it('stops at the total time budget and throws the last error', async () => {
    emulator.faults.add({ kind: 'throttle', action: 'QueryTaskList', count: 50, retryAfterMs: 4000 });
    const { waits, runtime } = recordingRuntime();
    let clock = 0;
    const client = clientFor(emulator, { runtime: { ...runtime, now: () => clock, sleep: async (ms) => { waits.push(ms); clock += ms; } }, retry: { budgetMs: 10_000 } });
    await expect(client.queryTaskList({})).rejects.toMatchObject({ code: 'Throttling' });
    expect(waits).toEqual([4000, 4000]);
    emulator.faults.clear();
  });

  it('TaskIsBeingProcessed has its own type and the submission is not retried', async () => {
    const target = redeemable()[0]!;
    emulator.faults.add({ kind: 'busy', action: 'SaveSingleTaskForCreatingOrderRedeem', count: 1 });
    const client = clientFor(emulator);
    await expect(client.saveSingleTaskForCreatingOrderRedeem({ domainName: target.domainName, currentExpirationDate: target.expirationDateLong })).rejects.toBeInstanceOf(TaskIsBeingProcessedError);
    expect(client.calls).toBe(1);
  });

  it('a throttled submission is retried (certainly not accepted) and creates exactly one order', async () => {
    const target = redeemable()[0]!;
    emulator.faults.add({ kind: 'throttle', action: 'SaveSingleTaskForCreatingOrderRedeem', count: 2, retryAfterMs: 10 });
    const { runtime } = recordingRuntime();
    const result = await clientFor(emulator, { runtime }).saveSingleTaskForCreatingOrderRedeem({ domainName: target.domainName, currentExpirationDate: target.expirationDateLong });
    expect(result.attempts).toBe(3);
    expect(emulator.domain.tasks.filter((t) => t.domainName === target.domainName)).toHaveLength(1);
  });

  it('a 5xx after the order was created is OutcomeUnknown, never resent', async () => {
    const target = redeemable()[0]!;
    emulator.faults.add({ kind: '5xx-after', action: 'SaveSingleTaskForCreatingOrderRedeem', count: 1 });
    const client = clientFor(emulator);
    const error = await client.saveSingleTaskForCreatingOrderRedeem({ domainName: target.domainName, currentExpirationDate: target.expirationDateLong }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutcomeUnknownError);
    expect(client.calls).toBe(1);
    expect(emulator.domain.tasks.filter((t) => t.domainName === target.domainName)).toHaveLength(1);
  });

  it('a connection dropped after sending is OutcomeUnknown; a refused connection is retried', async () => {
    const target = redeemable()[0]!;
    emulator.faults.add({ kind: 'reset-after', action: 'SaveSingleTaskForCreatingOrderRedeem', count: 1 });
    await expect(
      clientFor(emulator).saveSingleTaskForCreatingOrderRedeem({ domainName: target.domainName, currentExpirationDate: target.expirationDateLong }),
    ).rejects.toBeInstanceOf(OutcomeUnknownError);

    // Nothing listens there: ECONNREFUSED means the order never left, so it is safe to try again.
    const { waits, runtime } = recordingRuntime();
    const refused = new DomainApiClient({ endpoint: `http://127.0.0.1:${await closedPort()}`, credentials: EMULATOR_CREDENTIALS, runtime, retry: { maxAttempts: 3 } });
    const error = await refused.saveSingleTaskForCreatingOrderRedeem({ domainName: 'a.com', currentExpirationDate: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).sent).toBe(false);
    expect(refused.calls).toBe(3);
    expect(waits).toHaveLength(2);
  });

  it('a request timeout on a submission is OutcomeUnknown', async () => {
    emulator.latencyMs = 300;
    try {
      const client = clientFor(emulator, { requestTimeoutMs: 100 });
      const target = redeemable()[0]!;
      await expect(client.saveSingleTaskForCreatingOrderRedeem({ domainName: target.domainName, currentExpirationDate: target.expirationDateLong })).rejects.toBeInstanceOf(OutcomeUnknownError);
    } finally {
      emulator.latencyMs = 0;
    }
  });

  it('no error message or property carries the secret or the token', async () => {
    const errors: unknown[] = [];
    const wrong = new DomainApiClient({ endpoint: emulator.url, credentials: { ...EMULATOR_CREDENTIALS, accessKeySecret: 'TOP-SECRET-VALUE' } });
    errors.push(await wrong.queryTaskList({}).catch((e: unknown) => e));
    emulator.faults.add({ kind: '5xx-after', action: 'SaveSingleTaskForCreatingOrderRedeem', count: 1 });
    const target = redeemable()[0]!;
    errors.push(await clientFor(emulator).saveSingleTaskForCreatingOrderRedeem({ domainName: target.domainName, currentExpirationDate: target.expirationDateLong }).catch((e: unknown) => e));
    errors.push(await new DomainApiClient({ endpoint: `http://127.0.0.1:${await closedPort()}`, credentials: EMULATOR_CREDENTIALS, retry: { maxAttempts: 1 } }).queryTaskList({}).catch((e: unknown) => e));
    for (const error of errors) {
      expect(error).toBeInstanceOf(Error);
      const dump = JSON.stringify(error, Object.getOwnPropertyNames(error)) + String((error as Error).stack) + String((error as Error).message);
      for (const secret of ['TOP-SECRET-VALUE', EMULATOR_CREDENTIALS.accessKeySecret, EMULATOR_CREDENTIALS.securityToken]) expect(dump).not.toContain(secret);
    }
  });
});

describe('sites', () => {
  it('intl and cn use their own endpoint and version', () => {
    expect(new DomainApiClient({ credentials: EMULATOR_CREDENTIALS })).toMatchObject({ endpoint: 'https://domain-intl.aliyuncs.com', version: '2017-12-18' });
    expect(new DomainApiClient({ site: 'cn', credentials: EMULATOR_CREDENTIALS })).toMatchObject({ endpoint: 'https://domain.aliyuncs.com', version: '2018-01-29' });
  });
});
