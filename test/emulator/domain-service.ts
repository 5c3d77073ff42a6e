/**
 * The Domain API's business logic, as the emulator plays it: the portfolio, redeem tasks that move from
 * WAITING_EXECUTE through EXECUTING to a final state over time, and the real response shapes.
 */
import { randomUUID } from 'node:crypto';
import { DAY_MS, TLDS, type EmulatedDomain } from './portfolio.js';

export interface ApiAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

export interface EmulatedTask {
  readonly taskNo: string;
  readonly taskDetailNo: string;
  readonly taskType: 'ORDER_REDEEM';
  readonly domainName: string;
  readonly instanceId: string;
  readonly createdAt: number;
  readonly waitingMs: number;
  readonly executingMs: number;
  readonly outcome: 'success' | 'failure';
  applied: boolean;
}

export interface TaskTiming {
  readonly waitingMs: number;
  readonly executingMs: number;
}

/** A week of earlier runs' orders, all finished and applied: what the next day's run finds in the ledger. */
export interface LedgerSeed {
  /** Finished ORDER_REDEEM tasks, one domain each. */
  readonly tasks: number;
  /** Spread evenly over this many days before now. Default 7. */
  readonly days?: number;
  /**
   * The domains that get the newest tasks (redeemed, so they leave the redemption list). The rest go to
   * the domains in redemption with the nearest registry deadline, then to active domains (an older
   * redemption, already applied).
   */
  readonly domains?: readonly string[];
}

const DETAIL_STATUS = ['WAITING_EXECUTE', 'EXECUTING', 'EXECUTE_SUCCESS', 'EXECUTE_FAILURE'] as const;
const HOST_ID = 'domain-intl.aliyuncs.com';
const BEIJING_OFFSET_MS = 8 * 3_600_000;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "2018-01-25 20:46:57", in Beijing time as the registrar shows it. */
function detailTime(ms: number): string {
  return new Date(ms + BEIJING_OFFSET_MS).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, '');
}

