/**
 * A registrar stand-in: a small loopback HTTP server that answers the four Domain API actions the run
 * uses with whatever a test scripts, and checks nothing of the signature. The emulator plays a correct
 * registrar; this plays a misbehaving one: a domain listed twice or in another spelling, a task reported
 * under the Unicode name, PageNum ignored, NextPage for ever, oversized or malformed answers, odd dates
 * and status codes. It records every call, and every submission it accepted, so a test can count them.
 * Where the Domain API docs leave the registrar's timing open it can be told: a task listed only some time
 * after the order was taken (`listAfterMs`), and a second order for a domain with an open task taken (the
 * account pays twice) or refused with TaskIsBeingProcessed (`secondOrder`). The redemption list is what the
 * test sets, so a redeemed domain stays listed, as the docs' 24 h lag allows.
 */
import { LoopbackStandin } from './loopback-standin.js';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { forgetRegistrar } from '../../shared/run/ledger.js';
import { verifyAcs3, type Refusal, type VendorKey } from './vendor-acs3.js';

export type Action = 'QueryDomainList' | 'QueryTaskList' | 'QueryTaskDetailList' | 'SaveSingleTaskForCreatingOrderRedeem';

export interface StandinCall {
  readonly action: string;
  readonly params: Readonly<Record<string, string>>;
  /** 1-based count of calls of this action so far, this one included. */
  readonly n: number;
  readonly at: number;
}

/**
 * A scripted answer: a JSON body (object) or raw text (after `delayMs`, a slow registrar), a dropped
 * connection, or a stream of `bytes` bytes.
 */
export type Scripted =
  | { readonly status?: number; readonly body: object | string; readonly headers?: Readonly<Record<string, string>>; readonly delayMs?: number; /** Held until this settles: the answer waits for another run to reach a point. */ readonly until?: Promise<unknown> }
  | { readonly stream: number; readonly declareLength?: boolean }
  /** Bytes written to the socket as they are (status line, headers, body), then the connection ended or reset. */
  | { readonly raw: string | Buffer; readonly then?: 'end' | 'reset' | 'hold' }
  | 'drop';

export interface StandinTask {
  readonly taskNo: string;
  /** The name as the registrar reports it (it may be the Unicode form of what was ordered). */
  readonly domainName: string;
  /** TaskDetail status code: 0 waiting, 1 executing, 2 success, 3 failure; anything else is undocumented. */
  statusCode: number;
  readonly createdMs: number;
  readonly taskType?: string;
  /**
   * QueryTaskList's TaskCancelStatusCode (domain-api.md §3.6: 0 INIT, 1 CANCELLING, 2 COMPLETE), default 0;
   * the row carries its TaskCancelStatus name too. A cancel in the console or by the registrar sets it.
   */
  cancelStatusCode?: number;
  /** QueryTaskList's TaskStatusCode (1-3) when it is not the one the details imply (a cancelled task may say COMPLETE over waiting details). */
  listStatusCode?: number;
}

/** TaskInfo's TaskCancelStatus names, by TaskCancelStatusCode (domain-api.md §3.6). */
const CANCEL_STATUS_NAMES = ['INIT', 'CANCELLING', 'COMPLETE'];

export interface StandinOptions {
  /** The redemption list, served by QueryDomainList in pages of the requested size. */
  readonly domains?: ReadonlyArray<Readonly<Record<string, unknown>>>;
  readonly tasks?: readonly StandinTask[];
  /** Answers a call instead of the default behaviour; undefined falls through to the default. */
  readonly script?: (call: StandinCall, standin: RegistrarStandin) => Scripted | undefined;
  /** The name a task created by a submission is reported under (default: as ordered). */
  readonly reportName?: (ordered: string) => string;
  /** Status code of a task created by a submission (default 2: succeeded at once). */
  readonly newTaskStatus?: number;
  /** Holds any answer (scripted or default, worked out at once) this long: a slow registrar. */
  readonly delayMs?: (call: StandinCall) => number | undefined;
  /**
   * How long after it took an order the registrar lists the task (QueryTaskList and QueryTaskDetailList):
   * the docs say the task is asynchronous and promise nothing about when it shows. Default 0 (at once).
   */
  readonly listAfterMs?: number;
  /**
   * A second order for a domain with an open task (or one that succeeded, whose listing lags by up to a
   * day): 'accept' takes it (the account pays twice), 'refuse' answers TaskIsBeingProcessed (HTTP 400, the
   * documented body). Default 'accept': the stand-in never hides a second order from the count.
   */
  readonly secondOrder?: 'accept' | 'refuse';
  /**
   * Verifies every request's ACS3-HMAC-SHA256 signature as the vendor does (test/support/vendor-acs3.ts)
   * with this key, before anything else, and refuses a bad one with the vendor's code and body (the call is
   * recorded in `refusals`, not in `calls`, and no script sees it).
   */
  readonly verify?: VendorKey;
  /**
   * A server that closed an idle keep-alive connection just as the client reused it: every request that
   * arrives on a connection which already carried one is reset unread (never seen as a call, never an
   * order), counted in `resets`. The client sees ECONNRESET before any byte of an answer.
   */
  readonly resetReused?: boolean;
  /**
   * The order QueryTaskList lists tasks in: newest first (default) or oldest first. The docs say nothing of
   * it, so the run must not count on either.
   */
  readonly taskOrder?: 'newest-first' | 'oldest-first';
  /**
   * How far ahead of UTC the registrar prints CreateTime (no zone is written): 8 h for Beijing time, which
   * the README allows. Default 0.
   */
  readonly printAheadMs?: number;
}

