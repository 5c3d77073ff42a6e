/**
 * A submission the registrar refused for certain (TaskIsBeingProcessed: another operation holds the domain;
 * ParameterIllegal: its expiry changed) placed no order and took no fee: the slot of REDEEM_MAX_PER_RUN it
 * held goes to the next domain the caps held back in the same run; REDEEM_MAX_PER_DAY's only where the day
 * has room with the refused domain still counted (the operation holding it may be an unlisted redemption).
 * The caps stay fixed at planning: orders in flight and placed never exceed them, however many go at once.
 * Written against the stand-in.
 */
import { describe, expect, it } from 'vitest';
import { domainItem, type StandinCall } from '../support/registrar-standin.js';
import { decisionsOf, dueExpiration, runAgainst, standinPerTest } from './standin-runs.js';

const start = standinPerTest();
const DAY_MS = 86_400_000;
const SAVE = 'SaveSingleTaskForCreatingOrderRedeem';
/** `n` days nearer its deadline than dueExpiration's three days: the most urgent first. */
const due = (name: string, earlierDays = 0) => domainItem(name, dueExpiration(name) - earlierDays * DAY_MS);
const refusal = (code: string) => ({ status: 400, body: { RequestId: 'R-400', HostId: 'domain-intl.aliyuncs.com', Code: code, Message: 'refused' } });

