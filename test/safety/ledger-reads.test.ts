/**
 * The follow-up, ledger and listing reads against answers that are odd but possible under the vendor's
 * published paging and task rules (not the emulator's habits): the same detail on two pages, a task list
 * whose pages repeat while its TotalItemNum says there is more, a domain whose state changes between pages.
 */
import { describe, expect, it } from 'vitest';
import { detailItem, domainItem, pageBody, registrarTime, type StandinTask } from '../support/registrar-standin.js';
import { decisionsOf, dueExpiration, runAgainst, standinPerTest } from './standin-runs.js';
import { inboxPerTest } from '../support/webhook-inbox.js';

const start = standinPerTest();

const due = (name: string, extra: Record<string, unknown> = {}) => domainItem(name, dueExpiration(name), extra);
const pageOf = (call: { params: Readonly<Record<string, string>> }) => Number(call.params.PageNum);
const HOUR_MS = 3_600_000;

function task(taskNo: string, domainName: string, statusCode: number, hoursAgo = 2): StandinTask {
  return { taskNo, domainName, statusCode, createdMs: Date.now() - hoursAgo * HOUR_MS };
}

describe('QueryTaskDetailList: the same detail on two pages', () => {
  it('is one order of the day, not two: the cap leaves room for the due domain', async () => {
    const s = await start({
      domains: [due('due-now.com')],
      tasks: [task('T-earlier', 'earlier.com', 2)],
      script: (call) =>
        call.action === 'QueryTaskDetailList' && call.params.TaskNo === 'T-earlier'
          ? // A registrar that ignores PageNum (or whose pages shift): page 2 repeats page 1's one detail.
            // Its TotalItemNum says the one detail there is (a TotalItemNum of 2 with one detail served would be
            // a walk that ended short: a detail unread, which holds every order).
            { body: { ...pageBody('QueryTaskDetailList', [detailItem('T-earlier', 'D1', 'earlier.com', 2, Date.now() - 2 * HOUR_MS)], { pageNum: pageOf(call), nextPage: pageOf(call) < 2, totalPages: 2 }), TotalItemNum: 1 } }
          : undefined,
    });
    const run = await runAgainst(s, { env: { REDEEM_MAX_PER_DAY: '2' } });
    expect(decisionsOf(run).find((d) => d.domain === 'due-now.com')).toMatchObject({ action: 'redeem', reason: 'due', outcome: 'succeeded' });
    expect(Object.fromEntries(s.submissionsPerDomain())).toEqual({ 'due-now.com': 1 });
  });
});

describe('QueryTaskList: PageNum ignored while TotalItemNum says there is more', () => {
  it('a ledger whose second page repeats the first and leaves tasks unread orders nothing on it', async () => {
    // 149 other tasks of the last hour, then, oldest and so on page 2, the redemption of again.com that
    // succeeded 20 h ago; the registrar still lists the domain in redemption (its states lag by up to 24 h).
    const tasks: StandinTask[] = [
      ...Array.from({ length: 149 }, (_, i) => ({ ...task(`T-renew-${i}`, `renewed-${i}.com`, 2, 1), taskType: 'ORDER_RENEW' })),
      task('T-again', 'again.com', 2, 20),
    ];
    const firstPage = tasks.slice(0, 100).map((t) => ({ TaskNo: t.taskNo, TaskType: t.taskType ?? 'ORDER_REDEEM', TaskNum: 1, CreateTime: '2026-12-01 09:00:00', TaskStatusCode: 3 }));
    const s = await start({
      domains: [due('again.com')],
      tasks,
      script: (call) =>
        call.action === 'QueryTaskList' ? { body: { ...pageBody('QueryTaskList', firstPage, { pageNum: pageOf(call), nextPage: true, totalPages: 2 }), TotalItemNum: 150 } } : undefined,
    });
    const run = await runAgainst(s);
    expect(s.orders).toHaveLength(0);
    expect(run.summary.run).toMatchObject({ outcome: 'failed', error_code: 'PagingLimit', error_message: expect.stringMatching(/QueryTaskList.*TotalItemNum/) });
  });
});

