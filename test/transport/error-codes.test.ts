/**
 * The vendor's error codes (domain-api reference section 6: the Domain table and the POP gateway's
 * public codes), in the vendor's JSON error shape {RequestId, HostId, Code, Message, Recommend}, and what
 * the run makes of each: what it retries, what it reconciles, and what a person is told.
 */
import { describe, expect, it } from 'vitest';
import { cannedServer } from '../support/canned-server.js';
import { ALL_TASKS, clientAt, recordingRuntime } from '../support/emulator.js';
import { domainItem, type Scripted } from '../support/registrar-standin.js';
import { decisionsOf, dueExpiration, runAgainst, standinPerTest } from '../safety/standin-runs.js';

const start = standinPerTest();
const SAVE = 'SaveSingleTaskForCreatingOrderRedeem';
const vendorError = (status: number, code: string, message: string): Scripted => ({
  status,
  body: { RequestId: `R-${code}`, HostId: 'domain-intl.aliyuncs.com', Code: code, Message: message, Recommend: `https://api.aliyun.com/troubleshoot?q=${code}` },
});

describe('SignatureNonceUsed on a submission', () => {
  it('means a request with that signature arrived before (the run signs every attempt with a fresh nonce, so only a replay on the way brings it): the order may exist, so it is reconciled, not reported failed', async () => {
    const name = 'replayed.com';
    const s = await start({
      domains: [domainItem(name, dueExpiration(name))],
      // A proxy on the way sent the request twice: the first copy was taken, the copy is refused.
      script: (call, standin) => {
        if (call.action !== SAVE) return undefined;
        standin.takeOrder(call.params.DomainName ?? '', call.params.CurrentExpirationDate ?? '');
        return vendorError(400, 'SignatureNonceUsed', 'Specified signature nonce was used already.');
      },
    });
    const run = await runAgainst(s);
    expect(s.callsOf(SAVE)).toHaveLength(1);
    expect(decisionsOf(run).find((d) => d.domain === name)).toMatchObject({ outcome: 'succeeded', reconciled: true });
  });
});

/** The vendor's error body in XML (domain-api reference section 6: `<Error>…</Error>` when the format is XML). */
const xmlError = (status: number, code: string, message: string, retryAfter?: string): Scripted => ({
  status,
  body: `<?xml version='1.0' encoding='UTF-8'?><Error><RequestId>R-${code}</RequestId><HostId>domain-intl.aliyuncs.com</HostId><Code>${code}</Code><Message>${message}</Message><Recommend><![CDATA[https://api.aliyun.com/troubleshoot?q=${code}]]></Recommend></Error>`,
  headers: { 'content-type': 'text/xml;charset=utf-8', ...(retryAfter ? { 'x-acs-retry-after': retryAfter } : {}) },
});

describe('the vendor error body in XML is read for its Code', () => {
  it('a submission throttled with an XML body (HTTP 400, Throttling.User): certainly not accepted, sent again, ordered once', async () => {
    const name = 'xml-throttled.com';
    const s = await start({ domains: [domainItem(name, dueExpiration(name))], script: (call) => (call.action === SAVE && call.n === 1 ? xmlError(400, 'Throttling.User', 'Request was denied due to user flow control.', '30') : undefined) });
    const run = await runAgainst(s);
    expect(s.orders.map((o) => o.domainName)).toEqual([name]);
    expect(decisionsOf(run).find((d) => d.domain === name)).toMatchObject({ outcome: 'succeeded', attempts: 2 });
  });

  it('a refused read with an XML body names the vendor code and message, not "HTTP403: non-JSON error answer"', async () => {
    const s = await start({ domains: [domainItem('x.com', dueExpiration('x.com'))], script: (call) => (call.action === 'QueryDomainList' ? xmlError(403, 'Forbidden.RAM', 'User not authorized to operate on the specified resource.') : undefined) });
    const run = await runAgainst(s);
    expect(run.summary.run).toMatchObject({ outcome: 'failed', error_code: 'Forbidden.RAM' });
    expect(String(run.summary.run.error_message)).toContain('User not authorized to operate on the specified resource.');
    expect(String(run.summary.run.error_message)).toContain('R-Forbidden.RAM');
  });
});

