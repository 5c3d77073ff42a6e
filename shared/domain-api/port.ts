/**
 * What the run needs of the Domain API. DomainApiClient is the implementation the function ships; the
 * benchmark's reference implements the same port with the official SDK, so both run the same logic.
 */
import type { DomainItem, TaskDetail, TaskInfo } from './schemas.js';

export interface Page<T> {
  readonly items: T[];
  readonly pageNum: number;
  readonly totalPages: number | undefined;
  readonly totalItems: number | undefined;
  readonly hasNext: boolean;
  readonly requestId: string | undefined;
}

interface PageEnvelope {
  readonly RequestId?: string | undefined;
  readonly NextPage?: boolean | undefined;
  readonly TotalPageNum?: number | undefined;
  readonly TotalItemNum?: number | undefined;
  readonly CurrentPageNum?: number | undefined;
}

/**
 * The paging envelope read the same way by every client: the top-level NextPage (not Data.NextPage),
 * else CurrentPageNum < TotalPageNum, else (neither said, as when every paging field is answered null) a
 * page as full as `pageSize` asked for; an empty page ends the walk whatever the envelope says.
 * A full page with nothing said was read as the last: with the paging fields null (read as not said since
 * a0459df), a ledger stopped at its first 100 tasks, and a domain whose open redeem task was on the second
 * page was ordered again (a second fee); a domain listed on the second page was never looked at. Asked for,
 * a next page that does not exist comes back empty, and a registrar that ignores PageNum repeats the page:
 * either ends the walk (readAllPages).
 */
export function pageOf<T>(items: T[], body: PageEnvelope, pageNum: number, pageSize?: number): Page<T> {
  const unsaid = body.NextPage === undefined && body.TotalPageNum === undefined;
  const hasNext = items.length > 0 && (unsaid ? pageSize !== undefined && items.length >= pageSize : (body.NextPage ?? (body.CurrentPageNum ?? pageNum) < body.TotalPageNum!));
  return { items, pageNum, totalPages: body.TotalPageNum, totalItems: body.TotalItemNum, hasNext, requestId: body.RequestId };
}

export interface DomainListQuery {
  readonly pageNum: number;
  readonly pageSize: number;
  /** 1 the renewal list, 2 the redemption list; left out, every domain of the account. */
  readonly queryType?: 1 | 2 | undefined;
}

export interface TaskDetailQuery {
  readonly taskNo: string;
  readonly pageNum: number;
  readonly pageSize: number;
  readonly domainName?: string | undefined;
  /**
   * Epoch ms: the read ends by then, its retries and its answer included (the run's own deadline when that is
   * earlier). A follow-up's read ends with following (REDEEM_FOLLOW_SECONDS): without it, a throttled one kept
   * retrying (x-acs-retry-after up to 60 s, eight attempts) for minutes after following had ended.
   */
  readonly deadlineMs?: number | undefined;
}

export interface TaskListQuery {
  readonly pageNum: number;
  readonly pageSize: number;
  readonly beginCreateTime: number;
  readonly endCreateTime: number;
  /** As TaskDetailQuery's. */
  readonly deadlineMs?: number | undefined;
}

export interface RedeemOrder {
  readonly domainName: string;
  readonly currentExpirationDate: number;
  /**
   * Epoch ms: no attempt of this order starts after it (a wait for a call slot, or a throttled retry's
   * wait, that would end later is not begun). The run's submit margin: an order sent later might not be
   * answered, reconciled and recorded before the run ends. Undefined: the client's own deadline.
   */
  readonly sendByMs?: number | undefined;
  /**
   * Epoch ms: an attempt's answer is waited for until then at most (and never past the client's deadline).
   * An order whose answer does not come has an unknown outcome, and the run must look at the task list
   * before anything else: given up at the deadline itself, that look could no longer be sent, and the order
   * went unreconciled. Undefined: the client's own deadline.
   */
  readonly answerByMs?: number | undefined;
  /**
   * Asked right before each attempt is signed and sent (after its call slot): undefined to send now, a
   * promise to wait for before asking again, or it throws to stop the order (then certainly not sent). The
   * run holds a retry here while another submission's outcome is reconciled with the ledger.
   */
  readonly clearToSend?: (() => Promise<unknown> | undefined) | undefined;
}

export interface SubmittedOrder {
  readonly taskNo: string;
  /** Undefined when the answer said none (null). */
  readonly requestId: string | undefined;
  readonly attempts: number;
}

/** The reads alone: what planning needs, and all the doctor may have (it can never submit). */
export type DomainReads = Pick<DomainApi, 'queryDomainList' | 'queryTaskList' | 'queryTaskDetailList'>;

export interface DomainApi {
  /** HTTP attempts made, successful or not, in all and per action. */
  readonly calls: number;
  readonly callsByAction: Readonly<Record<string, number>>;
  queryDomainList(query: DomainListQuery): Promise<Page<DomainItem>>;
  queryTaskDetailList(query: TaskDetailQuery): Promise<Page<TaskDetail>>;
  queryTaskList(query: TaskListQuery): Promise<Page<TaskInfo>>;
  /**
   * Throws TaskIsBeingProcessedError when another operation holds the domain, and OutcomeUnknownError
   * when the order may or may not exist; never resends an order that may have been accepted.
   */
  saveSingleTaskForCreatingOrderRedeem(order: RedeemOrder): Promise<SubmittedOrder>;
}
