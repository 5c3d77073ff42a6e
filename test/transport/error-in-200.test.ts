/**
 * The vendor's error body arriving with HTTP 200. The Domain API docs give the error shape
 * ({RequestId, HostId, Code, Message, Recommend}) for 4xx/5xx, yet the vendor's own RPC client
 * (@alicloud/pop-core) reads a Code in a 200 answer as an error too (unless it is 200/OK/Success), and a
 * gateway in front of the API may answer so. Read as a page, such a body (RequestId, no Data) is an empty
 * page: an empty ledger, an empty redemption list.
 */
import { describe, expect, it } from 'vitest';
import { EMULATOR_CREDENTIALS } from '../support/emulator.js';
import { domainItem, type Scripted } from '../support/registrar-standin.js';
import { decisionsOf, dueExpiration, runAgainst, standinPerTest } from '../safety/standin-runs.js';

const start = standinPerTest();
const SAVE = 'SaveSingleTaskForCreatingOrderRedeem';
const in200 = (code: string, message: string): Scripted => ({ status: 200, body: { RequestId: `R-${code}`, HostId: 'domain-intl.aliyuncs.com', Code: code, Message: message, Recommend: `https://api.aliyun.com/troubleshoot?q=${code}` } });

describe('an error Code in an HTTP 200 answer is an error, never an empty page', () => {
  it('QueryTaskList throttled with HTTP 200 (twice) while the domain has an open redeem task: asked again, the task is seen, no second order', async () => {
    const name = 'held.com';
    const s = await start({
      verify: EMULATOR_CREDENTIALS,
      domains: [domainItem(name, dueExpiration(name))],
      tasks: [{ taskNo: 'T-open', domainName: name, statusCode: 1, createdMs: Date.now() - 3_600_000 }],
      script: (call) => (call.action === 'QueryTaskList' && call.n <= 2 ? in200('Throttling.User', 'Request was denied due to user flow control.') : undefined),
    });
    const run = await runAgainst(s);
    expect(s.orders).toEqual([]);
    expect(decisionsOf(run).find((d) => d.domain === name)).toMatchObject({ action: 'skip' });
  });

  it('QueryDomainList refused with HTTP 200 (Forbidden.RAM): the run fails naming the code, it does not report an empty redemption list', async () => {
    const s = await start({ domains: [domainItem('lost.com', dueExpiration('lost.com'))], script: (call) => (call.action === 'QueryDomainList' ? in200('Forbidden.RAM', 'User not authorized to operate on the specified resource.') : undefined) });
    const run = await runAgainst(s);
    expect(run.summary.run).toMatchObject({ outcome: 'failed', error_code: 'Forbidden.RAM' });
  });

  it('a submission answered HTTP 200 with TaskIsBeingProcessed and no TaskNo: in progress, not an unreadable answer', async () => {
    const name = 'busy.com';
    const s = await start({ domains: [domainItem(name, dueExpiration(name))], script: (call) => (call.action === SAVE ? in200('TaskIsBeingProcessed', 'An operation is being processed. Please try again later.') : undefined) });
    const run = await runAgainst(s);
    expect(decisionsOf(run).find((d) => d.domain === name)).toMatchObject({ outcome: 'in-progress', error_code: 'TaskIsBeingProcessed' });
  });

  // The error shape many Alibaba Cloud APIs answer with: the gateway's keys plus HttpStatusCode and Success false.
  const in200WithSuccess = (code: string, message: string, httpStatusCode: number): Scripted => ({ status: 200, body: { RequestId: `R-${code}`, Code: code, Message: message, HttpStatusCode: httpStatusCode, Success: false } });

  it('QueryTaskList answered HTTP 200 with Success false, HttpStatusCode 503 (every time) while the domain has an open redeem task: never an empty ledger, no order', async () => {
    const name = 'held.com';
    const s = await start({
      domains: [domainItem(name, dueExpiration(name))],
      tasks: [{ taskNo: 'T-open', domainName: name, statusCode: 1, createdMs: Date.now() - 3_600_000 }],
      script: (call) => (call.action === 'QueryTaskList' ? in200WithSuccess('ServiceUnavailable', 'The request has failed due to a temporary failure of the server.', 503) : undefined),
    });
    const run = await runAgainst(s);
    expect(s.callsOf(SAVE)).toEqual([]);
    expect(run.summary.run).toMatchObject({ outcome: 'failed', error_code: 'ServiceUnavailable' });
  });

  it('QueryTaskList answered HTTP 200 with Code InternalError and an empty Data ({}) every time, while the domain has an open redeem task: never an empty ledger, no order', async () => {
    const name = 'held.com';
    const s = await start({
      domains: [domainItem(name, dueExpiration(name))],
      tasks: [{ taskNo: 'T-open', domainName: name, statusCode: 1, createdMs: Date.now() - 3_600_000 }],
      script: (call) => (call.action === 'QueryTaskList' ? { status: 200, body: { RequestId: `R-${call.n}`, Code: 'InternalError', Message: 'The request processing has failed due to some unknown error.', Data: {} } } : undefined),
    });
    const run = await runAgainst(s);
    expect(s.callsOf(SAVE)).toEqual([]);
    expect(run.summary.run).toMatchObject({ outcome: 'failed', error_code: 'InternalError' });
  });

  it('QueryTaskList answered HTTP 200 with Code InternalError beside an empty page of the paging envelope (TotalItemNum 0, NextPage false) every time, while the domain has an open redeem task: never an empty ledger, no order', async () => {
    const name = 'held.com';
    const s = await start({
      domains: [domainItem(name, dueExpiration(name))],
      tasks: [{ taskNo: 'T-open', domainName: name, statusCode: 1, createdMs: Date.now() - 3_600_000 }],
      script: (call) =>
        call.action === 'QueryTaskList'
          ? {
              status: 200,
              body: { RequestId: `R-${call.n}`, Code: 'InternalError', Message: 'The request processing has failed due to some unknown error.', CurrentPageNum: 1, PageSize: 100, TotalPageNum: 0, TotalItemNum: 0, PrePage: false, NextPage: false, Data: { TaskInfo: [] } },
            }
          : undefined,
    });
    const run = await runAgainst(s);
    expect(s.callsOf(SAVE)).toEqual([]);
    expect(run.summary.run).toMatchObject({ outcome: 'failed', error_code: 'InternalError' });
  });

  it('QueryTaskList answered HTTP 200 with Code ServiceUnavailable and Data holding an empty TaskInfo every time, while the domain has an open redeem task: never an empty ledger, no order', async () => {
    const name = 'held.com';
    const s = await start({
      domains: [domainItem(name, dueExpiration(name))],
      tasks: [{ taskNo: 'T-open', domainName: name, statusCode: 1, createdMs: Date.now() - 3_600_000 }],
      script: (call) => (call.action === 'QueryTaskList' ? { status: 200, body: { RequestId: `R-${call.n}`, Code: 'ServiceUnavailable', Message: 'The request has failed due to a temporary failure of the server.', Data: { TaskInfo: [] } } } : undefined),
    });
    const run = await runAgainst(s);
    expect(s.callsOf(SAVE)).toEqual([]);
    expect(run.summary.run).toMatchObject({ outcome: 'failed', error_code: 'ServiceUnavailable' });
  });

  it('a submission refused with HTTP 200, Success false (an undocumented InsufficientBalance): failed with its code, not an answer of unknown outcome', async () => {
    const name = 'poor.com';
    const s = await start({ domains: [domainItem(name, dueExpiration(name))], script: (call) => (call.action === SAVE ? in200WithSuccess('InsufficientBalance', 'The account balance is insufficient.', 400) : undefined) });
    const run = await runAgainst(s);
    expect(s.callsOf(SAVE)).toHaveLength(1);
    expect(decisionsOf(run).find((d) => d.domain === name)).toMatchObject({ outcome: 'failed', error_code: 'InsufficientBalance' });
  });

  // The body names the status it stands for: a 5xx one is a server fault, after which the order may exist
  // (the vendor's code need not be one of InternalError / ServiceUnavailable: UnknownError, a gateway's timeout).
  it.each([
    ['UnknownError', 500, 'The request processing has failed due to some unknown error.'],
    ['GatewayTimeout', 504, 'The gateway timed out waiting for the backend.'],
  ])('a submission the registrar took, answered HTTP 200 with Success false, Code %s and HttpStatusCode %s: reconciled and followed, never told failed, never sent again', async (code, status, message) => {
    const name = 'fault.com';
    const s = await start({
      domains: [domainItem(name, dueExpiration(name))],
      script: (call, standin) => {
        if (call.action !== SAVE) return undefined;
        standin.takeOrder(call.params.DomainName ?? '', call.params.CurrentExpirationDate ?? '');
        return in200WithSuccess(code, message, status);
      },
    });
    const run = await runAgainst(s);
    expect(s.callsOf(SAVE)).toHaveLength(1);
    expect(decisionsOf(run).find((d) => d.domain === name)).toMatchObject({ outcome: 'succeeded', task_no: s.orders[0]!.taskNo, reconciled: true });
  });

  it('a 200 with a TaskNo is an order whatever else it carries (a Code alongside): followed, never sent again', async () => {
    const name = 'both.com';
    const s = await start({
      domains: [domainItem(name, dueExpiration(name))],
      script: (call, standin) => {
        if (call.action !== SAVE) return undefined;
        const task = standin.takeOrder(call.params.DomainName ?? '', call.params.CurrentExpirationDate ?? '')!;
        return { body: { RequestId: 'R', Code: 'OK', TaskNo: task.taskNo } };
      },
    });
    const run = await runAgainst(s);
    expect(s.callsOf(SAVE)).toHaveLength(1);
    expect(decisionsOf(run).find((d) => d.domain === name)).toMatchObject({ outcome: 'succeeded' });
  });
});
