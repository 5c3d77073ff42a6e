/**
 * Domain API client: signs every attempt afresh (new date and nonce), validates every answer, and
 * retries only what is safe. Reads retry on throttling, 5xx and network errors; the redeem submission
 * retries only when the request was certainly not accepted, and otherwise reports "outcome unknown".
 */
import type * as z from 'zod/mini';
import type { Credentials } from '../signing/index.js';
import { signAcs3 } from '../signing/index.js';
import { formatQuery } from '../signing/index.js';
import { DEFAULT_RETRY_POLICY, realRuntime, withRetry, type RetryPolicy, type RetryRuntime } from '../http/index.js';
import { isOutcomeUnknown, readRetryDecision, submitRetryDecision, toNetworkError } from './retry-rules.js';
import { HttpTimeoutError, headerValue, send, type HttpAnswer } from '../http/index.js';
import { describeIssue, issuePath } from '../validation/index.js';
import { DomainApiError, MalformedResponseError, OutcomeUnknownError, TaskIsBeingProcessedError } from './errors.js';
import {
  errorBodySchema,
  queryDomainListSchema,
  queryTaskDetailListSchema,
  queryTaskListSchema,
  saveRedeemSchema,
  type DomainItem,
  type TaskDetail,
  type TaskInfo,
} from './schemas.js';
import { pageOf, type DomainApi, type DomainListQuery, type Page, type RedeemOrder } from './port.js';
import { SITES, type DomainSite } from './sites.js';

export type ParamValue = string | number | boolean | undefined;
export type Params = Readonly<Record<string, ParamValue>>;

export interface DomainApiOptions {
  readonly site?: DomainSite;
  /** Overrides the site's endpoint, e.g. a local emulator URL. */
  readonly endpoint?: string | undefined;
  readonly credentials: Credentials;
  readonly retry?: Partial<RetryPolicy>;
  readonly runtime?: RetryRuntime;
  /** Per attempt; a submission that times out is "outcome unknown". */
  readonly requestTimeoutMs?: number;
}

const REDEEM_ACTION = 'SaveSingleTaskForCreatingOrderRedeem';

