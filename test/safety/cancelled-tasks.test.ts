/**
 * Redeem tasks that were cancelled (by a person in the console, or by the registrar). QueryTaskList's
 * TaskInfo carries TaskCancelStatus / TaskCancelStatusCode: INIT 0, CANCELLING 1, COMPLETE 2 (domain-api.md
 * §3.6 and §4, copied into test/support/registrar-standin.ts). Nothing says what the details of a cancelled
 * task say afterwards: they may stay WAITING_EXECUTE for ever, under a task listed COMPLETE or still
 * waiting. A cancelled task placed no order: it must not hold its domain as open (never ordered again, so
 * lost) nor as redeemed, and a person hears what happened.
 */
import { describe, expect, it } from 'vitest';
import { domainItem, type StandinTask } from '../support/registrar-standin.js';
import { inboxPerTest } from '../support/webhook-inbox.js';
import { decisionsOf, dueExpiration, runAgainst, standinPerTest } from './standin-runs.js';
import type { RegistrarStandin } from '../support/registrar-standin.js';

/** A second run in this process: the same registrar, the process's registry of orders kept. */
function runInSameProcess(s: RegistrarStandin) {
  return runAgainst(s, { env: { REDEEM_FOLLOW_SECONDS: '1' } });
}

const start = standinPerTest();
const openInbox = inboxPerTest();
const HOUR_MS = 3_600_000;
const due = (name: string) => domainItem(name, dueExpiration(name));
const inboxEnv = (url: string) => ({ NOTIFY_WEBHOOK_URL: url, NOTIFY_WEBHOOK_SECRET: 'inbox-secret', NOTIFY_ON: 'always' });

function cancelled(taskNo: string, domainName: string, detailCode: number, cancelStatusCode: number, listStatusCode?: number): StandinTask {
  return { taskNo, domainName, statusCode: detailCode, createdMs: Date.now() - 2 * HOUR_MS, cancelStatusCode, ...(listStatusCode === undefined ? {} : { listStatusCode }) };
}

describe('a redeem task whose cancellation is COMPLETE (TaskCancelStatusCode 2)', () => {
  it.each([
    ['listed COMPLETE (3)', 3],
    ['listed still WAITING_EXECUTE (1)', 1],
  ])('%s over a detail left WAITING_EXECUTE: the domain is not held by it, it is ordered once, and its record names the cancelled task', async (_label, listStatusCode) => {
    const s = await start({ domains: [due('cancelled.com')], tasks: [cancelled('T-cancelled', 'cancelled.com', 0, 2, listStatusCode)] });
    const run = await runAgainst(s);
    expect(Object.fromEntries(s.ordersPerDomain())).toEqual({ 'cancelled.com': 1 });
    const decision = decisionsOf(run).find((d) => d.domain === 'cancelled.com');
    expect(decision).toMatchObject({ action: 'redeem' });
    expect(String(decision?.error_message)).toMatch(/T-cancelled.*cancelled/);
  });

  it('over a detail that says EXECUTE_SUCCESS: not ordered again, but not reported as redeemed either; a person hears to check it', async () => {
    const s = await start({ domains: [due('odd.com')], tasks: [cancelled('T-odd', 'odd.com', 2, 2)] });
    const inbox = await openInbox();
    const run = await runAgainst(s, { env: inboxEnv(inbox.url) });
    expect(s.orders).toHaveLength(0);
    const decision = decisionsOf(run).find((d) => d.domain === 'odd.com');
    expect(decision?.reason).not.toBe('already-redeemed');
    expect(decision).toMatchObject({ action: 'skip', reason: 'task-in-flight', task_no: 'T-odd' });
    expect(JSON.stringify(inbox.bodies)).toMatch(/odd\.com.*T-odd.*cancel/);
  });

  it('over a detail that says EXECUTING: the cancel may have come after the registry began, so it is held (not ordered again) and a person hears to check it', async () => {
    const s = await start({ domains: [due('midway.com')], tasks: [cancelled('T-midway', 'midway.com', 1, 2, 3)] });
    const inbox = await openInbox();
    const run = await runAgainst(s, { env: inboxEnv(inbox.url) });
    expect(s.orders).toHaveLength(0);
    expect(decisionsOf(run).find((d) => d.domain === 'midway.com')).toMatchObject({ action: 'skip', reason: 'task-in-flight', task_no: 'T-midway' });
    expect(JSON.stringify(inbox.bodies)).toMatch(/midway\.com.*T-midway.*cancel/);
  });

  it('with no detail at all: the unnamed task of a cancelled order holds no domain, the due one is ordered', async () => {
    const s = await start({
      domains: [due('free.com')],
      script: (call) => {
        if (call.action === 'QueryTaskList') {
          const rows = [{ TaskNo: 'T-empty', TaskType: 'ORDER_REDEEM', TaskNum: 1, CreateTime: '2026-12-01 09:00:00', TaskStatusCode: 3, TaskCancelStatus: 'COMPLETE', TaskCancelStatusCode: 2 }];
          return { body: { RequestId: 'R', CurrentPageNum: 1, PageSize: 100, TotalItemNum: 1, TotalPageNum: 1, PrePage: false, NextPage: false, Data: { TaskInfo: rows } } };
        }
        if (call.action === 'QueryTaskDetailList') return { body: { RequestId: 'R', CurrentPageNum: 1, PageSize: 1000, TotalItemNum: 0, TotalPageNum: 0, PrePage: false, NextPage: false } };
        return undefined;
      },
    });
    await runAgainst(s);
    expect(Object.fromEntries(s.ordersPerDomain())).toEqual({ 'free.com': 1 });
  });
});

