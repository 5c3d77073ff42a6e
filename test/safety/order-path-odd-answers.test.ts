/**
 * The order and its follow-up against odd but possible registrar answers, written from the vendor's published
 * rules (domain-api.md §3.3 SaveSingleTaskForCreatingOrderRedeem answers `{ RequestId, TaskNo }` and the task is
 * asynchronous; §3.5 a detail carries TaskNo, DomainName, TaskStatus/Code, ErrorMsg, FailReason, TryCount,
 * CreateTime and UpdateTime, the times "2018-01-25 20:46:57 style strings"; §5 states may lag by up to 24 h),
 * not from the emulator's habits.
 */
import { describe, expect, it } from 'vitest';
import { detailItem, domainItem, pageBody, type RegistrarStandin, type Scripted, type StandinCall } from '../support/registrar-standin.js';

type Script = (call: StandinCall, standin: RegistrarStandin) => Scripted | undefined;
import { runInProcess } from './harness.js';
import { decisionsOf, dueExpiration, runAgainst, standinEnv, standinPerTest } from './standin-runs.js';

const start = standinPerTest();
const HOUR_MS = 3_600_000;
const due = (name: string) => domainItem(name, dueExpiration(name));

/** free.com and held.com due, held.com with a task executing an hour ago: its answers as `script` makes them. */
const heldAndFree = (script: Script) => ({
  domains: [due('free.com'), due('held.com')],
  tasks: [{ taskNo: 'T-open', domainName: 'held.com', statusCode: 1, createdMs: Date.now() - HOUR_MS }],
  script,
});

/** The ledger was read: free.com ordered, held.com not, held by its task. */
function expectHeldByTask(run: Awaited<ReturnType<typeof runAgainst>>, s: RegistrarStandin): void {
  expect(run.summary.run.error_message).toBeUndefined();
  expect(Object.fromEntries(s.submissionsPerDomain())).toEqual({ 'free.com': 1 });
  expect(decisionsOf(run).find((d) => d.domain === 'held.com')).toMatchObject({ action: 'skip', reason: 'task-in-flight', task_no: 'T-open' });
}

/** The order is taken and answered with `taskNo`, whatever task the registrar made for it. */
const answeredWith =
  (taskNo: string): Script =>
  (call, standin) => {
    if (call.action !== 'SaveSingleTaskForCreatingOrderRedeem') return undefined;
    standin.takeOrder(call.params.DomainName ?? '', call.params.CurrentExpirationDate ?? '');
    return { body: { RequestId: 'R-1', TaskNo: taskNo } };
  };

/** The order's task listed finished at once, and its detail pages answered by `detailPage`. */
const finishedAtOnce =
  (detailPage: (taskNo: string, pageNum: number) => Scripted): Script =>
  (call, standin) => {
    if (call.action === 'SaveSingleTaskForCreatingOrderRedeem') {
      const task = standin.takeOrder(call.params.DomainName ?? '', call.params.CurrentExpirationDate ?? '')!;
      // The task list says it is finished: the follow-up asks for its detail.
      task.listStatusCode = 3;
      return { body: { RequestId: 'R-1', TaskNo: task.taskNo } };
    }
    const order = standin.orders[0];
    if (call.action !== 'QueryTaskDetailList' || !order || call.params.TaskNo !== order.taskNo) return undefined;
    return detailPage(order.taskNo, Number(call.params.PageNum));
  };

