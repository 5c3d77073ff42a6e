/**
 * The environment as every part of the configuration reads it. A leaf module (no imports), so that the
 * parts config.ts itself imports (notifications, accounts) can read variables the same way.
 */

/** The process environment, or a test's stand-in for it. */
export type Env = Readonly<Record<string, string | undefined>>;

/** A variable's value, trimmed; an empty one (as `${env('X')}` in s.yaml gives when X is unset) counts as unset. */
export function envText(env: Env, name: string): string | undefined {
  const value: unknown = env[name];
  const trimmed = typeof value === 'string' ? value.trim() : '';
  return trimmed === '' ? undefined : trimmed;
}
