import { percentEncode } from './percent-encode.js';

/** Alibaba Cloud credentials. On Function Compute these are STS credentials and carry a token. */
export interface Credentials {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly securityToken?: string | undefined;
}

/**
 * `text` with the security token and the access key secret replaced by ***. An error answer may quote
 * the request (a gateway or proxy repeating its headers), and its text travels on into records, stdout,
 * messages and the webhook's answer.
 */
export function withoutSecrets(text: string, credentials: Credentials): string {
  return redact(text, secretsOf(credentials));
}

/** The forms in which the credentials' secrets may be quoted, longest first. */
function secretsOf(credentials: Credentials): string[] {
  return quotedForms([credentials.securityToken, credentials.accessKeySecret]);
}

/**
 * The forms in which `secrets` may be quoted, for redact(): each as it is and as a URL carries it (a
 * redirect's Location, or an error repeating the request line): percent-encoded, RFC 3986 and
 * encodeURIComponent's way, each longer than the plain form and so replaced first. Values under 4
 * characters are left out (replaced everywhere, they would garble the text, not hide a secret).
 */
export function quotedForms(secrets: ReadonlyArray<string | undefined>): string[] {
  return secrets
    .filter((secret): secret is string => secret !== undefined && secret.length >= 4)
    .flatMap((secret) => [...new Set([percentEncode(secret), encodeURIComponent(secret), secret])])
    // Longest first, across the secrets too: one quoted inside another (a secret within the token) is
    // replaced only after it, or pieces of the longer one would be left in the text.
    .sort((a, b) => b.length - a.length);
}

/** `text` with every one of `secrets` replaced by ***; a secret inside another goes after it (pass the longest first). */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join('***');
  return out;
}

/**
 * `value` (parsed JSON) with withoutSecrets applied to every string in it. Redacting the answer's text
 * alone is not enough: a JSON encoder may escape characters of the token ('/' as '\\/', as PHP and some
 * Java encoders do, or any character as \\uXXXX), so the token is not in the text as it is, yet
 * JSON.parse gives it back whole.
 */
export function withoutSecretsDeep(value: unknown, credentials: Credentials): unknown {
  return redactDeep(value, secretsOf(credentials));
}

/** `value` (parsed JSON) with every string in it, keys too, redacted of `secrets` (see redact). */
export function redactDeep(value: unknown, secrets: readonly string[]): unknown {
  if (typeof value === 'string') return redact(value, secrets);
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, secrets));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [redact(key, secrets), redactDeep(item, secrets)]));
  return value;
}
