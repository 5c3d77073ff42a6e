/**
 * A small in-memory registrar behind the DomainApi port, for unit specs of the ledger and the executor:
 * no HTTP, no signing, no emulator. Every call is written to `log` (the tests write their emitted records
 * into the same log, so the order of calls and records can be asserted), and `onCall` runs before each
 * answer: it may change the registrar (another run's order appears) or throw (the call then fails).
 */
import type { DomainApi, DomainItem, DomainListQuery, Page, RedeemOrder, SubmittedOrder, TaskDetail, TaskDetailQuery, TaskInfo, TaskListQuery } from '../../shared/domain-api/index.js';
import { pageOf } from '../../shared/domain-api/index.js';

export interface FakeDetail {
  domainName: string;
  /** TaskDetail status: 0 waiting, 1 executing, 2 success, 3 failure (anything else: undocumented). */
  statusCode: number;
  errorMsg?: string | null | undefined;
  failReason?: string | null | undefined;
  /** As the registrar prints it; by default the task's create time. */
  createTime?: string | null | undefined;
}

export interface FakeTask {
  readonly taskNo: string;
  readonly taskType: string;
  readonly createdMs: number;
  /** TaskInfo.CreateTime as printed; by default "YYYY-MM-DD HH:mm:ss" of createdMs (UTC). */
  readonly createTime: string | null | undefined;
  readonly taskNum: number | undefined;
  readonly details: FakeDetail[];
  /** This run's submission, or an order placed elsewhere (another run, the console). */
  readonly by: 'submission' | 'other';
}

export type FakeCall =
  | { readonly kind: 'call'; readonly action: 'QueryDomainList'; readonly pageNum: number }
  | { readonly kind: 'call'; readonly action: 'QueryTaskList'; readonly pageNum: number }
  | { readonly kind: 'call'; readonly action: 'QueryTaskDetailList'; readonly taskNo: string; readonly pageNum: number }
  | { readonly kind: 'call'; readonly action: 'SaveSingleTaskForCreatingOrderRedeem'; readonly domain: string; readonly expirationMs: number };

/** What a test writes into the log beside the calls (an emitted record, say). */
export interface FakeNote {
  readonly kind: 'emit';
  readonly record: string;
  readonly domain?: string | undefined;
}

export type FakeLogEntry = FakeCall | FakeNote;

/** "2018-01-25 20:46:57", read as UTC by the ledger. */
export function registrarTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}

export class FakeDomainApi implements DomainApi {
  readonly log: FakeLogEntry[] = [];
  readonly tasks: FakeTask[] = [];
  domains: DomainItem[] = [];
  /** Runs before every answer; a throw fails the call with that error. */
  onCall: ((call: FakeCall) => void | Promise<void>) | undefined;
  private readonly counts: Record<string, number> = {};
  private taskCounter = 0;

  constructor(private readonly now: () => number) {}

  get calls(): number {
    return Object.values(this.counts).reduce((a, b) => a + b, 0);
  }

  get callsByAction(): Readonly<Record<string, number>> {
    return { ...this.counts };
  }

  /** The calls of one action, in order. */
  callsOf<A extends FakeCall['action']>(action: A): Array<Extract<FakeCall, { action: A }>> {
    return this.log.filter((e): e is Extract<FakeCall, { action: A }> => e.kind === 'call' && e.action === action);
  }

  note(entry: FakeNote): void {
    this.log.push(entry);
  }

  /** An order placed by someone else (or, with `by: 'submission'`, one this run's call created). */
  addTask(options: {
    readonly domains: ReadonlyArray<string | Partial<FakeDetail>>;
    readonly statusCode?: number;
    readonly createdMs?: number;
    readonly createTime?: string | null;
    readonly taskType?: string;
    readonly taskNum?: number;
    readonly by?: FakeTask['by'];
  }): FakeTask {
    const createdMs = options.createdMs ?? this.now();
    const task: FakeTask = {
      taskNo: `T-${++this.taskCounter}`,
      taskType: options.taskType ?? 'ORDER_REDEEM',
      createdMs,
      createTime: 'createTime' in options ? options.createTime : registrarTime(createdMs),
      taskNum: 'taskNum' in options ? options.taskNum : options.domains.length,
      details: options.domains.map((d) => (typeof d === 'string' ? { domainName: d, statusCode: options.statusCode ?? 0 } : { domainName: '', statusCode: options.statusCode ?? 0, ...d })),
      by: options.by ?? 'other',
    };
    this.tasks.push(task);
    return task;
  }

