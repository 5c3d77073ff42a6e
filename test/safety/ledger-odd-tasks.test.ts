/**
 * The ledger against odd task answers that the vendor's published rules allow (domain-api.md §3.5/3.6:
 * an asynchronous task, whose details the registrar writes when it gets to them; task states that lag):
 * written from those rules, not from the emulator's habits.
 */
import { describe, expect, it } from 'vitest';
import { domainItem, pageBody, registrarTime, type StandinTask } from '../support/registrar-standin.js';
import { decisionsOf, dueExpiration, runAgainst, standinPerTest } from './standin-runs.js';
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
