import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DomainApiError,
  MalformedResponseError,
  NetworkError,
  OutcomeUnknownError,
  TaskIsBeingProcessedError,
} from '../../shared/domain-api/errors.js';
import type { Emulator } from '../emulator/server.js';
import { cannedServer, closedPort } from '../support/canned-server.js';
import { ALL_TASKS, EMULATOR_CREDENTIALS, clientAt, clientFor, recordingRuntime, startEmulator } from '../support/emulator.js';
import { readAllPages } from '../../shared/domain-api/paging.js';

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
    const read = await readAllPages('QueryDomainList', (pageNum) => client.queryDomainList({ pageNum, pageSize: 13, queryType: 2 }), (d) => String(d.DomainName), {
      maxPages: 100,
      deadlineMs: Date.now() + 60_000,
      now: Date.now,
    });
    const names = read.items.map((d) => d.DomainName);
    const pages = read.pages;
    const expected = emulator.domain.domains.filter((d) => d.domainStatus === 2).map((d) => d.domainName);
    expect(names).toEqual(expected);
    expect(pages).toBe(Math.ceil(expected.length / 13));
    expect(client.calls).toBe(pages);
  });

  it('passes listed items on as the registrar sent them, for the listing check to judge one by one', async () => {
    const page = await clientFor(emulator).queryDomainList({ pageNum: 1, pageSize: 5, queryType: 2 });
    expect(page.items[0]).toMatchObject({ DomainStatus: '2', ExpirationDateLong: expect.any(Number), DomainName: expect.any(String) });
  });

  it('an empty page without Data is an empty page, not an error', async () => {
    const server = await cannedServer(() => ({ body: { RequestId: 'r1', CurrentPageNum: 1, TotalPageNum: 0, TotalItemNum: 0, NextPage: false } }));
    try {
      const client = clientAt(server.url);
      const page = await client.queryDomainList({ pageNum: 1, pageSize: 100, queryType: 2 });
      expect(page.items).toEqual([]);
      expect(page.hasNext).toBe(false);
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
      const page = await clientAt(server.url).queryTaskDetailList({ taskNo: 't', pageNum: 1, pageSize: 100 });
      expect(page.items).toEqual([expect.objectContaining({ DomainName: 'a.com', TaskStatusCode: 1 })]);
    } finally {
      await server.close();
    }
  });

  it('a missing field is a MalformedResponseError naming the action and the field', async () => {
    const server = await cannedServer(() => ({ body: { RequestId: 'r3', Data: { TaskDetail: [{ DomainName: 'example.com', TaskType: 'ORDER_REDEEM', TaskStatusCode: 1 }] } } }));
    try {
      const client = clientAt(server.url, { retry: { maxAttempts: 1 } });
      const error = await client.queryTaskDetailList({ taskNo: 't', pageNum: 1, pageSize: 100 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MalformedResponseError);
      expect(error).toMatchObject({ action: 'QueryTaskDetailList', field: 'Data.TaskDetail[0].TaskNo', requestId: 'r3' });
      expect((error as Error).message).toContain('Data.TaskDetail[0].TaskNo');
    } finally {
      await server.close();
    }
  });

  it('a body that is not JSON is a MalformedResponseError', async () => {
    const server = await cannedServer(() => ({ body: '<html>oops</html>' }));
    try {
      const client = clientAt(server.url, { retry: { maxAttempts: 1 } });
      await expect(client.queryTaskList(ALL_TASKS)).rejects.toMatchObject({ name: 'MalformedResponseError', action: 'QueryTaskList', field: '(body)' });
    } finally {
      await server.close();
    }
  });
});

