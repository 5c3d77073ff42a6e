import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/config/config.js';
import { matchesAny, parsePatternList } from '../../shared/config/domain-patterns.js';
import { DAY_MS } from '../../shared/run/deadline.js';
import type { LedgerEntry } from '../../shared/run/ledger.js';
import type { Candidate } from '../../shared/run/listing.js';
import { narrow } from '../../shared/run/options.js';
import { plan, type LedgerView } from '../../shared/run/planner.js';

const now = Date.UTC(2026, 11, 1, 12);

function ledgerOf(entries: Array<[string, LedgerEntry['state']]>, submittedLast24h = 0): LedgerView & { byDomain: Map<string, LedgerEntry> } {
  const byDomain = new Map(entries.map(([name, state], i) => [name, { taskNo: `t${i}`, state, createdMs: now }]));
  return { byDomain, entryFor: (name) => byDomain.get(name), orderedLast24h: () => submittedLast24h };
}

describe('planner examples', () => {
  const config = loadConfig({ REDEEM_MODE: 'live', REDEEM_DOMAINS: '*.com,*.cn,keep.net', REDEEM_EXCLUDE: 'no.com', REDEEM_MAX_PER_RUN: '2', REDEEM_MAX_PER_DAY: '5' });
  const run = narrow(config, {});
  const candidates: Candidate[] = [
    { domainName: 'late.com', expirationMs: now - 57 * DAY_MS }, // 1 day left
    { domainName: 'early.com', expirationMs: now - 35 * DAY_MS }, // 23 days left
    { domainName: 'no.com', expirationMs: now - 57 * DAY_MS },
    { domainName: 'other.net', expirationMs: now - 57 * DAY_MS },
    { domainName: 'flight.com', expirationMs: now - 57 * DAY_MS },
    { domainName: 'done.cn', expirationMs: now - 40 * DAY_MS },
    { domainName: 'second.com', expirationMs: now - 56 * DAY_MS },
    { domainName: 'third.cn', expirationMs: now - 42 * DAY_MS },
  ];

  it('gives every domain one decision with its reason, earliest deadline first', () => {
    const decisions = plan(candidates, [], ledgerOf([['flight.com', 'in-flight'], ['done.cn', 'succeeded']]), config, run, now);
    expect(decisions.map((d) => [d.domainName, d.action, d.reason])).toEqual([
      // Deadlines: +1 day (ties by name), then second.com +2, done.cn +3, early.com +23.
      ['flight.com', 'skip', 'task-in-flight'],
      ['late.com', 'redeem', 'due'],
      ['no.com', 'skip', 'excluded'],
      ['other.net', 'skip', 'not-allowed'],
      ['third.cn', 'redeem', 'due'],
      ['second.com', 'skip', 'cap-per-run'],
      ['done.cn', 'skip', 'already-redeemed'],
      ['early.com', 'skip', 'outside-window'],
    ]);
    const sorted = decisions.map((d) => d.deadlineMs);
    expect([...sorted].sort((a, b) => a - b)).toEqual(sorted);
  });

  it('a cap of 0 says that no run orders anything while it is 0, never that a slot frees or a later run orders it', () => {
    const zeroDay = loadConfig({ REDEEM_MODE: 'live', REDEEM_DOMAINS: '*', REDEEM_MAX_PER_DAY: '0' });
    const day = plan(candidates, [], { ...ledgerOf([]), dayCapFreesAt: () => undefined }, zeroDay, narrow(zeroDay, {}), now).find((d) => d.reason === 'cap-per-day');
    expect(day?.problem).toMatch(/^REDEEM_MAX_PER_DAY=0: no order is placed while it is 0/);
    expect(day?.problem).not.toContain('slot frees');
    const zeroRun = loadConfig({ REDEEM_MODE: 'live', REDEEM_DOMAINS: '*', REDEEM_MAX_PER_RUN: '0' });
    const perRun = plan(candidates, [], ledgerOf([]), zeroRun, narrow(zeroRun, {}), now).find((d) => d.reason === 'cap-per-run');
    expect(perRun?.problem).toMatch(/^REDEEM_MAX_PER_RUN=0: no order is placed while it is 0/);
  });

  it('the daily cap counts the registrar ledger of the last 24 hours', () => {
    const decisions = plan(candidates, [], ledgerOf([], 4), config, run, now);
    expect(decisions.filter((d) => d.action === 'redeem')).toHaveLength(1);
    expect(decisions.some((d) => d.reason === 'cap-per-day')).toBe(true);
  });

  it('a domain the day\'s cap holds says what fills it; filled by this run\'s own plan, that a slot frees 24 h after this run\'s first order', () => {
    const byLedger = plan(candidates, [], { ...ledgerOf([], 4), dayCapFreesAt: () => now + 3_600_000 }, config, run, now).find((d) => d.reason === 'cap-per-day');
    expect(byLedger?.problem).toBe("REDEEM_MAX_PER_DAY=5 is used by 4 orders of the last 24 h and 1 planned by this run (task times carry no zone and are read as UTC, so one dated in Beijing time counts 8 h longer); the first slot frees at 2026-12-01 13:00 UTC");
    const tight = loadConfig({ REDEEM_MODE: 'live', REDEEM_DOMAINS: '*.com,*.cn,keep.net', REDEEM_MAX_PER_RUN: '5', REDEEM_MAX_PER_DAY: '1' });
    const byRun = plan(candidates, [], { ...ledgerOf([]), dayCapFreesAt: () => undefined }, tight, narrow(tight, {}), now).find((d) => d.reason === 'cap-per-day');
    expect(byRun?.problem).toBe("REDEEM_MAX_PER_DAY=1 is used by the 1 planned by this run; a slot frees 24 h after this run's first order");
  });

  it('a domain both caps hold is told the day\'s: the next run cannot order it either until a slot frees', () => {
    const even = loadConfig({ REDEEM_MODE: 'live', REDEEM_DOMAINS: '*.com,*.cn,keep.net', REDEEM_MAX_PER_RUN: '2', REDEEM_MAX_PER_DAY: '2' });
    const decisions = plan(candidates, [], { ...ledgerOf([]), dayCapFreesAt: () => undefined }, even, narrow(even, {}), now);
    expect(decisions.filter((d) => d.action === 'redeem').map((d) => d.domainName)).toEqual(['flight.com', 'late.com']);
    const held = decisions.find((d) => d.domainName === 'third.cn');
    expect(held?.reason).toBe('cap-per-day');
    expect(held?.problem).toMatch(/REDEEM_MAX_PER_DAY=2 is used by the 2 planned by this run/);
  });

  it('dry-run plans the same domains with reason dry-run', () => {
    const dry = plan(candidates, [], ledgerOf([]), config, narrow(config, { mode: 'dry-run' }), now);
    expect(dry.filter((d) => d.action === 'redeem').map((d) => d.reason)).toEqual(['dry-run', 'dry-run']);
  });

  it('requested domains narrow the allow-list, never widen it', () => {
    const narrowed = narrow(config, { domains: ['late.com', 'other.net'] });
    const decisions = plan(candidates, [], ledgerOf([]), config, narrowed, now);
    expect(decisions.filter((d) => d.action === 'redeem').map((d) => d.domainName)).toEqual(['late.com']);
    expect(decisions.find((d) => d.domainName === 'other.net')?.reason).toBe('not-allowed');
  });
});

