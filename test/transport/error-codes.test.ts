/**
 * The vendor's error codes (domain-api reference section 6: the Domain table and the POP gateway's
 * public codes), in the vendor's JSON error shape {RequestId, HostId, Code, Message, Recommend}, and what
 * the run makes of each: what it retries, what it reconciles, and what a person is told.
 */
import { describe, expect, it } from 'vitest';
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
