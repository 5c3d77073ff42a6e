/**
 * A refusal (TaskIsBeingProcessed, ParameterIllegal) frees the refused order's REDEEM_MAX_PER_RUN slot for the
 * next domain a cap held (executor freeSlot) because it is taken to have placed nothing. The registrar's answer
 * is all that says so: a task of the refused domain, created since the refused order was sent, that the fresh
 * look before the re-offered submission finds (the registrar lists tasks asynchronously, domain-api.md §3.3)
 * says an order was placed after all, this run's or not. The slot is then not free: sent, the run placed more
 * than REDEEM_MAX_PER_RUN orders. Written against the stand-in.
 */
import { describe, expect, it } from 'vitest';
import { domainItem, type RegistrarStandin, type StandinCall } from '../support/registrar-standin.js';
import { decisionsOf, dueExpiration, runAgainst, standinPerTest } from './standin-runs.js';

const start = standinPerTest();
const DAY_MS = 86_400_000;
const SAVE = 'SaveSingleTaskForCreatingOrderRedeem';
const due = (name: string, earlierDays = 0) => domainItem(name, dueExpiration(name) - earlierDays * DAY_MS);
const refusal = (code: string) => ({ status: 400, body: { RequestId: 'R-400', HostId: 'domain-intl.aliyuncs.com', Code: code, Message: 'refused' } });

/**
 * A registrar that takes busy.com's order yet answers it with `code`, and lists the task only from the second
 * task-list read after that answer: the reconciliation's look misses it, the next fresh look finds it.
 */
function takenButRefused(code: string) {
  let refusedAt: number | undefined;
  let listsSince = 0;
  return (call: StandinCall, s: RegistrarStandin) => {
    if (call.action === SAVE && call.params.DomainName === 'busy.com') {
      refusedAt = Date.now();
      return refusal(code);
    }
    if (call.action === 'QueryTaskList' && refusedAt !== undefined && ++listsSince === 2) {
      s.tasks.push({ taskNo: 'T-BUSY', domainName: 'busy.com', statusCode: 1, createdMs: refusedAt });
      s.orders.push({ domainName: 'busy.com', expiration: call.params.CurrentExpirationDate ?? '', taskNo: 'T-BUSY' });
    }
    return undefined;
  };
}

describe('the slot a refusal freed, when a task of the refused domain shows up before the re-offered order', () => {
  it.each(['TaskIsBeingProcessed', 'ParameterIllegal'])('%s, REDEEM_MAX_PER_RUN=1: the task found says an order was placed, so the next domain is not ordered in its place', async (code) => {
    const s = await start({ domains: [due('busy.com', 2), due('next.com', 1)], script: takenButRefused(code) });
    const run = await runAgainst(s, { env: { REDEEM_MAX_PER_RUN: '1' } });
    expect(s.orders.map((o) => o.domainName), 'orders the registrar took').toEqual(['busy.com']);
    const next = decisionsOf(run).find((d) => d.domain === 'next.com');
    expect(next).toMatchObject({ action: 'skip', reason: 'cap-per-run', outcome: 'skipped' });
    expect(String(next?.error_message)).toContain('task T-BUSY of busy.com');
    // Still told, with why it waits.
    expect(run.records.filter((r) => r.kind === 'decision' && r.domain === 'next.com')).toHaveLength(1);
  });

  // The refused domain counts on the day (CapOptions.alsoCounted) as the operation its refusal says holds
  // it, which the registrar may not list yet. Once the registrar lists that operation's task, the task counts
  // itself: counted beside it, the one order took two of the day's slots, and a planned domain was held.
  it("REDEEM_MAX_PER_DAY=2, REDEEM_MAX_PER_RUN=2: the refused domain's task, listed since, is counted once, and the other planned domain is ordered", async () => {
    const s = await start({ domains: [due('busy.com', 3), due('plan.com', 2), due('next.com', 1)], script: takenButRefused('TaskIsBeingProcessed') });
    const run = await runAgainst(s, { env: { REDEEM_MAX_PER_RUN: '2', REDEEM_MAX_PER_DAY: '2' } });
    expect(decisionsOf(run).find((d) => d.domain === 'plan.com')).toMatchObject({ action: 'redeem', outcome: 'succeeded' });
    expect(s.orders.map((o) => o.domainName)).toEqual(['busy.com', 'plan.com']);
    expect(decisionsOf(run).find((d) => d.domain === 'next.com')).toMatchObject({ action: 'skip', outcome: 'skipped' });
  });
});

describe('the slot a refusal freed, when the money held a more urgent planned domain', () => {
  // README, Who waits: once one domain cannot be paid, every less urgent one waits too, so the money is kept
  // for the most urgent. The planning guard held rich.net (500, with 200 left after busy.com's 100); the
  // domain the caps held behind it is less urgent, and must not take the money rich.net waits for.
  it('REDEEM_MAX_PER_RUN=2, balance 300: busy.com refused, rich.net held by the balance, cheap.org (less urgent) is not ordered in the freed slot', async () => {
    const balance = { status: 200, body: { RequestId: 'R-BSS', Code: 'Success', Message: 'Successful!', Success: true, Data: { AvailableAmount: '300.00', AvailableCashAmount: '300.00', CreditAmount: '0.00', Currency: 'CNY' } } };
    const s = await start({
      domains: [due('busy.com', 3), due('rich.net', 2), due('cheap.org', 1)],
      script: (call) => (call.action === 'QueryAccountBalance' ? balance : call.action === SAVE && call.params.DomainName === 'busy.com' ? refusal('TaskIsBeingProcessed') : undefined),
    });
    const run = await runAgainst(s, { env: { REDEEM_MAX_PER_RUN: '2', REDEEM_PRICES: '{"com": 100, "net": 500, "org": 50}', BSS_ENDPOINT: s.url } });
    expect(decisionsOf(run).find((d) => d.domain === 'rich.net')).toMatchObject({ reason: 'insufficient-balance', outcome: 'skipped' });
    expect(s.orders.map((o) => o.domainName), 'orders the registrar took').toEqual([]);
    const cheap = decisionsOf(run).find((d) => d.domain === 'cheap.org');
    expect(cheap).toMatchObject({ reason: 'insufficient-balance', outcome: 'skipped' });
    expect(String(cheap?.error_message)).toContain('kept for the more urgent rich.net');
  });
});
