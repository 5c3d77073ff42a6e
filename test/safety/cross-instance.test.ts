/**
 * Runs on different FC instances (no process registry, no temp folder in common) against one registrar
 * and one results logstore, written from the vendors' published rules: the registrar stand-in lists a task
 * only some time after it took the order (domain-api.md: the task is asynchronous, nothing says how soon
 * QueryTaskList shows it; the redemption list lags up to 24 h), and the SLS stand-in answers GetLogs v1 as
 * sls.md §8 describes it (`line` at most 100 from `offset`, newest first with `reverse=true`). The only
 * thing a fresh instance knows of another instance's order the registrar does not list yet is the
 * logstore's read-back of the day's `kind: decision` records of live orders.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { forgetRegistrar } from '../../shared/run/ledger.js';
import { EMULATOR_CREDENTIALS } from '../support/emulator.js';
import { domainItem } from '../support/registrar-standin.js';
import { keysFor, liveRunWithSls, startSlsStandin, type SlsStandin } from '../support/sls-standin.js';
import { quickClock, runInProcess, type Env } from './harness.js';
import { dueExpiration, standinPerTest } from './standin-runs.js';

const start = standinPerTest();
let sls: SlsStandin | undefined;
afterEach(async () => {
  await sls?.close();
  sls = undefined;
});

const due = (name: string) => domainItem(name, dueExpiration(name));
/** Two minutes: longer than the runs here take; the docs promise nothing. */
const LATE = 120_000;

/** A run on an instance of its own: this process's registry of orders is forgotten first. */
function onFreshInstance(registrarUrl: string, env: Env, options: object = {}) {
  forgetRegistrar(registrarUrl);
  return runInProcess(env, { clock: quickClock, followIntervalMs: 10, options });
}

describe("the day's dry runs in the results logstore", () => {
  it("a live order of this morning is still read back after the day's dry runs (each writes action: redeem decisions): a fresh instance does not order it again", async () => {
    const others = Array.from({ length: 60 }, (_, i) => due(`other-${String(i).padStart(2, '0')}.com`));
    const s = await start({ domains: [due('ordered.com'), ...others], listAfterMs: LATE, newTaskStatus: 0 });
    sls = await startSlsStandin({ keys: keysFor(EMULATOR_CREDENTIALS) });
    const live = liveRunWithSls(s.url, sls.url, { REDEEM_DOMAINS: 'ordered.com', REDEEM_FOLLOW_SECONDS: '1' });
    const first = await onFreshInstance(s.url, live);
    expect(first.summary.decisions.find((d) => d.domain === 'ordered.com'), 'the morning run').toMatchObject({ outcome: 'submitted' });
    // A person checks what a run would do, a few times in the day (a webhook with {"mode":"dry-run"}, or
    // `redeemer plan`): each dry run writes one `kind: decision, action: redeem` record per domain it would order.
    const dry = liveRunWithSls(s.url, sls.url, { REDEEM_MAX_PER_RUN: '60', REDEEM_MAX_PER_DAY: '100', REDEEM_FOLLOW_SECONDS: '1' });
    for (let i = 0; i < 9; i++) await onFreshInstance(s.url, dry, { mode: 'dry-run' });
    const dryRows = sls.records().filter((r) => r.kind === 'decision' && r.action === 'redeem' && r.mode === 'dry-run').length;
    expect(dryRows, 'dry-run decisions with action: redeem in the logstore').toBeGreaterThan(500);
    const next = await onFreshInstance(s.url, live);
    expect(Object.fromEntries(s.ordersPerDomain()), 'orders the registrar took (each a redemption fee)').toEqual({ 'ordered.com': 1 });
    expect(next.summary.decisions.find((d) => d.domain === 'ordered.com')).toMatchObject({ outcome: 'skipped', reason: 'task-in-flight' });
  }, 60_000);
});

