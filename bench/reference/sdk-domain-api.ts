/**
 * The Domain API as a user of the official packages would call it: @alicloud/openapi-client's callApi
 * (its own ACS3 signer and HTTP stack), answers validated with classic zod. Same calls, same retry
 * policy and the same error types as the function's client, so the engine treats both alike.
 */
import * as OpenApiModule from '@alicloud/openapi-client';
import type { z } from 'zod';
import { DomainApiError, MalformedResponseError, TaskIsBeingProcessedError } from '../../shared/domain-api/index.js';
import { fromTransportFailure, readRetryDecision, submitOnce } from '../../shared/domain-api/index.js';
import { pageOf, type DomainApi, type DomainListQuery, type Page, type RedeemOrder, type SubmittedOrder, type TaskDetailQuery, type TaskListQuery } from '../../shared/domain-api/index.js';
import type { DomainItem, TaskDetail, TaskInfo } from '../../shared/domain-api/index.js';
import { SITES, type DomainSite } from '../../shared/domain-api/index.js';
import { systemClock } from '../../shared/clock/index.js';
import { DEFAULT_RETRY_POLICY, withRetry } from '../../shared/http/index.js';
import type { Credentials } from '../../shared/signing/index.js';
import { domainListSchema, redeemSchema, taskDetailListSchema, taskListSchema } from './schemas.js';

// CommonJS with an ES-module-style default export: the classes sit at the namespace or at `.default`.
const ns: any = typeof (OpenApiModule as { Config?: unknown }).Config === 'function' ? OpenApiModule : (OpenApiModule as any).default;
const OpenApiClient: any = typeof ns.default === 'function' ? ns.default : ns.default.default;

export class SdkDomainApi implements DomainApi {
  calls = 0;
  readonly callsByAction: Record<string, number> = {};
  private readonly client: any;
  private readonly version: string;

  private readonly deadlineMs: number;

  constructor(options: { site: DomainSite; endpoint?: string | undefined; credentials: Credentials; deadlineMs: number }) {
    this.deadlineMs = options.deadlineMs;
    const site = SITES[options.site];
    const endpoint = new URL(options.endpoint ?? site.endpoint);
    this.version = site.version;
    this.client = new OpenApiClient(
      new ns.Config({
        accessKeyId: options.credentials.accessKeyId,
        accessKeySecret: options.credentials.accessKeySecret,
        securityToken: options.credentials.securityToken,
        endpoint: endpoint.host,
        protocol: endpoint.protocol === 'http:' ? 'HTTP' : 'HTTPS',
      }),
    );
  }

  private async attempt<S extends z.ZodTypeAny>(action: string, query: Record<string, string | number | undefined>, schema: S): Promise<z.output<S>> {
    this.calls++;
    this.callsByAction[action] = (this.callsByAction[action] ?? 0) + 1;
    const params = new ns.Params({ action, version: this.version, protocol: 'HTTPS', pathname: '/', method: 'POST', authType: 'AK', style: 'RPC', reqBodyType: 'formData', bodyType: 'json' });
    const clean = Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)]));
    let response: { body: unknown };
    try {
      response = await this.client.callApi(params, new ns.OpenApiRequest({ query: clean }), { readTimeout: 10_000, connectTimeout: 5_000 });
    } catch (error: any) {
      const status = error?.data?.statusCode;
      if (typeof status === 'number') {
        const fields = { action, code: String(error.code), message: String(error.data?.Message ?? ''), requestId: error.data?.RequestId, httpStatus: status, retryAfterMs: undefined };
        throw fields.code === 'TaskIsBeingProcessed' ? new TaskIsBeingProcessedError(fields) : new DomainApiError(fields);
      }
      throw fromTransportFailure(action, error, /timeout/i.test(String(error?.name ?? '')));
    }
    const parsed = schema.safeParse(response.body);
    if (!parsed.success) throw new MalformedResponseError(action, parsed.error.issues[0]?.path.join('.') ?? '(body)', parsed.error.issues[0]?.message ?? 'invalid');
    return parsed.data;
  }

  private read<S extends z.ZodTypeAny>(action: string, query: Record<string, string | number | undefined>, schema: S): Promise<z.output<S>> {
    return withRetry(() => this.attempt(action, query, schema), readRetryDecision, DEFAULT_RETRY_POLICY, systemClock, this.deadlineMs);
  }

  async queryDomainList(query: DomainListQuery): Promise<Page<DomainItem>> {
    const body = await this.read('QueryDomainList', { PageNum: query.pageNum, PageSize: query.pageSize, QueryType: query.queryType }, domainListSchema);
    return pageOf(body.Data?.Domain ?? [], body, query.pageNum);
  }

  async queryTaskDetailList(query: TaskDetailQuery): Promise<Page<TaskDetail>> {
    const body = await this.read('QueryTaskDetailList', { TaskNo: query.taskNo, PageNum: query.pageNum, PageSize: query.pageSize, DomainName: query.domainName }, taskDetailListSchema);
    return pageOf(body.Data?.TaskDetail ?? [], body, query.pageNum);
  }

  async queryTaskList(query: TaskListQuery): Promise<Page<TaskInfo>> {
    const body = await this.read('QueryTaskList', { PageNum: query.pageNum, PageSize: query.pageSize, BeginCreateTime: query.beginCreateTime, EndCreateTime: query.endCreateTime }, taskListSchema);
    return pageOf(body.Data?.TaskInfo ?? [], body, query.pageNum);
  }

  saveSingleTaskForCreatingOrderRedeem(order: RedeemOrder): Promise<SubmittedOrder> {
    return submitOnce(
      order,
      () => this.attempt('SaveSingleTaskForCreatingOrderRedeem', { DomainName: order.domainName, CurrentExpirationDate: order.currentExpirationDate }, redeemSchema),
      DEFAULT_RETRY_POLICY,
      systemClock,
      this.deadlineMs,
    );
  }
}
