/**
 * Connection edges of the submission (money) and the reads, against loopback servers that misbehave at
 * the socket level: a keep-alive connection the server closed as the client reused it, a reset after the
 * request was read, an answer cut short, a Content-Length that lies, a redirect, a gateway's HTML page.
 * A submission is sent again only when it was certainly not accepted (DESIGN section 2); otherwise the run
 * looks in the ledger.
 */
import { describe, expect, it } from 'vitest';
import { domainItem } from '../support/registrar-standin.js';
import { decisionsOf, dueExpiration, runAgainst, standinPerTest } from '../safety/standin-runs.js';

const start = standinPerTest();
const SAVE = 'SaveSingleTaskForCreatingOrderRedeem';

describe('a keep-alive connection the server closed as the client reused it', () => {
  it('the submission goes on a connection of its own: the order is placed, not lost to a stale socket as "outcome unknown"', async () => {
    const s = await start({ resetReused: true, domains: [domainItem('stale.com', dueExpiration('stale.com'))] });
    const run = await runAgainst(s);
    // The reads before it left idle keep-alive connections behind; the submission must not ride one.
    expect(s.resets).not.toContain(SAVE);
    expect(s.orders.map((o) => o.domainName)).toEqual(['stale.com']);
    expect(decisionsOf(run).find((d) => d.domain === 'stale.com')).toMatchObject({ outcome: 'succeeded' });
  });
});
