/**
 * The registrar's own ledger of redemption tasks: which domains have a task waiting, executing or
 * succeeded, and how many were submitted in the last 24 hours. No local state is needed to avoid
 * ordering twice, and the daily cap holds across runs, instances and machines.
 */
import type { DomainApi } from '../domain-api/index.js';
import { TaskDetailStatus, type TaskDetail, type TaskInfo } from '../domain-api/index.js';
import { DAY_MS } from './deadline.js';

export const REDEEM_TASK_TYPE = 'ORDER_REDEEM';

export interface LedgerEntry {
  readonly taskNo: string;
  readonly state: 'in-flight' | 'succeeded' | 'failed';
  readonly createdMs: number | undefined;
}

export interface Ledger {
  readonly byDomain: ReadonlyMap<string, LedgerEntry>;
  readonly submittedLast24h: number;
  /** Every redeem task number seen, so that reconciliation can tell a new task from an old one. */
  readonly taskNos: ReadonlySet<string>;
}

const MONTHS: Record<string, number> = { Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11 };

/**
 * Registrar times come as "2018-01-25 20:46:57" or "Dec 26,2017 11:00:54" with no zone. They are read as
 * UTC on purpose: the registrar's clock is at UTC or ahead of it (Beijing), so a task never looks older
 * than it is and the daily cap can only over-count, never let an extra order through.
 */
export function parseRegistrarTime(text: string | undefined): number | undefined {
  if (!text) return undefined;
  let m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(text);
  if (m) return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  m = /^([A-Z][a-z]{2}) (\d{1,2}),(\d{4}) (\d{2}):(\d{2}):(\d{2})/.exec(text);
  if (m && MONTHS[m[1]!] !== undefined) return Date.UTC(+m[3]!, MONTHS[m[1]!]!, +m[2]!, +m[4]!, +m[5]!, +m[6]!);
  return undefined;
}

export function entryState(detail: Pick<TaskDetail, 'TaskStatusCode'>): LedgerEntry['state'] {
  if (detail.TaskStatusCode === TaskDetailStatus.ExecuteSuccess) return 'succeeded';
  if (detail.TaskStatusCode === TaskDetailStatus.ExecuteFailure) return 'failed';
  return 'in-flight';
}

const PRECEDENCE: Record<LedgerEntry['state'], number> = { 'in-flight': 3, succeeded: 2, failed: 1 };

async function redeemTasks(client: DomainApi, beginMs: number, endMs: number): Promise<TaskInfo[]> {
  const tasks: TaskInfo[] = [];
  for (let pageNum = 1; ; pageNum++) {
    const page = await client.queryTaskList({ pageNum, pageSize: 100, beginCreateTime: beginMs, endCreateTime: endMs });
    tasks.push(...page.items.filter((t) => t.TaskType === REDEEM_TASK_TYPE));
    if (!page.hasNext) return tasks;
  }
}

async function details(client: DomainApi, taskNo: string, domainName?: string): Promise<TaskDetail[]> {
  const all: TaskDetail[] = [];
  for (let pageNum = 1; ; pageNum++) {
    const page = await client.queryTaskDetailList({ taskNo, pageNum, pageSize: 1000, domainName });
    all.push(...page.items);
    if (!page.hasNext) return all;
  }
}

export async function readLedger(client: DomainApi, nowMs: number, days = 7): Promise<Ledger> {
  const byDomain = new Map<string, LedgerEntry>();
  const taskNos = new Set<string>();
  let submittedLast24h = 0;
  for (const task of await redeemTasks(client, nowMs - days * DAY_MS, nowMs)) {
    taskNos.add(task.TaskNo);
    for (const detail of await details(client, task.TaskNo)) {
      const createdMs = parseRegistrarTime(detail.CreateTime) ?? parseRegistrarTime(task.CreateTime);
      // An unreadable time counts as recent: the cap may over-count, never under-count.
      if (createdMs === undefined || createdMs > nowMs - DAY_MS) submittedLast24h++;
      const entry: LedgerEntry = { taskNo: detail.TaskNo, state: entryState(detail), createdMs };
      const name = detail.DomainName.toLowerCase();
      const current = byDomain.get(name);
      if (!current || PRECEDENCE[entry.state] > PRECEDENCE[current.state]) byDomain.set(name, entry);
    }
  }
  return { byDomain, submittedLast24h, taskNos };
}

/**
 * After a submission whose outcome is unknown: looks for a redeem task for the domain that the ledger
 * did not hold before. Returns it when the order was in fact created.
 */
export async function findNewTask(client: DomainApi, domainName: string, known: ReadonlySet<string>, nowMs: number): Promise<TaskDetail | undefined> {
  for (const task of await redeemTasks(client, nowMs - DAY_MS, nowMs)) {
    if (known.has(task.TaskNo)) continue;
    const found = (await details(client, task.TaskNo, domainName)).find((d) => d.DomainName.toLowerCase() === domainName);
    if (found) return found;
  }
  return undefined;
}
