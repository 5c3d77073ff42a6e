/**
 * Two runs of one process (two webhooks in one custom-runtime instance): the first run's order of x.com is
 * taken and listed by the registrar before its answer comes back (the task is asynchronous; nothing says the
 * answer comes first). The second run, started meanwhile, sees that listing and the first run's order still
 * in flight in the process's registry: one order. README Safety model 3: an order counts for every run of
 * the process from the moment it is sent, and only once when the registrar lists it. Counted twice, the
 * day's cap held y.com (cap-per-day) though the day had one order of the two REDEEM_MAX_PER_DAY allows.
 */
import { describe, expect, it } from 'vitest';
import { domainItem } from '../support/registrar-standin.js';
import { forgetRegistrar } from '../../shared/run/ledger.js';
import { quickClock, runInProcess } from './harness.js';
import { dueExpiration, standinEnv, standinPerTest } from './standin-runs.js';

const start = standinPerTest();

describe("another run's order of this process, listed before its answer", () => {
  it('counts once on the day\'s cap: the second run orders its domain', async () => {
    let taken: () => void = () => undefined;
    const sentAt: { x?: number; y?: number } = {};
    const xTaken = new Promise<void>((resolve) => (taken = resolve));
    const s = await start({
      domains: [domainItem('x.com', dueExpiration('x.com')), domainItem('y.com', dueExpiration('y.com'))],
      newTaskStatus: 0,
      // x.com's order is taken (and listed) at once, its answer held back 4 s.
      script: (call, standin) => {
        if (call.action === 'SaveSingleTaskForCreatingOrderRedeem' && call.params.DomainName === 'y.com') sentAt.y = Date.now();
        if (call.action !== 'SaveSingleTaskForCreatingOrderRedeem' || call.params.DomainName !== 'x.com') return undefined;
        sentAt.x = Date.now();
        const task = standin.takeOrder('x.com', call.params.CurrentExpirationDate ?? '')!;
        taken();
        return { body: { RequestId: 'slow-answer', TaskNo: task.taskNo }, delayMs: 4_000 };
      },
    });
    forgetRegistrar(s.url);
    const env = standinEnv(s, { REDEEM_MAX_PER_DAY: '2', REDEEM_FOLLOW_SECONDS: '1' });
    const first = runInProcess(env, { options: { domains: ['x.com'] }, clock: quickClock, followIntervalMs: 10 });
    // The second run starts while x.com's order is listed and not answered yet.
    await xTaken;
    const second = await runInProcess(env, { options: { domains: ['y.com'] }, clock: quickClock, followIntervalMs: 10 });
    await first;
    const y = second.summary.decisions.find((d) => d.domain === 'y.com');
    expect(y, `y.com: ${JSON.stringify(y)}`).toMatchObject({ reason: 'due' });
    expect(s.orders.map((o) => o.domainName).sort(), 'orders the registrar took').toEqual(['x.com', 'y.com']);
    // Sent while x.com's answer was still held back: the case this is about.
    expect(sentAt.y! - sentAt.x!, 'ms from x.com\'s order to y.com\'s').toBeLessThan(4_000);
  }, 30_000);
});
