/**
 * The submission path and the money guard, attacked with a registrar stand-in that follows the vendors'
 * published rules rather than the emulator's habits: throttling as a bare HTTP 429, a slow fresh look
 * that eats the submit margin, an order learnt by another submission's look before its own answer came
 * back, a TaskNo of blanks, and a balance that cannot be read while every held domain is days away.
 */
import { describe, expect, it } from 'vitest';
import { domainItem, type Scripted, type StandinCall } from '../support/registrar-standin.js';
import { runInProcess, type TestClock } from './harness.js';
import { decisionsOf, dueExpiration, runAgainst, standinEnv, standinPerTest } from './standin-runs.js';
import { inboxPerTest } from '../support/webhook-inbox.js';

const start = standinPerTest();
const SAVE = 'SaveSingleTaskForCreatingOrderRedeem';
const due = (name: string) => domainItem(name, dueExpiration(name));

/** A bare 429, as a gateway in front of the API answers it: no Alibaba error body, only the wait. */
const bare429 = (retryAfter: string): Scripted => ({ status: 429, body: '<html><body>429 Too Many Requests</body></html>', headers: { 'content-type': 'text/html', 'x-acs-retry-after': retryAfter } });

describe('HTTP 429 with no Throttling code is throttling', () => {
  it('a bare 429 to the first QueryDomainList: asked again, the run completes and orders', async () => {
    const s = await start({ domains: [due('list429.com')], script: (call) => (call.action === 'QueryDomainList' && call.n === 1 ? bare429('50') : undefined) });
    const { summary } = await runAgainst(s);
    expect(summary.run).toMatchObject({ outcome: 'completed' });
    expect(Object.fromEntries(s.submissionsPerDomain())).toEqual({ 'list429.com': 1 });
  });

  it('a bare 429 to the first submission (certainly not accepted): sent again, ordered once, not failed', async () => {
    const s = await start({ domains: [due('save429.com')], script: (call) => (call.action === SAVE && call.n === 1 ? bare429('50') : undefined) });
    const run = await runAgainst(s);
    expect(s.orders.map((o) => o.domainName)).toEqual(['save429.com']);
    expect(decisionsOf(run).find((d) => d.domain === 'save429.com')).toMatchObject({ outcome: 'succeeded' });
  });
});

/** Accepts the order at once (the account pays for it) and answers only after `delayMs`. */
function acceptSlowly(call: StandinCall, standin: { tasks: Array<{ taskNo: string; domainName: string; statusCode: number; createdMs: number }>; orders: Array<{ domainName: string; expiration: string; taskNo: string }> }, delayMs: number): Scripted {
  const taskNo = `T-${call.params.DomainName}-${call.n}`;
  standin.tasks.push({ taskNo, domainName: call.params.DomainName ?? '', statusCode: 1, createdMs: Date.now() });
  standin.orders.push({ domainName: call.params.DomainName ?? '', expiration: call.params.CurrentExpirationDate ?? '', taskNo });
  return { body: { RequestId: `R-${call.n}`, TaskNo: taskNo }, delayMs };
}