const labels = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h');
const tlds = fc.constantFrom('com', 'net', 'cn', 'com.cn', 'hk', 'xyz');
const domain = fc.tuple(labels, fc.integer({ min: 0, max: 30 }), tlds).map(([l, n, t]) => `${l}${n}.${t}`);
const candidatesArb = fc.uniqueArray(fc.record({ domainName: domain, expirationMs: fc.integer({ min: now - 90 * DAY_MS, max: now - 25 * DAY_MS }) }), {
  selector: (c) => c.domainName,
  maxLength: 60,
});
const patternArb = fc.oneof(fc.constant('*'), tlds.map((t) => `*.${t}`), domain);

describe('planner properties', () => {
  it('never more than the caps, never outside the allow-list, never inside the deny-list, never a domain with a task in flight', () => {
    fc.assert(
      fc.property(
        candidatesArb,
        fc.array(patternArb, { minLength: 1, maxLength: 4 }),
        fc.array(patternArb, { maxLength: 3 }),
        fc.integer({ min: 0, max: 12 }),
        fc.integer({ min: 0, max: 20 }),
        fc.integer({ min: 0, max: 25 }),
        fc.integer({ min: 0, max: 30 }),
        fc.func(fc.constantFrom<LedgerEntry['state'] | undefined>(undefined, undefined, 'in-flight', 'succeeded', 'failed')),
        fc.option(fc.array(domain, { maxLength: 10 }), { nil: undefined }),
        (candidates, allow, deny, maxPerRun, maxPerDay, submittedLast24h, withinDays, stateOf, requested) => {
          const config = loadConfig({
            REDEEM_MODE: 'live',
            REDEEM_DOMAINS: allow.join(','),
            REDEEM_EXCLUDE: deny.join(','),
            REDEEM_MAX_PER_RUN: String(maxPerRun),
            REDEEM_MAX_PER_DAY: String(maxPerDay),
            REDEEM_WITHIN_DAYS: String(withinDays),
          });
          const entries = candidates.flatMap((c) => {
            const state = stateOf(c.domainName);
            return state ? [[c.domainName, state] as [string, LedgerEntry['state']]] : [];
          });
          const ledger = ledgerOf(entries, submittedLast24h);
          const decisions = plan(candidates, [], ledger, config, narrow(config, requested ? { domains: requested } : {}), now);
          const redeem = decisions.filter((d) => d.action === 'redeem');

          expect(decisions).toHaveLength(candidates.length);
          expect(redeem.length).toBeLessThanOrEqual(maxPerRun);
          expect(redeem.length + submittedLast24h).toBeLessThanOrEqual(Math.max(maxPerDay, submittedLast24h));
          for (const d of redeem) {
            expect(matchesAny(d.domainName, parsePatternList(allow.join(',')))).toBe(true);
            if (deny.length) expect(matchesAny(d.domainName, parsePatternList(deny.join(',')))).toBe(false);
            expect(ledger.byDomain.get(d.domainName)?.state).not.toBe('in-flight');
            expect(ledger.byDomain.get(d.domainName)?.state).not.toBe('succeeded');
            expect(d.msLeft).toBeLessThanOrEqual(withinDays * DAY_MS);
            if (requested) expect(requested).toContain(d.domainName);
          }
          // Earliest deadline first: no skipped-for-cap domain is more urgent than a redeemed one.
          const latestRedeemed = Math.max(-Infinity, ...redeem.map((d) => d.deadlineMs));
          for (const d of decisions.filter((x) => x.reason === 'cap-per-run' || x.reason === 'cap-per-day')) {
            expect(d.deadlineMs).toBeGreaterThanOrEqual(latestRedeemed);
          }
        },
      ),
      { numRuns: 500, seed: 42 },
    );
  });
});
