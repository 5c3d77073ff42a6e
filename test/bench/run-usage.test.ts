/**
 * `npm run bench` (README "Performance"): a flag it does not know, or a value it cannot use, is one line
 * naming it and exit 2, before the reference build and the minutes of measuring; never a stack trace, never a run
 * that measures nothing (`--runs abc` ran no cold start and printed NaN medians).
 */
import { describe, expect, it } from 'vitest';
import { finished, spawnEntry } from '../support/spawn.js';

describe('npm run bench, bad usage', () => {
  it('an unknown flag, a --runs or --api-qps that is no number, an unknown --case: one line naming it, exit 2', async () => {
    for (const [args, pattern] of [
      [['--bogus'], /^bench: Unknown option '--bogus'/],
      [['--runs', 'abc'], /^bench: --runs must be a whole number from 1/],
      [['--runs', '0'], /^bench: --runs must be a whole number from 1/],
      [['--api-qps', 'fast'], /^bench: --api-qps must be a positive number, got fast/],
      [['--case', 'no-such-case'], /^bench: --case: unknown no-such-case/],
    ] as Array<[string[], RegExp]>) {
      const child = spawnEntry('bench/run.ts', args);
      // A run that took the arguments goes on to build and measure: stopped, it fails below.
      const timer = setTimeout(() => child.kill('SIGTERM'), 15_000);
      const { code, stdout, stderr } = await finished(child);
      clearTimeout(timer);
      expect(code, `${args.join(' ')}: ${stderr}`).toBe(2);
      expect(stderr, args.join(' ')).toMatch(pattern);
      expect(stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(stdout).toBe('');
    }
  }, 120_000);
});