describe('the submit margin holds at the moment an order is sent, not only before its fresh look', () => {
  it('a fresh look that ends inside the submit margin (6 s budget, 2 s margin): no order sent then, the domain left for the next run', async () => {
    // The first order goes at once. The fresh look before the second (one quick page: nothing new) takes
    // 4.2 s, and an order sent after it would have 0.7 s to be answered before the work deadline.
    const s = await start({
      domains: [domainItem('first.com', dueExpiration('first.com') - 3_600_000), due('late.com')],
      delayMs: (call) => (call.action === 'QueryTaskList' && call.n === 3 ? 4_200 : call.action === SAVE && call.n === 2 ? 1_000 : undefined),
    });
    const run = await runAgainst(s, { budgetMs: 6_000, env: { REDEEM_SUBMIT_CONCURRENCY: '1' } });
    expect(s.callsOf('QueryTaskList').length).toBeGreaterThanOrEqual(3);
    expect(s.orders.map((o) => o.domainName)).toEqual(['first.com']);
    expect(decisionsOf(run).find((d) => d.domain === 'late.com')).toMatchObject({ outcome: 'skipped', reason: 'time-budget' });
    expect(run.summary.run.left_for_next_run).toBe(1);
  }, 15_000);

  it('a throttled submission whose x-acs-retry-after ends inside the submit margin is not sent again then: left for the next run', async () => {
    // Real waits: the retry after 4.2 s would go out with 0.7 s left before the work deadline.
    const realClock: TestClock = { now: () => Date.now(), random: () => 0.5, sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };
    const s = await start({
      domains: [due('throttled.com')],
      script: (call) => (call.action === SAVE && call.n === 1 ? { status: 400, body: { RequestId: 'T', Code: 'Throttling.User', Message: 'Request was denied due to user flow control.' }, headers: { 'x-acs-retry-after': '4200' } } : undefined),
    });
    const run = await runInProcess(standinEnv(s), { budgetMs: 6_000, clock: realClock, followIntervalMs: 10 });
    expect(s.orders).toHaveLength(0);
    expect(s.callsOf(SAVE)).toHaveLength(1);
    expect(decisionsOf(run).find((d) => d.domain === 'throttled.com')).toMatchObject({ outcome: 'skipped', reason: 'time-budget' });
  }, 15_000);
});

describe('an outcome-unknown order that another submission\'s look has already learnt', () => {
  it('a 503 after the registrar took the order, its task read by a later fresh look before the 503 came: reconciled as placed, not "no order found"', async () => {
    // Two in flight: first.com's order is taken at once and answered with a 503 after 600 ms; second.com is
    // answered at once, so third.com's fresh look reads the task list while first.com still waits.
    const s = await start({
      domains: [domainItem('first.com', dueExpiration('first.com') - 7_200_000), domainItem('second.com', dueExpiration('second.com') - 3_600_000), due('third.com')],
      script: (call, standin) => {
        if (call.action !== SAVE || call.params.DomainName !== 'first.com') return undefined;
        const taskNo = 'T-first-503';
        standin.tasks.push({ taskNo, domainName: 'first.com', statusCode: 2, createdMs: Date.now() });
        standin.orders.push({ domainName: 'first.com', expiration: call.params.CurrentExpirationDate ?? '', taskNo });
        return { status: 503, body: { RequestId: 'R-503', Code: 'ServiceUnavailable', Message: 'The request has failed due to a temporary failure of the server.' }, delayMs: 600 };
      },
    });
    const run = await runAgainst(s, { env: { REDEEM_SUBMIT_CONCURRENCY: '2' } });
    expect(Object.fromEntries(s.submissionsPerDomain())).toEqual({ 'first.com': 1, 'second.com': 1, 'third.com': 1 });
    expect(decisionsOf(run).find((d) => d.domain === 'first.com')).toMatchObject({ outcome: 'succeeded', task_no: 'T-first-503', reconciled: true });
  }, 15_000);
});

describe('a balance that cannot be read stops every order, and a person hears of it at once', () => {
  const openInbox = inboxPerTest();

  it('BSS Forbidden, the one due domain 5 days from its deadline (not yet at risk): nothing ordered, and the message says the balance could not be read', async () => {
    const sink = await openInbox();
    // Due (REDEEM_WITHIN_DAYS 7) but outside NOTIFY_AT_RISK_DAYS (3): only the unread balance can tell a person.
    const fiveDaysLeft = Math.floor(Date.now() - (59 - 1 - 5) * 86_400_000);
    const s = await start({
      domains: [domainItem('guarded.com', fiveDaysLeft)],
      script: (call) => (call.action === 'QueryAccountBalance' ? { status: 403, body: { RequestId: 'R-BSS', Code: 'Forbidden', Message: 'User not authorized to operate on the specified resource.' } } : undefined),
    });
    const run = await runAgainst(s, { env: { REDEEM_MIN_BALANCE: '100', BSS_ENDPOINT: s.url, NOTIFY_WEBHOOK_URL: sink.url, NOTIFY_WEBHOOK_SECRET: 'sink-secret' } });
    expect(s.orders).toHaveLength(0);
    expect(decisionsOf(run).find((d) => d.domain === 'guarded.com')).toMatchObject({ outcome: 'skipped', reason: 'balance-unknown' });
    expect(run.summary.run.notify).toBe('sent');
    expect(JSON.stringify(sink.bodies[0])).toMatch(/balance.*Forbidden/);
  });
});