describe('QueryTaskList: a last page that ends short of what TotalItemNum announced', () => {
  it.each([
    ['with an empty TaskInfo', (body: Record<string, unknown>) => ({ ...body, Data: { TaskInfo: [] } })],
    ['with no Data at all', (body: Record<string, unknown>) => Object.fromEntries(Object.entries(body).filter(([key]) => key !== 'Data'))],
  ])('%s, while the domain has an open redeem task: nothing is ordered on that ledger, and a person hears why', async (_name, strip) => {
    // Tasks never leave a task list (its window is by create time): a walk that ends with fewer tasks
    // than the first page announced has missed some, and one of them may be the order of this domain.
    const s = await start({
      domains: [due('held.com')],
      tasks: [task('T-open', 'held.com', 1, 1)],
      script: (call) =>
        call.action === 'QueryTaskList' ? { body: strip({ ...pageBody('QueryTaskList', [], { pageNum: pageOf(call), nextPage: false, totalPages: 1 }), TotalItemNum: 1 }) } : undefined,
    });
    const run = await runAgainst(s);
    expect(Object.fromEntries(s.submissionsPerDomain())).toEqual({});
    expect(run.summary.run).toMatchObject({ outcome: 'failed', error_message: expect.stringMatching(/QueryTaskList.*TotalItemNum/) });
  });
});

describe('QueryDomainList: a domain whose state changes between pages', () => {
  it('listed in redemption on page 1 and, redeemed meanwhile, normal with a new expiry on page 2: no order on the stale item, an invalid-listing decision', async () => {
    const expiration = dueExpiration('moved.com');
    const pages = [
      [domainItem('moved.com', expiration), due('steady.com')],
      [domainItem('moved.com', expiration + 365 * 86_400_000, { DomainStatus: '3' })],
    ];
    const s = await start({
      script: (call) =>
        call.action === 'QueryDomainList' && call.params.QueryType === '2'
          ? { body: pageBody('QueryDomainList', pages[pageOf(call) - 1] ?? [], { pageNum: pageOf(call), nextPage: pageOf(call) < 2, totalPages: 2 }) }
          : undefined,
    });
    const run = await runAgainst(s);
    expect(Object.fromEntries(s.submissionsPerDomain())).toEqual({ 'steady.com': 1 });
    expect(decisionsOf(run).find((d) => d.domain === 'moved.com')).toMatchObject({ action: 'skip', reason: 'invalid-listing', error_message: expect.stringMatching(/DomainStatus/) });
  });
});

describe('a task that does not finish within REDEEM_FOLLOW_SECONDS', () => {
  it('is recorded submitted, and the next run, reading it with undocumented status codes, does not order the domain again', async () => {
    const s = await start({ domains: [due('slow.com')], newTaskStatus: 0 });
    const first = await runAgainst(s, { env: { REDEEM_FOLLOW_SECONDS: '0' } });
    expect(decisionsOf(first).find((d) => d.domain === 'slow.com')).toMatchObject({ outcome: 'submitted', task_no: s.orders[0]!.taskNo });
    expect(first.summary.run.outcome).toBe('completed');
    // The registrar now reports the open task with codes it never documented, on the list and in the detail.
    s.tasks[0]!.statusCode = 5;
    const second = await runAgainst(s, { env: { REDEEM_FOLLOW_SECONDS: '0' } });
    expect(s.orders).toHaveLength(1);
    expect(decisionsOf(second).find((d) => d.domain === 'slow.com')).toMatchObject({ action: 'skip', reason: 'task-in-flight', task_no: s.orders[0]!.taskNo });
  });
});

describe('QueryTaskList: an empty page that is not the last', () => {
  it('a ledger whose page 2 of 3 comes back empty is read on to page 3, and, 100 tasks short of TotalItemNum, orders nothing', async () => {
    // Pages of 100: the last hour's other tasks fill pages 1 and 2, the redemption of again.com (20 h ago) is on page 3.
    const tasks: StandinTask[] = [
      ...Array.from({ length: 200 }, (_, i) => ({ ...task(`T-renew-${i}`, `renewed-${i}.com`, 2, 1), taskType: 'ORDER_RENEW' })),
      task('T-again', 'again.com', 2, 20),
    ];
    const s = await start({
      domains: [due('again.com')],
      tasks,
      script: (call) =>
        // Page 2 comes back empty (filtered after paging, say), with the envelope still saying there is more.
        call.action === 'QueryTaskList' && pageOf(call) === 2 ? { body: { ...pageBody('QueryTaskList', [], { pageNum: 2, nextPage: true }), TotalPageNum: 3, TotalItemNum: 201 } } : undefined,
    });
    const run = await runAgainst(s);
    expect(s.orders).toHaveLength(0);
    // Read past the empty page (the redemption of again.com on page 3 was read), but the 100 tasks page 2
    // should have held were never served: any of them may be an order of a domain this run would order.
    expect(s.calls.filter((c) => c.action === 'QueryTaskList').map(pageOf)).toContain(3);
    expect(run.summary.run).toMatchObject({ outcome: 'failed', error_code: 'PagingLimit', error_message: expect.stringMatching(/TotalItemNum announced \d+ and only 101 were read/) });
  });
});

