/**
 * A BSS OpenAPI stand-in (2017-12-14, RPC, ACS3-HMAC-SHA256), written from the vendor's published page
 * for QueryAccountBalance (test/fixtures/bss-query-account-balance.json) and independent of the
 * project's emulator: it verifies every request's signature as the vendor does (test/support/vendor-acs3.ts),
 * answers only POST / with x-acs-action QueryAccountBalance and x-acs-version 2017-12-14, and otherwise
 * answers what a test scripts: odd amounts, another currency, Success false on HTTP 200, throttling,
 * 5xx, a dropped connection, an answer that never comes. Every call is recorded.
 */
import { LoopbackStandin } from './loopback-standin.js';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { verifyAcs3, type Refusal, type VendorKey } from './vendor-acs3.js';

interface Fixture {
  readonly documentedAnswer: { readonly Data: Readonly<Record<string, string>> } & Readonly<Record<string, unknown>>;
  readonly errors: ReadonlyArray<{ readonly status: number; readonly code: string; readonly message: string }>;
}

const FIXTURE = JSON.parse(readFileSync(new URL('../fixtures/bss-query-account-balance.json', import.meta.url), 'utf8')) as Fixture;

/** The documented error of that code (status and message as the vendor's page lists them). */
export function documentedError(code: string): { status: number; body: object } {
  const found = FIXTURE.errors.find((e) => e.code === code);
  if (!found) throw new Error(`no documented BSS error ${code}`);
  return { status: found.status, body: { RequestId: randomUUID().toUpperCase(), HostId: 'business.aliyuncs.com', Code: found.code, Message: found.message, Recommend: `https://api.aliyun.com/troubleshoot?q=${found.code}` } };
}

/** The documented answer with `data` laid over Data (undefined removes a field), and `top` over the envelope. */
export function balanceBody(data: Readonly<Record<string, unknown>> = {}, top: Readonly<Record<string, unknown>> = {}): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...FIXTURE.documentedAnswer.Data, ...data };
  for (const [k, v] of Object.entries(merged)) if (v === undefined) delete merged[k];
  const body: Record<string, unknown> = { ...FIXTURE.documentedAnswer, RequestId: randomUUID().toUpperCase(), Data: merged, ...top };
  for (const [k, v] of Object.entries(body)) if (v === undefined) delete body[k];
  return body;
}

export type BssScripted = { readonly status?: number; readonly body: object | string; readonly headers?: Readonly<Record<string, string>> } | 'drop' | 'hang';

export interface BssCall {
  readonly action: string;
  readonly version: string;
  readonly method: string;
  readonly n: number;
}

export class BssStandin extends LoopbackStandin {
  readonly calls: BssCall[] = [];
  readonly refusals: Refusal[] = [];
  private readonly nonces = new Set<string>();

  constructor(
    private readonly key: VendorKey,
    private readonly script: (call: BssCall) => BssScripted,
  ) {
    super();
  }

  protected handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const refusal = verifyAcs3({ method: req.method ?? '', rawUrl: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks) }, this.key, this.nonces, Date.now());
      if (refusal) {
        this.refusals.push(refusal);
        return this.answer(res, { status: refusal.status, body: { RequestId: randomUUID().toUpperCase(), HostId: 'business.aliyuncs.com', Code: refusal.code, Message: refusal.message } });
      }
      const action = String(req.headers['x-acs-action'] ?? '');
      const version = String(req.headers['x-acs-version'] ?? '');
      if (action !== 'QueryAccountBalance' || version !== '2017-12-14' || new URL(req.url ?? '/', 'http://bss').pathname !== '/') {
        return this.answer(res, { status: 404, body: { RequestId: randomUUID().toUpperCase(), Code: 'InvalidApi.NotFound', Message: `Specified api is not found: ${action} ${version}` } });
      }
      const call: BssCall = { action, version, method: req.method ?? '', n: this.calls.length + 1 };
      this.calls.push(call);
      this.answer(res, this.script(call));
    });
  }

  private answer(res: ServerResponse, scripted: BssScripted): void {
    if (scripted === 'drop') return void res.socket?.destroy();
    if (scripted === 'hang') return;
    res.writeHead(scripted.status ?? 200, { 'content-type': 'application/json;charset=utf-8', ...scripted.headers });
    res.end(typeof scripted.body === 'string' ? scripted.body : JSON.stringify(scripted.body));
  }
}

export async function startBss(key: VendorKey, script: (call: BssCall) => BssScripted): Promise<BssStandin> {
  return new BssStandin(key, script).start();
}