describe('a submission answered without a usable TaskNo', () => {
  it('HTTP 200 with a TaskNo of blanks (the registrar took the order): reconciled with the ledger, recorded and followed under the real task number', async () => {
    const s = await start({
      domains: [due('blank.com')],
      script: (call, standin) => {
        if (call.action !== SAVE) return undefined;
        standin.tasks.push({ taskNo: 'T-blank-real', domainName: 'blank.com', statusCode: 2, createdMs: Date.now() });
        standin.orders.push({ domainName: 'blank.com', expiration: call.params.CurrentExpirationDate ?? '', taskNo: 'T-blank-real' });
        return { body: { RequestId: 'R-BLANK', TaskNo: '   ' } };
      },
    });
    const run = await runAgainst(s);
    expect(s.callsOf(SAVE)).toHaveLength(1);
    expect(decisionsOf(run).find((d) => d.domain === 'blank.com')).toMatchObject({ outcome: 'succeeded', task_no: 'T-blank-real', reconciled: true });
  });
});

describe('a submission refused with TaskIsBeingProcessed is not an order', () => {
  const openInbox = inboxPerTest();

  it('refused (another operation holds the domain, no task of ours), 2 days from the deadline: the message lists it at risk, not as ordered', async () => {
    const sink = await openInbox();
    const s = await start({
      domains: [due('held.com')],
      script: (call) => (call.action === SAVE ? { status: 400, body: { RequestId: 'R-BUSY', Code: 'TaskIsBeingProcessed', HostId: 'domain.aliyuncs.com', Message: 'An operation is being processed. Please try again later.' } } : undefined),
    });
    const run = await runAgainst(s, { env: { NOTIFY_WEBHOOK_URL: sink.url, NOTIFY_WEBHOOK_SECRET: 'sink-secret' } });
    expect(s.orders).toHaveLength(0);
    expect(decisionsOf(run).find((d) => d.domain === 'held.com')).toMatchObject({ outcome: 'in-progress', error_code: 'TaskIsBeingProcessed' });
    const message = sink.bodies[0] as { summary: string; ordered: unknown[]; at_risk: Array<{ domain: string; why: string }> };
    expect(message.ordered).toEqual([]);
    expect(message.summary).not.toMatch(/ordered/);
    expect(message.at_risk).toEqual([expect.objectContaining({ domain: 'held.com', why: expect.stringMatching(/another operation/) })]);
  });
});

describe('the error Code decides, not the HTTP status (the vendor pages disagree on statuses)', () => {
  for (const [code, status] of [['InternalError', 400], ['ServiceUnavailable', 400]] as const) {
    it(`${code} on HTTP ${status} after the registrar took the order: outcome unknown, reconciled with the ledger, followed as placed (not "failed")`, async () => {
      const s = await start({
        domains: [due('taken.com')],
        script: (call, standin) => {
          if (call.action !== SAVE) return undefined;
          standin.tasks.push({ taskNo: 'T-taken', domainName: 'taken.com', statusCode: 2, createdMs: Date.now() });
          standin.orders.push({ domainName: 'taken.com', expiration: call.params.CurrentExpirationDate ?? '', taskNo: 'T-taken' });
          return { status, body: { RequestId: 'R-IE', Code: code, Message: 'The request processing has failed due to some unknown error.' } };
        },
      });
      const run = await runAgainst(s);
      expect(s.callsOf(SAVE)).toHaveLength(1);
      expect(decisionsOf(run).find((d) => d.domain === 'taken.com')).toMatchObject({ outcome: 'succeeded', task_no: 'T-taken', reconciled: true, error_code: 'OutcomeUnknown' });
    });
  }

  it('InternalError on HTTP 400 to the first QueryDomainList: asked again, the run completes and orders', async () => {
    const s = await start({
      domains: [due('read-ie.com')],
      script: (call) => (call.action === 'QueryDomainList' && call.n === 1 ? { status: 400, body: { RequestId: 'R-IE', Code: 'InternalError', Message: 'The request processing has failed due to some unknown error.' } } : undefined),
    });
    const { summary } = await runAgainst(s);
    expect(summary.run).toMatchObject({ outcome: 'completed' });
    expect(Object.fromEntries(s.submissionsPerDomain())).toEqual({ 'read-ie.com': 1 });
  });
});

