/**
 * An account run's temporary credentials must last as long as the run. STS grants at most the role's
 * MaxSessionDuration (3600 s unless raised) while FC allows a timeout of up to 86,400 s: a run longer
 * than the session must not go on signing with a token that STS has let expire. Stand-ins follow STS's
 * published rules: AssumeRole answers Credentials.Expiration = now + DurationSeconds, and every product
 * refuses a security token past its Expiration (InvalidSecurityToken.Expired).
 */
import { describe, expect, it } from 'vitest';
import type { Clock } from '../../shared/clock/index.js';
import { memberAccountPorts } from '../../shared/run/member-account.js';
import { cannedServer } from '../support/canned-server.js';
import { EMULATOR_CREDENTIALS } from '../support/emulator.js';

const ACCOUNT = '2000000000000001';
const ROLE = `acs:ram::${ACCOUNT}:role/domain-redeemer`;

function clock(start: number): Clock & { advance: (ms: number) => void } {
  let time = start;
  return { now: () => time, sleep: async (ms) => void (time += ms), random: () => 0, advance: (ms) => void (time += ms) };
}

/** STS and the Domain API of one member account, on the test's clock. */
async function memberStandIn(now: () => number, expirationShown: (expiresAt: number) => string = (at) => new Date(at).toISOString().replace(/\.\d+Z$/, 'Z')) {
  const tokens = new Map<string, number>();
  let issued = 0;
  const server = await cannedServer((req) => {
    const action = String(req.headers['x-acs-action']);
    const query = new URL(req.url!, 'http://x').searchParams;
    if (action === 'AssumeRole') {
      const token = `member-token-${++issued}`;
      const expiresAt = now() + Number(query.get('DurationSeconds')) * 1000;
      tokens.set(token, expiresAt);
      return {
        body: {
          RequestId: `sts-${issued}`,
          AssumedRoleUser: { Arn: `${ROLE}/redeemer-${ACCOUNT}`, AssumedRoleId: `id:${issued}` },
          Credentials: { AccessKeyId: `STS.member-${issued}`, AccessKeySecret: `member-secret-${issued}`, SecurityToken: token, Expiration: expirationShown(expiresAt) },
        },
      };
    }
    const expiresAt = tokens.get(String(req.headers['x-acs-security-token']));
    if (expiresAt === undefined || now() >= expiresAt) {
      return { status: 400, body: { RequestId: 'd-expired', Code: 'InvalidSecurityToken.Expired', Message: 'Specified SecurityToken is expired.' } };
    }
    return { body: { RequestId: 'd-ok', CurrentPageNum: 1, TotalPageNum: 0, TotalItemNum: 0, NextPage: false, Data: { Domain: [] } } };
  });
  return { server, assumed: () => issued };
}

describe('an account run longer than its role session', () => {
  // The token dies DurationSeconds after issue. In the second case the answer's Expiration says 9999 (or a
  // clock far from ours): the session lasts DurationSeconds whatever the answer says.
  it.each<[string, ((expiresAt: number) => string) | undefined]>([
    ['is assumed again before the credentials expire: a Domain API call an hour and a half in still succeeds', undefined],
    ['is assumed again when STS names an Expiration far past what was asked: the session lasts DurationSeconds whatever the answer says', () => '9999-12-31T23:59:59Z'],
  ])('%s', async (_name, expirationShown) => {
    const runClock = clock(Date.parse('2026-12-01T01:00:00Z'));
    const { server, assumed } = await memberStandIn(runClock.now, expirationShown);
    try {
      // A function timeout of 2 h: STS grants at most 3600 s by default.
      const timeoutSeconds = 7200;
      const { api } = memberAccountPorts({
        config: { site: 'intl', domainEndpoint: server.url, money: { guard: undefined } as never },
        credentials: EMULATOR_CREDENTIALS,
        account: { ref: { id: ACCOUNT, roleArn: ROLE }, config: { stsEndpoint: server.url, externalId: undefined }, timeoutSeconds },
        clock: runClock,
        deadlineMs: runClock.now() + (timeoutSeconds - 10) * 1000,
      });
      const query = { pageNum: 1, pageSize: 100, queryType: 2 } as const;
      await expect(api.queryDomainList(query)).resolves.toMatchObject({ items: [] });
      runClock.advance(90 * 60 * 1000);
      await expect(api.queryDomainList(query)).resolves.toMatchObject({ items: [] });
      expect(assumed()).toBe(2);
      expect(api.calls).toBe(2);
    } finally {
      await server.close();
    }
  });
});

