/**
 * The registrar's side of ACS3-HMAC-SHA256, written from the vendor's V3 signature document
 * (help.aliyun.com/zh/sdk/product-overview/v3-request-structure-and-signature, as summarised in the
 * project's reference notes) and independent of shared/signing: the server decodes the query it
 * received the way a form-decoding gateway does ('+' is a space), encodes every name and value again
 * per RFC 3986, rebuilds the canonical request from the headers the client says it signed, and refuses
 * with the vendor's codes: SignatureDoesNotMatch, InvalidTimeStamp.Expired (x-acs-date more than 15
 * minutes off), SignatureNonceUsed (a nonce seen before), MissingSecurityToken, IncompleteSignature.
 * Checked against the published vector acs3-E in test/transport/vendor-standin.test.ts.
 */
import { createHash, createHmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export interface VendorKey {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly securityToken?: string | undefined;
}

export interface Refusal {
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

/** RFC 3986: keep A-Z a-z 0-9 - _ . ~, every other UTF-8 byte as %XY (uppercase). */
export function rfc3986(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** A query component as a servlet-style gateway decodes it: '+' is a space, %XY a byte. */
function formDecode(text: string): string {
  return decodeURIComponent(text.replace(/\+/g, ' '));
}

export function canonicalQuery(rawSearch: string): string {
  const raw = rawSearch.startsWith('?') ? rawSearch.slice(1) : rawSearch;
  if (raw === '') return '';
  const pairs = raw
    .split('&')
    .filter((p) => p !== '')
    .map((p) => {
      const eq = p.indexOf('=');
      const name = formDecode(eq === -1 ? p : p.slice(0, eq));
      const value = eq === -1 ? '' : formDecode(p.slice(eq + 1));
      return `${rfc3986(name)}=${rfc3986(value)}`;
    });
  return pairs.sort().join('&');
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/**
 * The vendor's check of one request; undefined when it passes. `seenNonces` is the registrar's memory
 * of nonces (refused when seen again), `nowMs` its clock.
 */
export function verifyAcs3(
  request: { method: string; rawUrl: string; headers: IncomingHttpHeaders; body: Buffer },
  key: VendorKey,
  seenNonces: Set<string>,
  nowMs: number,
): Refusal | undefined {
  const h = (name: string) => {
    const v = request.headers[name];
    return Array.isArray(v) ? v.join(',') : v;
  };
  const auth = h('authorization') ?? '';
  const m = /^ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]*),Signature=([0-9a-f]{64})$/.exec(auth);
  if (!m) return { status: 400, code: 'IncompleteSignature', message: 'The request signature does not conform to Aliyun standards.' };
  const [, credential, signedList, signature] = m as unknown as [string, string, string, string];
  if (credential !== key.accessKeyId) return { status: 404, code: 'InvalidAccessKeyId.NotFound', message: 'Specified access key is not found.' };
  const signed = signedList.split(';');
  for (const required of ['host', 'x-acs-action', 'x-acs-version', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-content-sha256']) {
    if (!signed.includes(required) || h(required) === undefined) return { status: 400, code: 'IncompleteSignature', message: `The header ${required} is not signed.` };
  }
  // Every x-acs-* header sent must be signed (the gateway trusts none that is not).
  for (const name of Object.keys(request.headers)) if (name.startsWith('x-acs-') && !signed.includes(name)) return { status: 400, code: 'IncompleteSignature', message: `The header ${name} is not signed.` };
  if ([...signed].sort().join(';') !== signedList) return { status: 400, code: 'IncompleteSignature', message: 'SignedHeaders must be sorted.' };
  if (key.securityToken !== undefined) {
    if (h('x-acs-security-token') === undefined) return { status: 400, code: 'MissingSecurityToken', message: 'SecurityToken is mandatory for this action.' };
    if (h('x-acs-security-token') !== key.securityToken) return { status: 400, code: 'InvalidSecurityToken.Mismatch', message: 'The security token does not match.' };
  }
  const date = h('x-acs-date')!;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(date)) return { status: 400, code: 'InvalidTimeStamp.Format', message: 'Specified time stamp or date value is not well formatted.' };
  if (Math.abs(Date.parse(date) - nowMs) > 15 * 60_000) return { status: 400, code: 'InvalidTimeStamp.Expired', message: `Specified time stamp or date value is expired.` };
  if (sha256(request.body) !== h('x-acs-content-sha256')) return { status: 400, code: 'SignatureDoesNotMatch', message: 'x-acs-content-sha256 is not the SHA-256 of the body.' };
  const url = new URL(request.rawUrl, 'http://registrar');
  const headerLines = signed.map((name) => `${name}:${(h(name) ?? '').trim()}\n`).join('');
  const canonical = `${request.method}\n${url.pathname}\n${canonicalQuery(url.search)}\n${headerLines}\n${signedList}\n${h('x-acs-content-sha256')}`;
  const expected = createHmac('sha256', key.accessKeySecret).update(`ACS3-HMAC-SHA256\n${sha256(canonical)}`).digest('hex');
  if (expected !== signature) return { status: 400, code: 'SignatureDoesNotMatch', message: `The request signature we calculated does not match the signature you provided. Check your Secret and signing method. Server string to sign is:${canonical}` };
  // The nonce counts once the signature is good (a forged request cannot burn one).
  const nonce = h('x-acs-signature-nonce')!;
  if (seenNonces.has(nonce)) return { status: 400, code: 'SignatureNonceUsed', message: 'Specified signature nonce was used already.' };
  seenNonces.add(nonce);
  return undefined;
}

/** For the vector check: the canonical request the verifier builds, without the refusals. */
export function vendorCanonical(method: string, rawUrl: string, headers: Record<string, string>, signedList: string, payloadHash: string): string {
  const url = new URL(rawUrl, 'http://registrar');
  const signed = signedList.split(';');
  return `${method}\n${url.pathname}\n${canonicalQuery(url.search)}\n${signed.map((n) => `${n}:${headers[n]!.trim()}\n`).join('')}\n${signedList}\n${payloadHash}`;
}
