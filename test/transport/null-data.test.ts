/**
 * A list answer with `"Data": null` instead of `{"Domain": []}` / `{"TaskInfo": []}` / `{"TaskDetail": []}`
 * (domain-api.md §3.1, §3.5, §3.6 give Data as an object holding the list; an empty page may carry it null):
 * an empty page, as a missing Data already is, never a malformed answer that fails the run. Beside a failure
 * Code it stays the error it is (test/transport/error-in-200.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { domainItem, type RegistrarStandin, type Scripted, type StandinCall } from '../support/registrar-standin.js';
import { decisionsOf, dueExpiration, runAgainst, standinPerTest } from '../safety/standin-runs.js';

const start = standinPerTest();

/** The stand-in's own empty pages of `actions` with Data null. */
const nullDataWhenEmpty =
  (...actions: string[]) =>
  (call: StandinCall, standin: RegistrarStandin): Scripted | undefined => {
    if (!actions.includes(call.action)) return undefined;
    const answer = standin.defaultAnswer(call) as { body: Record<string, unknown> };
    return answer.body.Data === undefined ? { ...answer, body: { ...answer.body, TotalItemNum: 0, TotalPageNum: 0, Data: null } } : answer;
  };

describe('"Data": null is an empty page', () => {
  it('QueryDomainList with nothing in redemption: the run completes, nothing to do', async () => {
    const s = await start({ domains: [], script: nullDataWhenEmpty('QueryDomainList') });
    const run = await runAgainst(s);
    expect(run.summary.run).toMatchObject({ outcome: 'completed', candidates: 0 });
    expect(run.summary.run.error_code).toBeUndefined();
  });

  it('QueryTaskList with no task: the empty ledger is read and the due domain ordered once', async () => {
    const s = await start({ domains: [domainItem('due.com', dueExpiration('due.com'))], script: (call, standin) => (standin.orders.length === 0 ? nullDataWhenEmpty('QueryTaskList')(call, standin) : undefined) });
    const run = await runAgainst(s);
    expect(run.summary.run.error_code).toBeUndefined();
    expect(Object.fromEntries(s.ordersPerDomain())).toEqual({ 'due.com': 1 });
  });

  it("QueryTaskDetailList of the order's task before it shows: the order stays submitted, the run does not fail", async () => {
    const s = await start({ domains: [domainItem('late.com', dueExpiration('late.com'))], listAfterMs: 60_000, script: nullDataWhenEmpty('QueryTaskDetailList', 'QueryTaskList') });
    const run = await runAgainst(s, { env: { REDEEM_FOLLOW_SECONDS: '1' } });
    expect(run.summary.run.error_code).toBeUndefined();
    expect(decisionsOf(run).find((d) => d.domain === 'late.com')).toMatchObject({ outcome: 'submitted' });
  });
});
