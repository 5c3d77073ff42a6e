/**
 * The ledger against odd task answers that the vendor's published rules allow (domain-api.md §3.5/3.6:
 * an asynchronous task, whose details the registrar writes when it gets to them; task states that lag):
 * written from those rules, not from the emulator's habits.
 */
import { describe, expect, it } from 'vitest';
import { detailItem, domainItem, pageBody, registrarTime, type StandinTask } from '../support/registrar-standin.js';
import { decisionsOf, dueExpiration, PUNYCODE_NAME, runAgainst, standinPerTest, UNICODE_NAME } from './standin-runs.js';
import { inboxPerTest } from '../support/webhook-inbox.js';

const start = standinPerTest();
const openInbox = inboxPerTest();
const HOUR_MS = 3_600_000;
const due = (name: string) => domainItem(name, dueExpiration(name));
const pageOf = (call: { params: Readonly<Record<string, string>> }) => Number(call.params.PageNum);

function task(taskNo: string, domainName: string, statusCode: number, hoursAgo = 1): StandinTask {
  return { taskNo, domainName, statusCode, createdMs: Date.now() - hoursAgo * HOUR_MS };
}

describe('an open redeem task whose details are not readable yet', () => {
  it('(details answer empty) may be the order of the very domain due: it is not ordered again, and a person hears why', async () => {
    // Another tool's redemption of held.com, listed as waiting; its details not written yet.
    const s = await start({
      domains: [due('held.com')],
      tasks: [task('T-open', 'held.com', 0)],
      script: (call) => (call.action === 'QueryTaskDetailList' ? { body: pageBody('QueryTaskDetailList', [], { pageNum: pageOf(call), nextPage: false, totalPages: 0 }) } : undefined),
    });
    const inbox = await openInbox();
    const run = await runAgainst(s, { env: { NOTIFY_WEBHOOK_URL: inbox.url, NOTIFY_WEBHOOK_SECRET: 'inbox-secret' } });
    expect(Object.fromEntries(s.submissionsPerDomain())).toEqual({});
    const decision = decisionsOf(run).find((d) => d.domain === 'held.com');
    expect(decision).toMatchObject({ action: 'skip', reason: 'task-in-flight', task_no: 'T-open' });
    // A person hears which task holds it and why, not "a task is in progress" for a task of another domain.
    expect(JSON.stringify(inbox.bodies)).toMatch(/T-open.*does not say which domain/);
  });

  it('(listed only at the fresh look before the submission, details empty) holds that submission too', async () => {
    // A console order placed between the plan and the submission: the first QueryTaskList calls (the
    // initial read) list nothing, the fresh look lists a waiting redeem task whose details are not written.
    let looks = 0;
    const s = await start({
      domains: [due('raced.com')],
      script: (call) => {
        if (call.action === 'QueryTaskList') {
          looks++;
          const items = looks === 1 ? [] : [{ TaskNo: 'T-console', TaskType: 'ORDER_REDEEM', TaskNum: 1, CreateTime: '2026-12-01 09:00:00', TaskStatusCode: 1 }];
          return { body: { ...pageBody('QueryTaskList', items, { pageNum: 1, nextPage: false }), TotalItemNum: items.length } };
        }
        if (call.action === 'QueryTaskDetailList') return { body: pageBody('QueryTaskDetailList', [], { pageNum: pageOf(call), nextPage: false, totalPages: 0 }) };
        return undefined;
      },
    });
    const run = await runAgainst(s);
    expect(looks).toBeGreaterThanOrEqual(2);
    expect(Object.fromEntries(s.submissionsPerDomain())).toEqual({});
    expect(decisionsOf(run).find((d) => d.domain === 'raced.com')).toMatchObject({ reason: 'task-in-flight', task_no: 'T-console' });
  });
});

