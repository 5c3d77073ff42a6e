/**
 * Attacks on the executor with REDEEM_SUBMIT_CONCURRENCY=auto (and fixed values for contrast):
 * the outcome-unknown halt, the day cap, one order per domain, the submission line before each call.
 * FakeDomainApi in memory, the jumping fake clock for run time; calls are orchestrated with deferreds.
 */
import { describe, expect, it } from 'vitest';
import { NetworkError, OutcomeUnknownError, TaskIsBeingProcessedError } from '../../shared/domain-api/errors.js';
import { DAY_MS } from '../../shared/run/deadline.js';
import { execute } from '../../shared/run/executor.js';
import { executorDeps } from '../support/executor-deps.js';
import { Ledger } from '../../shared/run/ledger.js';
import type { Decision } from '../../shared/run/planner.js';
import type { RecordFields } from '../../shared/run/records.js';
import { timeBudget } from '../../shared/run/time-budget.js';
import type { SubmitConcurrency } from '../../shared/run/submit-pacing.js';
import { fakeClock } from '../support/fake-clock.js';
import { FakeDomainApi, type FakeLogEntry } from '../support/fake-domain-api.js';

const NOW = Date.UTC(2026, 11, 1, 12);
const EXPIRATION = NOW - 57 * DAY_MS;
const SAVE = 'SaveSingleTaskForCreatingOrderRedeem';

function due(domainName: string): Decision {
  return { domainName, expirationMs: EXPIRATION, tld: 'com', rules: 'known', deadlineMs: NOW + DAY_MS, msLeft: DAY_MS, daysLeft: 1, action: 'redeem', reason: 'due' };
}

function deferred<T = void>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const outcomeUnknown = (d: string) => new OutcomeUnknownError(SAVE, d, { cause: new Error('socket hang up (test)') });

function setup(options: { submitConcurrency?: SubmitConcurrency; maxPerDay?: number; budgetMs?: number; scope?: string; api?: FakeDomainApi; clock?: ReturnType<typeof fakeClock> } = {}) {
  const clock = options.clock ?? fakeClock(NOW);
  const api = options.api ?? new FakeDomainApi(clock.now);
  const budget = timeBudget(options.budgetMs ?? 60_000, clock.now);
  const ledger = new Ledger({ api, bounds: { deadlineMs: budget.endsMs, now: clock.now }, scope: options.scope });
  const emitted: RecordFields[] = [];
  const maxPerDay = options.maxPerDay ?? 1_000;
  let highest: number | undefined;
  const deps = executorDeps(
    { api, ledger, budget, clock },
    {
      capReached: (l, _d, nowMs) => (l.orderedLast24h(nowMs) >= maxPerDay ? 'cap-per-day' : undefined),
      emit: (fields) => {
        emitted.push(fields);
        api.note({ kind: 'emit', record: fields.kind, domain: 'domain' in fields ? fields.domain : undefined });
      },
      submitConcurrency: options.submitConcurrency,
      onSubmitConcurrency: (n) => (highest = n),
    },
  );
  return {
    clock,
    api,
    ledger,
    emitted,
    highest: () => highest,
    async start(decisions: readonly Decision[]) {
      await ledger.read(clock.now(), 7);
      return execute(decisions, deps);
    },
  };
}

function timeline(log: readonly FakeLogEntry[]): string[] {
  return log.map((e) => (e.kind === 'call' ? `call ${e.action}${'domain' in e ? ` ${e.domain}` : ''}` : `emit ${e.record} ${e.domain ?? ''}`.trim()));
}

function countBy(xs: readonly string[]): Record<string, number> {
  const m: Record<string, number> = {};
  for (const x of xs) m[x] = (m[x] ?? 0) + 1;
  return m;
}

const saves = (api: FakeDomainApi) => api.callsOf(SAVE).map((c) => c.domain);

