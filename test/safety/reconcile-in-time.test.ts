/**
 * DESIGN 2: "After a timeout or 5xx the run reconciles with the ledger before doing anything else." An
 * order sent close to the submit-by time, to a registrar that takes it and answers too late: its look at
 * the task list must still go out, inside the run's time, and find the order.
 */
import { describe, expect, it } from 'vitest';
import { domainItem, type Scripted, type StandinCall } from '../support/registrar-standin.js';
import { decisionsOf, dueExpiration, runAgainst, standinPerTest } from './standin-runs.js';

const start = standinPerTest();
const SAVE = 'SaveSingleTaskForCreatingOrderRedeem';

/** Takes the order (the account pays for it) and answers only after `delayMs`. */
function acceptSlowly(call: StandinCall, standin: { tasks: Array<{ taskNo: string; domainName: string; statusCode: number; createdMs: number }>; orders: Array<{ domainName: string; expiration: string; taskNo: string }> }, delayMs: number): Scripted {
  const taskNo = `T-${call.params.DomainName}-${call.n}`;
  standin.tasks.push({ taskNo, domainName: call.params.DomainName ?? '', statusCode: 1, createdMs: Date.now() });
  standin.orders.push({ domainName: call.params.DomainName ?? '', expiration: call.params.CurrentExpirationDate ?? '', taskNo });
  return { body: { RequestId: `R-${call.n}`, TaskNo: taskNo }, delayMs };
}

describe('an order sent near the submit-by time whose answer never comes in time', () => {
  it('is reconciled: the look at the task list is sent after the timeout, inside the run, and finds the order', async () => {
    // 6 s budget: submit by 4 s, work deadline 5 s. The fresh look before the order takes 3.4 s, so the order
    // goes at about 3.5 s; the registrar takes it and answers after 4 s, long after the run gave up on it.
    let saveAt: number | undefined;
    const s = await start({
      domains: [domainItem('late-answer.com', dueExpiration('late-answer.com'))],
      delayMs: (call) => (call.action === 'QueryTaskList' && call.n === 2 ? 3_400 : undefined),
      script: (call, standin) => {
        if (call.action !== SAVE) return undefined;
        saveAt = call.at;
        return acceptSlowly(call, standin, 4_000);
      },
    });
    const run = await runAgainst(s, { budgetMs: 6_000, env: { REDEEM_SUBMIT_CONCURRENCY: '1' } });
    expect(s.orders.map((o) => o.domainName)).toEqual(['late-answer.com']);
    expect(saveAt).toBeDefined();
    const looksAfter = s.callsOf('QueryTaskList').filter((c) => c.at > saveAt!);
    expect(looksAfter.length, 'QueryTaskList calls after the order (its reconciliation)').toBeGreaterThan(0);
    expect(decisionsOf(run).find((d) => d.domain === 'late-answer.com')).toMatchObject({ outcome: 'submitted', reconciled: true, task_no: 'T-late-answer.com-1' });
  }, 20_000);

  it('a 503 after the submit-by time, the task listed only after the reconciliation: found by a later look while following', async () => {
    // The order goes at about 3.5 s and the registrar takes it; its 503 comes at about 4.3 s (after the submit-by
    // time, 4 s), and it lists the task only 0.9 s after taking it, so the reconciliation does not see it yet.
    let taskNo: string | undefined;
    const s = await start({
      domains: [domainItem('listed-late.com', dueExpiration('listed-late.com'))],
      listAfterMs: 900,
      delayMs: (call) => (call.action === 'QueryTaskList' && call.n === 2 ? 3_400 : undefined),
      script: (call, standin) => {
        if (call.action !== SAVE) return undefined;
        taskNo = standin.takeOrder(call.params.DomainName ?? '', call.params.CurrentExpirationDate ?? '')?.taskNo;
        return { status: 503, body: { RequestId: 'R-503', Code: 'ServiceUnavailable', Message: 'The request has failed due to a temporary failure of the server.' }, delayMs: 800 };
      },
    });
    const run = await runAgainst(s, { budgetMs: 6_000, env: { REDEEM_SUBMIT_CONCURRENCY: '1' } });
    expect(s.orders.map((o) => o.domainName)).toEqual(['listed-late.com']);
    expect(decisionsOf(run).find((d) => d.domain === 'listed-late.com')).toMatchObject({ outcome: 'succeeded', reconciled: true, task_no: taskNo });
  }, 20_000);
});
