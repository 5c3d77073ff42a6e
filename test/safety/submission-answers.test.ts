/**
 * SaveSingleTaskForCreatingOrderRedeem answers that cannot be taken at their word (domain-api.md §3.3: the
 * answer is `{ RequestId, TaskNo }`, the task is asynchronous and its detail names the domain, §3.5).
 * Written from the reference, against the registrar stand-in.
 */
import { describe, expect, it } from 'vitest';
import { domainItem } from '../support/registrar-standin.js';
import { inboxPerTest } from '../support/webhook-inbox.js';
import { decisionsOf, dueExpiration, runAgainst, standinPerTest } from './standin-runs.js';

const start = standinPerTest();
const openInbox = inboxPerTest();
const HOUR_MS = 3_600_000;

describe('a submission answered with the TaskNo of another domain\'s task', () => {
  it("this run's earlier order's number for the second domain (the registrar took the second order under its own number): the second is recorded and followed under its own task, not the first's", async () => {
    // first.com is the more urgent (its expiry an hour earlier), so it is sent first.
    const s = await start({
      domains: [domainItem('first.com', dueExpiration('first.com') - HOUR_MS), domainItem('second.com', dueExpiration('second.com'))],
      script: (call, standin) => {
        if (call.action !== 'SaveSingleTaskForCreatingOrderRedeem' || call.n !== 2) return undefined;
        standin.takeOrder(call.params.DomainName ?? '', call.params.CurrentExpirationDate ?? '');
        return { body: { RequestId: 'R-2', TaskNo: standin.orders[0]!.taskNo } };
      },
    });
    const inbox = await openInbox();
    const run = await runAgainst(s, { env: { NOTIFY_WEBHOOK_URL: inbox.url, NOTIFY_WEBHOOK_SECRET: 'inbox-secret', NOTIFY_ON: 'always' } });
    expect(Object.fromEntries(s.ordersPerDomain())).toEqual({ 'first.com': 1, 'second.com': 1 });
    const [firstTask, secondTask] = s.orders.map((o) => o.taskNo);
    const decisions = decisionsOf(run);
    expect(decisions.find((d) => d.domain === 'first.com')).toMatchObject({ outcome: 'succeeded', task_no: firstTask });
    expect(decisions.find((d) => d.domain === 'second.com')).toMatchObject({ outcome: 'succeeded', task_no: secondTask });
  });

  it('the number of a listed task of another domain (a console order of other.com): recorded and followed under its own task', async () => {
    const s = await start({
      domains: [domainItem('mine.com', dueExpiration('mine.com'))],
      tasks: [{ taskNo: 'T-other', domainName: 'other.com', statusCode: 1, createdMs: Date.now() - 2 * HOUR_MS }],
      script: (call, standin) => {
        if (call.action !== 'SaveSingleTaskForCreatingOrderRedeem') return undefined;
        standin.takeOrder(call.params.DomainName ?? '', call.params.CurrentExpirationDate ?? '');
        return { body: { RequestId: 'R-1', TaskNo: 'T-other' } };
      },
    });
    const run = await runAgainst(s);
    expect(Object.fromEntries(s.ordersPerDomain())).toEqual({ 'mine.com': 1 });
    expect(decisionsOf(run).find((d) => d.domain === 'mine.com')).toMatchObject({ outcome: 'succeeded', task_no: s.orders[0]!.taskNo });
  });
});

