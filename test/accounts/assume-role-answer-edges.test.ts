/**
 * AssumeRole answers at the edge of STS's published shape (accounts-and-billing.md §2.1: Credentials
 * {AccessKeyId "STS.…", AccessKeySecret, SecurityToken, Expiration}): what the run may sign with. A value
 * that no HTTP header can carry (a line break, a control character: AccessKey ids and tokens are printable,
 * base64-like text) is refused as STS's malformed answer, before any call of the member account: signed,
 * Node refuses the header before connecting (ERR_INVALID_CHAR), and a refusal that is no network's looked
 * like a request that may have left, so an order was "outcome unknown" though it never left the process.
 */
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../shared/clock/index.js';
import { MalformedResponseError, OutcomeUnknownError } from '../../shared/domain-api/index.js';
import { assumeRole } from '../../shared/accounts/sts.js';
import { memberAccountPorts } from '../../shared/run/member-account.js';
import { cannedServer } from '../support/canned-server.js';

const KEY = { accessKeyId: 'LTAI-function-key', accessKeySecret: 'function-secret-value-1234' };
const ACCOUNT = '2000000000000001';
const ROLE = `acs:ram::${ACCOUNT}:role/domain-redeemer`;

describe('an AssumeRole answer whose credentials no request can carry', () => {
  it.each([
    ['a SecurityToken with a line break inside (base64 wrapped at 76 columns)', { SecurityToken: `${'CAIS'.repeat(19)}\r\n${'abcd'.repeat(10)}` }],
    ['a SecurityToken ending in a line break', { SecurityToken: `CAIS${'x'.repeat(60)}\n` }],
    ['an AccessKeyId with a control character', { AccessKeyId: 'STS.member\u0000key' }],
    // Only the HMAC sees it: sent, it is refused as SignatureDoesNotMatch, with advice about the function's own key.
    ['an AccessKeySecret ending in a line break', { AccessKeySecret: 'member-secret-1-long\n' }],
  ])('%s: refused as a malformed answer naming the field, nothing sent to the member account, the order not "outcome unknown"', async (_name, twist) => {
    const expiration = new Date(Date.now() + 3600_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const credentials = { AccessKeyId: 'STS.member-1', AccessKeySecret: 'member-secret-1', SecurityToken: 'member-token-1', Expiration: expiration, ...twist };
    let domainCalls = 0;
    const server = await cannedServer((req) => {
      if (req.headers['x-acs-action'] === 'AssumeRole') {
        return { body: { RequestId: 'sts-1', AssumedRoleUser: { Arn: `${ROLE}/redeemer-${ACCOUNT}`, AssumedRoleId: 'id:1' }, Credentials: credentials } };
      }
      domainCalls++;
      return { body: { RequestId: 'd-order', TaskNo: 'T-1' } };
    });
    try {
      const { api } = memberAccountPorts({
        config: { site: 'intl', domainEndpoint: server.url, money: { guard: undefined } as never },
        credentials: KEY,
        account: { ref: { id: ACCOUNT, roleArn: ROLE }, config: { stsEndpoint: server.url, externalId: undefined }, timeoutSeconds: 60 },
        clock: { ...systemClock, sleep: async () => {} },
        deadlineMs: Date.now() + 10_000,
      });
      const error = await api.saveSingleTaskForCreatingOrderRedeem({ domainName: 'example.com', currentExpirationDate: 1_700_000_000_000 }).then(() => undefined, (e: unknown) => e);
      expect(error).not.toBeInstanceOf(OutcomeUnknownError);
      expect(error).toBeInstanceOf(MalformedResponseError);
      const field = Object.keys(twist)[0]!;
      expect((error as Error).message).toContain(`Credentials.${field}`);
      for (const value of Object.values(credentials)) if (value.length > 8 && value !== expiration) expect((error as Error).message).not.toContain(value.trim());
      expect(domainCalls).toBe(0);
    } finally {
      await server.close();
    }
  });
});

/**
 * RequestId and AssumedRoleUser.AssumedRoleId are informational (accounts-and-billing.md §2.1: the run signs
 * with Credentials and checks the account AssumedRoleUser.Arn names): answered null beside complete
 * Credentials, the role is assumed, not refused as a malformed answer that leaves the account not run.
 */
describe('an AssumeRole answer with complete Credentials and informational fields null', () => {
  it.each([
    ['RequestId null', { RequestId: null }],
    ['AssumedRoleUser.AssumedRoleId null', { AssumedRoleUser: { Arn: `${ROLE}/redeemer-${ACCOUNT}`, AssumedRoleId: null } }],
    ['both null', { RequestId: null, AssumedRoleUser: { Arn: `${ROLE}/redeemer-${ACCOUNT}`, AssumedRoleId: null } }],
  ])('%s: the role is assumed with those credentials', async (_name, twist) => {
    const expiration = new Date(Date.now() + 3600_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const server = await cannedServer(() => ({
      body: { RequestId: 'sts-1', AssumedRoleUser: { Arn: `${ROLE}/redeemer-${ACCOUNT}`, AssumedRoleId: 'id:1' }, Credentials: { AccessKeyId: 'STS.member-1', AccessKeySecret: 'member-secret-1', SecurityToken: 'member-token-1', Expiration: expiration }, ...twist },
    }));
    try {
      const assumed = await assumeRole({ credentials: KEY, roleArn: ROLE, accountId: ACCOUNT, endpoint: server.url, clock: { ...systemClock, sleep: async () => {} }, deadlineMs: Date.now() + 10_000, retry: { maxAttempts: 1 } });
      expect(assumed.credentials).toEqual({ accessKeyId: 'STS.member-1', accessKeySecret: 'member-secret-1', securityToken: 'member-token-1' });
      expect(assumed.assumedRoleArn).toBe(`${ROLE}/redeemer-${ACCOUNT}`);
    } finally {
      await server.close();
    }
  });
});