describe('task fields the run does not need, in shapes the docs do not show', () => {
  it('a detail with TryCount null, UpdateTime and CreateTime as numbers, and a row with CreateTime as a number: the ledger is read, the held domain is not ordered, the other is', async () => {
    const s = await start(
      heldAndFree((call, standin) => {
        if (call.action === 'QueryTaskList' && standin.orders.length === 0) {
          const row = { TaskNo: 'T-open', TaskType: 'ORDER_REDEEM', TaskNum: 1, CreateTime: Date.now() - HOUR_MS, TaskStatus: 'EXECUTING', TaskStatusCode: 2 };
          return { body: { ...pageBody('QueryTaskList', [row], { pageNum: 1, nextPage: false, totalPages: 1 }) } };
        }
        if (call.action !== 'QueryTaskDetailList' || call.params.TaskNo !== 'T-open') return undefined;
        const detail = { ...detailItem('T-open', 'D1', 'held.com', 1), TryCount: null, UpdateTime: Date.now(), CreateTime: Date.now() - HOUR_MS };
        return { body: pageBody('QueryTaskDetailList', [detail], { pageNum: 1, nextPage: false, totalPages: 1 }) };
      }),
    );
    const run = await runAgainst(s);
    expectHeldByTask(run, s);
    expect(decisionsOf(run).find((d) => d.domain === 'free.com')).toMatchObject({ outcome: 'succeeded' });
  });
});

describe("a submission answered with the TaskNo of an earlier day's task of the same domain, older than the ledger reads (7 days)", () => {
  const DAY_MS = 86_400_000;
  it.each([
    ['succeeded', 2],
    ['failed', 3],
  ])('its 9-day-old detail (%s) is not told as this order\'s outcome: recorded submitted, with why', async (_label, oldStatus) => {
    const s = await start({
      domains: [due('again.com')],
      // The registrar's own task for the new order is still executing.
      newTaskStatus: 1,
      tasks: [{ taskNo: 'T-old', domainName: 'again.com', statusCode: oldStatus, createdMs: Date.now() - 9 * DAY_MS }],
      script: answeredWith('T-old'),
    });
    const run = await runAgainst(s);
    expect(Object.fromEntries(s.ordersPerDomain())).toEqual({ 'again.com': 1 });
    const decision = decisionsOf(run).find((d) => d.domain === 'again.com');
    expect(decision).toMatchObject({ outcome: 'submitted', task_no: 'T-old' });
    expect(String(decision?.error_message)).toMatch(/T-old.*dated .*before this order was sent/);
    expect(run.records.filter((r) => r.kind === 'task' && r.domain === 'again.com')).toEqual([]);
  });
});

describe("a submission answered with the TaskNo of an earlier day's task of another domain, older than the ledger reads", () => {
  it('its detail names other.com only: not followed for the whole follow time as if it were this order, and recorded submitted with why', async () => {
    const s = await start({
      domains: [due('mine.com')],
      newTaskStatus: 1,
      tasks: [{ taskNo: 'T-other-old', domainName: 'other.com', statusCode: 2, createdMs: Date.now() - 9 * 86_400_000 }],
      script: answeredWith('T-other-old'),
    });
    const run = await runAgainst(s);
    expect(Object.fromEntries(s.ordersPerDomain())).toEqual({ 'mine.com': 1 });
    const decision = decisionsOf(run).find((d) => d.domain === 'mine.com');
    expect(decision).toMatchObject({ outcome: 'submitted', task_no: 'T-other-old' });
    expect(String(decision?.error_message)).toMatch(/T-other-old.*other\.com/);
    expect(s.callsOf('QueryTaskDetailList').filter((c) => c.params.TaskNo === 'T-other-old')).toHaveLength(1);
  });
});

describe("the follow-up's detail answer in more than one page", () => {
  it('page 1 says EXECUTE_SUCCESS and NextPage true, page 2 serves the same detail EXECUTING: not told as succeeded', async () => {
    const s = await start({
      domains: [due('paged.com')],
      newTaskStatus: 1,
      script: finishedAtOnce((taskNo, page) => {
        const detail = detailItem(taskNo, `D-${taskNo}`, 'paged.com', page === 1 ? 2 : 1);
        return { body: { ...pageBody('QueryTaskDetailList', [detail], { pageNum: page, nextPage: page === 1 }), TotalPageNum: 2, TotalItemNum: 2 } };
      }),
    });
    const run = await runAgainst(s);
    expect(Object.fromEntries(s.ordersPerDomain())).toEqual({ 'paged.com': 1 });
    expect(decisionsOf(run).find((d) => d.domain === 'paged.com')).toMatchObject({ outcome: 'submitted' });
  });
});

