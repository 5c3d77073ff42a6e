/**
 * The look right before each submission reads only the task list's first page when its TotalItemNum is
 * where the last look left it plus this run's own orders since (ledger.ts listTasks). That holds only if
 * a new task shows on page 1, i.e. the registrar lists newest first, which its docs do not say. Listed
 * oldest first, with this run's own order not listed yet (the task is asynchronous: domain-api.md) and
 * another party's order of the next domain placed meanwhile, the total came out as expected, the new task
 * sat on the last page, and the run ordered that domain a second time: a second fee.
 */
import { describe, expect, it } from 'vitest';
import { domainItem, type Scripted, type StandinCall, type StandinTask } from '../support/registrar-standin.js';
import { decisionsOf, dueExpiration, runAgainst, standinPerTest } from './standin-runs.js';

const start = standinPerTest();
const HOUR_MS = 3_600_000;

/** Other domains' finished renewals of the day: more than one page of 100, none a redemption. */
function earlierTasks(count: number, { sameSecond = false } = {}): StandinTask[] {
  const now = Date.now();
  return Array.from({ length: count }, (_, i) => ({ taskNo: `T-OLD-${i}`, domainName: `old${i}.com`, statusCode: 2, createdMs: now - 5 * HOUR_MS + (sameSecond ? 0 : i * 1000), taskType: 'ORDER_RENEW' }));
}

describe.each([
  ['oldest-first', false],
  ['newest-first', false],
  // All dated the same second (a batch of renewals), a list in either order looks "newest first".
  ['oldest-first', true],
] as const)('QueryTaskList listed %s, 150 tasks of the day (all in one second: %s)', (taskOrder, sameSecond) => {
  it('another party orders the next domain while this run orders the first, its own order not listed yet: the next domain is not ordered again', async () => {
    const s = await start({
      domains: [domainItem('first.com', dueExpiration('first.com') - 2 * 86_400_000), domainItem('second.com', dueExpiration('second.com') - 86_400_000)],
      tasks: earlierTasks(150, { sameSecond }),
      taskOrder,
      listAfterMs: 60_000,
      newTaskStatus: 0,
      script: ((call: StandinCall, standin: { tasks: StandinTask[] }) => {
        if (call.action === 'SaveSingleTaskForCreatingOrderRedeem' && call.params.DomainName === 'first.com') {
          standin.tasks.push({ taskNo: 'T-CONSOLE', domainName: 'second.com', statusCode: 0, createdMs: Date.now() });
        }
        return undefined as Scripted | undefined;
      }) as never,
    });
    const run = await runAgainst(s, { env: { REDEEM_SUBMIT_CONCURRENCY: '1', REDEEM_FOLLOW_SECONDS: '1' } });
    expect(s.orders.map((o) => o.domainName)).toEqual(['first.com']);
    expect(decisionsOf(run).find((d) => d.domain === 'second.com')).toMatchObject({ reason: 'task-in-flight' });
  }, 30_000);
});

describe('the look before the second submission, nobody else ordering', () => {
  it.each([
    ['newest-first', 1],
    ['oldest-first', 2],
  ] as const)('listed %s: %i QueryTaskList page(s) (the first alone only where a new task shows on it)', async (taskOrder, pages) => {
    const s = await start({
      domains: [domainItem('first.com', dueExpiration('first.com') - 2 * 86_400_000), domainItem('second.com', dueExpiration('second.com') - 86_400_000)],
      tasks: earlierTasks(150),
      taskOrder,
      newTaskStatus: 0,
    });
    await runAgainst(s, { env: { REDEEM_SUBMIT_CONCURRENCY: '1', REDEEM_FOLLOW_SECONDS: '1' } });
    expect(s.orders.map((o) => o.domainName)).toEqual(['first.com', 'second.com']);
    const actions = s.calls.map((c) => c.action);
    const [firstSave, secondSave] = actions.flatMap((a, i) => (a === 'SaveSingleTaskForCreatingOrderRedeem' ? [i] : []));
    expect(actions.slice(firstSave! + 1, secondSave).filter((a) => a === 'QueryTaskList')).toHaveLength(pages);
  }, 30_000);
});
