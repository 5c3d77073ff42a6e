/**
 * The day's read-back of orders from the results logstore (sls.md GetLogs) reads a run's `kind: decision`
 * records of `action: redeem`. A decision that was planned as an order and then skipped at submission
 * because the registrar already listed another task for the domain (a console order, another run's)
 * carries that task's number, yet this run ordered nothing. When the run never told anyone (killed after
 * its decisions reached the logstore, before its message), the next run tells its untold orders: a skip
 * must not be told as an order the run placed (a redemption fee a person then looks for, or disputes).
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

describe('a killed run\'s decision skipped at submission for another task of the domain', () => {
  let sls: SlsStandin | undefined;
  afterAll(async () => sls?.close());

  it('is not told by the next run as an order of the killed run', async () => {
    sls = await startSlsStandin({ keys: keysFor(EMULATOR_CREDENTIALS) });
    const expiration = dueExpiration('console.com');
    // A person ordered it in the console: the registrar's task, still waiting.
    const s = await start({ domains: [domainItem('console.com', expiration)], newTaskStatus: 0 });
    const consoleTask = s.takeOrder('console.com', String(expiration))!;
    const killedRun = 'killed-run-skip';
    const nowSeconds = Math.floor(Date.now() / 1000);
    for (const [seq, contents] of [
      ['1', { kind: 'run', outcome: 'started' }],
      ['2', { kind: 'decision', domain: 'console.com', action: 'redeem', reason: 'task-in-flight', outcome: 'skipped', task_no: consoleTask.taskNo, reconciled: 'true', expiration_ms: String(expiration) }],
    ] as const) {
      sls.logs.push({ project: 'audit', logstore: 'results', topic: 'domain-redeemer', source: 'killed', time: nowSeconds, request: 0, contents: Object.entries({ ...contents, run_id: killedRun, trigger: 'timer', mode: 'live', seq }) });
    }
    const box = await inbox();
    forgetRegistrar(s.url);
    await runInProcess(liveRunWithSls(s.url, sls.url, { REDEEM_FOLLOW_SECONDS: '1', NOTIFY_WEBHOOK_URL: box.url, NOTIFY_WEBHOOK_SECRET: 'x'.repeat(32) }), { clock: quickClock, followIntervalMs: 10 });
    expect(s.orders, 'nothing ordered by the function').toHaveLength(1);
    expect(box.bodies.flatMap((b) => (b.earlier_orders ?? []) as unknown[]), 'earlier_orders').toEqual([]);
  }, 30_000);
});