describe('a failed reconciliation must halt every new submission (several in flight)', () => {
  // a.com's outcome becomes unknown while the other worker's fresh look for c.com is in flight; the
  // reconciling look (which waits for that look, then reads again) fails: "nothing more may be sent".
  // c.com finishes its look, waits on the gate, and must then see the halt.
  for (const setting of [2, 'auto'] as const) {
    it(`REDEEM_SUBMIT_CONCURRENCY=${setting}: after "reconciliation failed", no further SaveSingleTask call`, async () => {
      // auto: after warm.com (20 s), 4 orders left at 20 s in a 200 s budget: exactly 2 at once.
      const run = setup({ submitConcurrency: setting, budgetMs: setting === 'auto' ? 200_000 : 60_000 });
      const aSent = deferred();
      const aFail = deferred();
      const cLookHeld = deferred();
      const cLookRelease = deferred();
      let looks = 0;
      let lost = false;
      // With auto, a slow first order (warm.com, 20 s of a 60 s budget) makes one-at-a-time too slow: limit 2+.
      const decisions = setting === 'auto' ? [due('warm.com'), due('a.com'), due('b.com'), due('c.com'), due('d.com')] : [due('a.com'), due('b.com'), due('c.com'), due('d.com')];
      run.api.onCall = async (call) => {
        if (call.action === SAVE && call.domain === 'warm.com') run.clock.advance(20_000);
        if (call.action === 'QueryTaskList' && call.pageNum === 1) {
          looks++;
          if (lost) {
            // The reconciling look: the ledger cannot be read.
            throw new NetworkError('QueryTaskList', true, 'ECONNRESET');
          }
        }
        if (call.action === SAVE && call.domain === 'a.com') {
          aSent.resolve();
          await aFail.promise;
          lost = true;
          run.api.note({ kind: 'emit', record: 'lost', domain: 'a.com' });
          throw outcomeUnknown('a.com');
        }
        if (call.action === 'QueryTaskList' && !lost && saves(run.api).includes('b.com') && !cLookStarted) {
          cLookStarted = true;
          cLookHeld.resolve();
          await cLookRelease.promise;
        }
      };
      let cLookStarted = false;
      const done = run.start(decisions);
      await aSent.promise;
      await cLookHeld.promise; // b.com was sent, c.com's look is in flight
      aFail.resolve(); // a.com's outcome is now unknown: the reconciliation waits for c.com's look
      await new Promise((r) => setTimeout(r, 5));
      cLookRelease.resolve(); // c.com's look ends; the reconciling look fails
      const results = await done;
      const lines = timeline(run.api.log);
      const lostAt = lines.indexOf('emit lost a.com');
      const savesAfterLoss = lines.slice(lostAt + 1).filter((l) => l.startsWith(`call ${SAVE}`));
      const a = results.find((r) => r.decision.domainName === 'a.com')!;
      expect(a.error_message).toMatch(/reconciliation failed/);
      console.log(`[safety] setting=${setting} highest=${run.highest()} looks=${looks} saves=${saves(run.api).join(',')} outcomes=${results.map((r) => `${r.decision.domainName}:${r.outcome}/${r.reason}`).join(' ')}`);
      if (savesAfterLoss.length) console.log(`[safety] timeline after the loss: ${lines.slice(lostAt).join(' | ')}`);
      expect(savesAfterLoss, 'SaveSingleTask calls after the outcome became unknown and its reconciliation failed').toEqual([]);
    });
  }
});

describe('the gate read one microtask too early (fuzz over the moment the outcome becomes unknown)', () => {
  // The worker awaits `state.gate` as it is at that moment; a gate set in the tick between that await
  // and its continuation is not waited for. Sweep the moment a.com's failure lands, in microtask ticks
  // after c.com's look answered.
  it('no SaveSingleTask call between the start of a reconciliation and its end, for any tick offset 0..150', async () => {
    const violations: string[] = [];
    let reconciliations = 0;
    for (let ticks = 0; ticks <= 150; ticks++) {
      const run = setup({ submitConcurrency: 2 });
      const release = deferred();
      let reconciling = false;
      let firstLook = true;
      // The moment the executor learns of the loss is its reconciling refresh (startedAfterNow): state.gate
      // is set synchronously right after it. Any SaveSingleTask call before that refresh settles is new.
      const refresh = run.ledger.refresh.bind(run.ledger);
      run.ledger.refresh = (nowMs, options) => {
        if (!options?.startedAfterNow) return refresh(nowMs, options);
        reconciling = true;
        reconciliations++;
        return refresh(nowMs, options).finally(() => (reconciling = false));
      };
      run.api.onCall = async (call) => {
        if (call.action === SAVE && call.domain === 'a.com') {
          await release.promise;
          for (let i = 0; i < ticks; i++) await Promise.resolve();
          throw outcomeUnknown('a.com');
        }
        if (call.action === SAVE && reconciling) violations.push(`ticks=${ticks}: ${call.domain} sent while a.com was being reconciled`);
        if (call.action === 'QueryTaskList' && !firstLook) await release.promise;
        if (call.action === 'QueryTaskList' && saves(run.api).length > 0) firstLook = false;
      };
      const done = run.start([due('a.com'), due('b.com'), due('c.com'), due('d.com')]);
      for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
      release.resolve();
      await done;
    }
    console.log(`[safety] microtask sweep: ${reconciliations} reconciliations, ${violations.length} violation(s)${violations.length ? `: ${violations.slice(0, 5).join('; ')}` : ''}`);
    expect(reconciliations).toBeGreaterThan(0);
    expect(violations).toEqual([]);
  });
});

