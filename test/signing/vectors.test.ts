import { describe, expect, it } from 'vitest';
import {
  authorizationHeader,
  canonicalHeaders,
  canonicalQueryString,
  canonicalRequest,
  signAcs3,
  signature,
  stringToSign,
} from '../../shared/signing/acs3.js';
import { sha256Hex } from '../../shared/signing/hash.js';
import { percentEncode } from '../../shared/signing/percent-encode.js';
import { vectorsOf } from '../support/vectors.js';

const acs3 = vectorsOf('ACS3-HMAC-SHA256');

describe('published and own ACS3 vectors', () => {
  it('covers every ACS3 vector in the reference file', () => {
    expect(acs3.map((v) => v.id).sort()).toEqual(
      ['acs3-E', 'acs3-E-prime', 'acs3-F', 'acs3-F-double-prime', 'acs3-F-prime', 'self-acs3-redeem', 'self-acs3-redeem-sts'].sort(),
    );
  });

  for (const vector of acs3) {
    it(`${vector.id}: every intermediate and the signature reproduce`, () => {
      const { inputs } = vector;
      const expected = { ...vector.derived, ...vector.expected };
      const query = Object.entries(inputs.query as Record<string, string>);
      const headers = Object.entries(inputs.headers as Record<string, string>);
      const canonical = canonicalRequest({
        method: inputs.method,
        canonicalUri: inputs.canonical_uri,
        query,
        headers,
        payloadHash: inputs.payload_hash,
      });
      if (expected.canonical_query_string !== undefined) expect(canonicalQueryString(query)).toBe(expected.canonical_query_string);
      if (expected.canonical_request !== undefined) expect(canonical).toBe(expected.canonical_request);
      expect(canonicalHeaders(headers).signedHeaders).toBe(expected.signed_headers);
      if (expected.hashed_canonical_request !== undefined) expect(sha256Hex(canonical)).toBe(expected.hashed_canonical_request);
      const toSign = stringToSign(canonical);
      if (expected.string_to_sign !== undefined) expect(toSign).toBe(expected.string_to_sign);
      const sig = signature(inputs.access_key_secret, toSign);
      expect(sig).toBe(expected.signature);
      if (expected.authorization !== undefined) {
        expect(authorizationHeader(inputs.access_key_id, expected.signed_headers, sig)).toBe(expected.authorization);
      }
    });
  }

  // The vectors with a real host, date and nonce also go through the whole signer, from a URL.
  for (const vector of acs3.filter((v) => v.inputs.date && v.inputs.nonce)) {
    it(`${vector.id}: signAcs3 from a URL with injected clock and nonce gives the same Authorization`, () => {
      const { inputs } = vector;
      const params = new URLSearchParams(inputs.query as Record<string, string>);
      const signed = signAcs3(
        {
          method: inputs.method,
          url: `https://${inputs.headers.host}/?${params.toString()}`,
          headers: [
            ['x-acs-action', inputs.headers['x-acs-action']],
            ['x-acs-version', inputs.headers['x-acs-version']],
          ],
        },
        { accessKeyId: inputs.access_key_id, accessKeySecret: inputs.access_key_secret, securityToken: inputs.security_token },
        { now: () => new Date(inputs.date), nonce: () => inputs.nonce },
      );
      const authorization = signed.headers.find(([name]) => name === 'authorization')?.[1];
      expect(signed.steps.signature).toBe(vector.expected.signature);
      expect(authorization).toBe(
        vector.expected.authorization ?? authorizationHeader(inputs.access_key_id, vector.expected.signed_headers, vector.expected.signature),
      );
    });
  }
});

describe('payload hash and percent-encoding vectors', () => {
  for (const vector of vectorsOf('SHA-256 (ACS3 payload hash)')) {
    it(vector.id, () => expect(sha256Hex(vector.inputs.data_utf8)).toBe(vector.expected.sha256_hex));
  }
  for (const vector of vectorsOf('RFC 3986 percent-encoding (unreserved A-Z a-z 0-9 - _ . ~)')) {
    it(vector.id, () => expect(percentEncode(vector.inputs.text)).toBe(vector.expected.encoded));
  }
  it('documented checks: space, star, tilde, reserved, CJK', () => {
    expect(percentEncode("a b*c~d!'()")).toBe('a%20b%2Ac~d%21%27%28%29');
    expect(percentEncode('2016-02-23T12:46:24Z')).toBe('2016-02-23T12%3A46%3A24Z');
    expect(percentEncode('中')).toBe('%E4%B8%AD');
  });
});

describe('signRequest: a web Request in, a signed Request out', () => {
  it('ROA style: a path and a JSON body, with the STS token signed; openapi-util agrees', async () => {
    const { signRequest } = await import('../../shared/signing/acs3.js');
    const { OpenApiUtil } = await import('../support/openapi-util.js');
    const body = JSON.stringify({ domain: '例子.中国', note: 'a b*c~' });
    const request = new Request('https://example.aliyuncs.com/v1/domains/%E4%BE%8B%E5%AD%90?x=1', {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', 'x-acs-action': 'Roa', 'x-acs-version': '2020-01-01', accept: 'application/json' },
      body,
    });
    const creds = { accessKeyId: 'ak', accessKeySecret: 'sk', securityToken: 'STS.tok' };
    const signed = await signRequest(request, creds, { now: () => new Date('2026-12-01T00:00:00Z'), nonce: () => 'n1' });
    expect(await signed.text()).toBe(body);
    expect(signed.headers.get('x-acs-security-token')).toBe('STS.tok');
    expect(signed.headers.get('x-acs-content-sha256')).toBe(sha256Hex(body));
    const signedHeaders: Record<string, string> = { host: 'example.aliyuncs.com' };
    signed.headers.forEach((value, name) => {
      if (name !== 'authorization') signedHeaders[name] = value;
    });
    const expected = OpenApiUtil.getAuthorization(
      { method: 'POST', pathname: '/v1/domains/%E4%BE%8B%E5%AD%90', query: { x: '1' }, headers: signedHeaders } as never,
      'ACS3-HMAC-SHA256',
      sha256Hex(body),
      'ak',
      'sk',
    );
    expect(signed.headers.get('authorization')).toBe(expected);
    expect(expected).toContain('SignedHeaders=content-type;host;x-acs-action;');
  });
});
