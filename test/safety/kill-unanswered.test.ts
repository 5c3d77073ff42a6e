/**
 * A run SIGKILLed while its order was on the wire: the registrar took it (domain-api.md 3.3: the answer is
 * a TaskNo; the task is asynchronous), but the answer never reached the run, so no decision line, no orders
 * file line and no message names a task. The run's only trace is its `kind: submission` line (written
 * before the order is sent). The next run finds the task in the ledger (listed a moment later) and skips
 * the domain as in flight; with the deadline days away the domain is not at risk. Whoever reads the next
 * run's message must still learn that an order was placed (a redemption fee) by a run that never reported.
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EMULATOR_CREDENTIALS } from '../support/emulator.js';
import { domainItem, type Scripted, type StandinCall, type RegistrarStandin } from '../support/registrar-standin.js';
import { keysFor, startSlsStandin, type SlsStandin } from '../support/sls-standin.js';
import { inboxPerTest } from '../support/webhook-inbox.js';
import { removeCliTemp, type Env } from './harness.js';
import { killAtFirstOrder, liveCliRun, SAVE } from './kill-at-order.js';
import { dueExpiration, standinPerTest } from './standin-runs.js';

afterAll(removeCliTemp);
const start = standinPerTest();
const inbox = inboxPerTest();


describe('SIGKILL while the order is on the wire (taken, never answered), then the next run on the machine', () => {
  it('the next run\'s message says the domain was ordered by a run that never reported, with its task; the run after it does not again', async () => {
    const k = killAtFirstOrder();
    // Deadline 5 days away: due (REDEEM_WITHIN_DAYS 7), not at risk (NOTIFY_AT_RISK_DAYS 3).
    const s = await start({ domains: [domainItem('onwire.com', dueExpiration('onwire.com') + 2 * 86_400_000)], listAfterMs: 300, newTaskStatus: 0, script: k.script as never });
    const box = await inbox();
    const hook = { NOTIFY_WEBHOOK_URL: box.url, NOTIFY_WEBHOOK_SECRET: 'x'.repeat(32) };
    const killed = await liveCliRun(s.url, hook, (child) => (k.state.child = child));
    expect(killed.code, 'the first run was killed').toBeNull();
    expect(killed.records.filter((r) => r.kind === 'submission').map((r) => r.domain), 'its trace').toEqual(['onwire.com']);
    expect(box.bodies, 'the killed run sent nothing').toHaveLength(0);
    await new Promise((resolve) => setTimeout(resolve, 400));
    const next = await liveCliRun(s.url, hook);
    expect(s.orders, 'one order').toHaveLength(1);
    expect(next.records.find((r) => r.kind === 'decision' && r.domain === 'onwire.com')).toMatchObject({ outcome: 'skipped', reason: 'task-in-flight', task_no: s.orders[0]!.taskNo });
    expect(box.bodies, 'the next run\'s message').toHaveLength(1);
    expect(box.bodies[0]!.earlier_orders).toEqual([{ domain: 'onwire.com', task_no: s.orders[0]!.taskNo, run_id: killed.records.find((r) => r.kind === 'run')!.run_id }]);
    await liveCliRun(s.url, hook);
    expect(box.bodies.slice(1).flatMap((b) => (b.earlier_orders ?? []) as unknown[]), 'told once').toEqual([]);
  }, 30_000);
});

describe('the same on fresh instances (no temp folder in common), with the results logstore', () => {
  let sls: SlsStandin | undefined;
  afterAll(async () => sls?.close());

  /** A CLI run in a temp folder of its own, as a new FC instance has; SLS on the stand-in. */
  async function freshRun(url: string, extra: Env, onChild?: (child: ChildProcessWithoutNullStreams) => void) {
    const dir = mkdtempSync(join(tmpdir(), 'redeemer-fresh-'));
    try {
      return await liveCliRun(url, { TMPDIR: dir, SLS_ENDPOINT: sls!.url, SLS_PROJECT: 'audit', SLS_LOGSTORE: 'results', ...extra }, onChild);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('killed once its submission line reached the logstore: the next run tells the order once, the run after it does not', async () => {
    sls = await startSlsStandin({ keys: keysFor({ accessKeyId: EMULATOR_CREDENTIALS.accessKeyId, accessKeySecret: EMULATOR_CREDENTIALS.accessKeySecret }) });
    const store = sls;
    const state = { child: undefined as ChildProcessWithoutNullStreams | undefined, armed: true };
    // The order is taken; its answer is held, and the run killed as soon as the logstore has its submission line.
    const script = (call: StandinCall, standin: RegistrarStandin): Scripted | undefined => {
      if (!state.armed || !state.child || call.action !== SAVE) return undefined;
      state.armed = false;
      standin.takeOrder(call.params.DomainName ?? '', call.params.CurrentExpirationDate ?? '');
      const child = state.child;
      const poll = setInterval(() => {
        if (store.records().some((r) => r.kind === 'submission')) {
          clearInterval(poll);
          child.kill('SIGKILL');
        }
      }, 10);
      child.once('exit', () => clearInterval(poll));
      return { raw: '', then: 'hold' };
    };
    const s = await start({ domains: [domainItem('fresh-wire.com', dueExpiration('fresh-wire.com') + 2 * 86_400_000)], listAfterMs: 300, newTaskStatus: 0, script: script as never });
    const box = await inbox();
    const hook = { NOTIFY_WEBHOOK_URL: box.url, NOTIFY_WEBHOOK_SECRET: 'x'.repeat(32) };
    const killed = await freshRun(s.url, hook, (child) => (state.child = child));
    expect(killed.code, 'the first run was killed').toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 400));
    await freshRun(s.url, hook);
    await freshRun(s.url, hook);
    expect(s.orders, 'one order').toHaveLength(1);
    const told = box.bodies.map((b) => b.earlier_orders);
    expect(told, 'earlier_orders of each message sent').toEqual([[{ domain: 'fresh-wire.com', task_no: s.orders[0]!.taskNo, run_id: killed.records.find((r) => r.kind === 'run')!.run_id }]]);
  }, 30_000);
});

