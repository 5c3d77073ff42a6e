/**
 * A run killed with its order of X on the wire (its `kind: submission` line, no answer); the next run, on
 * another instance, saw no task of X yet, sent its own order, was refused (TaskIsBeingProcessed), and its look
 * then found the killed run's task: its decision line says `in-progress` / `task-in-flight` with that task.
 * One order was placed (the killed run's). Read back on a fresh instance, the refused run's line is no order
 * of its run, and the killed run's submission is the order that task is: counted once on REDEEM_MAX_PER_DAY.
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

describe("a refused submission's decision line that names the task of the killed run's order", () => {
  let sls: SlsStandin | undefined;
  afterAll(async () => sls?.close());

  it("the killed run's order counts once on the day's cap on a fresh instance: the due domain is ordered", async () => {
    sls = await startSlsStandin({ keys: keysFor(EMULATOR_CREDENTIALS) });
    const now = Date.now();
    const s = await start({
      domains: [domainItem('held.com', dueExpiration('held.com')), domainItem('due.com', dueExpiration('due.com'))],
      tasks: [{ taskNo: 'T-killed', domainName: 'held.com', statusCode: 1, createdMs: now - 3 * HOUR_MS }],
    });
    const push = (runId: string, ms: number, rows: ReadonlyArray<Record<string, string>>) =>
      rows.forEach((contents, i) => sls!.logs.push({ project: 'audit', logstore: 'results', topic: 'domain-redeemer', source: runId, time: Math.floor(ms / 1000), request: 0, contents: Object.entries({ ...contents, run_id: runId, trigger: 'timer', mode: 'live', seq: String(i + 1) }) }));
    const expiration = String(dueExpiration('held.com'));
    push('killed-run', now - 3 * HOUR_MS, [{ kind: 'run', outcome: 'started' }, { kind: 'submission', domain: 'held.com', expiration_ms: expiration }]);
    push('refused-run', now - HOUR_MS, [
      { kind: 'run', outcome: 'started' },
      { kind: 'submission', domain: 'held.com', expiration_ms: expiration },
      { kind: 'decision', domain: 'held.com', action: 'redeem', reason: 'task-in-flight', outcome: 'in-progress', task_no: 'T-killed', error_code: 'TaskIsBeingProcessed', error_message: 'refused', reconciled: 'true' },
      { kind: 'run', outcome: 'completed', notify: 'quiet', count_in_progress: '1' },
    ]);
    forgetRegistrar(s.url);
    const run = await runInProcess(liveRunWithSls(s.url, sls.url, { REDEEM_FOLLOW_SECONDS: '1', REDEEM_MAX_PER_DAY: '2' }), { clock: quickClock, followIntervalMs: 10 });
    const due = run.summary.decisions.find((d) => d.domain === 'due.com');
    expect(due, `due.com: ${JSON.stringify(due)}`).toMatchObject({ reason: 'due', outcome: 'succeeded' });
    expect(s.orders.map((o) => o.domainName), 'orders the registrar took').toEqual(['due.com']);
  }, 30_000);
});
