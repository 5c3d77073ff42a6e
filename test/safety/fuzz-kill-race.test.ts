/**
 * H31's fuzz of kills and races (see fuzz-kill-race.ts): a fixed list of seeds, four played at a time, each
 * with its own stand-ins and temp folder. A seed that breaks an invariant is printed with its scenario and
 * the invariants it broke; replay one with FUZZ_SEEDS=17 npx vitest run test/safety/fuzz-kill-race.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { broken, play, scenarioOf, trace } from './fuzz-kill-race.js';

const SEEDS = process.env.FUZZ_SEEDS ? process.env.FUZZ_SEEDS.split(',').map(Number) : Array.from({ length: 24 }, (_, i) => 1000 + i);

describe('SIGKILL at a seeded point, then more runs (one CLI, two at once, or the function beside a CLI)', () => {
  it(`every invariant holds over seeds ${SEEDS[0]}..${SEEDS.at(-1)}`, async () => {
    const failures: string[] = [];
    for (let i = 0; i < SEEDS.length; i += 4) {
      const batch = SEEDS.slice(i, i + 4);
      const outcomes = await Promise.all(batch.map((seed) => play(scenarioOf(seed))));
      for (const o of outcomes) {
        const problems = broken(o);
        if (process.env.FUZZ_TRACE) console.log(`seed ${o.scenario.seed} ${JSON.stringify(o.scenario.kill)} then=${o.scenario.then}\n  ${trace(o)}`);
        if (problems.length > 0) failures.push(`seed ${o.scenario.seed} ${JSON.stringify(o.scenario)}\n  ${trace(o)}\n  - ${problems.join('\n  - ')}`);
      }
    }
    expect(failures, failures.join('\n')).toEqual([]);
  }, 120_000);
});