function parseRetryAfter(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const ms = Number(value);
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

export class DomainApiClient implements DomainApi {
  readonly endpoint: string;
  readonly version: string;
  private readonly policy: RetryPolicy;
  private readonly runtime: RetryRuntime;
  /** HTTP attempts made, successful or not. */
  calls = 0;
  readonly callsByAction: Record<string, number> = {};

  constructor(private readonly options: DomainApiOptions) {
    const site = SITES[options.site ?? 'intl'];
    this.endpoint = (options.endpoint ?? site.endpoint).replace(/\/+$/, '');
    this.version = site.version;
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.runtime = options.runtime ?? realRuntime;
  }

  /** One signed RPC read, validated with `schema`, under the read retry policy. */
  private read<S extends z.ZodMiniType>(action: string, params: Params, schema: S): Promise<z.output<S>> {
    return withRetry(() => this.attempt(action, params, schema), readRetryDecision, this.policy, this.runtime);
  }

  private async attempt<S extends z.ZodMiniType>(action: string, params: Params, schema: S): Promise<z.output<S>> {
    const pairs: Array<[string, string]> = Object.entries(params)
      .filter((entry): entry is [string, string | number | boolean] => entry[1] !== undefined)
      .map(([name, value]) => [name, String(value)]);
    const signed = signAcs3(
      {
        method: 'POST',
        url: `${this.endpoint}/?${formatQuery(pairs)}`,
        headers: [
          ['x-acs-action', action],
          ['x-acs-version', this.version],
          ['accept', 'application/json'],
          ['user-agent', 'domain-redeemer/0.1'],
        ],
      },
      this.options.credentials,
    );
    this.calls++;
    this.callsByAction[action] = (this.callsByAction[action] ?? 0) + 1;
    let answer: HttpAnswer;
    try {
      answer = await send({
        method: signed.method,
        url: signed.url,
        headers: signed.headers,
        timeoutMs: this.options.requestTimeoutMs ?? 10_000,
      });
    } catch (error) {
      throw toNetworkError(action, error, error instanceof HttpTimeoutError);
    }
    return this.interpret(action, answer, schema);
  }

  private interpret<S extends z.ZodMiniType>(action: string, answer: HttpAnswer, schema: S): z.output<S> {
    const text = answer.body.toString('utf8');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const errorBody = errorBodySchema.safeParse(json);
    if (answer.status < 200 || answer.status >= 300) {
      const code = errorBody.success ? errorBody.data.Code : `HTTP${answer.status}`;
      const fields = {
        action,
        code,
        message: errorBody.success ? (errorBody.data.Message ?? '') : `non-JSON error answer (${text.length} bytes)`,
        requestId: errorBody.success ? errorBody.data.RequestId : undefined,
        httpStatus: answer.status,
        retryAfterMs: parseRetryAfter(headerValue(answer.headers, 'x-acs-retry-after')),
      };
      throw code === 'TaskIsBeingProcessed' ? new TaskIsBeingProcessedError(fields) : new DomainApiError(fields);
    }
    if (json === undefined) throw new MalformedResponseError(action, '(body)', 'not JSON');
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new MalformedResponseError(
        action,
        issuePath(issue.path),
        describeIssue(issue).replace(/^[^:]*: /, ''),
        typeof (json as { RequestId?: unknown }).RequestId === 'string' ? (json as { RequestId: string }).RequestId : undefined,
      );
    }
    return parsed.data;
  }

  /** Pages of QueryDomainList, following the top-level NextPage. An empty page (no Data) ends the walk. */
  async *domainPages(query: DomainListQuery): AsyncGenerator<Page<DomainItem>> {
    for (let pageNum = 1; ; pageNum++) {
      const body = await this.read(
        'QueryDomainList',
        {
          PageNum: pageNum,
          PageSize: query.pageSize ?? 100,
          QueryType: query.queryType,
          OrderKeyType: query.orderKeyType,
          OrderByType: query.orderByType,
        },
        queryDomainListSchema,
      );
      const page = pageOf(body.Data?.Domain ?? [], body, pageNum);
      yield page;
      if (!page.hasNext) return;
    }
  }

  async *domains(query: DomainListQuery): AsyncGenerator<DomainItem> {
    for await (const page of this.domainPages(query)) yield* page.items;
  }

  async queryTaskDetailList(query: {
    taskNo: string;
    pageNum?: number;
    pageSize?: number;
    domainName?: string | undefined;
  }): Promise<Page<TaskDetail>> {
    const body = await this.read(
      'QueryTaskDetailList',
      { TaskNo: query.taskNo, PageNum: query.pageNum ?? 1, PageSize: query.pageSize ?? 100, DomainName: query.domainName },
      queryTaskDetailListSchema,
    );
    return pageOf(body.Data?.TaskDetail ?? [], body, query.pageNum ?? 1);
  }

  async queryTaskList(query: {
    pageNum?: number;
    pageSize?: number;
    beginCreateTime?: number;
    endCreateTime?: number;
  }): Promise<Page<TaskInfo>> {
    const body = await this.read(
      'QueryTaskList',
      {
        PageNum: query.pageNum ?? 1,
        PageSize: query.pageSize ?? 100,
        BeginCreateTime: query.beginCreateTime,
        EndCreateTime: query.endCreateTime,
      },
      queryTaskListSchema,
    );
    return pageOf(body.Data?.TaskInfo ?? [], body, query.pageNum ?? 1);
  }

  /**
   * Submits one redemption. Retried only when the order was certainly not accepted: a throttling answer
   * or a connection that never opened. A timeout, a dropped connection or a 5xx after sending becomes
   * OutcomeUnknownError; TaskIsBeingProcessed is thrown as its own type and never retried here.
   */
  async saveSingleTaskForCreatingOrderRedeem(order: RedeemOrder): Promise<{ taskNo: string; requestId: string; attempts: number }> {
    let attempts = 0;
    try {
      const body = await withRetry(
        async () => {
          attempts++;
          return this.attempt(
            REDEEM_ACTION,
            { DomainName: order.domainName, CurrentExpirationDate: order.currentExpirationDate },
            saveRedeemSchema,
          );
        },
        submitRetryDecision,
        this.policy,
        this.runtime,
      );
      return { taskNo: body.TaskNo, requestId: body.RequestId, attempts };
    } catch (error) {
      if (isOutcomeUnknown(error)) throw new OutcomeUnknownError(REDEEM_ACTION, order.domainName, { cause: error });
      throw error;
    }
  }
}
