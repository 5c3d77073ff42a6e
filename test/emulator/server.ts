/**
 * The local emulator of the slice of Alibaba Cloud the project uses, over real HTTP on 127.0.0.1:
 * the Domain API (RPC over ACS3-HMAC-SHA256), SLS PutLogs/GetLogs, and an introspection route.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BssService } from './bss-service.js';
import { DomainService, errorBody, type ApiAnswer, type LedgerSeed, type TaskTiming } from './domain-service.js';
import { FaultPlan, parseFaultSpec, type FaultRule } from './faults.js';
import { SlidingWindow } from './knobs.js';
import { generatePortfolio } from './portfolio.js';
import { seededRandom } from './random.js';
import { RobotService, type RobotSecrets } from './robots.js';
import { DenyList } from './ram-deny.js';
import { SlsService } from './sls-service.js';
import { Acs3Verifier } from './verify-acs3.js';
import { AccountDirectory, DEFAULT_ACCOUNT_ID, type EmulatedAccountOptions } from './accounts.js';
import { FcService } from './fc-service.js';
import { ResourceManagerService, RESOURCE_MANAGER_VERSION } from './resource-manager-service.js';
import { StsService, STS_VERSION } from './sts-service.js';

export interface EmulatorOptions {
  readonly port?: number;
  readonly domains?: number;
  readonly seed?: number;
  /** Share of the portfolio in the redemption period. */
  readonly redemptionShare?: number;
  /** Before every answer (SLS and path routes too), unless latencyByAction names the action. */
  readonly latencyMs?: number;
  /** Latency for these Domain API actions (by x-acs-action), instead of latencyMs. */
  readonly latencyByAction?: Readonly<Record<string, number>>;
  /** Domain API requests per second beyond which it answers Throttling.User. */
  readonly qps?: number;
  /** Requests per second of one action beyond which it answers Throttling.Api (on top of qps). */
  readonly qpsByAction?: Readonly<Record<string, number>>;
  /** Finished redeem tasks of the last days, for measuring the next day's run. */
  readonly ledger?: LedgerSeed;
  readonly faults?: string | FaultRule[];
  /** Access key id to secret. Default: emulator-ak / emulator-secret. */
  readonly accessKeys?: Readonly<Record<string, string>>;
  readonly taskTiming?: Partial<TaskTiming>;
  readonly now?: () => number;
  /** The account of the base access keys: the function's own, and the Resource Directory's management account. */
  readonly accountId?: string;
  /** Member accounts, each with its own portfolio, reached with the keys STS AssumeRole hands out. */
  readonly accounts?: readonly EmulatedAccountOptions[];
  /** Signing secrets of the chat robots at /__robots/* (see robots.ts). */
  readonly robots?: RobotSecrets;
  /** BSS QueryAccountBalance: Data.AvailableAmount (a number is sent as "1000.00") and Data.Currency. */
  readonly balance?: number | string;
  readonly currency?: string;
  /** Actions answered 403 Forbidden as RAM would (any product); also POST /__emulator/deny at run time. */
  readonly deny?: readonly string[];
}

export interface CallRecord {
  readonly action: string;
  readonly code: string;
  readonly status: number;
  readonly at: number;
}

/**
 * Another RPC product on the same port (BSS, STS, ResourceManager…), picked by its x-acs-version. It
 * gets the verified caller and the decoded parameters after the signature, QPS and fault checks.
 */
export interface RpcProduct {
  handle(action: string, params: ReadonlyMap<string, string>, requestId: string, caller: { readonly accessKeyId: string }): ApiAnswer | Promise<ApiAnswer>;
}

/** A path-based service (chat robots, FC's ROA API…): answers true when it handled the request. */
export type RouteHandler = (req: IncomingMessage, url: URL, body: Buffer, res: ServerResponse) => Promise<boolean> | boolean;