describe('two submissions in flight, the later-sent answered first with the earlier-sent order\'s number', () => {
  it("second.com's answer (it comes first) gives first.com's task: first.com, answered later with its own number, is found at its reconciliation and followed to success, not told as failed with no order found", async () => {
    const s = await start({
      domains: [domainItem('first.com', dueExpiration('first.com') - HOUR_MS), domainItem('second.com', dueExpiration('second.com'))],
      // first.com is sent first (more urgent), and its answer comes last.
      delayMs: (call) => (call.action === 'SaveSingleTaskForCreatingOrderRedeem' && call.params.DomainName === 'first.com' ? 300 : undefined),
      script: (call, standin) => {
        if (call.action !== 'SaveSingleTaskForCreatingOrderRedeem') return undefined;
        const task = standin.takeOrder(call.params.DomainName ?? '', call.params.CurrentExpirationDate ?? '')!;
        const first = standin.orders.find((o) => o.domainName === 'first.com');
        return { body: { RequestId: `R-${call.n}`, TaskNo: call.params.DomainName === 'second.com' && first ? first.taskNo : task.taskNo } };
      },
    });
    const run = await runAgainst(s, { env: { REDEEM_SUBMIT_CONCURRENCY: '2' } });
    expect(Object.fromEntries(s.ordersPerDomain())).toEqual({ 'first.com': 1, 'second.com': 1 });
    const firstTask = s.orders.find((o) => o.domainName === 'first.com')!.taskNo;
    const decisions = decisionsOf(run);
    expect(decisions.find((d) => d.domain === 'first.com')).toMatchObject({ outcome: 'succeeded', task_no: firstTask });
    // second.com's answer named another order's task: never told as succeeded under it.
    expect(decisions.find((d) => d.domain === 'second.com')?.outcome).not.toBe('succeeded');
  });
});

describe('two submissions in flight, the later-sent answered with the earlier-sent order\'s number, the earlier one\'s answer lost', () => {
  it("first.com's answer never comes (the registrar took it): its task, which second.com's answer named, is found once second.com's follow-up reads that it names first.com, and first.com is followed to success, not told as failed with no order found", async () => {
    const s = await start({
      domains: [domainItem('first.com', dueExpiration('first.com') - HOUR_MS), domainItem('second.com', dueExpiration('second.com'))],
      delayMs: (call) => (call.action === 'SaveSingleTaskForCreatingOrderRedeem' && call.params.DomainName === 'first.com' ? 300 : undefined),
      script: (call, standin) => {
        if (call.action !== 'SaveSingleTaskForCreatingOrderRedeem') return undefined;
        const task = standin.takeOrder(call.params.DomainName ?? '', call.params.CurrentExpirationDate ?? '')!;
        if (call.params.DomainName === 'first.com') return 'drop';
        const first = standin.orders.find((o) => o.domainName === 'first.com');
        return { body: { RequestId: `R-${call.n}`, TaskNo: first ? first.taskNo : task.taskNo } };
      },
    });
    const run = await runAgainst(s, { env: { REDEEM_SUBMIT_CONCURRENCY: '2' } });
    expect(Object.fromEntries(s.ordersPerDomain())).toEqual({ 'first.com': 1, 'second.com': 1 });
    const firstTask = s.orders.find((o) => o.domainName === 'first.com')!.taskNo;
    const decisions = decisionsOf(run);
    expect(decisions.find((d) => d.domain === 'first.com')).toMatchObject({ outcome: 'succeeded', task_no: firstTask });
    expect(decisions.find((d) => d.domain === 'second.com')?.outcome).not.toBe('succeeded');
  });
});

describe("a submission answered with the TaskNo of the domain's own earlier task", () => {
  it('an earlier redemption of the domain that FAILED five hours ago (the registrar took the new order under a new number): recorded and followed under the new task, not told as that old failure', async () => {
    const s = await start({
      domains: [domainItem('again.com', dueExpiration('again.com'))],
      tasks: [{ taskNo: 'T-old', domainName: 'again.com', statusCode: 3, createdMs: Date.now() - 5 * HOUR_MS }],
      script: (call, standin) => {
        if (call.action !== 'SaveSingleTaskForCreatingOrderRedeem') return undefined;
        standin.takeOrder(call.params.DomainName ?? '', call.params.CurrentExpirationDate ?? '');
        return { body: { RequestId: 'R-1', TaskNo: 'T-old' } };
      },
    });
    const run = await runAgainst(s);
    expect(Object.fromEntries(s.ordersPerDomain())).toEqual({ 'again.com': 1 });
    // Told as failed (the old task's REGISTRY_REJECTED), a person orders it again by hand: a second fee.
    expect(decisionsOf(run).find((d) => d.domain === 'again.com')).toMatchObject({ outcome: 'succeeded', task_no: s.orders[0]!.taskNo });
  });
});