describe('the day cap under auto, with outcome-unknown orders mixed in', () => {
  for (const [cap, domains] of [
    [5, 40],
    [1, 12],
    [8, 40],
  ] as const) {
    it(`REDEEM_MAX_PER_DAY=${cap}, ${domains} due, slow submissions (auto raised): at most ${cap} orders at the registrar, one per domain`, async () => {
      const run = setup({ submitConcurrency: 'auto', maxPerDay: cap, budgetMs: 120_000 });
      const names = Array.from({ length: domains }, (_, i) => `d${String(i).padStart(2, '0')}.com`);
      let i = 0;
      run.api.onCall = async (call) => {
        if (call.action !== SAVE) return;
        run.clock.advance(8_000);
        await new Promise((r) => setTimeout(r, 1 + (i++ % 3)));
        // Every third submission: the order is placed but its answer is lost.
        if (i % 3 === 0) {
          run.api.accept({ domainName: call.domain, currentExpirationDate: call.expirationMs });
          throw outcomeUnknown(call.domain);
        }
      };
      const results = await run.start(names.map(due));
      const held = run.api.tasks.filter((t) => t.by === 'submission').map((t) => t.details[0]!.domainName);
      console.log(`[safety] cap=${cap} highest=${run.highest()} orders=${held.length} saves=${saves(run.api).length}`);
      expect(held.length).toBeLessThanOrEqual(cap);
      expect(new Set(saves(run.api)).size).toBe(saves(run.api).length);
      const lines = timeline(run.api.log);
      for (const d of saves(run.api)) expect(lines.indexOf(`emit submission ${d}`)).toBeLessThan(lines.indexOf(`call ${SAVE} ${d}`));
      expect(results.filter((r) => r.outcome === 'failed')).toEqual([]);
    });
  }
});

describe('several runs in one process, auto, one registrar', () => {
  for (const runs of [2, 5]) {
    for (const shape of ['disjoint', 'identical'] as const) {
      it(`${runs} runs, ${shape} sets, cap 5: at most 5 orders, one per domain, no failed decision`, async () => {
        const clock = fakeClock(NOW);
        const api = new FakeDomainApi(clock.now);
        const scope = `races-${runs}-${shape}-${Math.random()}`;
        let refused = 0;
        api.onCall = async (call) => {
          if (call.action === SAVE) clock.advance(6_000);
          await new Promise((r) => setTimeout(r, call.action === SAVE ? 3 : 1));
          // As the registrar (and the emulator) does: a second order for a domain with an open task is refused.
          if (call.action === SAVE && api.tasks.some((t) => t.details.some((d) => d.domainName === call.domain && d.statusCode < 2))) {
            refused++;
            throw new TaskIsBeingProcessedError({ action: SAVE, code: 'TaskIsBeingProcessed', message: 'An operation is being processed (test)', requestId: 'req-busy', httpStatus: 400, retryAfterMs: undefined });
          }
        };
        const all = Array.from({ length: 40 }, (_, i) => `x${String(i).padStart(2, '0')}.com`);
        const sets = Array.from({ length: runs }, (_, r) => (shape === 'disjoint' ? all.filter((_, i) => i % runs === r) : all));
        const runners = sets.map(() => setup({ submitConcurrency: 'auto', maxPerDay: 5, budgetMs: 120_000, scope, api, clock }));
        const results = await Promise.all(runners.map((r, k) => r.start(sets[k]!.map(due))));
        const held = api.tasks.filter((t) => t.by === 'submission').map((t) => t.details[0]!.domainName);
        console.log(`[safety] ${runs} runs ${shape}: highest=${runners.map((r) => r.highest()).join(',')} orders=${held.length} saves=${saves(api).length} refused=${refused} outcomes=${JSON.stringify(countBy(results.flat().map((r) => `${r.outcome}/${r.reason}`)))}`);
        // Runs of one process see each other's orders as they are sent: no duplicate reaches the registrar.
        expect(refused).toBe(0);
        expect(held.length).toBeLessThanOrEqual(5);
        expect(new Set(held).size).toBe(held.length);
        expect(results.flat().filter((r) => r.outcome === 'failed')).toEqual([]);
        for (const r of runners) r.ledger.close();
      });
    }
  }
});