describe('an order on the wire that the ledger does not show', () => {
  it('is not told as placed (it may never have been taken), but as an outcome unknown, once: the next run decides again', async () => {
    const k = killAtFirstOrder();
    // The registrar takes nothing: the order never arrived whole.
    const s = await start({ domains: [domainItem('never.com', dueExpiration('never.com') + 2 * 86_400_000)], newTaskStatus: 0, script: ((call: StandinCall) => {
      if (!k.state.armed || !k.state.child || call.action !== SAVE) return undefined;
      k.state.armed = false;
      k.state.child.kill('SIGKILL');
      return 'drop';
    }) as never });
    const box = await inbox();
    const hook = { NOTIFY_WEBHOOK_URL: box.url, NOTIFY_WEBHOOK_SECRET: 'x'.repeat(32) };
    const killed = await liveCliRun(s.url, hook, (child) => (k.state.child = child));
    expect(killed.code).toBeNull();
    const next = await liveCliRun(s.url, hook);
    expect(next.records.find((r) => r.kind === 'decision' && r.domain === 'never.com')).toMatchObject({ outcome: 'submitted' });
    expect(box.bodies.flatMap((b) => (b.earlier_orders ?? []) as unknown[]), 'nothing told as ordered by the killed run').toEqual([]);
    const unknown = box.bodies.flatMap((b) => (b.outcome_unknown ?? []) as Array<Record<string, unknown>>);
    expect(unknown.map((u) => u.domain), 'the killed run\'s order, told as an outcome unknown').toEqual(['never.com']);
    expect(String(unknown[0]!.error_message)).toContain(String(killed.records.find((r) => r.kind === 'run')!.run_id));
    await liveCliRun(s.url, hook);
    expect(box.bodies.slice(1).flatMap((b) => (b.outcome_unknown ?? []) as unknown[]), 'told once').toEqual([]);
  }, 30_000);

  it('a submission its run settled (refused: certainly no order) is not told as an outcome unknown when the run\'s message reached no one', async () => {
    // The first run's order is refused (ParameterIllegal, HTTP 400: nothing placed); its message is refused too.
    let refuse = true;
    const s = await start({ domains: [domainItem('refused.com', dueExpiration('refused.com') + 2 * 86_400_000)], newTaskStatus: 0, script: ((call: StandinCall) => {
      if (!refuse || call.action !== SAVE) return undefined;
      return { status: 400, body: { Code: 'ParameterIllegal', Message: 'The parameter is illegal.', RequestId: 'R-1' } };
    }) as never });
    const box = await inbox();
    const hook = { NOTIFY_WEBHOOK_URL: box.url, NOTIFY_WEBHOOK_SECRET: 'x'.repeat(32) };
    const first = await liveCliRun(s.url, { ...hook, NOTIFY_WEBHOOK_URL: 'http://127.0.0.1:9/closed' });
    expect(first.records.find((r) => r.kind === 'decision' && r.domain === 'refused.com')).toMatchObject({ outcome: 'failed' });
    refuse = false;
    await liveCliRun(s.url, hook);
    expect(box.bodies.flatMap((b) => (b.outcome_unknown ?? []) as unknown[]), 'outcome_unknown of the next run').toEqual([]);
  }, 30_000);
});