describe('errors and retries', () => {
  it('typed errors carry Code, Message, RequestId, HTTP status; an unknown code is surfaced as it is', async () => {
    const server = await cannedServer(() => ({ status: 400, body: { RequestId: 'r4', HostId: 'h', Code: 'Brand.NewCode', Message: 'Something new.' } }));
    try {
      const client = clientAt(server.url);
      const error = await client.queryTaskList(ALL_TASKS).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DomainApiError);
      expect(error).toMatchObject({ code: 'Brand.NewCode', serverMessage: 'Something new.', requestId: 'r4', httpStatus: 400 });
      expect(server.requests).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it('reads honour x-acs-retry-after on throttling and sign each attempt afresh', async () => {
    emulator.faults.add({ kind: 'throttle', action: 'QueryTaskList', count: 3, retryAfterMs: 1234 });
    const { waits, clock } = recordingRuntime();
    const client = clientFor(emulator, { clock });
    const page = await client.queryTaskList(ALL_TASKS);
    expect(page.requestId).toBeTruthy();
    expect(waits).toEqual([1234, 1234, 1234]);
    expect(client.calls).toBe(4); // a reused nonce would have been refused with SignatureNonceUsed
  });

  it('reads retry 5xx and NetworkIOError with full-jitter backoff', async () => {
    emulator.faults.add({ kind: '5xx', action: 'QueryTaskList', count: 1 }, { kind: 'network-io', action: 'QueryTaskList', count: 1 }, { kind: 'reset', action: 'QueryTaskList', count: 1 });
    const { waits, clock } = recordingRuntime();
    await clientFor(emulator, { clock, retry: { baseDelayMs: 100 } }).queryTaskList(ALL_TASKS);
    // random() is 0.5: half of 100, 200, 400.
    expect(waits).toEqual([50, 100, 200]);
  });

  it("stops at the run's deadline: a server wait that does not fit is not started", async () => {
    emulator.faults.add({ kind: 'throttle', action: 'QueryTaskList', count: 50, retryAfterMs: 4000 });
    const { waits, clock } = recordingRuntime();
    let now = Date.now();
    const client = clientFor(emulator, { clock: { ...clock, now: () => now, sleep: async (ms) => { waits.push(ms); now += ms; } }, deadlineMs: now + 10_000 });
    await expect(client.queryTaskList(ALL_TASKS)).rejects.toMatchObject({ code: 'Throttling' });
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
    const { clock } = recordingRuntime();
    const result = await clientFor(emulator, { clock }).saveSingleTaskForCreatingOrderRedeem({ domainName: target.domainName, currentExpirationDate: target.expirationDateLong });
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
    const { waits, clock } = recordingRuntime();
    const refused = clientAt(`http://127.0.0.1:${await closedPort()}`, { clock, retry: { maxAttempts: 3 } });
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
    const wrong = clientAt(emulator.url, { credentials: { ...EMULATOR_CREDENTIALS, accessKeySecret: 'TOP-SECRET-VALUE' } });
    errors.push(await wrong.queryTaskList(ALL_TASKS).catch((e: unknown) => e));
    emulator.faults.add({ kind: '5xx-after', action: 'SaveSingleTaskForCreatingOrderRedeem', count: 1 });
    const target = redeemable()[0]!;
    errors.push(await clientFor(emulator).saveSingleTaskForCreatingOrderRedeem({ domainName: target.domainName, currentExpirationDate: target.expirationDateLong }).catch((e: unknown) => e));
    errors.push(await clientAt(`http://127.0.0.1:${await closedPort()}`, { retry: { maxAttempts: 1 } }).queryTaskList(ALL_TASKS).catch((e: unknown) => e));
    for (const error of errors) {
      expect(error).toBeInstanceOf(Error);
      const dump = JSON.stringify(error, Object.getOwnPropertyNames(error)) + String((error as Error).stack) + String((error as Error).message);
      for (const secret of ['TOP-SECRET-VALUE', EMULATOR_CREDENTIALS.accessKeySecret, EMULATOR_CREDENTIALS.securityToken]) expect(dump).not.toContain(secret);
    }
  });
});

describe('sites', () => {
  it('intl and cn use their own endpoint and version', () => {
    expect(clientAt(undefined)).toMatchObject({ endpoint: 'https://domain-intl.aliyuncs.com', version: '2017-12-18' });
    expect(clientAt(undefined, { site: 'cn' })).toMatchObject({ endpoint: 'https://domain.aliyuncs.com', version: '2018-01-29' });
  });
});
