/**
 * The registrar's own ledger of redemption tasks: which domains have a task waiting, executing or
 * succeeded, and how many domains were ordered in the last 24 hours. No local state is needed to avoid
 * ordering twice, and the daily cap holds across runs, instances and machines: the executor looks again
 * (`refresh`) right before every submission, so a concurrent run's order is seen before ours goes out.
 * Names are compared in the one canonical form of `normalizeDomainName`, whatever spelling the registrar
 * reports them in.
 */
import { normalizeDomainName } from '../config/index.js';
import { readAllPages, TaskDetailStatus, type DomainReads, type PagingBounds, type TaskDetail, type TaskInfo } from '../domain-api/index.js';
import { DAY_MS } from './deadline.js';

export const REDEEM_TASK_TYPE = 'ORDER_REDEEM';
/** 100 pages of 100 tasks a week is far above any account; an endless NextPage stops there. */
const MAX_TASK_PAGES = 100;
/** A task holds at most 1,000 domains (the batch limit): two pages of 1,000 details. */
const MAX_DETAIL_PAGES = 3;

export type LedgerState = 'in-flight' | 'succeeded' | 'failed';

export interface LedgerEntry {
  readonly taskNo: string;
  readonly state: LedgerState;
  readonly createdMs: number | undefined;
}

interface KnownTask {
  /** Each of its domains (canonical; "" when the registrar did not say) and its create time (undefined when unreadable: counted as recent). */
  readonly details: ReadonlyArray<{ readonly name: string; readonly createdMs: number | undefined }>;
}

const MONTHS: Record<string, number> = { Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11 };

/**
 * Registrar times come as "2018-01-25 20:46:57" or "Dec 26,2017 11:00:54" with no zone. They are read as
 * UTC on purpose: the registrar's clock is at UTC or ahead of it (Beijing), so a task never looks older
 * than it is and the daily cap can only over-count, never let an extra order through.
 */
export function parseRegistrarTime(text: string | null | undefined): number | undefined {
  if (!text) return undefined;
  let m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(text);
  if (m) return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  m = /^([A-Z][a-z]{2}) (\d{1,2}),(\d{4}) (\d{2}):(\d{2}):(\d{2})/.exec(text);
  if (m && MONTHS[m[1]!] !== undefined) return Date.UTC(+m[3]!, MONTHS[m[1]!]!, +m[2]!, +m[4]!, +m[5]!, +m[6]!);
  return undefined;
}

/** An undocumented status code counts as in flight: never order on a task we cannot read. */
export function entryState(detail: Pick<TaskDetail, 'TaskStatusCode'>): LedgerState {
  if (detail.TaskStatusCode === TaskDetailStatus.ExecuteSuccess) return 'succeeded';
  if (detail.TaskStatusCode === TaskDetailStatus.ExecuteFailure) return 'failed';
  return 'in-flight';
}

const PRECEDENCE: Record<LedgerState, number> = { 'in-flight': 3, succeeded: 2, failed: 1 };

/** The canonical form, or the lower-cased text for a name that is not a host name (it then matches nothing). */
export function canonicalName(name: string): string {
  return normalizeDomainName(name) ?? name.trim().toLowerCase();
}

export interface LedgerDeps {
  readonly api: DomainReads;
  readonly bounds: Omit<PagingBounds, 'maxPages'>;
}

export class Ledger {
  private readonly byDomain = new Map<string, LedgerEntry>();
  private readonly tasks = new Map<string, KnownTask>();
  /** Task numbers this run created, with when it submitted them, and for which domain. */
  private readonly mine = new Map<string, number>();
  private readonly mineNames = new Map<string, string>();
  /** Submissions of this run whose task the ledger does not show (yet): counted against the cap all the same. */
  private readonly unseenMine: string[] = [];

  constructor(private readonly deps: LedgerDeps) {}

  entryFor(domainName: string): LedgerEntry | undefined {
    return this.byDomain.get(domainName);
  }

  hasTask(taskNo: string): boolean {
    return this.tasks.has(taskNo);
  }

  /** Domains ordered in the 24 h before `nowMs`: every run's, this one's included even where not yet listed. */
  orderedLast24h(nowMs: number): number {
    return this.ordersLast24h(nowMs).length;
  }

  /**
   * The domains ordered in the 24 h before `nowMs`, one name per order ("" where the registrar did not
   * say which): what the ledger shows, and this run's own orders it does not show yet (for the spend cap).
   */
  ordersLast24h(nowMs: number): string[] {
    const names: string[] = [...this.unseenMine];
    for (const task of this.tasks.values()) {
      for (const detail of task.details) if (detail.createdMs === undefined || detail.createdMs > nowMs - DAY_MS) names.push(detail.name);
    }
    return names;
  }

