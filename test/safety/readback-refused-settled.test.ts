/**
 * An earlier run (another instance) sent an order the registrar refused (ParameterIllegal: another order of
 * the domain, a console one, had been carried out first), and its look after the refusal found that order's
 * task: its decision line says `skipped` / `already-redeemed` with the task that stopped it. The submission
 * placed nothing (README Safety model: losing a race is not a failure). Read back from the logstore on a
 * fresh instance, that submission is not one whose outcome is unknown: counted as one on REDEEM_MAX_PER_DAY
 * for 24 h, it took a slot of the day's cap no order used, and a due domain was held (cap-per-day).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { EMULATOR_CREDENTIALS } from '../support/emulator.js';
import { domainItem } from '../support/registrar-standin.js';
import { keysFor, liveRunWithSls, startSlsStandin, type SlsStandin } from '../support/sls-standin.js';
import { forgetRegistrar } from '../../shared/run/ledger.js';
import { quickClock, runInProcess } from './harness.js';
import { dueExpiration, standinPerTest } from './standin-runs.js';

const start = standinPerTest();
const HOUR_MS = 3_600_000;

describe("an earlier run's refused submission whose decision line carries the task that stopped it", () => {
  let sls: SlsStandin | undefined;
  afterAll(async () => sls?.close());

  it('does not count on the day\'s cap on a fresh instance: the due domain is ordered', async () => {
    sls = await startSlsStandin({ keys: keysFor(EMULATOR_CREDENTIALS) });
    const now = Date.now();
    // taken.com was redeemed by a console order ten hours ago (still listed: the list lags); due.com is due.
    // (The stand-in writes CreateTime in Beijing time, which the run reads as UTC: 8 h later than it was.)
    const s = await start({
      domains: [domainItem('taken.com', dueExpiration('taken.com')), domainItem('due.com', dueExpiration('due.com'))],
      tasks: [{ taskNo: 'T-console', domainName: 'taken.com', statusCode: 2, createdMs: now - 10 * HOUR_MS }],
    });
    // The earlier run an hour ago: its submission of taken.com, refused; its look then found the console's task.
    const earlier = 'earlier-run-refused';
    const time = Math.floor((now - HOUR_MS) / 1000);
    for (const [seq, contents] of [
      ['1', { kind: 'run', outcome: 'started' }],
      ['2', { kind: 'submission', domain: 'taken.com', expiration_ms: String(dueExpiration('taken.com')) }],
      ['3', { kind: 'decision', domain: 'taken.com', action: 'redeem', reason: 'already-redeemed', outcome: 'skipped', task_no: 'T-console', error_code: 'ParameterIllegal', error_message: 'refused', reconciled: 'true' }],
      ['4', { kind: 'run', outcome: 'completed', notify: 'quiet', count_skipped: '1' }],
    ] as const) {
      sls.logs.push({ project: 'audit', logstore: 'results', topic: 'domain-redeemer', source: 'earlier', time, request: 0, contents: Object.entries({ ...contents, run_id: earlier, trigger: 'timer', mode: 'live', seq }) });
    }
    forgetRegistrar(s.url);
    const run = await runInProcess(liveRunWithSls(s.url, sls.url, { REDEEM_FOLLOW_SECONDS: '1', REDEEM_MAX_PER_DAY: '2' }), { clock: quickClock, followIntervalMs: 10 });
    const due = run.summary.decisions.find((d) => d.domain === 'due.com');
    expect(due, `due.com: ${JSON.stringify(due)}`).toMatchObject({ reason: 'due', outcome: 'succeeded' });
    expect(s.orders.map((o) => o.domainName), 'orders the registrar took').toEqual(['due.com']);
  }, 30_000);
});