describe('a TaskType answered null (on the task list and on the detail)', () => {
  it('is a task that may be a redemption: the ledger is read, its domain is not ordered, the other is', async () => {
    const s = await start(
      heldAndFree((call, standin) => {
        if (call.action === 'QueryTaskList' && standin.orders.length === 0) {
          const row = { TaskNo: 'T-open', TaskType: null, TaskNum: 1, CreateTime: '2026-12-01 09:00:00', TaskStatusCode: 2 };
          return { body: pageBody('QueryTaskList', [row], { pageNum: 1, nextPage: false, totalPages: 1 }) };
        }
        if (call.action !== 'QueryTaskDetailList' || call.params.TaskNo !== 'T-open') return undefined;
        return { body: pageBody('QueryTaskDetailList', [{ ...detailItem('T-open', 'D1', 'held.com', 1), TaskType: null }], { pageNum: 1, nextPage: false, totalPages: 1 }) };
      }),
    );
    expectHeldByTask(await runAgainst(s), s);
  });
});

describe('paging fields and TaskNum answered as null (JSON for "not said")', () => {
  it('QueryTaskList with CurrentPageNum, TotalPageNum, TotalItemNum, NextPage null and a row with TaskNum null: read as not said, the held domain is not ordered, the other is', async () => {
    const s = await start(
      heldAndFree((call, standin) => {
        if (call.action !== 'QueryTaskList') return undefined;
        const rows = standin.listedTasks().map((t) => ({ TaskNo: t.taskNo, TaskType: 'ORDER_REDEEM', TaskNum: null, CreateTime: '2026-12-01 09:00:00', TaskStatusCode: t.statusCode >= 2 ? 3 : t.statusCode + 1 }));
        return { body: { RequestId: `R-${call.n}`, CurrentPageNum: null, PageSize: null, TotalPageNum: null, TotalItemNum: null, PrePage: null, NextPage: null, Data: { TaskInfo: rows } } };
      }),
    );
    expectHeldByTask(await runAgainst(s), s);
  });
});

describe('paging fields all answered null on a full page (nothing said of a next page)', () => {
  it('QueryTaskList serves 100 newer CHG_DNS tasks on a full page 1, the open redeem task of held.com on page 2, every paging field null: page 2 is read, held.com is not ordered', async () => {
    const others = Array.from({ length: 100 }, (_, i) => ({ taskNo: `T-dns-${i}`, domainName: `dns${i}.com`, statusCode: 2, createdMs: Date.now() - HOUR_MS + i, taskType: 'CHG_DNS' }));
    const s = await start({
      domains: [due('held.com')],
      tasks: [{ taskNo: 'T-open', domainName: 'held.com', statusCode: 1, createdMs: Date.now() - 3 * HOUR_MS }, ...others],
      script: (call, standin) => {
        if (call.action !== 'QueryTaskList') return undefined;
        const pageNum = Number(call.params.PageNum ?? '1');
        const pageSize = Number(call.params.PageSize ?? '100');
        const rows = [...standin.listedTasks()]
          .sort((a, b) => b.createdMs - a.createdMs)
          .slice((pageNum - 1) * pageSize, pageNum * pageSize)
          .map((t) => ({ TaskNo: t.taskNo, TaskType: t.taskType ?? 'ORDER_REDEEM', TaskNum: 1, CreateTime: '2026-12-01 09:00:00', TaskStatusCode: t.statusCode >= 2 ? 3 : t.statusCode + 1 }));
        return { body: { RequestId: `R-${call.n}`, CurrentPageNum: null, PageSize: null, TotalPageNum: null, TotalItemNum: null, PrePage: null, NextPage: null, ...(rows.length > 0 ? { Data: { TaskInfo: rows } } : {}) } };
      },
    });
    const run = await runAgainst(s);
    expect(Object.fromEntries(s.submissionsPerDomain())).toEqual({});
    expect(decisionsOf(run).find((d) => d.domain === 'held.com')).toMatchObject({ action: 'skip', reason: 'task-in-flight', task_no: 'T-open' });
  });
});