describe('QueryTaskList: a create time outside the window the registrar was asked for', () => {
  it("a finished redemption the registrar lists for the last week but dates in 2017 still stops a second order and counts on the day's cap", async () => {
    const s = await start({
      domains: [due('again.com'), due('next.com')],
      tasks: [task('T-again', 'again.com', 2, 2)],
      script: (call, standin) => {
        if (call.action !== 'QueryTaskList') return undefined;
        // The registrar's own sample date, on a task it returns for a query of the last days.
        const items = standin.tasks.map((t) => ({ TaskNo: t.taskNo, TaskType: 'ORDER_REDEEM', TaskNum: 1, CreateTime: t.taskNo === 'T-again' ? 'Dec 26,2017 11:00:54' : '2026-12-01 09:00:00', TaskStatusCode: 3 }));
        return { body: pageBody('QueryTaskList', items, { pageNum: 1, nextPage: false, totalPages: 1 }) };
      },
    });
    const run = await runAgainst(s, { env: { REDEEM_MAX_PER_DAY: '2' } });
    expect(Object.fromEntries(s.submissionsPerDomain())).toEqual({ 'next.com': 1 });
    expect(decisionsOf(run).find((d) => d.domain === 'again.com')).toMatchObject({ action: 'skip', reason: 'already-redeemed', task_no: 'T-again' });
  });
});

describe('QueryTaskDetailList: a TaskStatus that contradicts its TaskStatusCode', () => {
  it('a ledger detail coded failed (3) but named EXECUTE_SUCCESS is not a failure to order again: task-in-flight, told as at risk', async () => {
    const s = await start({
      domains: [due('unsure.com')],
      tasks: [task('T-unsure', 'unsure.com', 3)],
      script: (call) =>
        call.action === 'QueryTaskDetailList' && call.params.TaskNo === 'T-unsure'
          ? { body: pageBody('QueryTaskDetailList', [{ ...detailItem('T-unsure', 'D1', 'unsure.com', 3), TaskStatus: 'EXECUTE_SUCCESS' }], { pageNum: 1, nextPage: false, totalPages: 1 }) }
          : undefined,
    });
    const run = await runAgainst(s);
    expect(s.orders).toHaveLength(0);
    expect(decisionsOf(run).find((d) => d.domain === 'unsure.com')).toMatchObject({ action: 'skip', reason: 'task-in-flight', task_no: 'T-unsure' });
  });

  it("the follow-up of this run's order, coded succeeded (2) but named EXECUTE_FAILURE, does not record a success: it stays submitted", async () => {
    const s = await start({
      domains: [due('mixed.com')],
      script: (call, standin) =>
        call.action === 'QueryTaskDetailList' && standin.orders[0] && call.params.TaskNo === standin.orders[0].taskNo
          ? { body: pageBody('QueryTaskDetailList', [{ ...detailItem(standin.orders[0].taskNo, 'D1', 'mixed.com', 2), TaskStatus: 'EXECUTE_FAILURE' }], { pageNum: 1, nextPage: false, totalPages: 1 }) }
          : undefined,
    });
    const run = await runAgainst(s, { env: { REDEEM_FOLLOW_SECONDS: '1' } });
    expect(decisionsOf(run).find((d) => d.domain === 'mixed.com')).toMatchObject({ outcome: 'submitted', task_no: s.orders[0]!.taskNo });
  });
});