describe('a read-back of the day\'s orders that stops at its bound', () => {
  it('says so under "Not read", and the orders it did read still hold', async () => {
    const s = await start({ domains: [due('held.com')], listAfterMs: LATE, newTaskStatus: 0 });
    // Every GetLogs page full (100 rows of dry-run decisions), whatever its offset: the read stops at its page bound.
    const row = { __time__: String(Math.floor(Date.now() / 1000)), kind: 'decision', action: 'redeem', mode: 'dry-run', outcome: 'would-redeem', domain: 'x.com', run_id: 'dry' };
    const live = { ...row, mode: 'live', outcome: 'submitted', domain: 'held.com', task_no: 'T-held', run_id: 'morning' };
    sls = await startSlsStandin({
      keys: keysFor(EMULATOR_CREDENTIALS),
      script: (call) => (call.api === 'GetLogs' && /action: redeem/.test(call.query.query ?? '') ? { getLogs: call.query.offset === '0' ? [live, ...Array(99).fill(row)] : Array(100).fill(row) } : undefined),
    });
    const run = await onFreshInstance(s.url, liveRunWithSls(s.url, sls.url, { REDEEM_FOLLOW_SECONDS: '1' }));
    expect(s.orders, 'nothing ordered: the order read holds held.com').toHaveLength(0);
    expect(run.summary.decisions.find((d) => d.domain === 'held.com')).toMatchObject({ outcome: 'skipped', reason: 'task-in-flight', task_no: 'T-held' });
    expect(String(run.summary.run.read_problems ?? '')).toMatch(/read back from the results logstore only in part/);
  }, 30_000);
});

describe('an order recorded by a machine whose clock runs ahead', () => {
  it('is read back all the same (SLS takes a log up to 15 min ahead of its own clock): a fresh instance does not order it again', async () => {
    const s = await start({ domains: [due('ahead.com')], listAfterMs: LATE, newTaskStatus: 0 });
    sls = await startSlsStandin({ keys: keysFor(EMULATOR_CREDENTIALS) });
    const taken = s.takeOrder('ahead.com', String(dueExpiration('ahead.com')))!;
    // The decision line of a CLI run on a laptop whose clock is two minutes ahead (sls.md: a log's time may
    // be up to 15 min after the server's now).
    const ahead = Math.floor(Date.now() / 1000) + 120;
    sls.logs.push({ project: 'audit', logstore: 'results', topic: 'domain-redeemer', source: 'laptop', time: ahead, request: 0, contents: Object.entries({ kind: 'decision', action: 'redeem', mode: 'live', outcome: 'submitted', domain: 'ahead.com', task_no: taken.taskNo, run_id: 'laptop-run', trigger: 'cli', seq: '3' }) });
    const run = await onFreshInstance(s.url, liveRunWithSls(s.url, sls.url, { REDEEM_FOLLOW_SECONDS: '1' }));
    expect(Object.fromEntries(s.ordersPerDomain()), 'orders the registrar took (each a redemption fee)').toEqual({ 'ahead.com': 1 });
    expect(run.summary.decisions.find((d) => d.domain === 'ahead.com')).toMatchObject({ outcome: 'skipped', reason: 'task-in-flight', task_no: taken.taskNo });
  }, 30_000);

  // Each clock may be 15 min off SLS's (sls.md: Date within ±15 min; a log's time up to now + 15 min): the
  // writer's ahead and the reader's behind, the row is dated up to 30 min past the reader's now.
  it("is read back by a reader whose own clock runs behind (each within SLS's 15 min): not ordered again", async () => {
    const s = await start({ domains: [due('ahead.com')], listAfterMs: LATE, newTaskStatus: 0 });
    sls = await startSlsStandin({ keys: keysFor(EMULATOR_CREDENTIALS) });
    const taken = s.takeOrder('ahead.com', String(dueExpiration('ahead.com')))!;
    const ahead = Math.floor(Date.now() / 1000) + 10 * 60;
    sls.logs.push({ project: 'audit', logstore: 'results', topic: 'domain-redeemer', source: 'laptop', time: ahead, request: 0, contents: Object.entries({ kind: 'decision', action: 'redeem', mode: 'live', outcome: 'submitted', domain: 'ahead.com', task_no: taken.taskNo, run_id: 'laptop-run', trigger: 'cli', seq: '3' }) });
    forgetRegistrar(s.url);
    const behind = { ...quickClock, now: () => Date.now() - 10 * 60_000 };
    const run = await runInProcess(liveRunWithSls(s.url, sls.url, { REDEEM_FOLLOW_SECONDS: '1' }), { clock: behind, followIntervalMs: 10 });
    expect(Object.fromEntries(s.ordersPerDomain()), 'orders the registrar took (each a redemption fee)').toEqual({ 'ahead.com': 1 });
    expect(run.summary.decisions.find((d) => d.domain === 'ahead.com')).toMatchObject({ outcome: 'skipped', reason: 'task-in-flight', task_no: taken.taskNo });
  }, 30_000);
});
