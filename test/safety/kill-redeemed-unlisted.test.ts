/**
 * A run killed while its order was on the wire; the registrar took the order and carried it out at once, so
 * by the next run the domain is redeemed and has left the redemption list (domain-api.md §3.1: QueryType 2
 * lists the domains that need redemption; §5: after redemption the domain is active again). The killed run's
 * only trace is its `kind: submission` line. The order cost a redemption fee: the next run must tell it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { EMULATOR_CREDENTIALS } from '../support/emulator.js';
import { domainItem } from '../support/registrar-standin.js';
import { keysFor, liveRunWithSls, startSlsStandin, type SlsStandin } from '../support/sls-standin.js';
import { inboxPerTest } from '../support/webhook-inbox.js';
import { forgetRegistrar } from '../../shared/run/ledger.js';
import { quickClock, runInProcess } from './harness.js';
import { dueExpiration, standinPerTest } from './standin-runs.js';

const start = standinPerTest();
const inbox = inboxPerTest();

describe('a killed run\'s order carried out, its domain no longer in the redemption list', () => {
  let sls: SlsStandin | undefined;
  afterAll(async () => sls?.close());

  it('is told by the next run as ordered by the killed run, with its task, once', async () => {
    sls = await startSlsStandin({ keys: keysFor(EMULATOR_CREDENTIALS) });
    // The registrar lists only another domain, not yet due (13 days left, past its grace): the redeemed one is active again.
    const s = await start({ domains: [domainItem('other.com', dueExpiration('other.com') + 10 * 86_400_000)], newTaskStatus: 2 });
    const killedRun = 'killed-run-redeemed';
    const nowSeconds = Math.floor(Date.now() / 1000);
    const expiration = String(dueExpiration('gone.com') + 2 * 86_400_000);
    for (const [seq, contents] of [
      ['1', { kind: 'run', outcome: 'started' }],
      ['2', { kind: 'submission', domain: 'gone.com', expiration_ms: expiration }],
    ] as const) {
      sls.logs.push({ project: 'audit', logstore: 'results', topic: 'domain-redeemer', source: 'killed', time: nowSeconds, request: 0, contents: Object.entries({ ...contents, run_id: killedRun, trigger: 'timer', mode: 'live', seq }) });
    }
    const taken = s.takeOrder('gone.com', expiration)!;
    const box = await inbox();
    const env = liveRunWithSls(s.url, sls.url, { REDEEM_FOLLOW_SECONDS: '1', NOTIFY_WEBHOOK_URL: box.url, NOTIFY_WEBHOOK_SECRET: 'x'.repeat(32) });
    forgetRegistrar(s.url);
    await runInProcess(env, { clock: quickClock, followIntervalMs: 10 });
    expect(s.orders, 'nothing ordered again').toHaveLength(1);
    const told = box.bodies.flatMap((b) => (b.earlier_orders ?? []) as unknown[]);
    expect(told, 'earlier_orders of the next run').toEqual([{ domain: 'gone.com', task_no: taken.taskNo, run_id: killedRun }]);
    forgetRegistrar(s.url);
    await runInProcess(env, { clock: quickClock, followIntervalMs: 10 });
    expect(box.bodies.slice(1).flatMap((b) => (b.earlier_orders ?? []) as unknown[]), 'told once').toEqual([]);
  }, 30_000);
});
