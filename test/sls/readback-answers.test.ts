/**
 * The read-back of the day's orders (GetLogs v1, `kind: decision and action: redeem`) against GetLogs
 * answers that the vendor says must not be believed as they are. sls.md section 8: `x-log-progress` is
 * `Complete` or `Incomplete`, "repeat while Incomplete"; the SLS docs ("Use GetLogs to query logs") say
 * the result set is complete only when IsCompleted() is true, and every SDK's IsCompleted() is
 * `progress == "Complete"` (Python GetLogsResponse.is_completed, Java GetLogsResponse.IsCompleted).
 * A morning run's order that the registrar does not list yet must hold its domain on a fresh instance, or
 * the run must at least say, under "Not read", that it could not be held.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { forgetRegistrar } from '../../shared/run/ledger.js';
import { EMULATOR_CREDENTIALS } from '../support/emulator.js';
import { domainItem } from '../support/registrar-standin.js';
import { keysFor, liveRunWithSls, startSlsStandin, type SlsScripted, type SlsStandin } from '../support/sls-standin.js';
import { quickClock, runInProcess } from '../safety/harness.js';
import { dueExpiration, standinPerTest } from '../safety/standin-runs.js';

const start = standinPerTest();
let sls: SlsStandin | undefined;
afterEach(async () => {
  await sls?.close();
  sls = undefined;
});

/** This morning's live order of held.com, as the run's decision line reads back (every value a string). */
const morningOrder = () => ({ __time__: String(Math.floor(Date.now() / 1000) - 3600), __source__: 'fc-request', __topic__: 'domain-redeemer', kind: 'decision', action: 'redeem', mode: 'live', outcome: 'submitted', domain: 'held.com', task_no: 'T-held', run_id: 'morning' });

/** A fresh instance's live run, the registrar not listing the morning's task yet; `answer` answers the n-th read of the day's orders. */
async function freshRun(answer: (n: number) => SlsScripted | undefined) {
  const s = await start({ domains: [domainItem('held.com', dueExpiration('held.com'))], listAfterMs: 120_000, newTaskStatus: 0 });
  let reads = 0;
  sls = await startSlsStandin({ keys: keysFor(EMULATOR_CREDENTIALS), script: (call) => (call.api === 'GetLogs' && /action: redeem/.test(call.query.query ?? '') ? answer(++reads) : undefined) });
  forgetRegistrar(s.url);
  const run = await runInProcess(liveRunWithSls(s.url, sls.url, { REDEEM_FOLLOW_SECONDS: '1' }), { clock: quickClock, followIntervalMs: 10 });
  return { orders: s.orders.length, decision: run.summary.decisions.find((d) => d.domain === 'held.com'), problems: String(run.summary.run.read_problems ?? ''), reads };
}

describe('an answer that does not say its result is complete', () => {
  for (const [label, progress] of [
    ['without x-log-progress', undefined],
    ['with x-log-progress: incomplete (not the documented spelling)', 'incomplete'],
    ['with an x-log-progress of neither documented value', 'Running'],
  ] as const) {
    it(`${label}, empty: asked again, and the complete answer holds the morning's order (not ordered again)`, async () => {
      const r = await freshRun((n) => (n === 1 ? { getLogs: [], headers: { 'x-log-progress': progress } } : { getLogs: [morningOrder()] }));
      expect(r.orders, 'orders the registrar took (each a redemption fee)').toBe(0);
      expect(r.decision).toMatchObject({ outcome: 'skipped', reason: 'task-in-flight', task_no: 'T-held' });
      expect(r.reads).toBe(2);
    }, 30_000);
  }

  it('that never says Complete: not believed; the run says under "Not read" that the orders could not be read back', async () => {
    const r = await freshRun(() => ({ getLogs: [], headers: { 'x-log-progress': undefined } }));
    expect(r.problems).toMatch(/could not be read back from the results logstore.*the answer had no x-log-progress after 3 attempts/);
  }, 30_000);

  // Unread, the orders of other instances the registrar does not list yet, and their runs' submissions left
  // unanswered, count on neither cap (the submissions read is given up with the orders'): said with the hold.
  it('that never says Complete: the run says the day\'s caps may miss those orders too, not only their holds', async () => {
    const r = await freshRun(() => ({ getLogs: [], headers: { 'x-log-progress': undefined } }));
    expect(r.problems).toMatch(/could not be read back from the results logstore.*day's caps/);
  }, 30_000);
});

/**
 * `x-log-count` is the number of logs the answer carries (sls.md section 8). An answer whose count says
 * more rows than its body holds lacks some of them: a page that looks short is taken for the last one,
 * and the rows it lacks (an order among them) are never read.
 */
describe('an answer whose x-log-count disagrees with its rows', () => {
  it('counting a row its empty body does not carry: asked again, and the answer that carries it holds the morning order', async () => {
    const r = await freshRun((n) => (n === 1 ? { getLogs: [], headers: { 'x-log-count': '1' } } : { getLogs: [morningOrder()] }));
    expect(r.orders, 'orders the registrar took (each a redemption fee)').toBe(0);
    expect(r.decision).toMatchObject({ outcome: 'skipped', reason: 'task-in-flight', task_no: 'T-held' });
    expect(r.reads).toBe(2);
  }, 30_000);

  it('that keeps disagreeing: not believed; the run says under "Not read" that the orders could not be read back', async () => {
    const r = await freshRun(() => ({ getLogs: [], headers: { 'x-log-count': '100' } }));
    expect(r.problems).toMatch(/could not be read back from the results logstore.*x-log-count/);
  }, 30_000);
});
