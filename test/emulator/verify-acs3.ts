/**
 * Server-side check of ACS3-HMAC-SHA256, computed with the official @alicloud/openapi-util rather than
 * the project's signer, so that a bug in our signer cannot be mirrored here and pass unnoticed.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { OpenApiUtil } from '../support/openapi-util.js';

export interface IncomingSignedRequest {
  readonly method: string;
  readonly path: string;
  readonly rawQuery: string;
  /** Lowercase names, as node:http gives them. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

export type VerifyFailure = { readonly ok: false; readonly status: number; readonly code: string; readonly message: string };
export type VerifyResult = { readonly ok: true; readonly accessKeyId: string; readonly nonce: string } | VerifyFailure;

/** Checks the x-acs-security-token that goes with a temporary key; undefined when it is fine. */
export type SessionCheck = (accessKeyId: string, securityToken: string | undefined) => VerifyFailure | undefined;

const WINDOW_MS = 15 * 60_000;

function header(req: IncomingSignedRequest, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function fail(status: number, code: string, message: string): VerifyResult {
  return { ok: false, status, code, message };
}

/** Query names as sent on the wire (openapi-util encodes values only), values decoded. */
function queryForOau(rawQuery: string): Record<string, string> {
  const query: Record<string, string> = {};
  for (const part of rawQuery.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const name = eq === -1 ? part : part.slice(0, eq);
    const value = eq === -1 ? '' : part.slice(eq + 1);
    query[name] = decodeURIComponent(value);
  }
  return query;
}

export class Acs3Verifier {
  private readonly seenNonces = new Map<string, number>();

  constructor(
    private readonly secrets: ReadonlyMap<string, string>,
    private readonly now: () => number,
    private readonly checkSession?: SessionCheck,
  ) {}

  verify(req: IncomingSignedRequest): VerifyResult {
    const authorization = header(req, 'authorization');
    const match = /^ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]*),Signature=([0-9a-f]{64})$/.exec(authorization ?? '');
    if (!match) return fail(400, 'IncompleteSignature', 'The request signature does not conform to Aliyun standards.');
    const [, accessKeyId, signedHeaderList, signature] = match as unknown as [string, string, string, string];

    const secret = this.secrets.get(accessKeyId);
    if (secret === undefined) return fail(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');

    const date = header(req, 'x-acs-date');
    if (!date || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(date)) {
      return fail(400, 'InvalidTimeStamp.Format', 'Specified time stamp or date value is not well formatted.');
    }
    if (Math.abs(this.now() - Date.parse(date)) > WINDOW_MS) {
      return fail(400, 'InvalidTimeStamp.Expired', `Specified time stamp or date value is expired: ${date}.`);
    }
    const nonce = header(req, 'x-acs-signature-nonce');
    if (!nonce) return fail(400, 'MissingParameter', 'The input parameter "x-acs-signature-nonce" that is mandatory for processing this request is not supplied.');
    if (this.seenNonces.has(nonce)) return fail(400, 'SignatureNonceUsed', 'Specified signature nonce was used already.');

    const payloadHash = createHash('sha256').update(req.body).digest('hex');
    if (header(req, 'x-acs-content-sha256') !== payloadHash) {
      return fail(400, 'SignatureDoesNotMatch', 'The x-acs-content-sha256 header does not match the body.');
    }
    const signed = new Set(signedHeaderList.split(';').filter(Boolean));
    const mustSign = Object.keys(req.headers).filter((name) => name === 'host' || name.startsWith('x-acs-'));
    const unsigned = mustSign.filter((name) => !signed.has(name));
    if (unsigned.length > 0) return fail(400, 'SignatureDoesNotMatch', `Headers must be signed: ${unsigned.join(', ')}.`);

    const headersForOau: Record<string, string> = {};
    for (const name of signed) headersForOau[name] = header(req, name) ?? '';
    const expected = OpenApiUtil.getAuthorization(
      // The util reads pathname, method, query and headers off a Tea request; a plain object is enough.
      { pathname: req.path, method: req.method, query: queryForOau(req.rawQuery), headers: headersForOau } as never,
      'ACS3-HMAC-SHA256',
      payloadHash,
      accessKeyId,
      secret,
    );
    const expectedSignature = expected.slice(expected.lastIndexOf('=') + 1);
    const a = Buffer.from(expectedSignature);
    const b = Buffer.from(signature);
    if (a.length !== b.length || !timingSafeEqual(a, b)) {
      return fail(400, 'SignatureDoesNotMatch', 'Specified signature is not matched with our calculation.');
    }
    const session = this.checkSession?.(accessKeyId, header(req, 'x-acs-security-token'));
    if (session) return session;
    this.remember(nonce);
    return { ok: true, accessKeyId, nonce };
  }

  private remember(nonce: string): void {
    const now = this.now();
    this.seenNonces.set(nonce, now);
    if (this.seenNonces.size > 10_000) {
      for (const [seen, at] of this.seenNonces) if (now - at > 2 * WINDOW_MS) this.seenNonces.delete(seen);
    }
  }
}