describe('an outcome-unknown submission holds the others until the ledger is consulted, retries included', () => {
  it('second.com throttled (x-acs-retry-after 600 ms) while first.com gets a 503 after the registrar took it: second.com is not sent again before first.com\'s reconciliation look is answered', async () => {
    const realClock: TestClock = { now: () => Date.now(), random: () => 0.5, sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };
    let reconcileAnsweredAt: number | undefined;
    let sawUnknown = false;
    const s = await start({
      domains: [domainItem('first.com', dueExpiration('first.com') - 3_600_000), due('second.com')],
      script: (call, standin) => {
        if (call.action === SAVE && call.params.DomainName === 'first.com') {
          standin.tasks.push({ taskNo: 'T-first', domainName: 'first.com', statusCode: 2, createdMs: Date.now() });
          standin.orders.push({ domainName: 'first.com', expiration: call.params.CurrentExpirationDate ?? '', taskNo: 'T-first' });
          setTimeout(() => (sawUnknown = true), 300);
          return { status: 503, body: { RequestId: 'R-503', Code: 'ServiceUnavailable', Message: 'The request has failed due to a temporary failure of the server.' }, delayMs: 300 };
        }
        if (call.action === SAVE && call.n <= 2) return { status: 400, body: { RequestId: 'T', Code: 'Throttling.User', Message: 'Request was denied due to user flow control.' }, headers: { 'x-acs-retry-after': '600' } };
        if (call.action === 'QueryTaskList' && sawUnknown && reconcileAnsweredAt === undefined) {
          // The reconciliation's look: answered 400 ms later.
          setTimeout(() => (reconcileAnsweredAt = Date.now()), 400);
          return undefined;
        }
        return undefined;
      },
      delayMs: (call) => (call.action === 'QueryTaskList' && sawUnknown && call.n >= 2 && reconcileAnsweredAt === undefined ? 400 : undefined),
    });
    const run = await runInProcess(standinEnv(s, { REDEEM_SUBMIT_CONCURRENCY: '2' }), { budgetMs: 20_000, clock: realClock, followIntervalMs: 10 });
    const retry = s.callsOf(SAVE).find((c) => c.params.DomainName === 'second.com' && c.n > 2);
    expect(decisionsOf(run).find((d) => d.domain === 'first.com')).toMatchObject({ reconciled: true });
    expect(retry, 'second.com sent again').toBeDefined();
    expect(reconcileAnsweredAt, 'the reconciliation look was answered').toBeDefined();
    expect(retry!.at).toBeGreaterThanOrEqual(reconcileAnsweredAt!);
  }, 30_000);
});

describe('an outcome-unknown order the task list shows only a little later', () => {
  it('a dropped connection after the registrar took the order, listed 100 ms later: found while the run follows, recorded as placed and followed', async () => {
    const s = await start({
      domains: [due('lagging.com')],
      script: (call, standin) => {
        if (call.action !== SAVE) return undefined;
        standin.orders.push({ domainName: 'lagging.com', expiration: call.params.CurrentExpirationDate ?? '', taskNo: 'T-lag' });
        const createdMs = Date.now();
        setTimeout(() => standin.tasks.push({ taskNo: 'T-lag', domainName: 'lagging.com', statusCode: 2, createdMs }), 100);
        return 'drop';
      },
    });
    const run = await runAgainst(s, { env: { REDEEM_FOLLOW_SECONDS: '10' } });
    expect(s.callsOf(SAVE)).toHaveLength(1);
    expect(decisionsOf(run).find((d) => d.domain === 'lagging.com')).toMatchObject({ outcome: 'succeeded', task_no: 'T-lag', reconciled: true });
  }, 20_000);
});