describe('a TaskNo listed twice with different states', () => {
  it('open on one row and finished days ago on the other: the open row is believed, its details are read and the domain is not ordered again', async () => {
    // held.com's redemption, still waiting (its detail says so); the task list shows it twice (pages that
    // shifted, a registrar's replica behind), once open now and once as finished four days ago.
    const s = await start({
      domains: [due('held.com')],
      tasks: [task('T-dup', 'held.com', 0)],
      script: (call) => {
        if (call.action !== 'QueryTaskList') return undefined;
        const rows = [
          { TaskNo: 'T-dup', TaskType: 'ORDER_REDEEM', TaskNum: 1, CreateTime: '2026-12-01 09:00:00', TaskStatusCode: 1 },
          { TaskNo: 'T-dup', TaskType: 'ORDER_REDEEM', TaskNum: 1, CreateTime: registrarTime(Date.now() - 4 * 24 * HOUR_MS), TaskStatusCode: 3 },
        ];
        return { body: { ...pageBody('QueryTaskList', rows, { pageNum: 1, nextPage: false }), TotalItemNum: 1 } };
      },
    });
    const run = await runAgainst(s);
    expect(Object.fromEntries(s.submissionsPerDomain())).toEqual({});
    expect(decisionsOf(run).find((d) => d.domain === 'held.com')).toMatchObject({ reason: 'task-in-flight', task_no: 'T-dup' });
  });
});

describe('a detail that names the domain in another spelling', () => {
  it.each([
    ['Unicode for a punycode listing', PUNYCODE_NAME, UNICODE_NAME],
    ['punycode for a Unicode listing', UNICODE_NAME, PUNYCODE_NAME],
    ['upper case', 'held.com', 'HELD.COM'],
    ['a trailing dot', 'held.com', 'held.com.'],
    ['blanks around it', 'held.com', ' held.com '],
  ])('%s: still the same domain, not ordered again', async (_label, listed, reported) => {
    const s = await start({ domains: [due(listed)], tasks: [task('T-spelt', reported, 1)] });
    const run = await runAgainst(s);
    expect(s.orders).toHaveLength(0);
    expect(decisionsOf(run).find((d) => d.action === 'skip')).toMatchObject({ reason: 'task-in-flight', task_no: 'T-spelt' });
  });
});

