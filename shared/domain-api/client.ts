/**
 * Domain API client: signs every attempt afresh (new date and nonce, from the run's clock), validates every
 * answer, and retries only what is safe, never past the run's deadline. Reads retry on throttling, 5xx,
 * network errors, unreadable answers and TaskIsBeingProcessed; the redeem submission retries only when the
 * request was certainly not accepted, and otherwise reports "outcome unknown".
 */
import type * as z from 'zod/mini';
import type { Clock } from '../clock/index.js';
import { DEFAULT_RETRY_POLICY, HttpTimeoutError, headerValue, send, withRetry, type HttpAnswer, type RetryPolicy } from '../http/index.js';
import { formatQuery, signAcs3, type Credentials } from '../signing/index.js';
import { describeIssue, issuePath } from '../validation/index.js';
import { DomainApiError, MalformedResponseError, TaskIsBeingProcessedError } from './errors.js';
import { readRetryDecision, submitOnce, toNetworkError } from './retry-rules.js';
import { errorBodySchema, queryDomainListSchema, queryTaskDetailListSchema, queryTaskListSchema, saveRedeemSchema, type DomainItem, type TaskDetail, type TaskInfo } from './schemas.js';
import { pageOf, type DomainApi, type DomainListQuery, type Page, type RedeemOrder, type SubmittedOrder, type TaskDetailQuery, type TaskListQuery } from './port.js';
import { SITES, type DomainSite } from './sites.js';

export type Params = Readonly<Record<string, string | number | boolean | undefined>>;

export interface DomainApiOptions {
  readonly site?: DomainSite;
  /** Overrides the site's endpoint, e.g. a local emulator URL. */
  readonly endpoint?: string | undefined;
  readonly credentials: Credentials;
  readonly clock: Clock;
  /** Epoch ms: no attempt or retry wait runs past it (the run's own deadline). */
  readonly deadlineMs: number;
  readonly retry?: Partial<RetryPolicy>;
  /** Per attempt, clamped to the time left; a submission that times out is "outcome unknown". */
  readonly requestTimeoutMs?: number;
}

const REDEEM_ACTION = 'SaveSingleTaskForCreatingOrderRedeem';

function parseRetryAfter(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const ms = Number(value);
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

/** The error an HTTP answer outside 2xx stands for, from its JSON error body when it has one. */
export function errorFromAnswer(action: string, status: number, json: unknown, bodyLength: number, retryAfter: string | undefined): DomainApiError {
  const body = errorBodySchema.safeParse(json);
  const fields = {
    action,
    code: body.success ? body.data.Code : `HTTP${status}`,
    message: body.success ? (body.data.Message ?? '') : `non-JSON error answer (${bodyLength} bytes)`,
    requestId: body.success ? body.data.RequestId : undefined,
    httpStatus: status,
    retryAfterMs: parseRetryAfter(retryAfter),
  };
  return fields.code === 'TaskIsBeingProcessed' ? new TaskIsBeingProcessedError(fields) : new DomainApiError(fields);
}

export class DomainApiClient implements DomainApi {
  readonly endpoint: string;
  readonly version: string;
  private readonly policy: RetryPolicy;
  /** HTTP attempts made, successful or not. */
  calls = 0;
  readonly callsByAction: Record<string, number> = {};

  constructor(private readonly options: DomainApiOptions) {
    const site = SITES[options.site ?? 'intl'];
    this.endpoint = (options.endpoint ?? site.endpoint).replace(/\/+$/, '');
    this.version = site.version;
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  }

  /** One signed RPC read, validated with `schema`, under the read retry policy. */
  private read<S extends z.ZodMiniType>(action: string, params: Params, schema: S): Promise<z.output<S>> {
    return withRetry(() => this.attempt(action, params, schema), readRetryDecision, this.policy, this.options.clock, this.options.deadlineMs);
  }

  private async attempt<S extends z.ZodMiniType>(action: string, params: Params, schema: S): Promise<z.output<S>> {
    const { clock, credentials } = this.options;
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
      credentials,
      { now: () => new Date(clock.now()) },
    );
    this.calls++;
    this.callsByAction[action] = (this.callsByAction[action] ?? 0) + 1;
    const timeoutMs = Math.max(1, Math.min(this.options.requestTimeoutMs ?? 10_000, this.options.deadlineMs - clock.now()));
    let answer: HttpAnswer;
    try {
      answer = await send({ method: signed.method, url: signed.url, headers: signed.headers, timeoutMs });
    } catch (error) {
      throw toNetworkError(action, error, error instanceof HttpTimeoutError);
    }
    return this.interpret(action, answer, schema);
  }

  private interpret<S extends z.ZodMiniType>(action: string, answer: HttpAnswer, schema: S): z.output<S> {
    let json: unknown;
    try {
      json = JSON.parse(answer.body.toString('utf8'));
    } catch (error) {
      json = error;
    }
    if (answer.status < 200 || answer.status >= 300) {
      throw errorFromAnswer(action, answer.status, json, answer.body.length, headerValue(answer.headers, 'x-acs-retry-after'));
    }
    if (json instanceof Error) throw new MalformedResponseError(action, '(body)', 'not JSON', undefined, { cause: json });
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const requestId = (json as { RequestId?: unknown } | null)?.RequestId;
      throw new MalformedResponseError(action, issuePath(issue.path), describeIssue(issue).replace(/^[^:]*: /, ''), typeof requestId === 'string' ? requestId : undefined, {
        cause: parsed.error,
      });
    }
    return parsed.data;
  }

  async queryDomainList(query: DomainListQuery): Promise<Page<DomainItem>> {
    const body = await this.read('QueryDomainList', { PageNum: query.pageNum, PageSize: query.pageSize, QueryType: query.queryType }, queryDomainListSchema);
    return pageOf(body.Data?.Domain ?? [], body, query.pageNum);
  }

  async queryTaskDetailList(query: TaskDetailQuery): Promise<Page<TaskDetail>> {
    const body = await this.read(
      'QueryTaskDetailList',
      { TaskNo: query.taskNo, PageNum: query.pageNum, PageSize: query.pageSize, DomainName: query.domainName },
      queryTaskDetailListSchema,
    );
    return pageOf(body.Data?.TaskDetail ?? [], body, query.pageNum);
  }

  async queryTaskList(query: TaskListQuery): Promise<Page<TaskInfo>> {
    const body = await this.read(
      'QueryTaskList',
      { PageNum: query.pageNum, PageSize: query.pageSize, BeginCreateTime: query.beginCreateTime, EndCreateTime: query.endCreateTime },
      queryTaskListSchema,
    );
    return pageOf(body.Data?.TaskInfo ?? [], body, query.pageNum);
  }

  saveSingleTaskForCreatingOrderRedeem(order: RedeemOrder): Promise<SubmittedOrder> {
    return submitOnce(
      order,
      () => this.attempt(REDEEM_ACTION, { DomainName: order.domainName, CurrentExpirationDate: order.currentExpirationDate }, saveRedeemSchema),
      this.policy,
      this.options.clock,
      this.options.deadlineMs,
    );
  }
}