describe('the killed run\'s order taken, and the next run ordering the domain again (the registrar listing the first late)', () => {
  let sls: SlsStandin | undefined;
  afterAll(async () => sls?.close());

  it('the next run orders again and its message reaches no one; once both are listed, a later run tells both orders, whichever order the task list comes in', async () => {
    const { forgetRegistrar } = await import('../../shared/run/ledger.js');
    const { pageBody, registrarTime } = await import('../support/registrar-standin.js');
    const { runInProcess, quickClock } = await import('./harness.js');
    const { liveRunWithSls } = await import('../support/sls-standin.js');
    sls = await startSlsStandin({ keys: keysFor(EMULATOR_CREDENTIALS) });
    // The task list oldest first (the docs do not say in which order it comes).
    const script = (call: StandinCall, standin: RegistrarStandin): Scripted | undefined => {
      if (call.action !== 'QueryTaskList') return undefined;
      const rows = standin.listedTasks().sort((a, b) => a.createdMs - b.createdMs).map((t) => ({ TaskNo: t.taskNo, TaskType: 'ORDER_REDEEM', TaskNum: 1, CreateTime: registrarTime(t.createdMs), TaskStatusCode: t.statusCode >= 2 ? 3 : t.statusCode + 1 }));
      return { body: pageBody('QueryTaskList', rows, { pageNum: 1, pageSize: 100, totalPages: 1, nextPage: false }) };
    };
    const s = await start({ domains: [domainItem('twice.com', dueExpiration('twice.com') + 2 * 86_400_000)], listAfterMs: 1_500, newTaskStatus: 0, script: script as never });
    // What a run killed while its order was on the wire leaves: the registrar took the order; the logstore
    // holds the run's started and submission records, and nothing more.
    const nowSeconds = Math.floor(Date.now() / 1000);
    const killedRun = 'killed-run-1';
    for (const [seq, contents] of [
      ['1', { kind: 'run', outcome: 'started' }],
      ['2', { kind: 'submission', domain: 'twice.com', expiration_ms: String(dueExpiration('twice.com') + 2 * 86_400_000) }],
    ] as const) {
      sls.logs.push({ project: 'audit', logstore: 'results', topic: 'domain-redeemer', source: 'killed', time: nowSeconds, request: 0, contents: Object.entries({ ...contents, run_id: killedRun, trigger: 'timer', mode: 'live', seq }) });
    }
    const first = s.takeOrder('twice.com', String(dueExpiration('twice.com') + 2 * 86_400_000))!;
    const box = await inbox();
    const env = liveRunWithSls(s.url, sls.url, { REDEEM_FOLLOW_SECONDS: '1', NOTIFY_WEBHOOK_URL: box.url, NOTIFY_WEBHOOK_SECRET: 'x'.repeat(32) });
    forgetRegistrar(s.url);
    // Its message goes nowhere (the hook's port is closed): no one hears of either order.
    const next = await runInProcess({ ...env, NOTIFY_WEBHOOK_URL: 'http://127.0.0.1:9/closed' }, { clock: quickClock, followIntervalMs: 10 });
    expect(s.orders, 'the next run, the first order not listed yet, ordered again').toHaveLength(2);
    await new Promise((resolve) => setTimeout(resolve, 1_600));
    forgetRegistrar(s.url);
    await runInProcess(env, { clock: quickClock, followIntervalMs: 10 });
    const told = box.bodies.flatMap((b) => (b.earlier_orders ?? []) as unknown[]);
    const nextRun = String(next.records.find((r) => r.kind === 'run')!.run_id);
    expect(told, 'earlier_orders told').toEqual([
      { domain: 'twice.com', task_no: s.orders[1]!.taskNo, run_id: nextRun },
      { domain: 'twice.com', task_no: first.taskNo, run_id: killedRun },
    ]);
  }, 30_000);
});

