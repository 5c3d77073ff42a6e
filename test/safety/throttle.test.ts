/**
 * Attacks on the rate limiter that learns the registrar's ceiling, through whole in-process runs
 * (REDEEM_SUBMIT_CONCURRENCY=auto, the default) over real HTTP on 127.0.0.1:0:
 * - a stand-in that throttles with absurd x-acs-retry-after values (0, negative, text, 10^12, empty);
 * - a stand-in that throttles only submissions, the first attempt of each;
 * - the emulator with a low QPS ceiling and latency, so that auto raises the submissions in flight.
 * What must hold: no order fails because of throttling when time allows; one order per domain; the run
 * ends inside its budget.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/config/config.js';
import { createLogger } from '../../shared/log/index.js';
import { runRedemption } from '../../shared/run/run.js';
import { EMULATOR_CREDENTIALS, startEmulator } from '../support/emulator.js';
import { domainItem, type Scripted, type StandinCall } from '../support/registrar-standin.js';
import { quickClock, runInProcess, type JsonRecord } from '../safety/harness.js';
import { dueDomains, liveEnv, ordersPerDomain } from '../safety/portfolio.js';
import { decisionsOf, dueExpiration, runAgainst, standinPerTest } from '../safety/standin-runs.js';

const start = standinPerTest();
const SAVE = 'SaveSingleTaskForCreatingOrderRedeem';
const throttled = (retryAfter: string | undefined): Scripted => ({
  status: 400,
  body: { RequestId: 'THROTTLED', Code: 'Throttling.User', Message: 'Request was denied due to user flow control.' },
  headers: retryAfter === undefined ? ({} as Record<string, string>) : { 'x-acs-retry-after': retryAfter },
});

const names = Array.from({ length: 6 }, (_, i) => `thr${i}.com`);
const summaryLine = (decisions: readonly JsonRecord[]) => decisions.map((d) => `${d.domain}:${d.outcome}${d.error_code ? `(${d.error_code})` : ''}`).join(' ');

/** A registrar that throttles the first submission for each domain with this x-acs-retry-after. */
function throttlingFirstSubmissions(header: string, domains: readonly string[]) {
  const seen = new Set<string>();
  return {
    domains: domains.map((n) => domainItem(n, dueExpiration(n))),
    script: (call: StandinCall) => {
      if (call.action !== SAVE) return undefined;
      const d = call.params.DomainName ?? '';
      if (seen.has(d)) return undefined;
      seen.add(d);
      return throttled(header);
    },
  };
}

/** One live run in a 20 s budget against that registrar. */
async function throttledRun(header: string, domains: readonly string[]) {
  const s = await start(throttlingFirstSubmissions(header, domains));
  const began = Date.now();
  const run = await runAgainst(s, { budgetMs: 20_000 });
  return { s, run, took: Date.now() - began, decisions: decisionsOf(run) };
}

describe('absurd x-acs-retry-after on a throttled submission (first attempt of each)', () => {
  for (const header of ['0', 'abc', '1500']) {
    it(`x-acs-retry-after: ${JSON.stringify(header)}: every order placed, none failed, the run inside its 20 s budget`, async () => {
      const { s, run, took, decisions } = await throttledRun(header, names);
      console.log(`[safety] retry-after ${JSON.stringify(header)}: ${took} ms, run ${run.summary.run.outcome}, orders ${s.orders.length}, ${summaryLine(decisions)}`);
      if (decisions.some((d) => d.outcome === 'failed')) console.log(`[safety]   first two: ${JSON.stringify(decisions.slice(0, 2).map((d) => [d.outcome, d.reason, d.error_code, d.error_message]))}`);
      expect(took).toBeLessThan(20_000);
      expect(Math.max(0, ...s.submissionsPerDomain().values())).toBeLessThanOrEqual(2); // the refused attempt and the accepted one
      expect(new Set(s.orders.map((o) => o.domainName)).size).toBe(s.orders.length);
      expect(decisions.filter((d) => d.outcome === 'failed'), 'orders failed because of throttling').toEqual([]);
      expect(s.orders.length).toBe(names.length);
    }, 30_000);
  }
});

describe('a throttle whose wait does not fit the budget (20 s budget, x-acs-retry-after of 60 s or more)', () => {
  for (const header of ['60000', '1e12', '99999999999999999999']) {
    it(`x-acs-retry-after: ${header}: no order failed; what was not placed is left for the next run (time-budget), inside the budget`, async () => {
      const { s, run, took, decisions } = await throttledRun(header, names);
      console.log(`[throttle] retry-after ${header}: ${took} ms, orders ${s.orders.length}, ${summaryLine(decisions)}`);
      expect(took).toBeLessThan(20_000);
      expect(decisions.filter((d) => d.outcome === 'failed'), 'orders failed because of throttling').toEqual([]);
      const placed = new Set(s.orders.map((o) => o.domainName));
      expect(placed.size).toBe(s.orders.length);
      const left = decisions.filter((d) => !placed.has(String(d.domain)));
      expect(left.length).toBeGreaterThan(0);
      for (const d of left) expect(d).toMatchObject({ outcome: 'skipped', reason: expect.stringMatching(/^(time-budget|halted)$/) });
      expect(run.summary.run.left_for_next_run).toBe(left.length);
    }, 30_000);
  }
});

