/**
 * FC retries an asynchronous invocation (a timer event, InvokeFunction Async) that failed, up to
 * asyncInvokeConfig.maxAsyncRetryAttempts times (reference function-compute.md section 7: default 3, "on
 * handled or unhandled errors"; s.yaml sets 0, but a user may raise it, and a timer queued behind
 * reservedConcurrency is retried all the same). A retry is the same event again, on the same instance or
 * a fresh one. Whatever the first attempt ordered must never be ordered again by the retry.
 *
 * A run that has sent an order does not fail by an API error afterwards (the executor holds every later
 * refusal as a skip, and the run completes), so what FC would retry after an order is an attempt it
 * killed (the function timeout, memory) or whose answer it lost. The registrar here lists a task only
 * ten minutes after it took the order (the docs promise nothing about when a task shows), so the ledger
 * cannot tell the retry; the results logstore, where the first attempt wrote its order, can.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { dueExpiration } from '../safety/standin-runs.js';
import { FC_CREDENTIALS, captureStdio, fcContext, timerEvent } from '../support/fc.js';
import { domainItem, startStandin, type RegistrarStandin, type StandinOptions } from '../support/registrar-standin.js';
import { keysFor, startSlsStandin, type SlsStandin } from '../support/sls-standin.js';

const NAMES = ['retry-0.com', 'retry-1.com', 'retry-2.com'];
const LATE = 600_000;
/** The retry's own STS keys (FC hands each invocation its role's current keys): tells its SLS calls from the first attempt's. */
const RETRY_CREDENTIALS = { accessKeyId: 'STS.fc-role-key-2', accessKeySecret: 'fc-role-secret-value-2', securityToken: 'fc-role-security-token-2' };
const saved = { ...process.env };
let registrar: RegistrarStandin | undefined;
let sls: SlsStandin | undefined;

type Handler = (event: unknown, context: unknown) => Promise<any>;
async function freshInstance(): Promise<Handler> {
  vi.resetModules();
  return (await import('../../functions/redeem/index.js')).handler as unknown as Handler;
}

async function configure(options: Partial<StandinOptions>, slsScript?: ConstructorParameters<typeof Object>[0]): Promise<RegistrarStandin> {
  registrar = await startStandin({ domains: NAMES.map((name) => domainItem(name, dueExpiration(name))), secondOrder: 'accept', listAfterMs: LATE, ...options });
  sls = await startSlsStandin({ keys: { ...keysFor(FC_CREDENTIALS), ...keysFor(RETRY_CREDENTIALS) }, ...(slsScript ? { script: slsScript } : {}) });
  for (const key of Object.keys(process.env)) if (/^(REDEEM_|DOMAIN_|SLS_|WEBHOOK_|NOTIFY_|ALIBABA_CLOUD_)/.test(key)) delete process.env[key];
  Object.assign(process.env, {
    REDEEM_MODE: 'live', REDEEM_DOMAINS: '*', REDEEM_MAX_PER_RUN: '1', REDEEM_API_QPS: '1000', REDEEM_FOLLOW_SECONDS: '1', DOMAIN_ENDPOINT: registrar.url,
    SLS_ENDPOINT: sls.url, SLS_PROJECT: 'audit', SLS_LOGSTORE: 'results',
  });
  return registrar;
}

beforeEach(() => {
  captureStdio();
});
afterEach(async () => {
  vi.restoreAllMocks();
  await registrar?.close();
  await sls?.close();
  registrar = undefined;
  sls = undefined;
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
});
afterAll(() => vi.resetModules());

const event = () => timerEvent('{"reason":"daily timer"}');
const firstAttempt = () => ({ ...fcContext({ requestId: 'req-async-1' }), retryCount: 0 });
const retryAttempt = () => ({ ...fcContext({ requestId: 'req-async-1', credentials: RETRY_CREDENTIALS }), retryCount: 1 });

