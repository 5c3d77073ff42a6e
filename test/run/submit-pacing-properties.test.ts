/**
 * Attacks on SubmitPacing (auto) with odd durations and clocks: NaN, Infinity, negative, 0,
 * enormous; a time left that is negative, NaN or infinite; a clock that jumps back and forth in a run.
 * What must hold: never more than 8 in flight (nor more than the limit), every acquire eventually served,
 * no exception, no spin; in the executor, every call after its submission line and the run ends.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../../shared/run/deadline.js';
import { execute } from '../../shared/run/executor.js';
import { executorDeps } from '../support/executor-deps.js';
import { Ledger } from '../../shared/run/ledger.js';
import type { Decision } from '../../shared/run/planner.js';
import { SubmitPacing } from '../../shared/run/submit-pacing.js';
import { timeBudget } from '../../shared/run/time-budget.js';
import { FakeDomainApi, type FakeLogEntry } from '../support/fake-domain-api.js';

const NOW = Date.UTC(2026, 11, 1, 12);
const SAVE = 'SaveSingleTaskForCreatingOrderRedeem';
const odd = fc.oneof(
  fc.constantFrom(Number.NaN, Infinity, -Infinity, -1, 0, -0, Number.MAX_VALUE, 1e308, Number.MIN_VALUE, 2 ** 53),
  fc.double({ noNaN: false }),
  fc.integer({ min: -1e9, max: 1e9 }),
  fc.constant(undefined),
);
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('SubmitPacing with odd numbers', () => {
  it('never more in flight than 8 nor than its limit, every waiter served, nothing thrown', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(odd, odd, fc.integer({ min: -5, max: 1_000_000 })), { minLength: 1, maxLength: 40 }), async (steps) => {
        let i = 0;
        const pacing = new SubmitPacing('auto', () => (steps[i % steps.length]![1] as number));
        let active = 0;
        let most = 0;
        let granted = 0;
        const n = steps.length;
        const waits = Array.from({ length: n }, () =>
          pacing.acquire().then(() => {
            granted++;
            most = Math.max(most, ++active);
          }),
        );
        await tick();
        for (; i < n; i++) {
          // Release one that holds a slot (there always is one while some are waiting).
          expect(active).toBeGreaterThan(0);
          active--;
          const [duration, , left] = steps[i]!;
          pacing.release(duration as number | undefined, left);
          await tick();
          expect(active).toBeLessThanOrEqual(8);
        }
        await Promise.all(waits);
        expect(granted).toBe(n);
        expect(most).toBeLessThanOrEqual(8);
        expect(pacing.highest).toBeGreaterThanOrEqual(1);
        expect(pacing.highest).toBeLessThanOrEqual(8);
        expect(Number.isInteger(pacing.highest)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

function due(domainName: string): Decision {
  return { domainName, expirationMs: NOW - 57 * DAY_MS, tld: 'com', rules: 'known', deadlineMs: NOW + DAY_MS, msLeft: DAY_MS, daysLeft: 1, action: 'redeem', reason: 'due' };
}

function timeline(log: readonly FakeLogEntry[]): string[] {
  return log.map((e) => (e.kind === 'call' ? `call ${e.action}${'domain' in e ? ` ${e.domain}` : ''}` : `emit ${e.record} ${e.domain ?? ''}`.trim()));
}

describe('the executor under auto with a clock that jumps (0 ms, enormous, backwards)', () => {
  it('ends, at most 8 submissions on the wire, each after its submission line, one per domain', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.constant(0), fc.integer({ min: -3_600_000, max: -1 }), fc.integer({ min: 1, max: 30_000 }), fc.constant(10 * DAY_MS)), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 1, max: 30 }),
        async (jumps, domains) => {
          let nowMs = NOW;
          const clock = { now: () => nowMs, sleep: async (ms: number) => void (nowMs += Math.max(0, ms)), random: () => 0.5 };
          const api = new FakeDomainApi(clock.now);
          const budget = timeBudget(60_000, clock.now);
          const ledger = new Ledger({ api, bounds: { deadlineMs: budget.endsMs, now: clock.now } });
          let j = 0;
          let onWire = 0;
          let most = 0;
          let jumping = false;
          let steppedBack = false;
          api.onCall = async (call) => {
            // A clock may step back once (NTP); stepping back on every round would hold the time-bounded
            // follow loop forever in this fake, where a sleep takes no real time (see the report).
            if (jumping) {
              const jump = jumps[j++ % jumps.length]!;
              if (jump >= 0 || !steppedBack) nowMs += jump;
              if (jump < 0) steppedBack = true;
            }
            if (call.action !== SAVE) return;
            most = Math.max(most, ++onWire);
            await new Promise((r) => setTimeout(r, 1));
            onWire--;
          };
          let highest: number | undefined;
          const deps = executorDeps({ api, ledger, budget, clock }, { submitConcurrency: 'auto', onSubmitConcurrency: (h) => (highest = h) });
          await ledger.read(clock.now(), 7);
          jumping = true;
          const names = Array.from({ length: domains }, (_, i) => `j${i}.com`);
          const results = await Promise.race([
            execute(names.map(due), deps),
            new Promise<never>((_, reject) => setTimeout(() => reject(new Error('execute did not end within 5 s')), 5_000)),
          ]);
          expect(results).toHaveLength(domains);
          expect(most).toBeLessThanOrEqual(8);
          if (highest !== undefined) expect(highest).toBeLessThanOrEqual(8);
          const saves = api.callsOf(SAVE).map((c) => c.domain);
          expect(new Set(saves).size).toBe(saves.length);
          const lines = timeline(api.log);
          for (const d of saves) expect(lines.indexOf(`emit submission ${d}`)).toBeLessThan(lines.indexOf(`call ${SAVE} ${d}`));
          // A submission in flight when the clock ran past the margin is fine; none starts after it.
          for (const r of results) expect(['submitted', 'succeeded', 'failed', 'skipped']).toContain(r.outcome);
        },
      ),
      { numRuns: 150 },
    );
  }, 60_000);
});
