/**
 * ACS3-HMAC-SHA256, Alibaba Cloud's V3 request signature.
 * Every step is its own pure function so that tests can check the canonical request, the string to
 * sign and the signature separately against the published vectors. No I/O: clock and nonce are injected.
 */
import { randomBytes } from 'node:crypto';
import type { Credentials } from './credentials.js';
import { EMPTY_PAYLOAD_SHA256, hmacSha256Hex, sha256Hex } from './hash.js';
import { parseQueryPairs, percentDecode, percentEncode, percentEncodePath } from './percent-encode.js';

const ACS3_ALGORITHM = 'ACS3-HMAC-SHA256';

/** Name-value pairs (headers or query parameters) in the order given; a name may repeat. */
export type NameValuePairs = ReadonlyArray<readonly [string, string]>;
export type NameValuePairsInput = NameValuePairs | Readonly<Record<string, string>>;

interface CanonicalRequestInput {
  readonly method: string;
  /** The path as it goes on the wire, already percent-encoded ("/" for RPC calls). */
  readonly canonicalUri: string;
  /** Decoded query parameters; a name may repeat. */
  readonly query: NameValuePairs;
  readonly headers: NameValuePairsInput;
  /** Lowercase hex SHA-256 of the body. */
  readonly payloadHash: string;
}

interface CanonicalHeaders {
  /** "name:value\n" lines, sorted by name. */
  readonly canonical: string;
  /** Lowercase names joined with ";". */
  readonly signedHeaders: string;
}

/** Pairs as given, or a record's entries. */
export function toPairs(headers: NameValuePairsInput): NameValuePairs {
  return Array.isArray(headers) ? (headers as NameValuePairs) : Object.entries(headers);
}

/** host, content-type and every x-acs-* header are signed; user-agent and accept are not. */
function isSignedHeader(lowercaseName: string): boolean {
  return lowercaseName === 'host' || lowercaseName === 'content-type' || lowercaseName.startsWith('x-acs-');
}

export function canonicalQueryString(query: NameValuePairs): string {
  return query
    .map(([name, value]) => [percentEncode(name), percentEncode(value)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

export function canonicalHeaders(headers: NameValuePairsInput): CanonicalHeaders {
  const byName: Record<string, string[]> = Object.create(null);
  const names: string[] = [];
  for (const [name, value] of toPairs(headers)) {
    const lower = name.toLowerCase();
    if (!isSignedHeader(lower)) continue;
    const values = byName[lower];
    if (values) values.push(value.trim());
    else {
      byName[lower] = [value.trim()];
      names.push(lower);
    }
  }
  names.sort();
  let canonical = '';
  for (const name of names) {
    const values = byName[name]!;
    canonical += `${name}:${values.length > 1 ? values.sort().join(',') : values[0]}\n`;
  }
  return { canonical, signedHeaders: names.join(';') };
}

export function canonicalRequest(input: CanonicalRequestInput): string {
  return assembleCanonicalRequest(input, canonicalHeaders(input.headers));
}

function assembleCanonicalRequest(input: Omit<CanonicalRequestInput, 'headers'>, headers: CanonicalHeaders): string {
  return `${input.method}\n${input.canonicalUri}\n${canonicalQueryString(input.query)}\n${headers.canonical}\n${headers.signedHeaders}\n${input.payloadHash}`;
}

export function stringToSign(canonical: string): string {
  return `${ACS3_ALGORITHM}\n${sha256Hex(canonical)}`;
}

/** The key is the secret itself: no "&", no derived key, no date or region scope. */
export function signature(accessKeySecret: string, toSign: string): string {
  return hmacSha256Hex(accessKeySecret, toSign);
}

export function authorizationHeader(accessKeyId: string, signedHeaders: string, sig: string): string {
  return `${ACS3_ALGORITHM} Credential=${accessKeyId},SignedHeaders=${signedHeaders},Signature=${sig}`;
}

/** x-acs-date format: UTC, second precision. */
function formatAcsDate(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function randomNonce(): string {
  return randomBytes(16).toString('hex');
}

interface SignOptions {
  readonly now?: () => Date;
  readonly nonce?: () => string;
}

interface UnsignedRequest {
  readonly method: string;
  readonly url: string | URL;
  readonly headers?: NameValuePairsInput;
  readonly body?: string | Uint8Array;
}

interface SignedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Array<[string, string]>;
  readonly body: string | Uint8Array | undefined;
  /** The intermediate strings, for tests and for explaining a SignatureDoesNotMatch. */
  readonly steps: { readonly canonicalRequest: string; readonly stringToSign: string; readonly signature: string };
}

/** Headers the signer owns: a caller's copy of them is dropped, not signed twice. */
const SIGNER_HEADERS = new Set([
  'host',
  'authorization',
  'x-acs-date',
  'x-acs-signature-nonce',
  'x-acs-content-sha256',
  'x-acs-security-token',
]);

/** Signs a request. Works for RPC (parameters in the query, empty body) and ROA (a path and a body). */
export function signAcs3(request: UnsignedRequest, credentials: Credentials, options: SignOptions = {}): SignedRequest {
  const url = new URL(request.url);
  const body = request.body === undefined || request.body.length === 0 ? undefined : request.body;
  const payloadHash = body === undefined ? EMPTY_PAYLOAD_SHA256 : sha256Hex(body);
  const headers: Array<[string, string]> = toPairs(request.headers ?? []).filter(
    ([name]) => !SIGNER_HEADERS.has(name.toLowerCase()),
  ) as Array<[string, string]>;
  // fetch sends the URL's host and cannot be told otherwise, so that is the host we sign.
  headers.push(
    ['host', url.host],
    ['x-acs-date', formatAcsDate((options.now ?? (() => new Date()))())],
    ['x-acs-signature-nonce', (options.nonce ?? randomNonce)()],
    ['x-acs-content-sha256', payloadHash],
  );
  if (credentials.securityToken) headers.push(['x-acs-security-token', credentials.securityToken]);

  const canonicalUri = percentEncodePath(percentDecode(url.pathname || '/'));
  const signedHeaders = canonicalHeaders(headers);
  const canonical = assembleCanonicalRequest(
    { method: request.method.toUpperCase(), canonicalUri, query: parseQueryPairs(url.search), payloadHash },
    signedHeaders,
  );
  const toSign = stringToSign(canonical);
  const sig = signature(credentials.accessKeySecret, toSign);
  headers.push(['authorization', authorizationHeader(credentials.accessKeyId, signedHeaders.signedHeaders, sig)]);
  return {
    method: request.method.toUpperCase(),
    url: typeof request.url === 'string' ? request.url : url.toString(),
    headers,
    body,
    steps: { canonicalRequest: canonical, stringToSign: toSign, signature: sig },
  };
}

/** Web-standard form of signAcs3: takes a Request and returns a new, signed Request. */
export async function signRequest(request: Request, credentials: Credentials, options: SignOptions = {}): Promise<Request> {
  const body = request.body ? new Uint8Array(await request.arrayBuffer()) : undefined;
  const signed = signAcs3(
    { method: request.method, url: request.url, headers: [...request.headers.entries()], body },
    credentials,
    options,
  );
  return new Request(signed.url, {
    method: signed.method,
    headers: signed.headers.filter(([name]) => name !== 'host'),
    body: signed.body,
  });
}
