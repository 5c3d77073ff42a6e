/**
 * A size refused says its unit and the limit: "70000 bytes; the limit is 65536 bytes", "501 characters",
 * "1001 items", not a bare number a person has to guess the unit of (bytes or KB? characters or bytes?).
 */
import { describe, expect, it } from 'vitest';
import { parseRunOptions } from '../../shared/run/index.js';

describe('run options above their limits', () => {
  const message = (input: unknown) => {
    try {
      parseRunOptions(input);
    } catch (error) {
      return (error as Error).message;
    }
    return 'accepted';
  };

  it('reason: in characters', () => {
    expect(message({ reason: 'x'.repeat(501) })).toBe('Invalid run options: reason: must be at most 500 characters');
  });

  it('domains: the list in items, a name in characters', () => {
    expect(message({ domains: Array.from({ length: 1001 }, (_, i) => `d${i}.com`) })).toBe('Invalid run options: domains: must be at most 1000 items');
    expect(message({ domains: [`${'a'.repeat(250)}.com`] })).toBe('Invalid run options: domains[0]: must be at most 253 characters');
    expect(message({ domains: [''] })).toBe('Invalid run options: domains[0]: must be at least 1 character');
  });
});