describe("the follow-up's detail answer short of its own TotalItemNum", () => {
  it('one detail EXECUTE_SUCCESS, NextPage false, TotalItemNum 2 (a copy announced and never served): not told as succeeded', async () => {
    const s = await start({
      domains: [due('short.com')],
      newTaskStatus: 1,
      script: finishedAtOnce((taskNo) => {
        const detail = detailItem(taskNo, `D-${taskNo}`, 'short.com', 2);
        return { body: { ...pageBody('QueryTaskDetailList', [detail], { pageNum: 1, nextPage: false }), TotalPageNum: 1, TotalItemNum: 2 } };
      }),
    });
    const run = await runAgainst(s);
    expect(Object.fromEntries(s.ordersPerDomain())).toEqual({ 'short.com': 1 });
    expect(decisionsOf(run).find((d) => d.domain === 'short.com')).toMatchObject({ outcome: 'submitted' });
  });
});

describe("the follow-up's reads end when following does (REDEEM_FOLLOW_SECONDS)", () => {
  it('QueryTaskDetailList throttled with x-acs-retry-after 60 s every time, REDEEM_FOLLOW_SECONDS=10 in a 600 s budget: the run does not wait minutes of retries past its follow time', async () => {
    // Time moves as the run sleeps (a retry's wait, a follow-up round), so minutes of waits take no real time.
    let offset = 0;
    const clock = { now: () => Date.now() + offset, random: () => 0.5, sleep: (ms: number) => new Promise<void>((resolve) => setImmediate(() => ((offset += ms), resolve()))) };
    const detailCalls: number[] = [];
    const s = await start({
      domains: [due('slow.com')],
      script: (call, standin) => {
        if (call.action !== 'QueryTaskDetailList' || standin.orders.length === 0) return undefined;
        detailCalls.push(clock.now());
        return { status: 400, headers: { 'x-acs-retry-after': '60000' }, body: { RequestId: `R-${call.n}`, HostId: 'domain-intl.aliyuncs.com', Code: 'Throttling.User', Message: 'Request was denied due to user flow control.' } };
      },
    });
    const startedMs = clock.now();
    const run = await runInProcess(standinEnv(s, { REDEEM_FOLLOW_SECONDS: '10' }), { budgetMs: 600_000, clock, followIntervalMs: 1_000 });
    expect(Object.fromEntries(s.ordersPerDomain())).toEqual({ 'slow.com': 1 });
    expect(decisionsOf(run).find((d) => d.domain === 'slow.com')).toMatchObject({ outcome: 'submitted' });
    expect(detailCalls.length).toBeGreaterThan(0);
    // Following ends 10 s after it began; a read it began may finish, but not retry for minutes after.
    expect(Math.max(...detailCalls) - startedMs).toBeLessThan(30_000);
    expect(run.summary.run.duration_ms).toBeLessThan(60_000);
  }, 20_000);
  it('an order whose answer never came, not found at its reconciliation, while QueryTaskList is throttled with x-acs-retry-after 60 s from then on, REDEEM_FOLLOW_SECONDS=10 in a 600 s budget: the late look for it ends with following too', async () => {
    let offset = 0;
    const clock = { now: () => Date.now() + offset, random: () => 0.5, sleep: (ms: number) => new Promise<void>((resolve) => setImmediate(() => ((offset += ms), resolve()))) };
    let saved = false;
    let listsAfterSave = 0;
    const s = await start({
      domains: [due('lost.com')],
      script: (call) => {
        // The connection is reset once the request was read: the order's outcome is unknown (never taken here).
        if (call.action === 'SaveSingleTaskForCreatingOrderRedeem') {
          saved = true;
          return { raw: '', then: 'reset' };
        }
        // The reconciliation's look is answered; every later one is throttled.
        if (call.action !== 'QueryTaskList' || !saved || ++listsAfterSave === 1) return undefined;
        return { status: 400, headers: { 'x-acs-retry-after': '60000' }, body: { RequestId: `R-${call.n}`, HostId: 'domain-intl.aliyuncs.com', Code: 'Throttling.User', Message: 'Request was denied due to user flow control.' } };
      },
    });
    const run = await runInProcess(standinEnv(s, { REDEEM_FOLLOW_SECONDS: '10' }), { budgetMs: 600_000, clock, followIntervalMs: 1_000 });
    expect(s.callsOf('SaveSingleTaskForCreatingOrderRedeem')).toHaveLength(1);
    expect(listsAfterSave).toBeGreaterThan(1);
    expect(decisionsOf(run).find((d) => d.domain === 'lost.com')).toMatchObject({ outcome: 'failed' });
    // Following ends 10 s after it began; a look it began may finish, but not retry for minutes after.
    expect(run.summary.run.duration_ms).toBeLessThan(60_000);
  }, 20_000);
});

