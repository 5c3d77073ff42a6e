/**
 * HTTP 408 Request Timeout (a gateway in front of the API, or the API, gave up on the exchange). A read
 * changes nothing: it is asked again, like a 5xx. A submission is never sent again on it: the gateway may
 * have passed the request on before it gave up, so the order's outcome is unknown, reconciled with the
 * ledger, never "failed" (certainly not placed) and never resent blindly.
 */
import { describe, expect, it } from 'vitest';
import { domainItem, type Scripted } from '../support/registrar-standin.js';
import { decisionsOf, dueExpiration, runAgainst, standinPerTest } from '../safety/standin-runs.js';

const start = standinPerTest();
const SAVE = 'SaveSingleTaskForCreatingOrderRedeem';
const bare408: Scripted = { status: 408, body: '<html><body><h1>408 Request Time-out</h1></body></html>', headers: { 'content-type': 'text/html' } };
const coded408: Scripted = { status: 408, body: { RequestId: 'R-408', Code: 'RequestTimeout', Message: 'Request timed out.' } };

describe('a read answered 408 is asked again', () => {
  it('QueryTaskList answered a bare 408 once while the domain has an open task: asked again, the task seen, no order', async () => {
    const s = await start({
      domains: [domainItem('held.com', dueExpiration('held.com'))],
      tasks: [{ taskNo: 'T-open', domainName: 'held.com', statusCode: 1, createdMs: Date.now() - 3_600_000 }],
      script: (call) => (call.action === 'QueryTaskList' && call.n === 1 ? bare408 : undefined),
    });
    const run = await runAgainst(s);
    expect(run.summary.run.error_code).toBeUndefined();
    expect(s.callsOf(SAVE)).toEqual([]);
    expect(decisionsOf(run).find((d) => d.domain === 'held.com')).toMatchObject({ action: 'skip', reason: 'task-in-flight' });
  });

  it('QueryDomainList answered 408 with a RequestTimeout body once: asked again, the due domain ordered', async () => {
    const s = await start({ domains: [domainItem('due.com', dueExpiration('due.com'))], script: (call) => (call.action === 'QueryDomainList' && call.n === 1 ? coded408 : undefined) });
    const run = await runAgainst(s);
    expect(run.summary.run.error_code).toBeUndefined();
    expect(Object.fromEntries(s.ordersPerDomain())).toEqual({ 'due.com': 1 });
  });
});

describe('a submission answered 408 is never sent again', () => {
  it('the registrar took the order, the gateway answered 408: sent once, reconciled with the ledger, recorded with its task', async () => {
    const s = await start({
      domains: [domainItem('taken.com', dueExpiration('taken.com'))],
      script: (call, standin) => {
        if (call.action !== SAVE) return undefined;
        standin.takeOrder(call.params.DomainName ?? '', call.params.CurrentExpirationDate ?? '');
        return bare408;
      },
    });
    const run = await runAgainst(s);
    expect(s.callsOf(SAVE)).toHaveLength(1);
    expect(decisionsOf(run).find((d) => d.domain === 'taken.com')).toMatchObject({ outcome: 'succeeded', reconciled: true, task_no: s.orders[0]?.taskNo });
  });

  it('the order was not taken: sent once, its outcome unknown (not "failed" as if certainly not placed)', async () => {
    const s = await start({ domains: [domainItem('lost.com', dueExpiration('lost.com'))], script: (call) => (call.action === SAVE ? coded408 : undefined) });
    const run = await runAgainst(s);
    expect(s.callsOf(SAVE)).toHaveLength(1);
    expect(decisionsOf(run).find((d) => d.domain === 'lost.com')).toMatchObject({ outcome: 'failed', error_code: 'OutcomeUnknown' });
  });
});
