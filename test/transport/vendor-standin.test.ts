/**
 * Whole live runs against a registrar stand-in that verifies every request's signature as the vendor does
 * (test/support/vendor-acs3.ts, written from the V3 signature document, not from shared/signing): a
 * canonical query re-encoded per RFC 3986 from what a form-decoding gateway reads, the signed headers,
 * x-acs-content-sha256, x-acs-date within 15 minutes, and a nonce refused as SignatureNonceUsed when seen
 * twice. Every parameter the run sends carries characters that need encoding.
 */
import { describe, expect, it } from 'vitest';
import { EMULATOR_CREDENTIALS } from '../support/emulator.js';
import { domainItem, type Scripted } from '../support/registrar-standin.js';
import { canonicalQuery, rfc3986, vendorCanonical } from '../support/vendor-acs3.js';
import { vectors } from '../support/vectors.js';
import { createHash, createHmac } from 'node:crypto';
import { PUNYCODE_NAME, UNICODE_NAME, decisionsOf, dueExpiration, runAgainst, standinPerTest } from '../safety/standin-runs.js';

const start = standinPerTest();
const SAVE = 'SaveSingleTaskForCreatingOrderRedeem';
const throttled: Scripted = { status: 400, body: { RequestId: 'TH', Code: 'Throttling.User', Message: 'Request was denied due to user flow control.' }, headers: { 'x-acs-retry-after': '30' } };

describe('the vendor-side verifier itself', () => {
  it('reproduces the published vector acs3-E and the reference encoding checks', () => {
    const v = vectors.find((x) => x.id === 'acs3-E')!;
    const query = Object.entries(v.inputs.query as Record<string, string>).map(([k, val]) => `${rfc3986(k)}=${rfc3986(val)}`).join('&');
    const canonical = vendorCanonical(v.inputs.method, `/?${query}`, v.inputs.headers, v.expected.signed_headers, v.inputs.payload_hash);
    expect(canonical).toBe(v.expected.canonical_request);
    expect(createHmac('sha256', v.inputs.access_key_secret).update(`ACS3-HMAC-SHA256\n${createHash('sha256').update(canonical).digest('hex')}`).digest('hex')).toBe(v.expected.signature);
    expect(rfc3986("a b*c~d!'()")).toBe('a%20b%2Ac~d%21%27%28%29');
    expect(rfc3986('中')).toBe('%E4%B8%AD');
    // What a gateway reads: a raw '+' is a space, so a client that sent one unencoded signed something else.
    expect(canonicalQuery('?A=1+2&B=%2B')).toBe('A=1%202&B=%2B');
  });
});

describe('every request of a live run passes the vendor signature check', () => {
  it('an IDN in Unicode and punycode, a task number with * ~ space + / and an emoji, a throttled read and a throttled submission: no refusal, fresh nonces, one order each', async () => {
    const odd = 'T-1 *~+/😀=&%';
    const s = await start({
      verify: EMULATOR_CREDENTIALS,
      domains: [domainItem(UNICODE_NAME, dueExpiration(UNICODE_NAME)), domainItem('tilde-star.com', dueExpiration('tilde-star.com'))],
      // An earlier order of another domain in the ledger under an odd task number, asked for by its TaskNo.
      tasks: [{ taskNo: odd, domainName: 'other.com', statusCode: 2, createdMs: Date.now() - 3_600_000 }],
      script: (call) => ((call.action === SAVE || call.action === 'QueryTaskList') && call.n === 1 ? throttled : undefined),
    });
    const run = await runAgainst(s);
    expect(s.refusals).toEqual([]);
    expect(s.callsOf('QueryTaskDetailList').some((c) => c.params.TaskNo === odd)).toBe(true);
    expect(s.callsOf(SAVE).length).toBeGreaterThanOrEqual(3);
    expect(s.orders.map((o) => o.domainName).sort()).toEqual([PUNYCODE_NAME, 'tilde-star.com'].sort());
    expect(decisionsOf(run).filter((d) => d.action === 'redeem').map((d) => d.outcome)).toEqual(['succeeded', 'succeeded']);
    expect(s.nonces.size).toBe(s.calls.length);
  });

  it('a ledger task number with a lone surrogate (valid JSON, "\\ud800", from an untrusted registrar): the run goes on and the request is signed as its UTF-8 goes on the wire, not a run failed with "URI malformed"', async () => {
    const s = await start({
      verify: EMULATOR_CREDENTIALS,
      domains: [domainItem('surrogate.com', dueExpiration('surrogate.com'))],
      tasks: [{ taskNo: 'T-\ud800', domainName: 'other.com', statusCode: 2, createdMs: Date.now() - 3_600_000 }],
    });
    const run = await runAgainst(s);
    expect(run.summary.run.error_message).not.toBe('URI malformed');
    expect(run.summary.run).toMatchObject({ outcome: 'completed' });
    expect(s.refusals).toEqual([]);
    // A server reads the bytes it got: the lone surrogate arrives as U+FFFD, as Buffer.from would write it.
    expect(s.callsOf('QueryTaskDetailList').map((c) => c.params.TaskNo)).toContain('T-\ufffd');
  });
});