  /**
   * Records this run's own submission, before the ledger shows it; `undefined` for one whose outcome is
   * unknown and not found: it may exist all the same, so it counts against the cap.
   */
  noteMine(taskNo: string | undefined, submittedMs: number, domainName?: string): void {
    if (taskNo === undefined || !this.tasks.has(taskNo)) this.unseenMine.push(domainName ?? '');
    if (taskNo !== undefined) this.mine.set(taskNo, submittedMs);
    if (taskNo !== undefined && domainName !== undefined) this.mineNames.set(taskNo, domainName);
  }

  /** An order counted as possibly created (unknown outcome) turned up in the ledger: it is ours, counted once. */
  claimUnseen(taskNo: string, submittedMs: number, domainName: string): void {
    this.dropUnseen(domainName);
    this.mine.set(taskNo, submittedMs);
  }

  private dropUnseen(domainName: string): void {
    const at = this.unseenMine.indexOf(domainName);
    if (at >= 0) this.unseenMine.splice(at, 1);
    else if (this.unseenMine.length > 0) this.unseenMine.pop();
  }

  isMine(taskNo: string): boolean {
    return this.mine.has(taskNo);
  }

  /** The initial read: the last `days` days of redeem tasks and their details. */
  async read(nowMs: number, days: number): Promise<void> {
    await this.learn(nowMs - days * DAY_MS, nowMs);
  }

  /**
   * A fresh look at the last day: learns the redeem tasks that appeared since the last look (another run's,
   * or ours), reading details only for those. Answers the tasks it learnt.
   */
  async refresh(nowMs: number): Promise<TaskDetail[]> {
    return this.learn(nowMs - DAY_MS, nowMs);
  }

  private async learn(beginMs: number, endMs: number): Promise<TaskDetail[]> {
    const { api, bounds } = this.deps;
    const listed = await readAllPages(
      'QueryTaskList',
      (pageNum) => api.queryTaskList({ pageNum, pageSize: 100, beginCreateTime: beginMs, endCreateTime: endMs }),
      (task) => task.TaskNo,
      { ...bounds, maxPages: MAX_TASK_PAGES },
    );
    const learnt: TaskDetail[] = [];
    const fresh = new Map<string, TaskInfo>();
    for (const task of listed.items) if (task.TaskType === REDEEM_TASK_TYPE && !this.tasks.has(task.TaskNo)) fresh.set(task.TaskNo, task);
    for (const task of fresh.values()) {
      const submittedMs = this.mine.get(task.TaskNo);
      if (submittedMs !== undefined) {
        // Our own order: its domain is known, so its details cost no call.
        const name = this.mineNames.get(task.TaskNo) ?? '';
        this.dropUnseen(name);
        this.tasks.set(task.TaskNo, { details: [{ name, createdMs: submittedMs }] });
        continue;
      }
      const details = await readAllPages(
        'QueryTaskDetailList',
        (pageNum) => api.queryTaskDetailList({ taskNo: task.TaskNo, pageNum, pageSize: 1000 }),
        (detail) => `${detail.TaskDetailNo ?? ''}\u0000${detail.DomainName}`,
        { ...bounds, maxPages: MAX_DETAIL_PAGES },
      );
      const known: Array<{ name: string; createdMs: number | undefined }> = [];
      for (const detail of details.items) {
        if (detail.TaskNo !== task.TaskNo) continue;
        const createdMs = parseRegistrarTime(detail.CreateTime) ?? parseRegistrarTime(task.CreateTime);
        const name = canonicalName(detail.DomainName);
        known.push({ name, createdMs });
        this.remember(name, { taskNo: task.TaskNo, state: entryState(detail), createdMs });
        learnt.push(detail);
      }
      // A task whose details are not readable yet still counts: at least TaskNum domains (1 if unsaid).
      const declared = Math.max(1, Math.min(1000, task.TaskNum ?? 1));
      while (known.length < declared) known.push({ name: '', createdMs: parseRegistrarTime(task.CreateTime) });
      this.tasks.set(task.TaskNo, { details: known });
    }
    return learnt;
  }

  private remember(name: string, entry: LedgerEntry): void {
    const current = this.byDomain.get(name);
    if (!current || PRECEDENCE[entry.state] >= PRECEDENCE[current.state]) this.byDomain.set(name, entry);
  }

  /** Updates a domain's entry from a follow-up (the task this run submitted reached a state). */
  update(name: string, entry: LedgerEntry): void {
    this.byDomain.set(name, entry);
  }
}