describe('a slot freed by a refused order', () => {
  it.each(['TaskIsBeingProcessed', 'ParameterIllegal'])('%s for the most urgent domain, REDEEM_MAX_PER_RUN=1: the next domain the cap held is ordered in its place', async (code) => {
    const s = await start({
      domains: [due('busy.com', 2), due('next.com', 1), due('last.com')],
      script: (call) => (call.action === SAVE && call.params.DomainName === 'busy.com' ? refusal(code) : undefined),
    });
    const run = await runAgainst(s, { env: { REDEEM_MAX_PER_RUN: '1' } });
    expect(s.orders.map((o) => o.domainName)).toEqual(['next.com']);
    const decisions = decisionsOf(run);
    expect(decisions.find((d) => d.domain === 'next.com')).toMatchObject({ action: 'redeem', outcome: 'succeeded' });
    expect(decisions.find((d) => d.domain === 'last.com')).toMatchObject({ action: 'skip', reason: 'cap-per-run', outcome: 'skipped' });
    // One decision line per domain: the one ordered in the freed slot is not also recorded as held.
    const lines = run.records.filter((r) => r.kind === 'decision');
    expect(lines.filter((r) => r.domain === 'next.com').map((r) => r.outcome)).toEqual(['submitted']);
    expect(lines).toHaveLength(3);
  });

  it("REDEEM_MAX_PER_RUN=1 with room in the day's cap (REDEEM_MAX_PER_DAY=3, one order of the day): the freed slot is used", async () => {
    const s = await start({
      domains: [due('busy.com', 1), due('next.com')],
      tasks: [{ taskNo: 'T-EARLIER', domainName: 'earlier.com', statusCode: 2, createdMs: Date.now() - 3_600_000 }],
      script: (call) => (call.action === SAVE && call.params.DomainName === 'busy.com' ? refusal('TaskIsBeingProcessed') : undefined),
    });
    await runAgainst(s, { env: { REDEEM_MAX_PER_RUN: '1', REDEEM_MAX_PER_DAY: '3' } });
    expect(s.orders.map((o) => o.domainName)).toEqual(['next.com']);
  });

  // TaskIsBeingProcessed says an operation holds the domain: it may be a redemption the registrar does not
  // list yet (another tool's, or a killed run's), which counts on the day. The refused domain stays counted.
  it("REDEEM_MAX_PER_DAY=2 with one order of the day, the day's cap binding: the refused order still counts, the domain the day's cap held is not ordered", async () => {
    const s = await start({
      domains: [due('busy.com', 1), due('next.com')],
      tasks: [{ taskNo: 'T-EARLIER', domainName: 'earlier.com', statusCode: 2, createdMs: Date.now() - 3_600_000 }],
      script: (call) => (call.action === SAVE && call.params.DomainName === 'busy.com' ? refusal('TaskIsBeingProcessed') : undefined),
    });
    const run = await runAgainst(s, { env: { REDEEM_MAX_PER_DAY: '2' } });
    expect(s.orders).toEqual([]);
    expect(decisionsOf(run).find((d) => d.domain === 'next.com')).toMatchObject({ reason: 'cap-per-day', outcome: 'skipped' });
  });

  it('a registrar that refuses every order as busy: each planned slot is offered again once, not to every domain the cap held', async () => {
    const s = await start({
      domains: [due('d1.com', 4), due('d2.com', 3), due('d3.com', 2), due('d4.com', 1), due('d5.com')],
      script: (call) => (call.action === SAVE ? refusal('TaskIsBeingProcessed') : undefined),
    });
    const run = await runAgainst(s, { env: { REDEEM_MAX_PER_RUN: '1' } });
    expect([...s.submissionsPerDomain().keys()]).toEqual(['d1.com', 'd2.com']);
    expect(decisionsOf(run).map((d) => [d.domain, d.reason])).toEqual([
      ['d1.com', 'due'],
      ['d2.com', 'due'],
      ['d3.com', 'cap-per-run'],
      ['d4.com', 'cap-per-run'],
      ['d5.com', 'cap-per-run'],
    ]);
    expect(run.records.filter((r) => r.kind === 'decision')).toHaveLength(5);
  });

  it.each([
    ['150: the refused order still counted, 100 + 100 would exceed it', '150', []],
    ['250: room for both', '250', ['next.com']],
  ])('REDEEM_MAX_SPEND_PER_DAY=%s', async (_label, spend, ordered) => {
    const balance = { status: 200, body: { RequestId: 'R-BSS', Code: 'Success', Message: 'Successful!', Success: true, Data: { AvailableAmount: '10000.00', AvailableCashAmount: '10000.00', CreditAmount: '0.00', Currency: 'CNY' } } };
    const s = await start({
      domains: [due('busy.com', 1), due('next.com')],
      script: (call) => (call.action === 'QueryAccountBalance' ? balance : call.action === SAVE && call.params.DomainName === 'busy.com' ? refusal('TaskIsBeingProcessed') : undefined),
    });
    const run = await runAgainst(s, { env: { REDEEM_MAX_PER_RUN: '1', REDEEM_PRICES: '{"*": 100}', REDEEM_MAX_SPEND_PER_DAY: spend, BSS_ENDPOINT: s.url } });
    expect(s.orders.map((o) => o.domainName)).toEqual(ordered);
    if (ordered.length === 0) expect(decisionsOf(run).find((d) => d.domain === 'next.com')).toMatchObject({ reason: 'cap-spend-per-day', outcome: 'skipped' });
  });

  it('an order whose outcome is unknown frees no slot: it may have been placed', async () => {
    const s = await start({
      domains: [due('lost.com', 1), due('next.com')],
      script: (call) => (call.action === SAVE && call.params.DomainName === 'lost.com' ? 'drop' : undefined),
    });
    await runAgainst(s, { env: { REDEEM_MAX_PER_RUN: '1' } });
    expect(s.submissionsPerDomain().get('next.com')).toBeUndefined();
  });

  it('a refusal of the account (Forbidden) frees no slot: the next order would be refused the same way', async () => {
    const s = await start({
      domains: [due('first.com', 1), due('next.com')],
      script: (call) => (call.action === SAVE ? { status: 403, body: { RequestId: 'R-403', HostId: 'domain-intl.aliyuncs.com', Code: 'Forbidden.RAM', Message: 'denied' } } : undefined),
    });
    await runAgainst(s, { env: { REDEEM_MAX_PER_RUN: '1' } });
    expect([...s.submissionsPerDomain().keys()]).toEqual(['first.com']);
  });

  it('REDEEM_SUBMIT_CONCURRENCY=3, REDEEM_MAX_PER_RUN=3, the three most urgent refused: three more ordered, never more than three in flight', async () => {
    const busy = new Set(['a1.com', 'a2.com', 'a3.com']);
    let inFlight = 0;
    let most = 0;
    const s = await start({
      domains: [due('a1.com', 2), due('a2.com', 2), due('a3.com', 2), due('b1.com', 1), due('b2.com', 1), due('b3.com', 1), due('c1.com'), due('c2.com')],
      script: (call: StandinCall) => {
        if (call.action !== SAVE) return undefined;
        most = Math.max(most, ++inFlight);
        setTimeout(() => inFlight--, 60);
        return busy.has(call.params.DomainName ?? '') ? { ...refusal('TaskIsBeingProcessed'), delayMs: 60 } : undefined;
      },
      delayMs: (call) => (call.action === SAVE && !busy.has(call.params.DomainName ?? '') ? 60 : undefined),
    });
    const run = await runAgainst(s, { env: { REDEEM_MAX_PER_RUN: '3', REDEEM_SUBMIT_CONCURRENCY: '3' } });
    expect(s.orders.map((o) => o.domainName).sort()).toEqual(['b1.com', 'b2.com', 'b3.com']);
    expect(most, 'submissions in flight at once').toBeLessThanOrEqual(3);
    expect(decisionsOf(run).filter((d) => String(d.domain).startsWith('c')).map((d) => d.reason)).toEqual(['cap-per-run', 'cap-per-run']);
  });
});