/** "Dec 26,2017 11:00:54", the TaskInfo format. */
function infoTime(ms: number): string {
  const d = new Date(ms + BEIJING_OFFSET_MS);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${pad(d.getUTCDate())},${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

export function errorBody(requestId: string, code: string, message: string): Record<string, unknown> {
  return { RequestId: requestId, HostId: HOST_ID, Code: code, Message: message };
}

export class DomainService {
  readonly tasks: EmulatedTask[] = [];
  private readonly byName = new Map<string, EmulatedDomain>();

  constructor(
    readonly domains: EmulatedDomain[],
    private readonly timing: TaskTiming,
    private readonly now: () => number,
  ) {
    for (const domain of domains) this.byName.set(domain.domainName, domain);
  }

  taskStatusCode(task: EmulatedTask, at = this.now()): 0 | 1 | 2 | 3 {
    const age = at - task.createdAt;
    if (age < task.waitingMs) return 0;
    if (age < task.waitingMs + task.executingMs) return 1;
    return task.outcome === 'success' ? 2 : 3;
  }

  /** Applies finished redemptions: a new expiration date, and the domain leaves the redemption list. */
  settle(): void {
    for (const task of this.tasks) {
      if (task.applied || this.taskStatusCode(task) < 2) continue;
      task.applied = true;
      const domain = this.byName.get(task.domainName);
      if (task.outcome === 'success' && domain) {
        domain.expirationDateLong += 365 * DAY_MS;
        domain.domainStatus = 3;
        domain.phase = 'active';
      }
    }
  }

  /** Adds a task as if it had been created earlier (a previous run's order still in flight). */
  seedTask(domainName: string, createdAt: number, timing: TaskTiming, outcome: 'success' | 'failure' = 'success'): EmulatedTask {
    const domain = this.byName.get(domainName);
    if (!domain) throw new Error(`no such domain ${domainName}`);
    const task: EmulatedTask = {
      taskNo: randomUUID(),
      taskDetailNo: String(100000 + this.tasks.length),
      taskType: 'ORDER_REDEEM',
      domainName,
      instanceId: domain.instanceId,
      createdAt,
      ...timing,
      outcome,
      applied: false,
    };
    this.tasks.push(task);
    return task;
  }

  /** Seeds finished redeem tasks over the last days (see LedgerSeed); answers the tasks it added. */
  seedLedger(seed: LedgerSeed): EmulatedTask[] {
    const days = seed.days ?? 7;
    if (!Number.isInteger(seed.tasks) || seed.tasks < 0) throw new Error(`ledger: tasks must be a whole number, got ${seed.tasks}`);
    if (!(days > 0 && days <= 365)) throw new Error(`ledger: days must be more than 0 and at most 365, got ${days}`);
    const chosen: EmulatedDomain[] = [];
    const taken = new Set<string>();
    const take = (domain: EmulatedDomain) => {
      if (chosen.length < seed.tasks && !taken.has(domain.domainName)) {
        taken.add(domain.domainName);
        chosen.push(domain);
      }
    };
    for (const name of seed.domains ?? []) {
      const domain = this.byName.get(name.toLowerCase());
      if (!domain) throw new Error(`ledger: no such domain ${name}`);
      take(domain);
    }
    const registryEnd = (d: EmulatedDomain) => {
      const window = TLDS.find((t) => t.tld === d.tld);
      return d.expirationDateLong + ((window?.graceDays ?? 30) + (window?.redemptionDays ?? 14)) * DAY_MS;
    };
    for (const domain of this.domains.filter((d) => d.domainStatus === 2).sort((a, b) => registryEnd(a) - registryEnd(b))) take(domain);
    for (const domain of this.domains) if (domain.domainStatus === 3) take(domain);
    if (chosen.length < seed.tasks) throw new Error(`ledger: only ${chosen.length} domains can hold a task, ${seed.tasks} asked for`);

    const now = this.now();
    const spacing = (days * DAY_MS) / Math.max(1, seed.tasks);
    const added = chosen.map((domain, i) => {
      const createdAt = Math.round(now - (i + 0.5) * spacing);
      // Finished well before now, however close to now it was created.
      const executingMs = Math.min(300_000, Math.floor((now - createdAt) / 2));
      const task = this.seedTask(domain.domainName, createdAt, { waitingMs: 0, executingMs }, 'success');
      // An active domain's redemption was applied long ago: its dates already show it.
      if (domain.domainStatus !== 2) task.applied = true;
      return task;
    });
    this.settle();
    return added;
  }

  handle(action: string, params: ReadonlyMap<string, string>, requestId: string, failNextTask: boolean): ApiAnswer {
    this.settle();
    switch (action) {
      case 'QueryDomainList':
        return this.queryDomainList(params, requestId);
      case 'SaveSingleTaskForCreatingOrderRedeem':
        return this.redeem(params, requestId, failNextTask);
      case 'QueryTaskDetailList':
        return this.queryTaskDetailList(params, requestId);
      case 'QueryTaskList':
        return this.queryTaskList(params, requestId);
      default:
        return { status: 404, body: errorBody(requestId, 'InvalidApi.NotFound', `Specified api is not found, please check your url and method: ${action}`) };
    }
  }

  private paging(params: ReadonlyMap<string, string>, requestId: string, maxPageSize: number): { pageNum: number; pageSize: number } | ApiAnswer {
    for (const name of ['PageNum', 'PageSize']) {
      if (!params.has(name)) {
        return { status: 400, body: errorBody(requestId, 'MissingParameter', `The input parameter "${name}" that is mandatory for processing this request is not supplied.`) };
      }
      if (!/^\d+$/.test(params.get(name)!)) {
        return { status: 400, body: errorBody(requestId, 'InvalidParameter', `The specified parameter "${name}" is not valid.`) };
      }
    }
    const pageNum = Number(params.get('PageNum'));
    const pageSize = Number(params.get('PageSize'));
    if (pageSize < 1 || pageSize > maxPageSize) {
      return { status: 400, body: errorBody(requestId, 'InvalidPageSize', `PageSize must be between 1 and ${maxPageSize}.`) };
    }
    return { pageNum: Math.max(1, pageNum), pageSize };
  }

  private envelope(requestId: string, pageNum: number, pageSize: number, total: number) {
    const totalPages = Math.ceil(total / pageSize);
    return {
      RequestId: requestId,
      CurrentPageNum: pageNum,
      PageSize: pageSize,
      TotalItemNum: total,
      TotalPageNum: totalPages,
      PrePage: pageNum > 1,
      NextPage: pageNum < totalPages,
    };
  }

  private queryDomainList(params: ReadonlyMap<string, string>, requestId: string): ApiAnswer {
    const paging = this.paging(params, requestId, 1000);
    if ('status' in paging) return paging;
    const queryType = params.get('QueryType');
    if (queryType !== undefined && queryType !== '1' && queryType !== '2') {
      return { status: 400, body: errorBody(requestId, 'InvalidParameter', 'The specified parameter "QueryType" is not valid.') };
    }
    let list = queryType === undefined ? this.domains : this.domains.filter((d) => d.domainStatus === Number(queryType));
    const key = params.get('OrderKeyType');
    if (key === 'ExpirationDate' || key === 'RegistrationDate') {
      const field = key === 'ExpirationDate' ? 'expirationDateLong' : 'registrationDateLong';
      const sign = params.get('OrderByType') === 'ASC' ? 1 : -1;
      list = [...list].sort((a, b) => sign * (a[field] - b[field]));
    }
    const { pageNum, pageSize } = paging;
    const slice = list.slice((pageNum - 1) * pageSize, pageNum * pageSize);
    const now = this.now();
    const body: Record<string, unknown> = this.envelope(requestId, pageNum, pageSize, list.length);
    if (slice.length > 0) {
      body.Data = {
        Domain: slice.map((d) => ({
          DomainName: d.domainName,
          InstanceId: d.instanceId,
          ExpirationDate: detailTime(d.expirationDateLong),
          ExpirationDateLong: d.expirationDateLong,
          ExpirationDateStatus: d.expirationDateLong < now ? '2' : '1',
          ExpirationCurrDateDiff: Math.floor((d.expirationDateLong - now) / DAY_MS),
          DomainStatus: String(d.domainStatus),
          RegistrationDate: detailTime(d.registrationDateLong),
          RegistrationDateLong: d.registrationDateLong,
          DomainType: d.domainType,
          ProductId: '2a',
          Premium: false,
          RegistrantType: '2',
          DomainAuditStatus: 'SUCCEED',
          Remark: '',
        })),
      };
    }
    return { status: 200, body };
  }

  private redeem(params: ReadonlyMap<string, string>, requestId: string, failTask: boolean): ApiAnswer {
    for (const name of ['DomainName', 'CurrentExpirationDate']) {
      if (!params.get(name)) {
        return { status: 400, body: errorBody(requestId, 'MissingParameter', `The input parameter "${name}" that is mandatory for processing this request is not supplied.`) };
      }
    }
    const expiration = params.get('CurrentExpirationDate')!;
    if (!/^\d+$/.test(expiration)) {
      return { status: 400, body: errorBody(requestId, 'InvalidParameter', 'The specified parameter "CurrentExpirationDate" is not valid.') };
    }
    const domainName = params.get('DomainName')!;
    const domain = this.byName.get(domainName);
    if (!domain) return { status: 400, body: errorBody(requestId, 'DomainNotExist', 'The domain name does not exist.') };
    const open = this.tasks.find((t) => t.domainName === domainName && this.taskStatusCode(t) < 2);
    if (open) {
      return { status: 400, body: errorBody(requestId, 'TaskIsBeingProcessed', 'An operation is being processed. Please try again later.') };
    }
    if (domain.domainStatus !== 2 || Number(expiration) !== domain.expirationDateLong) {
      return { status: 400, body: errorBody(requestId, 'ParameterIllegal', 'The domain is not in the redemption period or the expiration date does not match.') };
    }
    const task = this.seedTask(domainName, this.now(), this.timing, failTask ? 'failure' : 'success');
    return { status: 200, body: { RequestId: requestId, TaskNo: task.taskNo } };
  }

  private queryTaskDetailList(params: ReadonlyMap<string, string>, requestId: string): ApiAnswer {
    const paging = this.paging(params, requestId, 1000);
    if ('status' in paging) return paging;
    const taskNo = params.get('TaskNo');
    if (!taskNo) {
      return { status: 400, body: errorBody(requestId, 'MissingParameter', 'The input parameter "TaskNo" that is mandatory for processing this request is not supplied.') };
    }
    const domainFilter = params.get('DomainName');
    const now = this.now();
    const details = this.tasks.filter((t) => t.taskNo === taskNo && (!domainFilter || t.domainName === domainFilter));
    const { pageNum, pageSize } = paging;
    const slice = details.slice((pageNum - 1) * pageSize, pageNum * pageSize);
    const body: Record<string, unknown> = this.envelope(requestId, pageNum, pageSize, details.length);
    if (slice.length > 0) {
      body.Data = {
        TaskDetail: slice.map((t) => {
          const code = this.taskStatusCode(t, now);
          return {
            TaskNo: t.taskNo,
            TaskDetailNo: t.taskDetailNo,
            TaskType: t.taskType,
            TaskTypeDescription: 'Redeem',
            DomainName: t.domainName,
            InstanceId: t.instanceId,
            TaskStatus: DETAIL_STATUS[code],
            TaskStatusCode: code,
            TaskResult: code === 2 ? t.taskDetailNo : '',
            ErrorMsg: code === 3 ? 'The domain could not be redeemed at the registry.' : 'The operation is successful.',
            FailReason: code === 3 ? 'REGISTRY_REJECTED' : null,
            TryCount: code >= 1 ? 1 : 0,
            CreateTime: detailTime(t.createdAt),
            UpdateTime: detailTime(Math.min(now, t.createdAt + t.waitingMs + t.executingMs)),
          };
        }),
      };
    }
    return { status: 200, body };
  }

  private queryTaskList(params: ReadonlyMap<string, string>, requestId: string): ApiAnswer {
    const paging = this.paging(params, requestId, 1000);
    if ('status' in paging) return paging;
    // The registrar filters by day (Beijing time): widen the bounds to whole days as it does.
    const dayStart = (ms: number) => Math.floor((ms + BEIJING_OFFSET_MS) / DAY_MS) * DAY_MS - BEIJING_OFFSET_MS;
    const begin = params.has('BeginCreateTime') ? dayStart(Number(params.get('BeginCreateTime'))) : -Infinity;
    const end = params.has('EndCreateTime') ? dayStart(Number(params.get('EndCreateTime'))) + DAY_MS : Infinity;
    const now = this.now();
    const tasks = this.tasks.filter((t) => t.createdAt >= begin && t.createdAt < end).sort((a, b) => b.createdAt - a.createdAt);
    const { pageNum, pageSize } = paging;
    const slice = tasks.slice((pageNum - 1) * pageSize, pageNum * pageSize);
    const body: Record<string, unknown> = this.envelope(requestId, pageNum, pageSize, tasks.length);
    if (slice.length > 0) {
      body.Data = {
        TaskInfo: slice.map((t) => {
          const detail = this.taskStatusCode(t, now);
          const info = detail === 0 ? 1 : detail === 1 ? 2 : 3;
          return {
            TaskNo: t.taskNo,
            TaskType: t.taskType,
            TaskTypeDescription: 'Redeem',
            TaskNum: 1,
            CreateTime: infoTime(t.createdAt),
            Clientip: '127.0.0.1',
            TaskStatus: ['', 'WAITING_EXECUTE', 'EXECUTING', 'COMPLETE'][info],
            TaskStatusCode: info,
            TaskCancelStatus: 'INIT',
            TaskCancelStatusCode: 0,
          };
        }),
      };
    }
    return { status: 200, body };
  }
}