describe('task numbers in another case on the task list than in the submission answer', () => {
  it("this run's own orders are counted once each: the day's cap lets every due domain through", async () => {
    // SaveSingleTaskForCreatingOrderRedeem answers a lower-case UUID; the task list and the details print it in upper case.
    const s = await start({
      domains: [due('one.com'), due('two.com'), due('three.com')],
      newTaskStatus: 1,
      script: (call, standin) => {
        if (call.action === 'QueryTaskList') {
          const items = standin.tasks.map((t) => ({ TaskNo: t.taskNo.toUpperCase(), TaskType: 'ORDER_REDEEM', TaskNum: 1, CreateTime: '2026-12-01 09:00:00', TaskStatusCode: 2 }));
          return { body: pageBody('QueryTaskList', items, { pageNum: 1, nextPage: false, totalPages: 1 }) };
        }
        if (call.action === 'QueryTaskDetailList') {
          const items = standin.tasks.filter((t) => t.taskNo.toUpperCase() === call.params.TaskNo?.toUpperCase()).map((t) => detailItem(t.taskNo.toUpperCase(), `D-${t.taskNo}`, t.domainName, t.statusCode, t.createdMs));
          return { body: pageBody('QueryTaskDetailList', items, { pageNum: 1, nextPage: false, totalPages: 1 }) };
        }
        return undefined;
      },
    });
    const run = await runAgainst(s, { env: { REDEEM_MAX_PER_DAY: '3', REDEEM_FOLLOW_SECONDS: '0' } });
    expect(Object.fromEntries(s.submissionsPerDomain())).toEqual({ 'one.com': 1, 'two.com': 1, 'three.com': 1 });
    expect(decisionsOf(run).filter((d) => d.outcome === 'submitted')).toHaveLength(3);
  });
});

describe('QueryTaskList: tasks older than the window asked for', () => {
  it("a registrar that ignores BeginCreateTime and lists a month of finished redemptions: they are not on the day's cap", async () => {
    const old = Array.from({ length: 25 }, (_, i) => task(`T-old-${i}`, `old-${i}.com`, 2, 24 * (8 + i)));
    const s = await start({
      domains: [due('today.com')],
      tasks: old,
      script: (call, standin) => {
        if (call.action !== 'QueryTaskList') return undefined;
        const items = standin.tasks.map((t) => ({ TaskNo: t.taskNo, TaskType: 'ORDER_REDEEM', TaskNum: 1, CreateTime: registrarTime(t.createdMs), TaskStatusCode: t.statusCode >= 2 ? 3 : t.statusCode + 1 }));
        return { body: pageBody('QueryTaskList', items, { pageNum: 1, nextPage: false, totalPages: 1 }) };
      },
    });
    const run = await runAgainst(s, { env: { REDEEM_MAX_PER_DAY: '2' } });
    expect(Object.fromEntries(s.submissionsPerDomain())).toEqual({ 'today.com': 1 });
    expect(decisionsOf(run).find((d) => d.domain === 'today.com')).toMatchObject({ action: 'redeem', reason: 'due' });
  });
});

describe('QueryDomainList: PageNum ignored while TotalItemNum says there is more', () => {
  const openInbox = inboxPerTest();

  it('the domains never read are told to a person: the message names the list and how many were read', async () => {
    const inbox = await openInbox();
    // 150 domains in redemption, none due yet; page 1 (100 of them) is served for every PageNum.
    const firstPage = Array.from({ length: 100 }, (_, i) => domainItem(`listed-${i}.com`, Date.now() - 5 * 86_400_000));
    const s = await start({
      script: (call) =>
        call.action === 'QueryDomainList' && call.params.QueryType === '2'
          ? { body: { ...pageBody('QueryDomainList', firstPage, { pageNum: pageOf(call), nextPage: true, totalPages: 2 }), TotalItemNum: 150 } }
          : undefined,
    });
    for (const on of ['changes', 'failures']) {
      inbox.bodies.length = 0;
      const run = await runAgainst(s, { env: { NOTIFY_WEBHOOK_URL: inbox.url, NOTIFY_WEBHOOK_SECRET: 'inbox-secret', NOTIFY_ON: on } });
      expect(run.summary.run).toMatchObject({ outcome: 'completed', listing_repeated_page: true });
      // A list read short is something the run could not do, not a delivery problem: NOTIFY_ON=failures tells it too.
      expect(inbox.bodies, `NOTIFY_ON=${on}`).toHaveLength(1);
      expect(inbox.bodies[0]!.summary).toMatch(/1 not read/);
      const problems = (inbox.bodies[0]!.run as Record<string, unknown>).read_problems as string[];
      expect(problems.join('\n')).toMatch(/QueryDomainList.*150.*100/);
    }
  });
});

