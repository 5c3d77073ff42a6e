/**
 * SLS signature v1 ("LOG", HMAC-SHA1). Every step is separate so that the published vectors can check
 * the string to sign and the signature on their own.
 */
import { createHash } from 'node:crypto';
import { hmacSha1Base64, toPairs, type NameValuePairs, type NameValuePairsInput } from '../signing/index.js';

interface SlsSignInput {
  readonly method: string;
  readonly path: string;
  /** Decoded query parameters. */
  readonly query: NameValuePairs;
  readonly headers: NameValuePairsInput;
}

export function slsStringToSign(input: SlsSignInput): string {
  const byName = new Map<string, string>();
  for (const [name, value] of toPairs(input.headers)) byName.set(name.toLowerCase(), value);
  const canonicalHeaders = [...byName.keys()]
    .filter((name) => name.startsWith('x-log-') || name.startsWith('x-acs-'))
    .sort()
    .map((name) => `${name}:${byName.get(name)!.trim()}\n`)
    .join('');
  const query = [...input.query].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const resource = input.path + (query.length > 0 ? `?${query.map(([k, v]) => `${k}=${v}`).join('&')}` : '');
  return `${input.method}\n${byName.get('content-md5') ?? ''}\n${byName.get('content-type') ?? ''}\n${byName.get('date') ?? ''}\n${canonicalHeaders}${resource}`;
}

export function slsSignature(accessKeySecret: string, stringToSign: string): string {
  return hmacSha1Base64(accessKeySecret, stringToSign);
}

export function slsAuthorization(accessKeyId: string, signature: string): string {
  return `LOG ${accessKeyId}:${signature}`;
}

export function contentMd5(body: Uint8Array): string {
  return createHash('md5').update(body).digest('hex').toUpperCase();
}