describe("the day's cap and tasks this function did not place", () => {
  it('a console order of 1 h ago (by the task list) whose detail is dated 40 h ago still takes one of the two slots of REDEEM_MAX_PER_DAY=2', async () => {
    // The two dates of one order disagree: whichever is right, the order may be of the last 24 h, and the
    // cap must not let a second one through on the older date.
    const s = await start({
      domains: [due('one.com'), due('two.com')],
      script: (call) => {
        if (call.action === 'QueryTaskList') {
          const rows = [{ TaskNo: 'T-console', TaskType: 'ORDER_REDEEM', TaskNum: 1, CreateTime: registrarTime(Date.now() - HOUR_MS), TaskStatusCode: 3 }];
          return { body: { ...pageBody('QueryTaskList', rows, { pageNum: 1, nextPage: false }), TotalItemNum: 1 } };
        }
        if (call.action === 'QueryTaskDetailList') return { body: pageBody('QueryTaskDetailList', [detailItem('T-console', 'D1', 'other.com', 2, Date.now() - 40 * HOUR_MS)], { pageNum: 1, nextPage: false, totalPages: 1 }) };
        return undefined;
      },
    });
    const run = await runAgainst(s, { env: { REDEEM_MAX_PER_DAY: '2' } });
    expect(s.orders).toHaveLength(1);
    expect(decisionsOf(run).filter((d) => d.reason === 'cap-per-day')).toHaveLength(1);
  });

  it('console orders of the last 24 h in both date formats count on the cap: REDEEM_MAX_PER_DAY=3 with two of them leaves one slot', async () => {
    const beijing = (ms: number) => new Date(ms + 8 * HOUR_MS);
    const monthStyle = (ms: number) => {
      const d = beijing(ms);
      const pad = (n: number) => String(n).padStart(2, '0');
      return `${['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()]} ${d.getUTCDate()},${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
    };
    const s = await start({
      domains: [due('one.com'), due('two.com')],
      script: (call) => {
        if (call.action === 'QueryTaskList') {
          const rows = [
            { TaskNo: 'T-a', TaskType: 'ORDER_REDEEM', TaskNum: 1, CreateTime: monthStyle(Date.now() - 23 * HOUR_MS), TaskStatusCode: 3 },
            { TaskNo: 'T-b', TaskType: 'ORDER_REDEEM', TaskNum: 1, CreateTime: registrarTime(Date.now() - 2 * HOUR_MS), TaskStatusCode: 3 },
          ];
          return { body: { ...pageBody('QueryTaskList', rows, { pageNum: 1, nextPage: false }), TotalItemNum: 2 } };
        }
        if (call.action === 'QueryTaskDetailList') {
          const no = call.params.TaskNo!;
          const when = no === 'T-a' ? Date.now() - 23 * HOUR_MS : Date.now() - 2 * HOUR_MS;
          return { body: pageBody('QueryTaskDetailList', [{ ...detailItem(no, `D-${no}`, `${no}.com`, 2, when), CreateTime: no === 'T-a' ? monthStyle(when) : registrarTime(when) }], { pageNum: 1, nextPage: false, totalPages: 1 }) };
        }
        return undefined;
      },
    });
    const run = await runAgainst(s, { env: { REDEEM_MAX_PER_DAY: '3' } });
    expect(s.orders).toHaveLength(1);
    expect(decisionsOf(run).filter((d) => d.reason === 'cap-per-day')).toHaveLength(1);
  });
});

describe('details that cannot be believed', () => {
  it("a detail of another TaskNo than the one asked for does not name the asked task's domain: nothing is ordered", async () => {
    const s = await start({
      domains: [due('held.com')],
      tasks: [task('T-asked', 'held.com', 1)],
      script: (call) =>
        call.action === 'QueryTaskDetailList' ? { body: pageBody('QueryTaskDetailList', [detailItem('T-someone-else', 'D9', 'other.com', 2)], { pageNum: 1, nextPage: false, totalPages: 1 }) } : undefined,
    });
    const run = await runAgainst(s);
    expect(s.orders).toHaveLength(0);
    expect(decisionsOf(run).find((d) => d.domain === 'held.com')).toMatchObject({ reason: 'task-in-flight', task_no: 'T-asked' });
  });

  it('QueryTaskDetailList refused (InternalError, every attempt): no order on that ledger, and a person hears the run failed', async () => {
    const inbox = await openInbox();
    const s = await start({
      domains: [due('held.com')],
      tasks: [task('T-open', 'held.com', 1)],
      script: (call) => (call.action === 'QueryTaskDetailList' ? { status: 500, body: { RequestId: 'R-500', Code: 'InternalError', Message: 'The request processing has failed due to some unknown error.' } } : undefined),
    });
    const run = await runAgainst(s, { env: { NOTIFY_WEBHOOK_URL: inbox.url, NOTIFY_WEBHOOK_SECRET: 'inbox-secret' } });
    expect(s.orders).toHaveLength(0);
    expect(run.summary.run).toMatchObject({ outcome: 'failed' });
    expect(inbox.bodies).toHaveLength(1);
    expect(JSON.stringify(inbox.bodies[0])).toMatch(/QueryTaskDetailList|InternalError/);
    expect(JSON.stringify(inbox.bodies[0])).not.toMatch(/\n\s+at |inbox-secret/);
  });
});

describe('TaskNum and TotalItemNum that disagree', () => {
  it('a task listed with TaskNum 1 whose details announce TotalItemNum 2 and serve one: the unserved detail may be the due domain, nothing is ordered', async () => {
    // A batch redemption of other.com and held.com; the list undercounts it, and the detail walk ends
    // (NextPage false) after the first, while its own TotalItemNum says there are two.
    const s = await start({
      domains: [due('held.com')],
      script: (call) => {
        if (call.action === 'QueryTaskList') {
          const rows = [{ TaskNo: 'T-batch', TaskType: 'ORDER_REDEEM', TaskNum: 1, CreateTime: registrarTime(Date.now() - HOUR_MS), TaskStatusCode: 2 }];
          return { body: { ...pageBody('QueryTaskList', rows, { pageNum: 1, nextPage: false }), TotalItemNum: 1 } };
        }
        if (call.action === 'QueryTaskDetailList') {
          return { body: { ...pageBody('QueryTaskDetailList', [detailItem('T-batch', 'D1', 'other.com', 1)], { pageNum: pageOf(call), nextPage: false }), TotalItemNum: 2, TotalPageNum: 1 } };
        }
        return undefined;
      },
    });
    const run = await runAgainst(s);
    expect(Object.fromEntries(s.submissionsPerDomain())).toEqual({});
    expect(decisionsOf(run).find((d) => d.domain === 'held.com')).toMatchObject({ action: 'skip', reason: 'task-in-flight', task_no: 'T-batch' });
  });
});

describe("a task list row whose TaskStatusCode and TaskStatus disagree", () => {
  it('coded COMPLETE (3) but named EXECUTING, dated four days ago: not taken as finished, its details are read and its domain is not ordered again', async () => {
    // held.com's redemption still waiting (its detail says so); the row's code says finished, its name not.
    const s = await start({
      domains: [due('held.com')],
      tasks: [task('T-mixed', 'held.com', 0, 96)],
      script: (call) => {
        if (call.action !== 'QueryTaskList') return undefined;
        const rows = [{ TaskNo: 'T-mixed', TaskType: 'ORDER_REDEEM', TaskNum: 1, CreateTime: registrarTime(Date.now() - 96 * HOUR_MS), TaskStatus: 'EXECUTING', TaskStatusCode: 3 }];
        return { body: { ...pageBody('QueryTaskList', rows, { pageNum: 1, nextPage: false }), TotalItemNum: 1 } };
      },
    });
    const run = await runAgainst(s);
    expect(Object.fromEntries(s.submissionsPerDomain())).toEqual({});
    expect(decisionsOf(run).find((d) => d.domain === 'held.com')).toMatchObject({ reason: 'task-in-flight', task_no: 'T-mixed' });
  });
});

describe("the follow-up of this run's own order", () => {
  it('a detail page that holds the domain twice, once EXECUTE_FAILURE and once EXECUTING: not recorded as failed (a person would order it again by hand)', async () => {
    const s = await start({
      domains: [due('wanted.com')],
      // Listed COMPLETE (its detail's default state is a failure), so the follow-up asks for its details.
      newTaskStatus: 3,
      script: (call) => {
        if (call.action !== 'QueryTaskDetailList' || !s.orders.some((o) => o.taskNo === call.params.TaskNo)) return undefined;
        const no = call.params.TaskNo!;
        // The same detail served twice in two states (a replica behind): which one is true, nothing says.
        const copies = [detailItem(no, 'D1', 'wanted.com', 3), detailItem(no, 'D1', 'wanted.com', 1)];
        return { body: { ...pageBody('QueryTaskDetailList', copies, { pageNum: pageOf(call), nextPage: false }), TotalItemNum: 1 } };
      },
    });
    const run = await runAgainst(s, { budgetMs: 6_000 });
    expect(s.orders).toHaveLength(1);
    expect(s.callsOf('QueryTaskDetailList').some((c) => c.params.TaskNo === s.orders[0]!.taskNo)).toBe(true);
    expect(decisionsOf(run).find((d) => d.domain === 'wanted.com')).toMatchObject({ outcome: 'submitted' });
  });
});

describe("an earlier run's order whose listed task has no details yet", () => {
  it('holds its own domain only: the next run of the process orders the other due domain, not that one again', async () => {
    // Run 1 (allowed x.com only) orders x.com; its task is listed, still waiting, but the registrar has not
    // written its details yet when run 2 (every domain allowed) reads the ledger.
    const s = await start({
      domains: [due('x-first.com'), due('y-second.com')],
      newTaskStatus: 0,
      script: (call) => (call.action === 'QueryTaskDetailList' && s.orders.some((o) => o.taskNo === call.params.TaskNo) ? { body: pageBody('QueryTaskDetailList', [], { pageNum: pageOf(call), nextPage: false, totalPages: 0 }) } : undefined),
    });
    await runAgainst(s, { env: { REDEEM_DOMAINS: 'x-first.com' }, budgetMs: 4_000 });
    expect(s.orders.map((o) => o.domainName)).toEqual(['x-first.com']);
    const second = await runAgainst(s, { budgetMs: 4_000 });
    expect(Object.fromEntries(s.submissionsPerDomain())).toEqual({ 'x-first.com': 1, 'y-second.com': 1 });
    expect(decisionsOf(second).find((d) => d.domain === 'x-first.com')).toMatchObject({ reason: 'task-in-flight', task_no: s.orders[0]!.taskNo });
  });
});