const BEIJING_OFFSET_MS = 8 * 3_600_000;

/** "2026-12-01 09:00:00", Beijing time, as the registrar writes it. */
export function registrarTime(ms: number): string {
  return new Date(ms + BEIJING_OFFSET_MS).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, '');
}

/** A QueryDomainList item in the registrar's shape; `extra` overrides or removes fields (undefined). */
export function domainItem(name: unknown, expirationDateLong: unknown, extra: Readonly<Record<string, unknown>> = {}): Record<string, unknown> {
  return { DomainName: name, ExpirationDateLong: expirationDateLong, DomainStatus: '2', DomainType: 'gTLD', InstanceId: `S${Math.abs(hash(String(name)))}`, ...extra };
}

function hash(text: string): number {
  let h = 7;
  for (const ch of text) h = (Math.imul(h, 31) + ch.codePointAt(0)!) | 0;
  return h;
}

/** A QueryTaskDetailList item in the registrar's shape. */
export function detailItem(taskNo: string, taskDetailNo: string, domainName: string, statusCode: number, createdMs = Date.now(), taskType = 'ORDER_REDEEM'): Record<string, unknown> {
  return {
    TaskNo: taskNo,
    TaskDetailNo: taskDetailNo,
    TaskType: taskType,
    DomainName: domainName,
    TaskStatus: ['WAITING_EXECUTE', 'EXECUTING', 'EXECUTE_SUCCESS', 'EXECUTE_FAILURE'][statusCode] ?? 'UNKNOWN',
    TaskStatusCode: statusCode,
    ErrorMsg: statusCode === 3 ? 'The registry refused the redemption.' : 'The operation is successful.',
    FailReason: statusCode === 3 ? 'REGISTRY_REJECTED' : null,
    CreateTime: registrarTime(createdMs),
    UpdateTime: registrarTime(createdMs),
  };
}

const LIST_FIELD: Record<string, string> = { QueryDomainList: 'Domain', QueryTaskList: 'TaskInfo', QueryTaskDetailList: 'TaskDetail' };

/** A page body of `action` holding `items`, with the envelope a test asks for. */
export function pageBody(action: Exclude<Action, 'SaveSingleTaskForCreatingOrderRedeem'>, items: readonly unknown[], envelope: { pageNum: number; nextPage: boolean; totalPages?: number; pageSize?: number; totalItems?: number }): object {
  return {
    RequestId: randomUUID().toUpperCase(),
    CurrentPageNum: envelope.pageNum,
    PageSize: envelope.pageSize ?? items.length,
    ...(envelope.totalPages === undefined ? {} : { TotalPageNum: envelope.totalPages, TotalItemNum: envelope.totalItems ?? envelope.totalPages * items.length }),
    PrePage: envelope.pageNum > 1,
    NextPage: envelope.nextPage,
    ...(items.length > 0 ? { Data: { [LIST_FIELD[action]!]: items } } : {}),
  };
}

export class RegistrarStandin extends LoopbackStandin {
  readonly calls: StandinCall[] = [];
  readonly tasks: StandinTask[];
  /** Submissions it accepted, in order: the orders the account paid for. */
  readonly orders: Array<{ readonly domainName: string; readonly expiration: string; readonly taskNo: string }> = [];
  domains: Array<Readonly<Record<string, unknown>>>;
  /** Each streamed answer: the bytes written before the client hung up, and whether it got to the end. */
  readonly streams: Array<{ written: number; completed: boolean }> = [];
  /** Requests the signature check refused (with `verify`), and why. */
  readonly refusals: Array<Refusal & { readonly action: string; readonly nonce: string }> = [];
  /** Requests reset unread on a reused connection (resetReused), by action. */
  readonly resets: string[] = [];
  private readonly served = new WeakSet<object>();
  /** Every nonce seen on a correctly signed request. */
  readonly nonces = new Set<string>();
  private readonly counts = new Map<string, number>();
  /** When each task created by a submission is first listed (see StandinOptions.listAfterMs). */
  private readonly listedFrom = new Map<string, number>();