  /** Moves every detail of a task to a final (or any) state. */
  settle(taskNo: string, statusCode: number, failure: { errorMsg?: string | null; failReason?: string | null } = {}): void {
    const task = this.tasks.find((t) => t.taskNo === taskNo);
    if (!task) throw new Error(`no task ${taskNo}`);
    for (const detail of task.details) Object.assign(detail, { statusCode, ...failure });
  }

  /** The order a submission creates: what the default answer does, and what an OutcomeUnknown test calls before throwing. */
  accept(order: RedeemOrder): FakeTask {
    return this.addTask({ domains: [order.domainName], by: 'submission' });
  }

  private async called(call: FakeCall): Promise<void> {
    this.log.push(call);
    this.counts[call.action] = (this.counts[call.action] ?? 0) + 1;
    await this.onCall?.(call);
  }

  async queryDomainList(query: DomainListQuery): Promise<Page<DomainItem>> {
    await this.called({ kind: 'call', action: 'QueryDomainList', pageNum: query.pageNum });
    const listed = this.domains.filter((d) => query.queryType === undefined || String(d.DomainStatus) === String(query.queryType));
    return this.page(listed, query);
  }

  async queryTaskList(query: TaskListQuery): Promise<Page<TaskInfo>> {
    await this.called({ kind: 'call', action: 'QueryTaskList', pageNum: query.pageNum });
    const listed = this.tasks
      .filter((t) => t.createdMs >= query.beginCreateTime && t.createdMs <= query.endCreateTime)
      .map((t): TaskInfo => ({ TaskNo: t.taskNo, TaskType: t.taskType, TaskNum: t.taskNum, CreateTime: t.createTime, TaskStatusCode: infoStatus(t.details.map((d) => d.statusCode)) }));
    return this.page(listed, query);
  }

  async queryTaskDetailList(query: TaskDetailQuery): Promise<Page<TaskDetail>> {
    await this.called({ kind: 'call', action: 'QueryTaskDetailList', taskNo: query.taskNo, pageNum: query.pageNum });
    const task = this.tasks.find((t) => t.taskNo === query.taskNo);
    const details = (task?.details ?? [])
      .filter((d) => query.domainName === undefined || d.domainName === query.domainName)
      .map(
        (d, i): TaskDetail => ({
          TaskNo: task!.taskNo,
          TaskDetailNo: `${task!.taskNo}-${i}`,
          TaskType: task!.taskType,
          DomainName: d.domainName,
          TaskStatusCode: d.statusCode,
          ErrorMsg: d.errorMsg,
          FailReason: d.failReason,
          CreateTime: 'createTime' in d ? d.createTime : task!.createTime,
        }),
      );
    return this.page(details, query);
  }

  async saveSingleTaskForCreatingOrderRedeem(order: RedeemOrder): Promise<SubmittedOrder> {
    await this.called({ kind: 'call', action: 'SaveSingleTaskForCreatingOrderRedeem', domain: order.domainName, expirationMs: order.currentExpirationDate });
    const task = this.accept(order);
    return { taskNo: task.taskNo, requestId: `req-${task.taskNo}`, attempts: 1 };
  }

  private page<T>(all: readonly T[], query: { readonly pageNum: number; readonly pageSize: number }): Page<T> {
    const totalPages = Math.max(1, Math.ceil(all.length / query.pageSize));
    const items = all.slice((query.pageNum - 1) * query.pageSize, query.pageNum * query.pageSize);
    return pageOf(items, { RequestId: `req-${this.calls}`, TotalPageNum: totalPages, CurrentPageNum: query.pageNum, TotalItemNum: all.length }, query.pageNum);
  }
}

/** TaskInfo's own codes, as the registrar derives them from its details: 1 waiting, 2 executing, 3 complete. */
function infoStatus(detailCodes: readonly number[]): number {
  if (detailCodes.length > 0 && detailCodes.every((c) => c === 2 || c === 3)) return 3;
  return detailCodes.some((c) => c === 1) ? 2 : 1;
}
