/**
 * No zod schema is built while the function loads: what runs at module load runs on every cold start, and
 * a schema that only some invocations need (an STS answer, an HTTP trigger's event, a price list) is built
 * by those alone (shared/validation/on-first-use.ts). Every zod/mini export is counted from the moment the
 * function's entry is imported; the first invocation then builds what it needs, and only once.
 */
import { describe, expect, it, vi } from 'vitest';
import { onFirstUse } from '../../shared/validation/index.js';

const built = vi.hoisted(() => ({ calls: [] as string[] }));

vi.mock('zod/mini', async (importOriginal) => {
  const real = await importOriginal<Record<string, unknown>>();
  const counted: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(real)) {
    // Functions only (z.object, z.pipe, z.string, …); classes and constants (z.NEVER) pass as they are.
    counted[name] =
      typeof value === 'function' && /^[a-z]/.test(name)
        ? (...args: unknown[]) => {
            built.calls.push(name);
            return (value as (...a: unknown[]) => unknown)(...args);
          }
        : value;
  }
  return counted;
});

describe('zod schemas are built on first use', () => {
  it('loading the function entry builds none', async () => {
    built.calls.length = 0;
    await import('../../functions/redeem/index.js');
    await import('../../functions/redeem/app.js');
    await import('../../shared/cli/main.js');
    expect(built.calls).toEqual([]);
  });

  it('the first parse builds its schema, and a second builds nothing', async () => {
    const { parseRunOptions } = await import('../../shared/run/index.js');
    built.calls.length = 0;
    expect(parseRunOptions({ mode: 'dry-run' })).toEqual({ mode: 'dry-run' });
    const first = built.calls.length;
    expect(first).toBeGreaterThan(0);
    expect(parseRunOptions({ domains: ['example.com'] })).toEqual({ domains: ['example.com'] });
    expect(built.calls.length).toBe(first);
  });

  it('onFirstUse builds once, even when the value is undefined', () => {
    const build = vi.fn(() => undefined);
    const value = onFirstUse(build);
    expect(value()).toBeUndefined();
    expect(value()).toBeUndefined();
    expect(build).toHaveBeenCalledTimes(1);
  });
});