  constructor(private readonly options: StandinOptions = {}) {
    super();
    this.domains = [...(options.domains ?? [])];
    this.tasks = [...(options.tasks ?? [])];
  }

  // A new registrar, whatever an earlier stand-in on this port took (see forgetRegistrar).
  protected override onStarted(): void {
    forgetRegistrar(this.url);
  }

  /** Calls of one action. */
  callsOf(action: Action): StandinCall[] {
    return this.calls.filter((c) => c.action === action);
  }

  /** Submissions per ordered name (as sent), accepted or not. */
  submissionsPerDomain(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const call of this.callsOf('SaveSingleTaskForCreatingOrderRedeem')) counts.set(call.params.DomainName ?? '', (counts.get(call.params.DomainName ?? '') ?? 0) + 1);
    return counts;
  }

  protected handle(req: IncomingMessage, res: ServerResponse): void {
    if (this.options.resetReused) {
      if (this.served.has(req.socket)) {
        this.resets.push(String(req.headers['x-acs-action'] ?? ''));
        return void req.socket.resetAndDestroy();
      }
      this.served.add(req.socket);
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://standin');
      const params: Record<string, string> = {};
      for (const [name, value] of url.searchParams) params[name] = value;
      if (String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
        for (const [name, value] of new URLSearchParams(Buffer.concat(chunks).toString('utf8'))) params[name] = value;
      }
      const action = String(req.headers['x-acs-action'] ?? '');
      if (this.options.verify) {
        const refusal = verifyAcs3({ method: req.method ?? '', rawUrl: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks) }, this.options.verify, this.nonces, Date.now());
        if (refusal) {
          this.refusals.push({ ...refusal, action, nonce: String(req.headers['x-acs-signature-nonce'] ?? '') });
          return this.answer(res, { status: refusal.status, body: { RequestId: randomUUID().toUpperCase(), HostId: 'domain-intl.aliyuncs.com', Code: refusal.code, Message: refusal.message, Recommend: `https://api.aliyun.com/troubleshoot?q=${refusal.code}` } });
        }
      }
      const n = (this.counts.get(action) ?? 0) + 1;
      this.counts.set(action, n);
      const call: StandinCall = { action, params, n, at: Date.now() };
      this.calls.push(call);
      const scripted = this.options.script?.(call, this) ?? this.default(call);
      const delayMs = this.options.delayMs?.(call);
      if (delayMs) setTimeout(() => this.answer(res, scripted), delayMs);
      else this.answer(res, scripted);
    });
  }

  private answer(res: ServerResponse, scripted: Scripted): void {
    if (scripted === 'drop') return void res.socket?.destroy();
    if ('stream' in scripted) return this.stream(res, scripted.stream, scripted.declareLength ?? false);
    if ('raw' in scripted) {
      const socket = res.socket!;
      socket.write(scripted.raw);
      if (scripted.then === 'reset') socket.resetAndDestroy();
      else if (scripted.then !== 'hold') socket.end();
      return;
    }
    const text = typeof scripted.body === 'string' ? scripted.body : JSON.stringify(scripted.body);
    if (scripted.until) {
      const { until, ...now } = scripted;
      return void until.finally(() => this.answer(res, now));
    }
    if (scripted.delayMs) {
      const { delayMs, ...now } = scripted;
      return void setTimeout(() => this.answer(res, now), delayMs);
    }
    res.writeHead(scripted.status ?? 200, { 'content-type': 'application/json;charset=utf-8', ...scripted.headers });
    res.end(text);
  }

  /** A JSON answer of `bytes` bytes, written in chunks with backpressure; stops when the client goes. */
  private stream(res: ServerResponse, bytes: number, declareLength: boolean): void {
    const head = Buffer.from('{"RequestId":"oversized","Pad":"');
    const tail = Buffer.from('"}');
    const chunk = Buffer.alloc(64 * 1024, 'a');
    res.writeHead(200, { 'content-type': 'application/json', ...(declareLength ? { 'content-length': String(bytes) } : {}) });
    let left = bytes - head.length - tail.length;
    let gone = false;
    res.on('close', () => (gone = true));
    const record = { written: 0, completed: false };
    this.streams.push(record);
    const write = (buffer: Buffer) => {
      record.written += buffer.length;
      return res.write(buffer);
    };
    write(head);
    const pump = () => {
      while (!gone && left > 0) {
        const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
        left -= piece.length;
        if (!write(piece)) return void res.once('drain', pump);
      }
      if (!gone) {
        write(tail);
        record.completed = true;
        res.end();
      }
    };
    pump();
  }

  /** Tasks the registrar lists now: every scripted one, and an order's once its listing delay is over. */
  listedTasks(now = Date.now()): StandinTask[] {
    return this.tasks.filter((t) => (this.listedFrom.get(t.taskNo) ?? 0) <= now);
  }

  /**
   * Takes an order as the registrar does (a task, an order the account pays for), listed after
   * `listAfterMs`; answers the task, or undefined when a second order is refused (secondOrder: 'refuse').
   */
  takeOrder(domainName: string, expiration: string): StandinTask | undefined {
    if (this.options.secondOrder === 'refuse' && this.tasks.some((t) => t.domainName === domainName && t.statusCode !== 3)) return undefined;
    const task: StandinTask = {
      taskNo: randomUUID(),
      domainName: this.options.reportName ? this.options.reportName(domainName) : domainName,
      statusCode: this.options.newTaskStatus ?? 2,
      createdMs: Date.now(),
    };
    this.tasks.push(task);
    if (this.options.listAfterMs) this.listedFrom.set(task.taskNo, task.createdMs + this.options.listAfterMs);
    this.orders.push({ domainName, expiration, taskNo: task.taskNo });
    return task;
  }

  /** Orders per ordered name that the registrar took (each one a fee). */
  ordersPerDomain(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const order of this.orders) counts.set(order.domainName, (counts.get(order.domainName) ?? 0) + 1);
    return counts;
  }

  /** The answer an unscripted call gets (a submission is taken): for a script that changes a field of it. */
  defaultAnswer(call: StandinCall): Scripted {
    return this.default(call);
  }

  private default(call: StandinCall): Scripted {
    const requestId = randomUUID().toUpperCase();
    const pageNum = Math.max(1, Number(call.params.PageNum ?? '1') || 1);
    const pageSize = Math.max(1, Number(call.params.PageSize ?? '100') || 100);
    const paged = (action: Exclude<Action, 'SaveSingleTaskForCreatingOrderRedeem'>, all: readonly unknown[]): Scripted => {
      const totalPages = Math.ceil(all.length / pageSize);
      return { body: pageBody(action, all.slice((pageNum - 1) * pageSize, pageNum * pageSize), { pageNum, pageSize, totalPages, totalItems: all.length, nextPage: pageNum < totalPages }) };
    };
    switch (call.action) {
      case 'QueryDomainList':
        return paged('QueryDomainList', this.domains);
      case 'QueryTaskList': {
        const begin = Number(call.params.BeginCreateTime ?? '0');
        const end = Number(call.params.EndCreateTime ?? String(Number.MAX_SAFE_INTEGER));
        // Whole days, as the registrar filters: a day either side is generous, never short.
        const listed = this.listedTasks().filter((t) => t.createdMs >= begin - 86_400_000 && t.createdMs <= end + 86_400_000).sort((a, b) => (this.options.taskOrder === 'oldest-first' ? a.createdMs - b.createdMs : b.createdMs - a.createdMs));
        return paged(
          'QueryTaskList',
          listed.map((t) => ({
            TaskNo: t.taskNo,
            TaskType: t.taskType ?? 'ORDER_REDEEM',
            TaskTypeDescription: 'Redeem',
            TaskNum: 1,
            CreateTime: registrarTime(t.createdMs + (this.options.printAheadMs ?? 0)),
            TaskStatusCode: t.listStatusCode ?? (t.statusCode >= 2 ? 3 : t.statusCode + 1),
            TaskCancelStatus: CANCEL_STATUS_NAMES[t.cancelStatusCode ?? 0] ?? 'UNKNOWN',
            TaskCancelStatusCode: t.cancelStatusCode ?? 0,
          })),
        );
      }
      case 'QueryTaskDetailList': {
        const details = this.listedTasks().filter((t) => t.taskNo === call.params.TaskNo);
        return paged(
          'QueryTaskDetailList',
          details.map((t) => detailItem(t.taskNo, `D-${t.taskNo}`, t.domainName, t.statusCode, t.createdMs + (this.options.printAheadMs ?? 0), t.taskType)),
        );
      }
      case 'SaveSingleTaskForCreatingOrderRedeem': {
        const task = this.takeOrder(call.params.DomainName ?? '', call.params.CurrentExpirationDate ?? '');
        if (!task) return { status: 400, body: { Code: 'TaskIsBeingProcessed', HostId: 'domain.aliyuncs.com', Message: 'An operation is being processed. Please try again later.', RequestId: requestId } };
        return { body: { RequestId: requestId, TaskNo: task.taskNo } };
      }
      default:
        return { status: 404, body: { RequestId: requestId, Code: 'InvalidApi.NotFound', Message: `Specified api is not found: ${call.action}` } };
    }
  }
}

export async function startStandin(options: StandinOptions = {}): Promise<RegistrarStandin> {
  return new RegistrarStandin(options).start();
}