describe('a TaskStatusCode answered null (on the task list and on the detail) is an open task, never a finished one', () => {
  it('the row coded null and named nothing, its detail coded null and named EXECUTE_SUCCESS: the ledger is read, held.com is held as in flight (not redeemed), free.com ordered', async () => {
    const s = await start(
      heldAndFree((call, standin) => {
        if (call.action === 'QueryTaskList' && standin.orders.length === 0) {
          const row = { TaskNo: 'T-open', TaskType: 'ORDER_REDEEM', TaskNum: 1, CreateTime: '2026-12-01 09:00:00', TaskStatus: null, TaskStatusCode: null };
          return { body: pageBody('QueryTaskList', [row], { pageNum: 1, nextPage: false, totalPages: 1 }) };
        }
        if (call.action !== 'QueryTaskDetailList' || call.params.TaskNo !== 'T-open') return undefined;
        const detail = { ...detailItem('T-open', 'D1', 'held.com', 2), TaskStatusCode: null };
        return { body: pageBody('QueryTaskDetailList', [detail], { pageNum: 1, nextPage: false, totalPages: 1 }) };
      }),
    );
    expectHeldByTask(await runAgainst(s), s);
  });

  it("the order's own detail coded null and named EXECUTE_SUCCESS under a task listed COMPLETE: recorded submitted, never told succeeded", async () => {
    const s = await start({
      domains: [due('nullcode.com')],
      newTaskStatus: 1,
      script: finishedAtOnce((taskNo) => ({ body: pageBody('QueryTaskDetailList', [{ ...detailItem(taskNo, `D-${taskNo}`, 'nullcode.com', 2), TaskStatusCode: null }], { pageNum: 1, nextPage: false, totalPages: 1 }) })),
    });
    const run = await runAgainst(s);
    expect(Object.fromEntries(s.ordersPerDomain())).toEqual({ 'nullcode.com': 1 });
    expect(decisionsOf(run).find((d) => d.domain === 'nullcode.com')).toMatchObject({ outcome: 'submitted' });
    expect(run.records.filter((r) => r.kind === 'task')).toEqual([]);
  });
});

describe('a TaskDetailNo answered null (optional information: the detail is keyed by it and its domain)', () => {
  it('the held task\'s detail with TaskDetailNo null: the ledger is read, held.com is not ordered, free.com is', async () => {
    const s = await start(
      heldAndFree((call) => {
        if (call.action !== 'QueryTaskDetailList' || call.params.TaskNo !== 'T-open') return undefined;
        return { body: pageBody('QueryTaskDetailList', [{ ...detailItem('T-open', 'D1', 'held.com', 1), TaskDetailNo: null }], { pageNum: 1, nextPage: false, totalPages: 1 }) };
      }),
    );
    expectHeldByTask(await runAgainst(s), s);
  });

  it("the order's own detail with TaskDetailNo null, EXECUTE_SUCCESS: followed to success", async () => {
    const s = await start({
      domains: [due('nodetailno.com')],
      newTaskStatus: 1,
      script: finishedAtOnce((taskNo) => ({ body: pageBody('QueryTaskDetailList', [{ ...detailItem(taskNo, 'unused', 'nodetailno.com', 2), TaskDetailNo: null }], { pageNum: 1, nextPage: false, totalPages: 1 }) })),
    });
    const run = await runAgainst(s);
    expect(decisionsOf(run).find((d) => d.domain === 'nodetailno.com')).toMatchObject({ outcome: 'succeeded' });
  });
});
