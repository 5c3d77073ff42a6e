/**
 * An order whose answer never came (the connection reset once the request was read) and that the ledger's
 * look at its reconciliation did not show is looked for again for 15 s after the submissions (the late
 * look): the registrar may list a task a little after it took the order (domain-api.md: the task is
 * asynchronous, nothing says how soon it shows). The late look runs inside following, which ends at
 * REDEEM_FOLLOW_SECONDS: below 15 it cut the late look, and at 0 or 1 there was none, so an order the
 * registrar took was told as failed ("the next run will decide again") and a person might order it by hand.
 */
import { describe, expect, it } from 'vitest';
import { domainItem, pageBody } from '../support/registrar-standin.js';
import { runInProcess } from './harness.js';
import { decisionsOf, dueExpiration, standinEnv, standinPerTest } from './standin-runs.js';

const start = standinPerTest();
/** The registrar lists the task this long after it took the order (on the run's clock). */
const LISTED_AFTER_MS = 6_000;

async function lostAnswerRun(followSeconds: string) {
  let offset = 0;
  const clock = { now: () => Date.now() + offset, random: () => 0.5, sleep: (ms: number) => new Promise<void>((resolve) => setImmediate(() => ((offset += ms), resolve()))) };
  let orderedAt: number | undefined;
  const s = await start({
    domains: [domainItem('lost.com', dueExpiration('lost.com'))],
    newTaskStatus: 0,
    script: (call, standin) => {
      if (call.action === 'SaveSingleTaskForCreatingOrderRedeem') {
        // Taken, and the answer lost on the way back: the outcome is unknown to the run.
        standin.takeOrder(call.params.DomainName ?? '', call.params.CurrentExpirationDate ?? '');
        orderedAt = clock.now();
        return { raw: '', then: 'reset' };
      }
      // Not listed yet: the task list is empty until LISTED_AFTER_MS after the order.
      if ((call.action === 'QueryTaskList' || call.action === 'QueryTaskDetailList') && orderedAt !== undefined && clock.now() < orderedAt + LISTED_AFTER_MS) {
        return { body: pageBody(call.action, [], { pageNum: 1, nextPage: false, totalPages: 1, totalItems: 0 }) };
      }
      return undefined;
    },
  });
  const run = await runInProcess(standinEnv(s, { REDEEM_FOLLOW_SECONDS: followSeconds }), { budgetMs: 600_000, clock, followIntervalMs: 1_000 });
  return { s, run };
}

describe('REDEEM_FOLLOW_SECONDS and the late look for an order whose answer was lost', () => {
  it('the default (300): the order listed 6 s later is found and recorded as placed', async () => {
    const { s, run } = await lostAnswerRun('300');
    expect(s.orders).toHaveLength(1);
    expect(decisionsOf(run).find((d) => d.domain === 'lost.com')).toMatchObject({ outcome: 'submitted', reconciled: true });
  }, 20_000);

  // The late looks come 1, 3 and 7 s after the submissions (the follow interval doubling from 1 s): from 8 s on,
  // following leaves room for all of them.
  it.each(['8', '14'])('REDEEM_FOLLOW_SECONDS=%s: the late look still finds the order', async (followSeconds) => {
    const { s, run } = await lostAnswerRun(followSeconds);
    expect(s.orders).toHaveLength(1);
    expect(decisionsOf(run).find((d) => d.domain === 'lost.com')).toMatchObject({ outcome: 'submitted', reconciled: true });
  }, 20_000);

  // The late looks have a window of their own (LATE_LISTING_MS), bounded by the work deadline alone: at 0, 1
  // or 5 s of following the order is still looked for, found and recorded as placed.
  it.each(['0', '1', '5'])('REDEEM_FOLLOW_SECONDS=%s: the late look still finds the order', async (followSeconds) => {
    const { s, run } = await lostAnswerRun(followSeconds);
    expect(s.orders).toHaveLength(1);
    expect(decisionsOf(run).find((d) => d.domain === 'lost.com')).toMatchObject({ outcome: 'submitted', reconciled: true });
  }, 20_000);
});

describe('an order the late look found, past REDEEM_FOLLOW_SECONDS', () => {
  // Fuzz seeds 6169, 6197 (a submission's answer lost, REDEEM_FOLLOW_SECONDS=1): the run record counted the
  // order submitted, while its only line in the records (stdout, SLS) said failed: OutcomeUnknown, with no
  // task number. The logstore read-back of the next fresh instance could not hold the domain by it, and a
  // person reading the log was told it failed.
  it.each(['1', '300'])('REDEEM_FOLLOW_SECONDS=%s: its last decision line says submitted, with the task number the run found', async (followSeconds) => {
    const { s, run } = await lostAnswerRun(followSeconds);
    expect(s.orders).toHaveLength(1);
    const lines = run.records.filter((r) => r.kind === 'decision' && r.domain === 'lost.com');
    expect(lines.at(-1), JSON.stringify(lines)).toMatchObject({ outcome: 'submitted', task_no: s.orders[0]!.taskNo });
  }, 20_000);
});