describe('a submission the registrar took, answered with something that is not its answer', () => {
  const answers: ReadonlyArray<[string, (taskNo: string) => import('../support/registrar-standin.js').Scripted]> = [
    ['HTTP 200 with no TaskNo', () => ({ body: { RequestId: 'R-1' } })],
    ['HTTP 200 with a TaskNo that is a number', () => ({ body: { RequestId: 'R-1', TaskNo: 12345 } })],
    ['an HTML 502 from a gateway', () => ({ status: 502, body: '<html><body><h1>502 Bad Gateway</h1></body></html>', headers: { 'content-type': 'text/html' } })],
    ['a connection reset after the request was read', () => ({ raw: '', then: 'reset' })],
    ['the vendor error body with HTTP 200 (Code InternalError)', () => ({ body: { RequestId: 'R-1', HostId: 'domain-intl.aliyuncs.com', Code: 'InternalError', Message: 'The request processing has failed due to some unknown error.' } })],
  ];
  it.each(answers)('%s: one order, found in the ledger under its own task and followed, never sent again', async (_label, answer) => {
    const s = await start({
      domains: [domainItem('taken.com', dueExpiration('taken.com'))],
      script: (call, standin) => {
        if (call.action !== 'SaveSingleTaskForCreatingOrderRedeem') return undefined;
        const task = standin.takeOrder(call.params.DomainName ?? '', call.params.CurrentExpirationDate ?? '')!;
        return answer(task.taskNo);
      },
    });
    const run = await runAgainst(s);
    expect(s.callsOf('SaveSingleTaskForCreatingOrderRedeem')).toHaveLength(1);
    expect(decisionsOf(run).find((d) => d.domain === 'taken.com')).toMatchObject({ outcome: 'succeeded', task_no: s.orders[0]!.taskNo, reconciled: true });
  });
});

describe('the documented refusals of SaveSingleTaskForCreatingOrderRedeem (domain-api.md §3.3, all HTTP 400)', () => {
  const refusal = (code: string, message: string) => ({ status: 400, body: { RequestId: 'R-400', HostId: 'domain-intl.aliyuncs.com', Code: code, Message: message } });

  it('NetworkIOError after the registrar took the order (a fault on its side, the order maybe placed): reconciled, found and followed, never sent again', async () => {
    const s = await start({
      domains: [domainItem('io.com', dueExpiration('io.com'))],
      script: (call, standin) => {
        if (call.action !== 'SaveSingleTaskForCreatingOrderRedeem') return undefined;
        standin.takeOrder(call.params.DomainName ?? '', call.params.CurrentExpirationDate ?? '');
        return refusal('NetworkIOError', 'A network IO error occurred.');
      },
    });
    const run = await runAgainst(s);
    expect(s.callsOf('SaveSingleTaskForCreatingOrderRedeem')).toHaveLength(1);
    expect(decisionsOf(run).find((d) => d.domain === 'io.com')).toMatchObject({ outcome: 'succeeded', task_no: s.orders[0]!.taskNo, reconciled: true });
  });

  it('ParameterIllegal with no order taken: failed, sent once, and a person hears it', async () => {
    const s = await start({
      domains: [domainItem('illegal.com', dueExpiration('illegal.com'))],
      script: (call) => (call.action === 'SaveSingleTaskForCreatingOrderRedeem' ? refusal('ParameterIllegal', 'The parameter is illegal.') : undefined),
    });
    const inbox = await openInbox();
    const run = await runAgainst(s, { env: { NOTIFY_WEBHOOK_URL: inbox.url, NOTIFY_WEBHOOK_SECRET: 'inbox-secret' } });
    expect(s.callsOf('SaveSingleTaskForCreatingOrderRedeem')).toHaveLength(1);
    expect(decisionsOf(run).find((d) => d.domain === 'illegal.com')).toMatchObject({ outcome: 'failed', error_code: 'ParameterIllegal' });
    expect(JSON.stringify(inbox.bodies)).toMatch(/illegal\.com.*ParameterIllegal/);
  });
});