describe('a redeem task being cancelled (TaskCancelStatusCode 1, CANCELLING)', () => {
  it('holds its domain (it may still execute), and a person hears that it is being cancelled, not "a task is in progress"', async () => {
    const s = await start({ domains: [due('cancelling.com')], tasks: [cancelled('T-cancelling', 'cancelling.com', 0, 1)] });
    const inbox = await openInbox();
    const run = await runAgainst(s, { env: inboxEnv(inbox.url) });
    expect(s.orders).toHaveLength(0);
    expect(decisionsOf(run).find((d) => d.domain === 'cancelling.com')).toMatchObject({ action: 'skip', reason: 'task-in-flight', task_no: 'T-cancelling' });
    expect(JSON.stringify(inbox.bodies)).toMatch(/cancelling\.com.*T-cancelling.*being cancelled/);
  });
});

describe('cancellation states that cannot be believed', () => {
  const row = (cancel: Record<string, unknown>) => ({ TaskNo: 'T-doubt', TaskType: 'ORDER_REDEEM', TaskNum: 1, CreateTime: '2026-12-01 09:00:00', TaskStatusCode: 1, ...cancel });
  it.each([
    ['the task listed twice, once cancelled (COMPLETE) and once not (INIT)', [row({ TaskCancelStatus: 'COMPLETE', TaskCancelStatusCode: 2 }), row({ TaskCancelStatus: 'INIT', TaskCancelStatusCode: 0 })]],
    ['a TaskCancelStatus that contradicts its code (COMPLETE named INIT)', [row({ TaskCancelStatus: 'INIT', TaskCancelStatusCode: 2 })]],
    ['an undocumented TaskCancelStatusCode (7)', [row({ TaskCancelStatusCode: 7 })]],
    // The field the run ignored before it read cancellations: no page of the task list may fail on it (the
    // whole run failed, every day), only the one task's cancellation is unreadable, held as going on.
    ['a TaskCancelStatusCode that is an empty string', [row({ TaskCancelStatusCode: '' })]],
    ['a TaskCancelStatusCode that is not a number ("n/a")', [row({ TaskCancelStatus: 'INIT', TaskCancelStatusCode: 'n/a' })]],
    ['a TaskCancelStatus that is an object', [row({ TaskCancelStatus: { Code: 2 } })]],
  ])('%s, its detail waiting: the domain is held, not ordered again', async (_label, rows) => {
    const s = await start({
      domains: [due('doubt.com')],
      tasks: [{ taskNo: 'T-doubt', domainName: 'doubt.com', statusCode: 0, createdMs: Date.now() - 2 * HOUR_MS }],
      script: (call) => (call.action === 'QueryTaskList' ? { body: { RequestId: 'R', CurrentPageNum: 1, PageSize: 100, TotalItemNum: 1, TotalPageNum: 1, PrePage: false, NextPage: false, Data: { TaskInfo: rows } } } : undefined),
    });
    const run = await runAgainst(s);
    expect(s.orders).toHaveLength(0);
    expect(decisionsOf(run).find((d) => d.domain === 'doubt.com')).toMatchObject({ action: 'skip', reason: 'task-in-flight', task_no: 'T-doubt' });
  });
});

