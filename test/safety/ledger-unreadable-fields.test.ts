/**
 * The ledger's pages (QueryTaskList, QueryTaskDetailList) with one field of one row in a shape the reference
 * (domain-api.md §3.5, §3.6) does not show: absent, or text where a number is documented. Held to its
 * shape, such a field made the whole page malformed: the ledger unreadable, so every run ordered nothing
 * and a due domain was lost. Read as "not said", each takes the side a task that cannot be read takes: an
 * open task that holds its domain, never a failure to order again.
 */
import { describe, expect, it } from 'vitest';
import { detailItem, domainItem, pageBody, registrarTime, type Scripted } from '../support/registrar-standin.js';
import { decisionsOf, dueExpiration, runAgainst, standinPerTest } from './standin-runs.js';

const start = standinPerTest();
const due = (name: string) => domainItem(name, dueExpiration(name));
const HOUR_MS = 3_600_000;

/** A task list row as domain-api.md §3.6 shows it (EXECUTING, TaskInfo code 2); `extra` replaces fields. */
const row = (extra: Record<string, unknown> = {}) => ({ TaskNo: 'T-1', TaskType: 'ORDER_REDEEM', TaskNum: 1, CreateTime: registrarTime(Date.now() - HOUR_MS), TaskStatus: 'EXECUTING', TaskStatusCode: 2, ...extra });

/** A registrar listing one task (`listed`) whose one detail is `detail`. */
function oneTask(detail: Record<string, unknown>, listed: Record<string, unknown> = row()) {
  return (call: { action: string }): Scripted | undefined => {
    if (call.action === 'QueryTaskList') return { body: pageBody('QueryTaskList', [listed], { pageNum: 1, nextPage: false, totalPages: 1 }) };
    if (call.action === 'QueryTaskDetailList') return { body: pageBody('QueryTaskDetailList', [detail], { pageNum: 1, nextPage: false, totalPages: 1 }) };
    return undefined;
  };
}

/** An open redemption of held.com (TaskDetail code 1, EXECUTING). */
const executing = () => detailItem('T-1', 'D-1', 'held.com', 1, Date.now() - HOUR_MS);

describe("QueryTaskDetailList: a detail's TaskStatusCode that cannot be read", () => {
  for (const [label, detail] of [
    ['absent', (() => { const { TaskStatusCode: _, ...rest } = executing(); return rest; })()],
    ['a name ("EXECUTING")', { ...executing(), TaskStatusCode: 'EXECUTING' }],
  ] as const) {
    it(`${label}: the run completes, the task is open and its domain is not ordered`, async () => {
      const s = await start({ domains: [due('held.com')], script: oneTask(detail) });
      const run = await runAgainst(s);
      expect(run.summary.run).toMatchObject({ outcome: 'completed' });
      expect(s.submissionsPerDomain().size).toBe(0);
      expect(decisionsOf(run).find((d) => d.domain === 'held.com')).toMatchObject({ action: 'skip', reason: 'task-in-flight', task_no: 'T-1' });
    });
  }
});

describe("QueryTaskDetailList: a detail's DomainName that is not text", () => {
  for (const [label, detail] of [
    ['null', { ...executing(), DomainName: null }],
    ['absent', (() => { const { DomainName: _, ...rest } = executing(); return rest; })()],
  ] as const) {
    it(`${label}: the run completes; the open task names no domain, so it may be either due one: nothing is ordered and a person hears why`, async () => {
      const s = await start({ domains: [due('held.com'), due('other.com')], script: oneTask(detail) });
      const run = await runAgainst(s);
      expect(run.summary.run).toMatchObject({ outcome: 'completed' });
      expect(s.submissionsPerDomain().size).toBe(0);
      expect(decisionsOf(run).filter((d) => d.reason === 'task-in-flight' && /does not say which domain/.test(String(d.error_message)))).toHaveLength(2);
    });
  }
});

describe("QueryTaskList: a row's TaskNo that is not text", () => {
  for (const [label, listed] of [
    ['null', row({ TaskNo: null })],
    ['absent', (() => { const { TaskNo: _, ...rest } = row(); return rest; })()],
  ] as const) {
    it(`${label}: a task listed without a number: the run completes, nothing is ordered (it may be either due domain's) and a person hears why`, async () => {
      const s = await start({ domains: [due('held.com'), due('other.com')], script: oneTask(executing(), listed) });
      const run = await runAgainst(s);
      expect(run.summary.run).toMatchObject({ outcome: 'completed' });
      expect(s.submissionsPerDomain().size).toBe(0);
      expect(decisionsOf(run).filter((d) => d.reason === 'task-in-flight' && /without a TaskNo/.test(String(d.error_message)))).toHaveLength(2);
    });
  }
});

describe("QueryTaskList: a row's TaskStatusCode or TaskNum that is not a number", () => {
  for (const [label, listed] of [
    ['TaskStatusCode a name ("EXECUTING")', row({ TaskStatusCode: 'EXECUTING' })],
    ['TaskStatusCode a name ("COMPLETE") on a row dated four days ago', row({ TaskStatusCode: 'COMPLETE', TaskStatus: 'COMPLETE', CreateTime: registrarTime(Date.now() - 96 * HOUR_MS) })],
    ['TaskNum a word ("one")', row({ TaskNum: 'one' })],
  ] as const) {
    it(`${label}: not said; the run completes, the task's details are read and its domain is not ordered`, async () => {
      const s = await start({ domains: [due('held.com')], script: oneTask(executing(), listed) });
      const run = await runAgainst(s);
      expect(run.summary.run).toMatchObject({ outcome: 'completed' });
      expect(s.submissionsPerDomain().size).toBe(0);
      expect(decisionsOf(run).find((d) => d.domain === 'held.com')).toMatchObject({ action: 'skip', reason: 'task-in-flight', task_no: 'T-1' });
    });
  }
});
