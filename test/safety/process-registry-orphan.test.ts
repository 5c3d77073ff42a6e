/**
 * README Safety model, item 3: inside one process, a registry of the orders sent per registrar ledger holds
 * the caps and "no other run of the process sends for the same domain", and an answered order stays in it
 * after its run ends until the registrar lists its task (the docs do not say how soon). Three runs of one
 * process against one registrar: a dry run (a webhook asking {"mode":"dry-run"}) that ends while a live run
 * is still taking its fresh look before its order, then, once the live run has ended, the next live run.
 */
import { describe, expect, it } from 'vitest';
import { domainItem } from '../support/registrar-standin.js';
import { quickClock, runInProcess } from './harness.js';
import { decisionsOf, dueExpiration, standinEnv, standinPerTest } from './standin-runs.js';

const start = standinPerTest();

describe('the process\'s registry of orders, when a run with no order ends while another is about to order', () => {
  it('the live run\'s answered order (not yet listed) still holds its domain for the next run of the process', async () => {
    // The registrar lists a task a minute after it took the order; the fresh looks before a submission
    // (the third QueryTaskList on) are slow, so the dry run ends before the live run reserves its order.
    const s = await start({
      domains: [domainItem('held.com', dueExpiration('held.com'))],
      listAfterMs: 60_000,
      newTaskStatus: 0,
      delayMs: (call) => (call.action === 'QueryTaskList' && call.n > 2 ? 300 : undefined),
    });
    const env = standinEnv(s, { REDEEM_FOLLOW_SECONDS: '0' });
    const run = (options: object) => runInProcess(env, { options, clock: quickClock, budgetMs: 20_000, followIntervalMs: 10 });
    const [dry, live] = await Promise.all([run({ mode: 'dry-run' }), run({})]);
    expect(decisionsOf(dry).find((d) => d.domain === 'held.com')).toMatchObject({ outcome: 'would-redeem' });
    expect(decisionsOf(live).find((d) => d.domain === 'held.com')).toMatchObject({ outcome: 'submitted' });
    const next = await run({});
    expect(s.orders.map((o) => o.domainName), 'orders of held.com').toEqual(['held.com']);
    expect(decisionsOf(next).find((d) => d.domain === 'held.com')).toMatchObject({ outcome: 'skipped', reason: 'task-in-flight' });
  }, 30_000);
});
