/**
 * A success answer whose RequestId is JSON null. RequestId is informational (domain-api.md §3: every answer
 * carries one, the run only quotes it): a page so answered is read, and a submission so answered, with its
 * TaskNo, is placed and followed, never an unreadable answer (which for a submission is "outcome unknown").
 */
import { describe, expect, it } from 'vitest';
import { domainItem, type RegistrarStandin, type Scripted, type StandinCall } from '../support/registrar-standin.js';
import { decisionsOf, dueExpiration, runAgainst, standinPerTest } from '../safety/standin-runs.js';

const start = standinPerTest();
const SAVE = 'SaveSingleTaskForCreatingOrderRedeem';

/** The stand-in's own answer to every call of `actions`, its RequestId null. */
const nullRequestId =
  (...actions: string[]) =>
  (call: StandinCall, standin: RegistrarStandin): Scripted | undefined => {
    if (!actions.includes(call.action)) return undefined;
    const answer = standin.defaultAnswer(call) as { body: object };
    return { ...answer, body: { ...answer.body, RequestId: null } };
  };

describe('a success answer with RequestId null is read', () => {
  it('every page (QueryDomainList, QueryTaskList, QueryTaskDetailList) with RequestId null: the ledger is read, the held domain is not ordered, the free one is, and followed to success', async () => {
    const s = await start({
      domains: [domainItem('free.com', dueExpiration('free.com')), domainItem('held.com', dueExpiration('held.com'))],
      tasks: [{ taskNo: 'T-open', domainName: 'held.com', statusCode: 1, createdMs: Date.now() - 3_600_000 }],
      script: nullRequestId('QueryDomainList', 'QueryTaskList', 'QueryTaskDetailList'),
    });
    const run = await runAgainst(s);
    expect(run.summary.run.error_code).toBeUndefined();
    expect(Object.fromEntries(s.submissionsPerDomain())).toEqual({ 'free.com': 1 });
    expect(decisionsOf(run).find((d) => d.domain === 'held.com')).toMatchObject({ action: 'skip', reason: 'task-in-flight' });
    expect(decisionsOf(run).find((d) => d.domain === 'free.com')).toMatchObject({ outcome: 'succeeded' });
  });

  it('a submission answered {RequestId: null, TaskNo}: placed once, with its task, not "outcome unknown"', async () => {
    const s = await start({ domains: [domainItem('one.com', dueExpiration('one.com'))], script: nullRequestId(SAVE) });
    const run = await runAgainst(s);
    expect(s.callsOf(SAVE)).toHaveLength(1);
    const decision = decisionsOf(run).find((d) => d.domain === 'one.com');
    expect(decision).toMatchObject({ outcome: 'succeeded', task_no: s.orders[0]?.taskNo });
    expect(decision?.reconciled).toBeUndefined();
  });
});

describe('a RequestId null is not a RequestId left out', () => {
  it('QueryTaskList answered {} (no RequestId at all) while the domain has an open task: never an empty ledger, no order', async () => {
    const s = await start({
      domains: [domainItem('held.com', dueExpiration('held.com'))],
      tasks: [{ taskNo: 'T-open', domainName: 'held.com', statusCode: 1, createdMs: Date.now() - 3_600_000 }],
      script: (call) => (call.action === 'QueryTaskList' ? { body: {} } : undefined),
    });
    await runAgainst(s);
    expect(s.callsOf(SAVE)).toEqual([]);
  });
});