describe('a call that outlasts its session', () => {
  // STS's published rules: the token dies DurationSeconds after issue, and the Domain API refuses it past
  // then (InvalidSecurityToken.Expired). A call begun with the session still good (more than the renewal
  // margin left) may be throttled (x-acs-retry-after up to a minute, several times over): each attempt is
  // signed when it is sent, and one sent after the session's end must carry a renewed session, not the old.
  it.each(['QueryDomainList', 'SaveSingleTaskForCreatingOrderRedeem'] as const)('%s throttled across the expiry is signed again with a renewed session, and succeeds', async (action) => {
    const runClock = clock(Date.parse('2026-12-01T01:00:00Z'));
    const tokens = new Map<string, number>();
    let issued = 0;
    let throttled = 0;
    let refusedExpired = 0;
    const signedWith: string[] = [];
    const server = await cannedServer((req) => {
      const name = String(req.headers['x-acs-action']);
      const query = new URL(req.url!, 'http://x').searchParams;
      if (name === 'AssumeRole') {
        const token = `member-token-${++issued}`;
        const expiresAt = runClock.now() + Number(query.get('DurationSeconds')) * 1000;
        tokens.set(token, expiresAt);
        return {
          body: {
            RequestId: `sts-${issued}`,
            AssumedRoleUser: { Arn: `${ROLE}/redeemer-${ACCOUNT}`, AssumedRoleId: `id:${issued}` },
            Credentials: { AccessKeyId: `STS.member-${issued}`, AccessKeySecret: `member-secret-${issued}`, SecurityToken: token, Expiration: new Date(expiresAt).toISOString().replace(/\.\d+Z$/, 'Z') },
          },
        };
      }
      const token = String(req.headers['x-acs-security-token']);
      const expiresAt = tokens.get(token);
      if (expiresAt === undefined || runClock.now() >= expiresAt) {
        refusedExpired++;
        return { status: 400, body: { RequestId: 'd-expired', Code: 'InvalidSecurityToken.Expired', Message: 'Specified SecurityToken is expired.' } };
      }
      if (name === 'QueryDomainList' && query.get('PageSize') === '1') return { body: { RequestId: 'd-warm', CurrentPageNum: 1, TotalPageNum: 0, TotalItemNum: 0, NextPage: false, Data: { Domain: [] } } };
      signedWith.push(token);
      if (name === action && throttled < 2) {
        throttled++;
        return { status: 400, headers: { 'x-acs-retry-after': '60000' }, body: { RequestId: `d-throttled-${throttled}`, Code: 'Throttling.User', Message: 'Request was denied due to user flow control.' } };
      }
      if (name === 'SaveSingleTaskForCreatingOrderRedeem') return { body: { RequestId: 'd-order', TaskNo: 'T-1' } };
      return { body: { RequestId: 'd-ok', CurrentPageNum: 1, TotalPageNum: 0, TotalItemNum: 0, NextPage: false, Data: { Domain: [] } } };
    });
    try {
      const timeoutSeconds = 7200;
      const { api } = memberAccountPorts({
        config: { site: 'intl', domainEndpoint: server.url, money: { guard: undefined } as never },
        credentials: EMULATOR_CREDENTIALS,
        account: { ref: { id: ACCOUNT, roleArn: ROLE }, config: { stsEndpoint: server.url, externalId: undefined }, timeoutSeconds },
        clock: runClock,
        deadlineMs: runClock.now() + (timeoutSeconds - 10) * 1000,
      });
      // The session begins with the run's first call; 3600 s later it ends.
      await api.queryDomainList({ pageNum: 1, pageSize: 1, queryType: 2 });
      // 90 s of the session left: more than the renewal margin, so the call begins with this session.
      runClock.advance(3510 * 1000);
      const call =
        action === 'QueryDomainList'
          ? api.queryDomainList({ pageNum: 1, pageSize: 100, queryType: 2 }).then((page) => page.items.length)
          : api.saveSingleTaskForCreatingOrderRedeem({ domainName: 'example.com', currentExpirationDate: 1_700_000_000_000 }).then((order) => order.taskNo);
      await expect(call).resolves.toBe(action === 'QueryDomainList' ? 0 : 'T-1');
      // Two throttled attempts with the first session; the third, sent past its end, with the renewed one.
      expect(signedWith).toEqual(['member-token-1', 'member-token-1', 'member-token-2']);
      expect(refusedExpired).toBe(0);
    } finally {
      await server.close();
    }
  });
});

