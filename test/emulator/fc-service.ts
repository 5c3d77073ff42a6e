/**
 * FC 3.0 InvokeFunction (ROA): POST /2023-03-30/functions/{name}/invocations, ACS3-signed over the
 * body's hash and checked by the same verifier as the RPC products. Async answers 202 with an
 * x-fc-request-id, records the event, and hands it to `onInvoke` (when a test gave one) after the answer
 * is sent, as FC's queue would; Sync waits for `onInvoke` and answers its result with 200. The function
 * belongs to the management account: a caller from another account is refused. `reservedConcurrency`
 * plays the function's concurrencyConfig: with 1, async events run one at a time in the order accepted
 * (FC queues what is over the cap and retries it later; the emulator simply waits its turn).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AccountDirectory } from './accounts.js';
import type { Acs3Verifier } from './verify-acs3.js';

export const FC_VERSION = '2023-03-30';
export const ASYNC_LIMIT = 128 * 1024;
const PATH = /^\/2023-03-30\/functions\/([^/]+)\/invocations$/;
const FUNCTION_NAME = /^[_a-zA-Z][-_a-zA-Z0-9]{0,127}$/;

export interface InvocationEvent {
  readonly requestId: string;
  readonly functionName: string;
  readonly qualifier: string | undefined;
  readonly invocationType: 'Async' | 'Sync';
  readonly payload: Buffer;
  readonly callerAccountId: string;
  readonly at: number;
}

export type InvokeHandler = (event: InvocationEvent) => unknown;

function reply(res: ServerResponse, status: number, requestId: string, body?: unknown): void {
  const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'x-fc-request-id': requestId });
  res.end(text);
}

function refuse(res: ServerResponse, status: number, requestId: string, code: string, message: string): true {
  reply(res, status, requestId, { Code: code, Message: message, RequestId: requestId });
  return true;
}

export class FcService {
  /** Every accepted invocation, in order. */
  readonly invocations: InvocationEvent[] = [];
  /** Errors thrown by onInvoke for async events (FC would count them as failed invocations). */
  readonly failures: Array<{ readonly requestId: string; readonly error: unknown }> = [];
  onInvoke: InvokeHandler | undefined;
  /** Async events running at once; undefined: no cap. */
  reservedConcurrency: number | undefined;
  /** The most async events that ran at once. */
  peakConcurrency = 0;
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly verifier: Acs3Verifier,
    private readonly directory: AccountDirectory,
    private readonly now: () => number,
  ) {}

  /** Resolves when every async event handed to onInvoke so far has finished, including those they start. */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private async turn(): Promise<void> {
    // A slot freed by release() passes straight to the longest waiter, so nothing can slip in between.
    if (this.reservedConcurrency !== undefined && this.running >= this.reservedConcurrency) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    this.peakConcurrency = Math.max(this.peakConcurrency, this.running);
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }

  readonly route = async (req: IncomingMessage, url: URL, body: Buffer, res: ServerResponse): Promise<boolean> => {
    const match = PATH.exec(url.pathname);
    if (!match) return false;
    const requestId = randomUUID();
    if (req.method !== 'POST') return refuse(res, 405, requestId, 'MethodNotAllowed', `${req.method} is not allowed on ${url.pathname}`);
    const verdict = this.verifier.verify({ method: 'POST', path: url.pathname, rawQuery: url.search.slice(1), headers: req.headers, body });
    if (!verdict.ok) return refuse(res, verdict.status, requestId, verdict.code, verdict.message);
    if (req.headers['x-acs-version'] !== FC_VERSION) return refuse(res, 400, requestId, 'InvalidArgument', `x-acs-version must be ${FC_VERSION}`);
    const functionName = decodeURIComponent(match[1]!);
    if (!FUNCTION_NAME.test(functionName)) return refuse(res, 400, requestId, 'InvalidArgument', `function name "${functionName}" is not valid`);
    const caller = this.directory.accountOf(verdict.accessKeyId);
    if (caller.id !== this.directory.managementId) {
      return refuse(res, 403, requestId, 'AccessDenied', `the caller of account ${caller.id} may not invoke functions of account ${this.directory.managementId}`);
    }
    const type = String(req.headers['x-fc-invocation-type'] ?? 'Sync');
    if (type !== 'Async' && type !== 'Sync') return refuse(res, 400, requestId, 'InvalidArgument', `x-fc-invocation-type must be Sync or Async, not ${type}`);
    if (type === 'Async' && body.length > ASYNC_LIMIT) return refuse(res, 413, requestId, 'EntityTooLarge', 'payload size exceeds maximum allowed size');
    const event: InvocationEvent = {
      requestId,
      functionName,
      qualifier: url.searchParams.get('qualifier') ?? undefined,
      invocationType: type,
      payload: body,
      callerAccountId: caller.id,
      at: this.now(),
    };
    this.invocations.push(event);
    if (type === 'Sync') {
      reply(res, 200, requestId, this.onInvoke ? await this.onInvoke(event) : undefined);
      return true;
    }
    reply(res, 202, requestId);
    if (this.onInvoke) {
      const handler = this.onInvoke;
      const run: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
        .then(() => this.turn())
        .then(() => handler(event))
        .then(
          () => undefined,
          (error: unknown) => void this.failures.push({ requestId, error }),
        )
        .finally(() => {
          this.release();
          this.pending.delete(run);
        });
      this.pending.add(run);
    }
    return true;
  };
}