describe("this run's own order, cancelled while the run follows it", () => {
  it('is recorded and told as not carried out (cancelled), not as submitted', async () => {
    // The order is taken (its detail WAITING_EXECUTE); from the first follow-up on, the task list says its
    // cancellation is complete and the task COMPLETE, its detail still waiting.
    const s = await start({
      domains: [due('mine.com')],
      newTaskStatus: 0,
      script: (call, standin) => {
        if (call.action === 'QueryTaskList' && standin.orders.length > 0) {
          for (const t of standin.tasks) Object.assign(t, { cancelStatusCode: 2, listStatusCode: 3 });
        }
        return undefined;
      },
    });
    const inbox = await openInbox();
    const run = await runAgainst(s, { env: { ...inboxEnv(inbox.url), REDEEM_FOLLOW_SECONDS: '3' } });
    expect(s.orders).toHaveLength(1);
    const decision = decisionsOf(run).find((d) => d.domain === 'mine.com');
    expect(decision).toMatchObject({ outcome: 'failed', error_code: 'TASK_CANCELLED', task_no: s.orders[0]!.taskNo });
    expect(JSON.stringify(inbox.bodies)).toMatch(/mine\.com.*TASK_CANCELLED/);
  });

  it('with no detail written at all (cancelled before it ran): told as not carried out, not as submitted', async () => {
    const s = await start({
      domains: [due('unwritten.com')],
      newTaskStatus: 0,
      script: (call, standin) => {
        if (call.action === 'QueryTaskList' && standin.orders.length > 0) {
          for (const t of standin.tasks) Object.assign(t, { cancelStatusCode: 2, listStatusCode: 3 });
        }
        if (call.action === 'QueryTaskDetailList' && standin.orders.length > 0 && standin.tasks.every((t) => t.cancelStatusCode === 2)) {
          return { body: { RequestId: 'R', CurrentPageNum: 1, PageSize: 100, TotalItemNum: 0, TotalPageNum: 0, PrePage: false, NextPage: false } };
        }
        return undefined;
      },
    });
    const run = await runAgainst(s, { env: { REDEEM_FOLLOW_SECONDS: '3' } });
    expect(s.orders).toHaveLength(1);
    expect(decisionsOf(run).find((d) => d.domain === 'unwritten.com')).toMatchObject({ outcome: 'failed', error_code: 'TASK_CANCELLED', task_no: s.orders[0]!.taskNo });
  });

  it('on a registrar whose QueryTaskList refuses pages of 100 (InvalidPageSize): the cancellation is still seen and told', async () => {
    const s = await start({
      domains: [due('small.com')],
      newTaskStatus: 0,
      script: (call, standin) => {
        if ((call.action === 'QueryDomainList' || call.action === 'QueryTaskList') && Number(call.params.PageSize) > 50) {
          return { status: 400, body: { RequestId: 'R-PS', HostId: 'domain-intl.aliyuncs.com', Code: 'InvalidPageSize', Message: 'The specified PageSize is invalid.' } };
        }
        if (call.action === 'QueryTaskList' && standin.orders.length > 0) {
          for (const t of standin.tasks) Object.assign(t, { cancelStatusCode: 2, listStatusCode: 1 });
        }
        return undefined;
      },
    });
    const run = await runAgainst(s, { env: { REDEEM_FOLLOW_SECONDS: '3' } });
    expect(s.orders).toHaveLength(1);
    expect(decisionsOf(run).find((d) => d.domain === 'small.com')).toMatchObject({ outcome: 'failed', error_code: 'TASK_CANCELLED' });
    // The size the registrar took is kept for the run: its task list is refused at 100 once, not every round.
    expect(s.calls.filter((c) => c.action === 'QueryTaskList' && Number(c.params.PageSize) === 100)).toHaveLength(1);
  });
});

describe("an earlier run's order whose task was cancelled before the registrar wrote its detail", () => {
  it('the next run of the process does not hold the domain on that order: ordered again, its record names the cancelled task', async () => {
    const s = await start({
      domains: [due('again.com')],
      newTaskStatus: 0,
      // A cancelled task's detail answer is empty: none was ever written.
      script: (call, standin) =>
        call.action === 'QueryTaskDetailList' && standin.tasks.some((t) => t.taskNo === call.params.TaskNo && t.cancelStatusCode === 2)
          ? { body: { RequestId: 'R', CurrentPageNum: 1, PageSize: 1000, TotalItemNum: 0, TotalPageNum: 0, PrePage: false, NextPage: false } }
          : undefined,
    });
    const first = await runAgainst(s, { env: { REDEEM_FOLLOW_SECONDS: '1' } });
    expect(decisionsOf(first).find((d) => d.domain === 'again.com')).toMatchObject({ outcome: 'submitted' });
    // Cancelled in the console after the first run ended, before the registry began: no detail written.
    const cancelledNo = s.orders[0]!.taskNo;
    Object.assign(s.tasks.find((t) => t.taskNo === cancelledNo)!, { cancelStatusCode: 2, listStatusCode: 3 });
    const second = await runInSameProcess(s);
    expect(Object.fromEntries(s.ordersPerDomain())).toEqual({ 'again.com': 2 });
    expect(String(decisionsOf(second).find((d) => d.domain === 'again.com')?.error_message)).toMatch(new RegExp(`${cancelledNo}.*cancelled`));
  });
});
