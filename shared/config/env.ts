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

/** Characters up to which any printable value is quoted. */
const SHORT = 12;

/**
 * A wrong value, for an error message that names its variable: quoted when it is short and plain (a typo
 * such as "lve" or "exmaple.com"), otherwise only its length. A robot URL (its access_token is the
 * credential) or a secret pasted into the wrong line of s.yaml would otherwise be repeated by the error,
 * which is told to every chat robot, logged and written to SLS when a run cannot start. Plain: letters,
 * digits, spaces and . _ - * only, and either a dot or a space (a name, a phrase) or at most 15
 * characters: the credentials in question (AccessKey secrets, robot tokens and keys, signing secrets)
 * are longer without a dot or a space, or carry : / ? = characters.
 */
export function echoed(value: string): string {
  // Below 16 without a dot or a space: the webhook takes a WEBHOOK_SECRET of 16 random characters
  // (functions/redeem/app.ts), and one of 16 to 24 letters and digits was quoted whole, a secret that signs orders.
  const plain = /^[\p{L}\p{N} *._-]{1,64}$/u.test(value) && (/[. ]/.test(value) || value.length <= 15);
  // A short typo is quoted whatever it holds ("1,000", "$500", "10%", "live!", "US$"): hidden, it read as a
  // URL or a secret, and the person could not see what was wrong. No credential in question is that short
  // (the shortest, an AccessKey secret, is 30 characters); control characters are never quoted.
  const short = Array.from(value).length <= SHORT && /^[^\p{C}]+$/u.test(value);
  return plain || short ? `"${value}"` : `a value of ${Array.from(value).length} characters, not shown (a URL or a secret in the wrong variable?)`;
}