export const DEFAULT_ACCESS_KEY = { accessKeyId: 'emulator-ak', accessKeySecret: 'emulator-secret' } as const;
const BODY_LIMIT = 16 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > BODY_LIMIT) req.destroy(new Error('body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json;charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export class Emulator {
  readonly domain: DomainService;
  readonly sls: SlsService;
  readonly robots: RobotService;
  readonly faults: FaultPlan;
  readonly calls: CallRecord[] = [];
  readonly bss: BssService;
  readonly deny: DenyList;
  /** Extra RPC products by API version; the Domain API answers 2017-12-18 and 2018-01-29. */
  readonly rpcProducts = new Map<string, RpcProduct>();
  /** Extra path-based services, tried in order before the RPC dispatch. */
  readonly routes: RouteHandler[] = [];
  readonly accounts: AccountDirectory;
  readonly sts: StsService;
  readonly fc: FcService;
  latencyMs: number;
  readonly latencyByAction: Map<string, number>;
  qps: number | undefined;
  readonly qpsByAction: Map<string, number>;
  private readonly server: Server;
  /** Every ACS3 check goes through it; its secrets include the temporary keys STS has handed out. */
  readonly verifier: Acs3Verifier;
  private readonly recent = new SlidingWindow();
  private readonly recentByAction = new Map<string, SlidingWindow>();
  private readonly now: () => number;
  private address: AddressInfo | undefined;

  constructor(private readonly options: EmulatorOptions = {}) {
    this.now = options.now ?? Date.now;
    const seed = options.seed ?? 1;
    const secrets = new Map(Object.entries(options.accessKeys ?? { [DEFAULT_ACCESS_KEY.accessKeyId]: DEFAULT_ACCESS_KEY.accessKeySecret }));
    const timing = { waitingMs: options.taskTiming?.waitingMs ?? 1_000, executingMs: options.taskTiming?.executingMs ?? 2_000 };
    this.domain = new DomainService(
      generatePortfolio({ count: options.domains ?? 200, seed, redemptionShare: options.redemptionShare ?? 0.25, now: this.now() }),
      timing,
      this.now,
    );
    if (options.ledger) this.domain.seedLedger(options.ledger);
    this.faults = new FaultPlan(seededRandom(seed ^ 0x5eed));
    if (options.faults) this.faults.add(...(typeof options.faults === 'string' ? parseFaultSpec(options.faults) : options.faults));
    this.latencyMs = options.latencyMs ?? 0;
    this.latencyByAction = new Map(Object.entries(options.latencyByAction ?? {}));
    this.qps = options.qps;
    this.qpsByAction = new Map(Object.entries(options.qpsByAction ?? {}));
    // STS's temporary keys verify on the ACS3 products only: SLS is the function's own account's, and a
    // member account's role may not write there (as RAM would refuse it).
    const acs3Secrets = new Map(secrets);
    this.accounts = new AccountDirectory(options.accountId ?? DEFAULT_ACCOUNT_ID, this.domain, acs3Secrets, timing, this.now);
    for (const account of options.accounts ?? []) this.accounts.add(account);
    this.verifier = new Acs3Verifier(acs3Secrets, this.now, (id, token) => this.accounts.checkSession(id, token));
    this.sts = new StsService(this.accounts);
    this.rpcProducts.set(STS_VERSION, this.sts);
    this.rpcProducts.set(RESOURCE_MANAGER_VERSION, new ResourceManagerService(this.accounts, this.now));
    this.fc = new FcService(this.verifier, this.accounts, this.now);
    this.routes.push(this.fc.route);
    this.sls = new SlsService(secrets, this.now, this.faults);
    this.robots = new RobotService(options.robots, this.now);
    this.routes.push(this.robots.handle);
    this.bss = new BssService({ balance: options.balance, currency: options.currency });
    this.rpcProducts.set('2017-12-14', this.bss);
    this.deny = new DenyList(options.deny);
    this.routes.push(this.deny.route);
    this.server = createServer((req, res) => {
      this.route(req, res).catch((error: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { Code: 'InternalError', Message: String(error) });
      });
    });
    this.server.keepAliveTimeout = 5_000;
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 0, '127.0.0.1', () => resolve());
    });
    this.address = this.server.address() as AddressInfo;
    return this.url;
  }

  get url(): string {
    if (!this.address) throw new Error('emulator not started');
    return `http://127.0.0.1:${this.address.port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  state(include: 'all' | 'redemption' | 'none' = 'all') {
    this.domain.settle();
    const domains = include === 'none' ? [] : include === 'redemption' ? this.domain.domains.filter((d) => d.domainStatus === 2) : this.domain.domains;
    return {
      domains: domains.map((d) => ({
        domainName: d.domainName,
        domainStatus: d.domainStatus,
        expirationDateLong: d.expirationDateLong,
        phase: d.phase,
      })),
      tasks: this.domain.tasks.map((t) => ({
        taskNo: t.taskNo,
        domainName: t.domainName,
        taskType: t.taskType,
        status: this.domain.taskStatusCode(t),
        createdAt: t.createdAt,
      })),
      calls: this.calls,
      logs: this.sls.logs,
      robots: this.robots.state(),
    };
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const body = await readBody(req);
    // The API's Date header follows the emulated clock, so that a clock-skew check can be tested.
    res.setHeader('date', new Date(this.now()).toUTCString());
    if (url.pathname === '/__emulator/state' && req.method === 'GET') {
      const include = url.searchParams.get('domains');
      return sendJson(res, 200, this.state(include === 'redemption' || include === 'none' ? include : 'all'));
    }
    if (url.pathname === '/__emulator/faults' && req.method === 'POST') {
      try {
        this.faults.add(...parseFaultSpec(body.toString('utf8')));
        return sendJson(res, 200, { rules: this.faults.rules });
      } catch (error) {
        return sendJson(res, 400, { error: (error as Error).message });
      }
    }
    const action = req.headers['x-acs-action'];
    const latencyMs = (typeof action === 'string' ? this.latencyByAction.get(action) : undefined) ?? this.latencyMs;
    if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
    if (url.pathname.startsWith('/logstores') || url.pathname === '/logs') return this.sls.handle(req, url, body, res);
    for (const route of this.routes) if (await route(req, url, body, res)) return;
    return this.domainApi(req, url, body, res);
  }

  private record(action: string, answer: ApiAnswer): void {
    this.calls.push({ action, code: String(answer.body.Code ?? 'OK'), status: answer.status, at: this.now() });
  }

  private async domainApi(req: IncomingMessage, url: URL, body: Buffer, res: ServerResponse): Promise<void> {
    const requestId = randomUUID().toUpperCase();
    const action = String(req.headers['x-acs-action'] ?? '');
    const reply = (answer: ApiAnswer, headers: Record<string, string> = {}) => {
      this.record(action || '(none)', answer);
      sendJson(res, answer.status, answer.body, headers);
    };
    const rawQuery = url.search.slice(1);
    const verdict = this.verifier.verify({ method: req.method ?? 'GET', path: url.pathname, rawQuery, headers: req.headers, body });
    if (!verdict.ok) return reply({ status: verdict.status, body: errorBody(requestId, verdict.code, verdict.message) });
    if (!action) return reply({ status: 400, body: errorBody(requestId, 'MissingParameter', 'The input parameter "x-acs-action" that is mandatory for processing this request is not supplied.') });
    const version = req.headers['x-acs-version'];
    const product = typeof version === 'string' ? this.rpcProducts.get(version) : undefined;
    if (!product && version !== '2017-12-18' && version !== '2018-01-29') {
      return reply({ status: 400, body: errorBody(requestId, 'NoSuchVersion', `Specified parameter Version is not valid: ${String(version)}`) });
    }
    const denied = this.deny.answer(action, typeof version === 'string' ? version : undefined, requestId);
    if (denied) return reply(denied);

    const throttled = this.flowControl(action);
    if (throttled) {
      const body = throttled.code === 'Throttling.User' ? errorBody(requestId, throttled.code, 'Request was denied due to user flow control.') : errorBody(requestId, throttled.code, 'Request was denied due to api flow control.');
      return reply({ status: 400, body }, { 'x-acs-retry-after': String(throttled.waitMs) });
    }
    const fault = this.faults.take(action, ['throttle', '5xx', 'network-io', 'busy', 'reset', 'malformed']);
    switch (fault?.kind) {
      case 'throttle':
        return reply({ status: 400, body: errorBody(requestId, 'Throttling', 'Request was denied due to request throttling.') }, { 'x-acs-retry-after': String(fault.retryAfterMs ?? 200) });
      case '5xx':
        return reply({ status: 503, body: errorBody(requestId, 'ServiceUnavailable', 'The request has failed due to a temporary failure of the server.') });
      case 'network-io':
        return reply({ status: 400, body: errorBody(requestId, 'NetworkIOError', 'Network IO error.') });
      case 'busy':
        return reply({ status: 400, body: errorBody(requestId, 'TaskIsBeingProcessed', 'An operation is being processed. Please try again later.') });
      case 'reset':
        this.record(action, { status: 0, body: { Code: 'ConnectionReset' } });
        res.socket?.destroy();
        return;
      case 'malformed':
        this.record(action, { status: 200, body: { Code: 'Malformed' } });
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<html>gateway error</html>');
        return;
    }

    const params = new Map<string, string>();
    for (const [name, value] of url.searchParams) params.set(name, value);
    if (String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      for (const [name, value] of new URLSearchParams(body.toString('utf8'))) params.set(name, value);
    }
    if (product) return reply(await product.handle(action, params, requestId, { accessKeyId: verdict.accessKeyId }));
    const failTask = action === 'SaveSingleTaskForCreatingOrderRedeem' && this.faults.take(action, ['task-fail']) !== undefined;
    const answer = this.accounts.domainFor(verdict.accessKeyId).handle(action, params, requestId, failTask);
    const after = answer.status === 200 ? this.faults.take(action, ['5xx-after', 'reset-after']) : undefined;
    if (after?.kind === '5xx-after') {
      return reply({ status: 500, body: errorBody(requestId, 'InternalError', 'The request processing has failed due to some unknown error.') });
    }
    if (after?.kind === 'reset-after') {
      this.record(action, { status: 0, body: { Code: 'ConnectionReset' } });
      res.socket?.destroy();
      return;
    }
    reply(answer);
  }

  /**
   * Sliding one-second windows, one for the account (qps: Throttling.User) and one per limited action
   * (qpsByAction: Throttling.Api). A refused request counts in neither; the answer says how long until a
   * slot frees in every window that is full.
   */
  private flowControl(action: string): { code: 'Throttling.User' | 'Throttling.Api'; waitMs: number } | undefined {
    const now = this.now();
    const actionLimit = this.qpsByAction.get(action);
    let actionWindow: SlidingWindow | undefined;
    if (actionLimit !== undefined) {
      actionWindow = this.recentByAction.get(action) ?? new SlidingWindow();
      this.recentByAction.set(action, actionWindow);
    }
    const userWait = this.qps ? this.recent.waitMs(now, this.qps) : 0;
    const apiWait = actionWindow ? actionWindow.waitMs(now, actionLimit!) : 0;
    if (userWait > 0 || apiWait > 0) return { code: userWait > 0 ? 'Throttling.User' : 'Throttling.Api', waitMs: Math.max(userWait, apiWait) };
    if (this.qps) this.recent.add(now);
    actionWindow?.add(now);
    return undefined;
  }
}
