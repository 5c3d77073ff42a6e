/**
 * Scenarios of the kill-and-race fuzz (fuzz-kill-race.ts) that once broke an invariant, each pinned as it
 * was drawn then (the fields drawn later left out, so that a change to the draw cannot lose them).
 */
import { describe, expect, it } from 'vitest';
import { broken, play, scenarioOf, trace, type Scenario } from './fuzz-kill-race.js';

const plain = (seed: number, then?: Scenario['then']): Scenario => {
  const s = scenarioOf(seed);
  return { ...s, then: then ?? (s.then === 'fc-pair' ? 'fc+cli' : s.then), throttle: undefined, loseAnswer: undefined, sigtermGraceMs: undefined };
};

describe('fuzz seeds that once broke an invariant', () => {
  it.each([[5225]])('seed %i (failed tasks, killed before its answer was kept, two CLIs after): the day holds REDEEM_MAX_PER_DAY orders', async (seed) => {
    const o = await play(plain(seed));
    expect(broken(o), trace(o)).toEqual([]);
  }, 60_000);
});
