/**
 * The submission path and the money guard, attacked with a registrar stand-in that follows the vendors'
 * published rules rather than the emulator's habits: throttling as a bare HTTP 429, a slow fresh look
 * that eats the submit margin, an order learnt by another submission's look before its own answer came
 * back, a TaskNo of blanks, and a balance that cannot be read while every held domain is days away.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { domainItem, type Scripted, type StandinCall } from '../support/registrar-standin.js';
import { decisionsOf, dueExpiration, runAgainst, standinPerTest } from './standin-runs.js';

const start = standinPerTest();
const SAVE = 'SaveSingleTaskForCreatingOrderRedeem';
const due = (name: string) => domainItem(name, dueExpiration(name));

/** A bare 429, as a gateway in front of the API answers it: no Alibaba error body, only the wait. */
const bare429 = (retryAfter: string): Scripted => ({ status: 429, body: '<html><body>429 Too Many Requests</body></html>', headers: { 'content-type': 'text/html', 'x-acs-retry-after': retryAfter } });

describe('HTTP 429 with no Throttling code is throttling', () => {
  it('a bare 429 to the first QueryDomainList: asked again, the run completes and orders', async () => {
    const s = await start({ domains: [due('list429.com')], script: (call) => (call.action === 'QueryDomainList' && call.n === 1 ? bare429('50') : undefined) });
    const { summary } = await runAgainst(s);
    expect(summary.run).toMatchObject({ outcome: 'completed' });
    expect(Object.fromEntries(s.submissionsPerDomain())).toEqual({ 'list429.com': 1 });
  });

  it('a bare 429 to the first submission (certainly not accepted): sent again, ordered once, not failed', async () => {
    const s = await start({ domains: [due('save429.com')], script: (call) => (call.action === SAVE && call.n === 1 ? bare429('50') : undefined) });
    const run = await runAgainst(s);
    expect(s.orders.map((o) => o.domainName)).toEqual(['save429.com']);
    expect(decisionsOf(run).find((d) => d.domain === 'save429.com')).toMatchObject({ outcome: 'succeeded' });
  });
});