describe('a renewal that fails', () => {
  // STS answers 503 ServiceUnavailable for a while (its documented server fault) just when the session is to
  // be renewed: the call that needed it fails. The run's later calls (the follow-ups of orders it placed,
  // their reconciliation) must ask STS again, not fail on that one refusal for the rest of the run.
  it('is asked again by the next call, which succeeds once STS answers', async () => {
    const runClock = clock(Date.parse('2026-12-01T01:00:00Z'));
    let stsDown = false;
    const tokens = new Map<string, number>();
    let issued = 0;
    const server = await cannedServer((req) => {
      const query = new URL(req.url!, 'http://x').searchParams;
      if (req.headers['x-acs-action'] === 'AssumeRole') {
        if (stsDown) return { status: 503, body: { RequestId: 'sts-down', Code: 'ServiceUnavailable', Message: 'The request has failed due to a temporary failure of the server.' } };
        const token = `member-token-${++issued}`;
        const expiresAt = runClock.now() + Number(query.get('DurationSeconds')) * 1000;
        tokens.set(token, expiresAt);
        return {
          body: {
            RequestId: `sts-${issued}`,
            AssumedRoleUser: { Arn: `${ROLE}/redeemer-${ACCOUNT}`, AssumedRoleId: `id:${issued}` },
            Credentials: { AccessKeyId: `STS.member-${issued}`, AccessKeySecret: `member-secret-${issued}`, SecurityToken: token, Expiration: new Date(expiresAt).toISOString().replace(/\.\d+Z$/, 'Z') },
          },
        };
      }
      const expiresAt = tokens.get(String(req.headers['x-acs-security-token']));
      if (expiresAt === undefined || runClock.now() >= expiresAt) return { status: 400, body: { RequestId: 'd-expired', Code: 'InvalidSecurityToken.Expired', Message: 'Specified SecurityToken is expired.' } };
      return { body: { RequestId: 'd-ok', CurrentPageNum: 1, TotalPageNum: 0, TotalItemNum: 0, NextPage: false, Data: { Domain: [] } } };
    });
    try {
      const timeoutSeconds = 7200;
      const { api } = memberAccountPorts({
        config: { site: 'intl', domainEndpoint: server.url, money: { guard: undefined } as never },
        credentials: EMULATOR_CREDENTIALS,
        account: { ref: { id: ACCOUNT, roleArn: ROLE }, config: { stsEndpoint: server.url, externalId: undefined }, timeoutSeconds },
        clock: runClock,
        deadlineMs: runClock.now() + (timeoutSeconds - 10) * 1000,
      });
      const query = { pageNum: 1, pageSize: 100, queryType: 2 } as const;
      await expect(api.queryDomainList(query)).resolves.toMatchObject({ items: [] });
      runClock.advance(3570 * 1000);
      stsDown = true;
      await expect(api.queryDomainList(query)).rejects.toMatchObject({ action: 'AssumeRole', code: 'ServiceUnavailable' });
      stsDown = false;
      runClock.advance(5 * 60 * 1000);
      await expect(api.queryDomainList(query)).resolves.toMatchObject({ items: [] });
      expect(issued).toBe(2);
    } finally {
      await server.close();
    }
  });
});