describe('a killed run\'s order that has already succeeded, the next run ordering nothing', () => {
  let sls: SlsStandin | undefined;
  afterAll(async () => sls?.close());

  it('is told as ordered with its task, not as one the registrar does not list', async () => {
    const { forgetRegistrar } = await import('../../shared/run/ledger.js');
    const { runInProcess, quickClock } = await import('./harness.js');
    const { liveRunWithSls } = await import('../support/sls-standin.js');
    sls = await startSlsStandin({ keys: keysFor(EMULATOR_CREDENTIALS) });
    // Succeeded at once (a finished task: its details wait until a plan needs them); the next run is asked
    // about another domain only, so its plan orders nothing.
    const s = await start({ domains: [domainItem('done.com', dueExpiration('done.com') + 2 * 86_400_000), domainItem('asked.com', dueExpiration('asked.com') + 10 * 86_400_000)], newTaskStatus: 2 });
    const killedRun = 'killed-run-2';
    const nowSeconds = Math.floor(Date.now() / 1000);
    for (const [seq, contents] of [
      ['1', { kind: 'run', outcome: 'started' }],
      ['2', { kind: 'submission', domain: 'done.com', expiration_ms: String(dueExpiration('done.com') + 2 * 86_400_000) }],
    ] as const) {
      sls.logs.push({ project: 'audit', logstore: 'results', topic: 'domain-redeemer', source: 'killed', time: nowSeconds, request: 0, contents: Object.entries({ ...contents, run_id: killedRun, trigger: 'timer', mode: 'live', seq }) });
    }
    const taken = s.takeOrder('done.com', String(dueExpiration('done.com') + 2 * 86_400_000))!;
    const box = await inbox();
    forgetRegistrar(s.url);
    await runInProcess(liveRunWithSls(s.url, sls.url, { REDEEM_FOLLOW_SECONDS: '1', NOTIFY_WEBHOOK_URL: box.url, NOTIFY_WEBHOOK_SECRET: 'x'.repeat(32) }), { clock: quickClock, followIntervalMs: 10, options: { domains: ['asked.com'] } });
    expect(s.orders, 'nothing ordered again').toHaveLength(1);
    expect(box.bodies.flatMap((b) => (b.outcome_unknown ?? []) as unknown[]), 'outcome_unknown').toEqual([]);
    expect(box.bodies.flatMap((b) => (b.earlier_orders ?? []) as unknown[]), 'earlier_orders').toEqual([{ domain: 'done.com', task_no: taken.taskNo, run_id: killedRun }]);
  }, 30_000);
});
