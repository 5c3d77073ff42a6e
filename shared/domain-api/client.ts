/**
 * Domain API client: the four actions the run calls, over the shared RPC caller (signed afresh on every
 * attempt with the run's clock, bounded by the run's deadline). Reads retry on throttling, 5xx, network
 * errors, unreadable answers and TaskIsBeingProcessed; the redeem submission retries only when the
 * request was certainly not accepted, and otherwise reports "outcome unknown".
 */
import type { Clock } from '../clock/index.js';
import type { RateLimiter, RetryPolicy } from '../http/index.js';
import type { Credentials } from '../signing/index.js';
import { submitOnce } from './retry-rules.js';
import { RpcCaller } from './rpc.js';
import { queryDomainListSchema, queryTaskDetailListSchema, queryTaskListSchema, saveRedeemSchema, type DomainItem, type TaskDetail, type TaskInfo } from './schemas.js';
import { pageOf, type DomainApi, type DomainListQuery, type Page, type RedeemOrder, type SubmittedOrder, type TaskDetailQuery, type TaskListQuery } from './port.js';
import { SITES, type DomainSite } from './sites.js';

export interface DomainApiOptions {
  readonly site?: DomainSite;
  /** Overrides the site's endpoint, e.g. a local emulator URL. */
  readonly endpoint?: string | undefined;
  readonly credentials: Credentials;
  /** Temporary credentials: no attempt is signed from then on (see RpcOptions.signUntilMs). */
  readonly signUntilMs?: number | undefined;
  readonly clock: Clock;
  /** Epoch ms: no attempt or retry wait runs past it (the run's own deadline). */
  readonly deadlineMs: number;
  readonly retry?: Partial<RetryPolicy>;
  /** Per attempt, clamped to the time left; a submission that times out is "outcome unknown". */
  readonly requestTimeoutMs?: number;
  /** The run's one token bucket for the Domain API (REDEEM_API_QPS). */
  readonly limiter?: RateLimiter | undefined;
}

const REDEEM_ACTION = 'SaveSingleTaskForCreatingOrderRedeem';

export class DomainApiClient implements DomainApi {
  readonly endpoint: string;
  readonly version: string;
  private readonly rpc: RpcCaller;

  constructor(options: DomainApiOptions) {
    const site = SITES[options.site ?? 'intl'];
    this.rpc = new RpcCaller({ ...options, endpoint: options.endpoint ?? site.endpoint, version: site.version, endpointVariable: 'DOMAIN_ENDPOINT' });
    this.endpoint = this.rpc.endpoint;
    this.version = site.version;
  }

  get calls(): number {
    return this.rpc.calls;
  }

  get callsByAction(): Readonly<Record<string, number>> {
    return this.rpc.callsByAction;
  }

  async queryDomainList(query: DomainListQuery): Promise<Page<DomainItem>> {
    const body = await this.rpc.read('QueryDomainList', { PageNum: query.pageNum, PageSize: query.pageSize, QueryType: query.queryType }, queryDomainListSchema());
    return pageOf(body.Data?.Domain ?? [], body, query.pageNum, query.pageSize);
  }

  async queryTaskDetailList(query: TaskDetailQuery): Promise<Page<TaskDetail>> {
    const body = await this.rpc.read(
      'QueryTaskDetailList',
      { TaskNo: query.taskNo, PageNum: query.pageNum, PageSize: query.pageSize, DomainName: query.domainName },
      queryTaskDetailListSchema(),
      query.deadlineMs,
    );
    return pageOf(body.Data?.TaskDetail ?? [], body, query.pageNum, query.pageSize);
  }

  async queryTaskList(query: TaskListQuery): Promise<Page<TaskInfo>> {
    const body = await this.rpc.read(
      'QueryTaskList',
      { PageNum: query.pageNum, PageSize: query.pageSize, BeginCreateTime: query.beginCreateTime, EndCreateTime: query.endCreateTime },
      queryTaskListSchema(),
      query.deadlineMs,
    );
    return pageOf(body.Data?.TaskInfo ?? [], body, query.pageNum, query.pageSize);
  }

  saveSingleTaskForCreatingOrderRedeem(order: RedeemOrder): Promise<SubmittedOrder> {
    return submitOnce(
      order,
      // On a connection of its own: a reset on a reused keep-alive connection would leave the order's fate
      // unknown (never resent) though the registrar may never have seen it.
      () => this.rpc.attempt(REDEEM_ACTION, { DomainName: order.domainName, CurrentExpirationDate: order.currentExpirationDate }, saveRedeemSchema(), { ...order, freshConnection: true }),
      this.rpc.retryPolicy,
      this.rpc.clock,
      this.rpc.deadlineMs,
    );
  }
}