describe('a redirect (3xx)', () => {
  it('is not followed (the signature names the host) and the person is told where it pointed and what to change, not "HTTP301: non-JSON error answer (0 bytes)"', async () => {
    const s = await start({ domains: [domainItem('r.com', dueExpiration('r.com'))], script: (call) => (call.action === 'QueryDomainList' ? { status: 301, body: '', headers: { location: 'https://domain-intl.aliyuncs.com/' } } : undefined) });
    const run = await runAgainst(s);
    expect(s.callsOf('QueryDomainList').length).toBeLessThanOrEqual(2);
    expect(run.summary.run).toMatchObject({ outcome: 'failed', error_code: 'HTTP301' });
    expect(String(run.summary.run.error_message)).toContain('https://domain-intl.aliyuncs.com/');
    expect(String(run.summary.run.error_message)).toContain('DOMAIN_ENDPOINT');
  });
});

describe('a run the API refused: the person is told what to do, not only the vendor\'s words', () => {
  for (const [status, code, action, fix] of [
    [403, 'Forbidden.RAM', 'QueryDomainList', /domain:QueryCommonInfo.*ram-policy\.json|ram-policy\.json.*domain:QueryCommonInfo/],
    [403, 'Forbidden', 'QueryTaskList', /domain:QueryDomainTask/],
    [400, 'InvalidSecurityToken.Expired', 'QueryDomainList', /security token/],
    [400, 'SignatureDoesNotMatch', 'QueryDomainList', /secret/],
    [404, 'InvalidAccessKeyId.NotFound', 'QueryDomainList', /unknown or disabled/],
    [400, 'InvalidTimeStamp.Expired', 'QueryDomainList', /clock/],
  ] as const) {
    it(`${code} on ${action}: the run record and the message name the fix`, async () => {
      const s = await start({ domains: [domainItem('fix.com', dueExpiration('fix.com'))], script: (call) => (call.action === action ? vendorError(status, code, `Message of ${code}.`) : undefined) });
      const run = await runAgainst(s);
      expect(run.summary.run).toMatchObject({ outcome: 'failed', error_code: code });
      expect(String(run.summary.run.error_message)).toContain(`Message of ${code}.`);
      expect(String(run.summary.run.error_message)).toMatch(fix);
    });
  }
});

describe('a submission the API refused for a missing permission', () => {
  it('Forbidden.RAM on SaveSingleTaskForCreatingOrderRedeem: the decision says failed and names domain:CreateOrderRedeem and ram-policy.json', async () => {
    const s = await start({ domains: [domainItem('noperm.com', dueExpiration('noperm.com'))], script: (call) => (call.action === SAVE ? vendorError(403, 'Forbidden.RAM', 'User not authorized to operate on the specified resource.') : undefined) });
    const run = await runAgainst(s);
    const decision = decisionsOf(run).find((d) => d.domain === 'noperm.com');
    expect(decision).toMatchObject({ outcome: 'failed', error_code: 'Forbidden.RAM' });
    expect(String(decision?.error_message)).toMatch(/domain:CreateOrderRedeem/);
    expect(String(decision?.error_message)).toMatch(/ram-policy\.json/);
  });
});

describe("a bare 429 from a gateway with only HTTP's own Retry-After (seconds)", () => {
  it('a read waits what it asks (2 s), not a backoff of a few hundred milliseconds into another refusal', async () => {
    let n = 0;
    const server = await cannedServer(() =>
      ++n === 1 ? { status: 429, body: '<html><body>429 Too Many Requests</body></html>', headers: { 'content-type': 'text/html', 'retry-after': '2' } } : { body: { RequestId: 'R', NextPage: false } },
    );
    try {
      const { waits, clock } = recordingRuntime();
      await clientAt(server.url, { clock }).queryTaskList(ALL_TASKS);
      expect(waits).toEqual([2000]);
    } finally {
      await server.close();
    }
  });
});

describe('SignatureNonceUsed on a read', () => {
  it('is asked again with a fresh nonce (a read changes nothing, and the refusal says only that a copy came first), not a failed run', async () => {
    let n = 0;
    const nonces: string[] = [];
    const server = await cannedServer((req) => {
      nonces.push(String(req.headers['x-acs-signature-nonce']));
      return ++n === 1
        ? { status: 400, body: { RequestId: 'R1', HostId: 'domain-intl.aliyuncs.com', Code: 'SignatureNonceUsed', Message: 'Specified signature nonce was used already.' } }
        : { body: { RequestId: 'R2', NextPage: false } };
    });
    try {
      const { clock } = recordingRuntime();
      await expect(clientAt(server.url, { clock }).queryTaskList(ALL_TASKS)).resolves.toMatchObject({ requestId: 'R2' });
      expect(new Set(nonces).size).toBe(2);
    } finally {
      await server.close();
    }
  });
});
