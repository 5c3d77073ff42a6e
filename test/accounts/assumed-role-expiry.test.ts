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