describe('QueryTaskDetailList: pages shorter than the PageSize asked for', () => {
  it('a batch redemption of 400 domains served 100 details a page is read to its end: its domains are not ordered again, the others are', async () => {
    const batch = Array.from({ length: 400 }, (_, i) => detailItem('T-batch', `D${i}`, `batch-${i}.com`, 1, Date.now() - 3 * HOUR_MS));
    const s = await start({
      domains: [due('batch-399.com'), due('alone.com')],
      script: (call) => {
        if (call.action === 'QueryTaskList') {
          const item = { TaskNo: 'T-batch', TaskType: 'ORDER_REDEEM', TaskNum: 400, CreateTime: '2026-12-01 09:00:00', TaskStatusCode: 2 };
          return { body: pageBody('QueryTaskList', [item], { pageNum: 1, nextPage: false, totalPages: 1 }) };
        }
        if (call.action === 'QueryTaskDetailList' && call.params.TaskNo === 'T-batch') {
          // PageSize=1000 was asked; the registrar serves 100 a page, and says so in TotalPageNum.
          const n = pageOf(call);
          return { body: { ...pageBody('QueryTaskDetailList', batch.slice((n - 1) * 100, n * 100), { pageNum: n, nextPage: n < 4, totalPages: 4, pageSize: 100 }), TotalItemNum: 400 } };
        }
        return undefined;
      },
    });
    const run = await runAgainst(s, { env: { REDEEM_MAX_PER_DAY: '500' } });
    expect(run.summary.run).toMatchObject({ outcome: 'completed' });
    expect(Object.fromEntries(s.submissionsPerDomain())).toEqual({ 'alone.com': 1 });
    expect(decisionsOf(run).find((d) => d.domain === 'batch-399.com')).toMatchObject({ action: 'skip', reason: 'task-in-flight', task_no: 'T-batch' });
  });
});

describe('TaskType: the value a redeem task carries is undocumented (the reference marks ORDER_REDEEM UNVERIFIED)', () => {
  it('a task of a type the vendor does not list, open on a due domain, stops its order and counts on the day cap', async () => {
    const s = await start({
      domains: [due('held.com'), due('first.com'), due('second.com'), due('third.com')],
      tasks: [
        { ...task('T-odd', 'held.com', 1, 1), taskType: 'ORDER_REDEMPTION' },
        // A type the vendor does list as another operation: no order of the day, no hold on its domain.
        { ...task('T-renew', 'second.com', 1, 1), taskType: 'ORDER_RENEW' },
      ],
    });
    const run = await runAgainst(s, { env: { REDEEM_MAX_PER_DAY: '3' } });
    expect(decisionsOf(run).find((d) => d.domain === 'held.com')).toMatchObject({ action: 'skip', reason: 'task-in-flight' });
    // The odd-typed task takes one of the day's three slots, the renewal none: two of the other three are ordered.
    const ordered = [...s.submissionsPerDomain().keys()];
    expect(ordered).toHaveLength(2);
    expect(ordered).not.toContain('held.com');
    expect(decisionsOf(run).filter((d) => d.reason === 'cap-per-day')).toHaveLength(1);
  });
});

describe('QueryTaskList: a task listed with an empty TaskNo', () => {
  it('holds every order (it names no domain, so it may be either one), a person hears why, and its details are never asked for (QueryTaskDetailList would refuse an empty TaskNo)', async () => {
    const listed = { TaskNo: ' ', TaskType: 'ORDER_REDEEM', TaskNum: 1, CreateTime: registrarTime(Date.now() - HOUR_MS), TaskStatusCode: 2 };
    const s = await start({
      domains: [due('first.com'), due('second.com')],
      script: (call) => {
        if (call.action === 'QueryTaskList') return { body: pageBody('QueryTaskList', [listed], { pageNum: 1, nextPage: false, totalPages: 1 }) };
        if (call.action === 'QueryTaskDetailList' && (call.params.TaskNo ?? '').trim() === '') {
          return { status: 400, body: { RequestId: 'R-missing', Code: 'MissingTaskNo', Message: 'TaskNo is mandatory for this action.' } };
        }
        return undefined;
      },
    });
    const run = await runAgainst(s, { env: { REDEEM_MAX_PER_DAY: '2' } });
    expect(run.summary.run).toMatchObject({ outcome: 'completed' });
    expect(s.callsOf('QueryTaskDetailList').filter((c) => (c.params.TaskNo ?? '').trim() === '')).toHaveLength(0);
    // An open redemption of an unknown domain: either due domain may be it (Ledger.unnamedTask).
    expect(s.submissionsPerDomain().size).toBe(0);
    expect(decisionsOf(run).filter((d) => d.reason === 'task-in-flight' && /without a TaskNo/.test(String(d.error_message)))).toHaveLength(2);
  });
});
