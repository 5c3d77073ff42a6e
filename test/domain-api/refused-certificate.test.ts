/**
 * An endpoint whose TLS certificate this machine refuses (a proxy that intercepts HTTPS, the wrong host in
 * DOMAIN_ENDPOINT, a clock days off) fails in the handshake, before a byte of the request leaves: node
 * verifies the certificate before it writes what the client queued. An order refused so was certainly not
 * placed. Told as "outcome unknown", it counted on the day's caps for 24 h and held that very domain's
 * retry (unknown-outcome-told.test.ts), for an order the registrar never saw; and the person was not told
 * to look at the certificate.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../shared/clock/index.js';
import { DomainApiClient, NetworkError, OutcomeUnknownError, explainedMessage, whatToDo } from '../../shared/domain-api/index.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/self-signed/${name}`, import.meta.url));
let server: Server;
let requests = 0;
let endpoint: string;
beforeAll(async () => {
  server = createServer({ key: fixture('key.pem'), cert: fixture('cert.pem') }, (req, res) => {
    requests++;
    req.resume();
    res.end('{"TaskNo":"T-1","RequestId":"r-1"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function client(): DomainApiClient {
  return new DomainApiClient({ endpoint, credentials: { accessKeyId: 'ak', accessKeySecret: 'sk' }, clock: systemClock, deadlineMs: Date.now() + 20_000, retry: { baseDelayMs: 1, maxDelayMs: 5 } });
}

describe('a Domain API endpoint whose certificate is refused', () => {
  it('an order is known not placed (never "outcome unknown"), and the person is told to look at the certificate', async () => {
    const error = await client()
      .saveSingleTaskForCreatingOrderRedeem({ domainName: 'shop.com', currentExpirationDate: Date.UTC(2026, 10, 1) })
      .catch((e: unknown) => e);
    expect(requests, 'the server received nothing').toBe(0);
    expect(error).not.toBeInstanceOf(OutcomeUnknownError);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).sent).toBe(false);
    expect(explainedMessage(error)).toMatch(/DEPTH_ZERO_SELF_SIGNED_CERT/);
    expect(whatToDo(error)).toMatch(/certificate.*DOMAIN_ENDPOINT/);
  });

  it('a read says the same, not "no connection could be made"', async () => {
    const error = await client().queryDomainList({ pageNum: 1, pageSize: 100, queryType: 2 }).catch((e: unknown) => e);
    expect(requests).toBe(0);
    expect(whatToDo(error)).toMatch(/certificate.*DOMAIN_ENDPOINT/);
    expect(whatToDo(error)).not.toMatch(/no connection could be made/);
  });
});
