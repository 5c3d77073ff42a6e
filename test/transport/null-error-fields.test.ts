/**
 * An error body whose Message, RequestId or HostId is JSON null (domain-api.md §6 gives the shape
 * `{RequestId, HostId, Code, Message, Recommend}` and says nothing of nulls; a gateway writing "not said"
 * as null answers so). Its Code is what the run branches on: a throttled read is asked again, a throttled
 * submission (certainly not accepted) sent again, a refusal named by its code; never "malformed answer"
 * nor "HTTP400: non-JSON error answer".
 */
import { describe, expect, it } from 'vitest';
import { domainItem, type Scripted } from '../support/registrar-standin.js';
import { decisionsOf, dueExpiration, runAgainst, standinPerTest } from '../safety/standin-runs.js';

const start = standinPerTest();
const SAVE = 'SaveSingleTaskForCreatingOrderRedeem';
const nullFields = (status: number, code: string): Scripted => ({ status, body: { Code: code, Message: null, RequestId: null, HostId: null } });

describe('an error body with Message, RequestId and HostId null keeps its Code', () => {
  it('QueryTaskList throttled (HTTP 400, Throttling.User) with null fields while the domain has an open task: asked again, the task is seen, no order', async () => {
    const name = 'held.com';
    const s = await start({
      domains: [domainItem(name, dueExpiration(name))],
      tasks: [{ taskNo: 'T-open', domainName: name, statusCode: 1, createdMs: Date.now() - 3_600_000 }],
      script: (call) => (call.action === 'QueryTaskList' && call.n === 1 ? nullFields(400, 'Throttling.User') : undefined),
    });
    const run = await runAgainst(s);
    expect(run.summary.run.error_code).toBeUndefined();
    expect(s.orders).toEqual([]);
    expect(decisionsOf(run).find((d) => d.domain === name)).toMatchObject({ action: 'skip', reason: 'task-in-flight' });
  });

  it('a submission throttled with null fields: certainly not accepted, sent again, ordered once', async () => {
    const name = 'throttled.com';
    const s = await start({ domains: [domainItem(name, dueExpiration(name))], script: (call) => (call.action === SAVE && call.n === 1 ? nullFields(400, 'Throttling.User') : undefined) });
    const run = await runAgainst(s);
    expect(s.orders.map((o) => o.domainName)).toEqual([name]);
    expect(decisionsOf(run).find((d) => d.domain === name)).toMatchObject({ outcome: 'succeeded', attempts: 2 });
  });

  it('QueryDomainList refused (HTTP 403, Forbidden.RAM) with null fields: the run fails naming the code', async () => {
    const s = await start({ domains: [domainItem('x.com', dueExpiration('x.com'))], script: (call) => (call.action === 'QueryDomainList' ? nullFields(403, 'Forbidden.RAM') : undefined) });
    const run = await runAgainst(s);
    expect(run.summary.run).toMatchObject({ outcome: 'failed', error_code: 'Forbidden.RAM' });
  });

  it('the same error body with HTTP 200 (Forbidden.RAM): an error by its code, not a malformed answer', async () => {
    const s = await start({ domains: [domainItem('x.com', dueExpiration('x.com'))], script: (call) => (call.action === 'QueryDomainList' ? nullFields(200, 'Forbidden.RAM') : undefined) });
    const run = await runAgainst(s);
    expect(run.summary.run).toMatchObject({ outcome: 'failed', error_code: 'Forbidden.RAM' });
  });
});
