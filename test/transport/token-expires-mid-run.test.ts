/**
 * The security token expires mid-run (a token set by hand in ALIBABA_CLOUD_SECURITY_TOKEN; FC's own lasts the
 * invocation): after the first order, every call is refused with InvalidSecurityToken.Expired. The run halts
 * (the ledger can no longer be read, so nothing more may be sent), and says why: the code and what to do, in
 * the run record, on every held domain's decision line and in the message, not only "the run halted".
 */
import { describe, expect, it } from 'vitest';
import { domainItem, type Scripted } from '../support/registrar-standin.js';
import { inboxPerTest } from '../support/webhook-inbox.js';
import { decisionsOf, dueExpiration, runAgainst, standinPerTest } from '../safety/standin-runs.js';

const start = standinPerTest();
const openInbox = inboxPerTest();
const CODE = 'InvalidSecurityToken.Expired';
const expired: Scripted = { status: 400, body: { RequestId: 'R-expired', HostId: 'domain-intl.aliyuncs.com', Code: CODE, Message: 'Specified SecurityToken is expired.' } };
/** The advice for an expired token (explainedMessage): the variable to renew. */
const ADVICE = /security token is missing, invalid or expired.*ALIBABA_CLOUD_SECURITY_TOKEN/;

describe('the token expires after the first order', () => {
  it('the run record, the held decision lines and the message say the run halted on the expired token, and what to do', async () => {
    let isExpired = false;
    const s = await start({
      domains: ['a.com', 'b.com', 'c.com'].map((n) => domainItem(n, dueExpiration(n))),
      script: (call) => {
        if (isExpired) return expired;
        if (call.action === 'SaveSingleTaskForCreatingOrderRedeem') isExpired = true;
        return undefined;
      },
    });
    const inbox = await openInbox();
    const run = await runAgainst(s, { env: { NOTIFY_WEBHOOK_URL: inbox.url, NOTIFY_WEBHOOK_SECRET: 'inbox-secret' } });
    expect(s.orders).toHaveLength(1);
    const held = decisionsOf(run).filter((d) => d.reason === 'halted');
    expect(held).toHaveLength(2);
    for (const d of held) {
      expect(d).toMatchObject({ outcome: 'skipped', error_code: CODE });
      expect(String(d.error_message)).toMatch(ADVICE);
    }
    expect(run.summary.run).toMatchObject({ left_for_next_run: 2, halt_code: CODE });
    expect(String(run.summary.run.halt_message)).toMatch(ADVICE);
    const [body] = inbox.bodies;
    const left = (body?.left_for_next_run ?? []) as Array<Record<string, unknown>>;
    expect(left.map((l) => l.domain).sort()).toEqual(['b.com', 'c.com']);
    expect(String(left[0]?.why)).toContain(CODE);
    expect(String(left[0]?.why)).toMatch(ADVICE);
  });
});