function expectOneOrderEach(standin: RegistrarStandin, ordered: string) {
  expect(standin.submissionsPerDomain().get(ordered)).toBe(1);
  expect(Math.max(...standin.submissionsPerDomain().values())).toBe(1);
}

describe('an FC retry of an asynchronous run that ordered', () => {
  it('(a) the first attempt ran to its end but FC lost its answer; the retry on the same warm instance orders nothing it ordered', async () => {
    const standin = await configure({});
    const handler = await freshInstance();
    await handler(event(), firstAttempt());
    const ordered = standin.orders.map((o) => o.domainName);
    expect(ordered).toHaveLength(1);
    const retry = await handler(event(), retryAttempt());
    expect(retry.run.outcome).toBe('completed');
    expectOneOrderEach(standin, ordered[0]!);
  });

  it('(b) the same, the retry on a fresh instance: orders nothing the first attempt ordered', async () => {
    const standin = await configure({});
    await (await freshInstance())(event(), firstAttempt());
    const ordered = standin.orders.map((o) => o.domainName);
    expect(ordered).toHaveLength(1);
    const retry = await (await freshInstance())(event(), retryAttempt());
    expect(retry.run.outcome).toBe('completed');
    expectOneOrderEach(standin, ordered[0]!);
  });

  // What keeps a retry from ordering again a domain whose order was on the wire when FC killed the attempt is
  // the registrar itself: the run lets an order of unknown outcome hold no domain (Ledger.countUnknown: it may
  // never have been placed, and holding the domain on it can lose the domain), and the registrar refuses a
  // second order while the first is being processed (TaskIsBeingProcessed, domain-api.md). A registrar that
  // took the second order as well would be paid twice: hence maxAsyncRetryAttempts: 0 in s.yaml (s-yaml.test.ts).
  it('(c) the first attempt killed while its order was on the wire (taken, not answered; none of its logs reach SLS after): the retry on a fresh instance places no second order', async () => {
    let killed = false;
    const firstKey = `LOG ${FC_CREDENTIALS.accessKeyId}:`;
    const standin = await configure(
      // The first order is taken at once and its answer never comes before the kill; a second is refused.
      { secondOrder: 'refuse', delayMs: (call) => (call.action === 'SaveSingleTaskForCreatingOrderRedeem' && call.n === 1 ? 30_000 : undefined) },
      // After the kill the first attempt's process is gone: none of its PutLogs arrive any more.
      ((call: any) => (killed && call.api === 'PutLogs' && String(call.headers.authorization ?? '').startsWith(firstKey) ? { status: 500, errorCode: 'InternalServerError', errorMessage: 'gone' } : undefined)) as never,
    );
    const first = (await freshInstance())(event(), { ...firstAttempt(), function: { ...firstAttempt().function, timeout: 20 } }).catch(() => undefined);
    for (let waited = 0; standin.orders.length === 0 && waited < 10_000; waited += 10) await new Promise((r) => setTimeout(r, 10));
    expect(standin.orders).toHaveLength(1);
    killed = true;
    const ordered = standin.orders[0]!.domainName;
    const retry = await (await freshInstance())(event(), retryAttempt());
    expect(retry.run.outcome).toBe('completed');
    // The retry's order of it is refused (no second order, no fee); the slot that refusal gave back goes to
    // the next domain REDEEM_MAX_PER_RUN held (test/safety/refused-slot-reoffered.test.ts), as the retry's one
    // slot would have had the registrar listed the first order: every domain is ordered once.
    expect(standin.orders.filter((o) => o.domainName === ordered)).toHaveLength(1);
    expect(Math.max(...standin.ordersPerDomain().values())).toBe(1);
    const decision = retry.decisions.find((d: any) => d.domain === ordered);
    expect(decision).toMatchObject({ outcome: 'in-progress', error_code: 'TaskIsBeingProcessed' });
    await first;
  }, 60_000);
});