/** Real time plus a skew; a sleep moves the skew on at once (a 60 s pause costs no real time). */
function warpClock() {
  let skew = 0;
  return {
    now: () => Date.now() + skew,
    random: () => 0.5,
    sleep: (ms: number) => new Promise<void>((resolve) => setImmediate(() => ((skew += Math.max(0, ms)), resolve()))),
  };
}

describe('absurd x-acs-retry-after with time to spare (300 s budget, virtual time)', () => {
  for (const header of ['1e12', '60000', '120000']) {
    it(`x-acs-retry-after: ${header} on each first attempt: the limiter clamps the pause to 60 s, so the orders fit in 300 s: none failed`, async () => {
      const s = await start(throttlingFirstSubmissions(header, names.slice(0, 2)));
      const clock = warpClock();
      const run = await runInProcess(
        { REDEEM_MODE: 'live', REDEEM_DOMAINS: '*', REDEEM_MAX_PER_RUN: '50', REDEEM_MAX_PER_DAY: '50', REDEEM_API_QPS: '1000', DOMAIN_ENDPOINT: s.url },
        { budgetMs: 300_000, clock, followIntervalMs: 10 },
      );
      const decisions = decisionsOf(run);
      console.log(`[safety] 300 s, retry-after ${header}: virtual ${run.summary.run.duration_ms} ms, orders ${s.orders.length}, ${summaryLine(decisions)}`);
      if (decisions.some((d) => d.outcome === 'failed')) console.log(`[safety]   ${JSON.stringify(decisions.slice(0, 2).map((d) => [d.outcome, d.reason, d.error_code, d.error_message]))}`);
      expect(decisions.filter((d) => d.outcome === 'failed'), 'orders failed because of throttling').toEqual([]);
      expect(s.orders.length).toBe(2);
    }, 30_000);
  }
});

describe('a registrar that throttles every call half the time', () => {
  it('50 % of all calls throttled (no retry-after): no order fails, the run ends inside 20 s', async () => {
    let n = 0;
    const s = await start({
      domains: names.map((d) => domainItem(d, dueExpiration(d))),
      // Deterministic: every other call of each action is refused.
      script: () => (n++ % 2 === 0 ? throttled(undefined) : undefined),
    });
    const began = Date.now();
    const run = await runAgainst(s, { budgetMs: 20_000 });
    const took = Date.now() - began;
    const decisions = decisionsOf(run);
    console.log(`[safety] half throttled: ${took} ms, run ${run.summary.run.outcome}, orders ${s.orders.length}, ${summaryLine(decisions)}`);
    expect(took).toBeLessThan(20_000);
    expect(decisions.filter((d) => d.outcome === 'failed')).toEqual([]);
    expect(new Set(s.orders.map((o) => o.domainName)).size).toBe(s.orders.length);
  }, 30_000);
});

describe('the emulator with a QPS ceiling, latency, auto raised (real clock)', () => {
  for (const ceiling of [3, 6]) {
    it(`registrar ceiling ${ceiling} QPS, REDEEM_API_QPS=20, 150 ms latency, 12 s budget: no failed order, one per domain, inside the budget`, async () => {
      const e = await startEmulator({ domains: 60, seed: 1, redemptionShare: 0.4, latencyMs: 150, qps: ceiling, taskTiming: { waitingMs: 30, executingMs: 30 } });
      try {
        const due = dueDomains(e);
        const lines: string[] = [];
        const began = Date.now();
        const summary = await runRedemption({
          config: loadConfig(liveEnv(e, { REDEEM_MAX_PER_RUN: '50', REDEEM_MAX_PER_DAY: '50', REDEEM_API_QPS: '20' })),
          credentials: EMULATOR_CREDENTIALS,
          trigger: 'invoke',
          options: {},
          budgetMs: 12_000,
          followIntervalMs: 200,
          logger: createLogger((line) => lines.push(line)),
        });
        const took = Date.now() - began;
        const decisions = summary.decisions as unknown as JsonRecord[];
        const throttles = e.calls.filter((c) => String(c.code).startsWith('Throttling')).length;
        console.log(
          `[safety] ceiling ${ceiling}: ${took} ms, run ${summary.run.outcome}, submit_concurrency ${summary.run.submit_concurrency}, due ${due.length}, orders ${e.domain.tasks.length}, throttled answers ${throttles}, ` +
            `outcomes ${JSON.stringify(decisions.reduce<Record<string, number>>((m, d) => ((m[`${d.outcome}/${d.reason}${d.error_code ? `/${d.error_code}` : ''}`] = (m[`${d.outcome}/${d.reason}${d.error_code ? `/${d.error_code}` : ''}`] ?? 0) + 1), m), {}))}`,
        );
        expect(took).toBeLessThan(12_000);
        expect(Math.max(0, ...ordersPerDomain(e).values())).toBeLessThanOrEqual(1);
        expect(decisions.filter((d) => d.outcome === 'failed')).toEqual([]);
        // Every submission line precedes its order: the records carry one per order the emulator holds.
        const records = lines.map((l) => JSON.parse(l) as JsonRecord);
        const submitted = new Set(records.filter((r) => r.kind === 'submission').map((r) => r.domain));
        for (const t of e.domain.tasks) expect(submitted.has(t.domainName)).toBe(true);
      } finally {
        await e.close();
      }
    }, 30_000);
  }
});

// Keep the in-process helper referenced (quickClock runs are used through runAgainst).
void quickClock;
void runInProcess;
