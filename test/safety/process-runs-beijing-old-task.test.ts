/**
 * Two runs of one process against a registrar that prints task times in Beijing time (README: times carry no
 * zone and are read as UTC). x.com has a failed redemption of 5 h ago, which left it orderable; it reads as
 * created 3 h from now. The first run orders x.com again; the registrar takes it and lists it only a minute
 * later, and its answer is held until the second run has ended. The second run must count both on
 * REDEEM_MAX_PER_DAY=2 (the old failed task and the order on the wire) and hold y.com; taking the old task
 * for the order, it counted one and ordered y.com: a third order in 24 h.
 */
import { describe, expect, it } from 'vitest';
import { domainItem } from '../support/registrar-standin.js';
import { forgetRegistrar } from '../../shared/run/ledger.js';
import { quickClock, runInProcess } from './harness.js';
import { dueExpiration, standinEnv, standinPerTest } from './standin-runs.js';

const start = standinPerTest();
const HOUR = 3_600_000;

describe("another run's order on the wire and an old failed task of its domain, dated in Beijing time", () => {
  it("both count on the day's cap: the second run holds y.com", async () => {
    let secondDone: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (secondDone = resolve));
    let taken: () => void = () => undefined;
    const xTaken = new Promise<void>((resolve) => (taken = resolve));
    const s = await start({
      domains: [domainItem('x.com', dueExpiration('x.com')), domainItem('y.com', dueExpiration('y.com'))],
      tasks: [{ taskNo: 'OLD-X', domainName: 'x.com', statusCode: 3, createdMs: Date.now() - 5 * HOUR }],
      printAheadMs: 8 * HOUR,
      listAfterMs: 60_000,
      newTaskStatus: 0,
      script: (call, standin) => {
        if (call.action !== 'SaveSingleTaskForCreatingOrderRedeem' || call.params.DomainName !== 'x.com') return undefined;
        const task = standin.takeOrder('x.com', call.params.CurrentExpirationDate ?? '')!;
        taken();
        return { body: { RequestId: 'held-answer', TaskNo: task.taskNo }, until: held };
      },
    });
    forgetRegistrar(s.url);
    const env = standinEnv(s, { REDEEM_MAX_PER_DAY: '2', REDEEM_FOLLOW_SECONDS: '1' });
    const first = runInProcess(env, { options: { domains: ['x.com'] }, clock: quickClock, followIntervalMs: 10 });
    await xTaken;
    const second = await runInProcess(env, { options: { domains: ['y.com'] }, clock: quickClock, followIntervalMs: 10 }).finally(secondDone);
    await first;
    const y = second.summary.decisions.find((d) => d.domain === 'y.com');
    expect(y, `y.com: ${JSON.stringify(y)}`).toMatchObject({ reason: 'cap-per-day' });
    expect(s.orders.map((o) => o.domainName).sort(), 'orders the registrar took').toEqual(['x.com']);
  }, 30_000);
});
