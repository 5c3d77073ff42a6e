/**
 * AssumeRole answered at random among what STS (or a proxy on the way) may answer: the published shape
 * (test/support/accounts-standin.ts), or with AssumedRoleUser.Arn for another account or malformed, the
 * Expiration missing, past, far off or not ISO, a credential field missing, an error body with HTTP 200,
 * throttling, a 5xx. Whatever it answers, the member account's Domain API is called only with a session
 * STS issued for that very account, never with the function's own key, and a run that cannot get one
 * fails with STS's refusal or the field at fault (never an error of its own).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../shared/clock/index.js';
import { DomainApiError, MalformedResponseError } from '../../shared/domain-api/index.js';
import { memberAccountPorts } from '../../shared/run/member-account.js';
import { startAccountsStandin, type AccountsAnswer, type AccountsStandin } from '../support/accounts-standin.js';
import { cannedServer } from '../support/canned-server.js';

const KEY = { accessKeyId: 'LTAI-function-key', accessKeySecret: 'function-secret-value-1234' };
const A = '2000000000000001';
const B = '2000000000000002';
const ROLE = `acs:ram::${A}:role/domain-redeemer`;

type Twist = 'none' | 'otherAccount' | 'arnGarbage' | 'noExpiration' | 'pastExpiration' | 'farExpiration' | 'localExpiration' | 'noToken' | 'errorIn200' | 'throttled' | 'server500';
const TWISTS: readonly Twist[] = ['none', 'otherAccount', 'arnGarbage', 'noExpiration', 'pastExpiration', 'farExpiration', 'localExpiration', 'noToken', 'errorIn200', 'throttled', 'server500'];

let twists: Twist[] = [];
let sts: AccountsStandin;
let domain: Awaited<ReturnType<typeof cannedServer>>;
/** Sessions STS issued for A, by key id. */
const issuedForA = new Set<string>();

function twisted(twist: Twist, normal: AccountsAnswer): AccountsAnswer {
  if (normal === 'drop' || typeof normal.body === 'string' || !('Credentials' in normal.body)) return normal;
  const body = normal.body as { AssumedRoleUser: { Arn: string }; Credentials: Record<string, string> };
  const creds = body.Credentials;
  switch (twist) {
    case 'none': issuedForA.add(creds.AccessKeyId!); return normal;
    case 'otherAccount': return { body: { ...body, AssumedRoleUser: { Arn: body.AssumedRoleUser.Arn.replace(A, B) } } };
    case 'arnGarbage': return { body: { ...body, AssumedRoleUser: { Arn: 'not-an-arn' } } };
    case 'noExpiration': { const { Expiration: _e, ...rest } = creds; return { body: { ...body, Credentials: rest } }; }
    case 'pastExpiration': return { body: { ...body, Credentials: { ...creds, Expiration: '2001-01-01T00:00:00Z' } } };
    case 'farExpiration': issuedForA.add(creds.AccessKeyId!); return { body: { ...body, Credentials: { ...creds, Expiration: '9999-12-31T23:59:59Z' } } };
    case 'localExpiration': return { body: { ...body, Credentials: { ...creds, Expiration: '2030-01-01 08:00:00' } } };
    case 'noToken': { const { SecurityToken: _t, ...rest } = creds; return { body: { ...body, Credentials: rest } }; }
    case 'errorIn200': return { status: 200, body: { RequestId: 'e200', Code: 'InvalidParameter.RoleArn', Message: 'The parameter RoleArn is wrongly formed.' } };
    case 'throttled': return { status: 400, body: { RequestId: 'thr', Code: 'Throttling.User', Message: 'Request was denied due to user flow control.' } };
    case 'server500': return { status: 500, body: { RequestId: 'ise', Code: 'InternalError', Message: 'The request processing has failed due to some unknown error.' } };
  }
}

beforeAll(async () => {
  sts = await startAccountsStandin({ key: KEY, members: [{ id: A }], sts: (call, normal) => twisted(twists[Math.min(call.n, twists.length) - 1] ?? 'none', normal()) });
  domain = await cannedServer(() => ({ body: { RequestId: 'd-ok', CurrentPageNum: 1, TotalPageNum: 0, TotalItemNum: 0, NextPage: false, Data: { Domain: [] } } }));
});
afterAll(async () => {
  await sts.close();
  await domain.close();
});

describe('an account run against arbitrary AssumeRole answers', () => {
  it('calls the Domain API only with a session issued for the account, and fails with a named code otherwise', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...TWISTS), { minLength: 1, maxLength: 5 }), async (drawn) => {
        twists = drawn;
        const stsBefore = sts.calls.length;
        // The stand-in counts calls per action for its whole life: the script is read relative to this run.
        const base = sts.calls.filter((c) => c.action === 'AssumeRole').length;
        twists = [...Array(base).fill('none'), ...drawn];
        const domainBefore = domain.requests.length;
        issuedForA.clear();
        const { api } = memberAccountPorts({
          config: { site: 'intl', domainEndpoint: domain.url, money: { guard: undefined } as never },
          credentials: KEY,
          account: { ref: { id: A, roleArn: ROLE }, config: { stsEndpoint: sts.url, externalId: undefined }, timeoutSeconds: 60 },
          clock: { ...systemClock, sleep: async () => {} },
          deadlineMs: Date.now() + 10_000,
        });
        const outcome = await api.queryDomainList({ pageNum: 1, pageSize: 100, queryType: 2 } as never).then(() => 'ok', (error: unknown) => error);
        const signedWith = domain.requests.slice(domainBefore).map((req) => /Credential=([^,]+)/.exec(String(req.headers.authorization))?.[1]);
        for (const keyId of signedWith) {
          expect(keyId).not.toBe(KEY.accessKeyId);
          expect(issuedForA.has(keyId!)).toBe(true);
        }
        if (outcome !== 'ok') {
          expect(signedWith).toEqual([]);
          // STS's own refusal (its code, InternalError among them) or the answer's fault, named: never a crash of ours.
          expect(outcome instanceof DomainApiError || outcome instanceof MalformedResponseError).toBe(true);
        }
        // Bounded: the read policy asks at most 8 times (a malformed answer is asked again, as for every read).
        expect(sts.calls.length - stsBefore).toBeLessThanOrEqual(8);
      }),
      { numRuns: 150 },
    );
  }, 60_000);
});
