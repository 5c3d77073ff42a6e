/**
 * `redeemer doctor` (and `{"action":"doctor"}`) with REDEEM_ACCOUNTS: a many-account run needs what a
 * one-account run does not: the roles to assume in each member account (STS AssumeRole, the trust policy,
 * REDEEM_EXTERNAL_ID), ResourceManager ListAccounts for rd:<role>, and the member role's own Domain API
 * permission. A doctor that reports all well for a configuration whose run then fails sends a person live
 * with accounts nobody guards. STS and ResourceManager are test/support/accounts-standin.ts (written from
 * the vendors' rules, accounts-and-billing.md), the member accounts' registrar the registrar stand-in.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runDoctor } from '../../shared/doctor/doctor.js';
import { buildDoctorPorts } from '../../shared/doctor/wire.js';
import { startAccountsStandin, type AccountsStandin, type AccountsStandinOptions } from '../support/accounts-standin.js';
import { domainItem, startStandin, type RegistrarStandin, type StandinOptions } from '../support/registrar-standin.js';
import { dueExpiration } from '../safety/standin-runs.js';

const KEY = { accessKeyId: 'STS.function-key', accessKeySecret: 'function-secret-value-1234', securityToken: 'CAIS/function+token=value/9876' };
const A = '2000000000000001';
const B = '2000000000000002';
const ROLE = (id: string) => `acs:ram::${id}:role/domain-redeemer`;

let accounts: AccountsStandin | undefined;
let registrar: RegistrarStandin | undefined;
afterEach(async () => {
  await Promise.all([accounts?.close(), registrar?.close()]);
  accounts = registrar = undefined;
});

async function doctorWith(options: Omit<AccountsStandinOptions, 'key'>, redeemAccounts: string, extraEnv: Record<string, string> = {}, script?: StandinOptions['script']) {
  accounts = await startAccountsStandin({ key: KEY, ...options });
  registrar = await startStandin({ domains: [domainItem('member-due.com', dueExpiration('member-due.com'))], script });
  const env = {
    REDEEM_MODE: 'live',
    REDEEM_DOMAINS: '*',
    REDEEM_ACCOUNTS: redeemAccounts,
    STS_ENDPOINT: accounts.url,
    RESOURCE_MANAGER_ENDPOINT: accounts.url,
    DOMAIN_ENDPOINT: registrar.url,
    ...extraEnv,
  };
  const report = await runDoctor(buildDoctorPorts({ env, credentials: KEY, source: 'environment' }), { checkTimeoutMs: 10_000 });
  return { report, check: report.checks.find((c) => c.id === ('accounts' as never)), text: JSON.stringify(report) };
}

describe('the doctor with REDEEM_ACCOUNTS', () => {
  it('fails when a listed role cannot be assumed, naming the account, the code and what to do', async () => {
    const { report, check } = await doctorWith({ members: [{ id: A }, { id: B, roles: ['another-role'] }] }, `${ROLE(A)},${ROLE(B)}`);
    expect(report.ok).toBe(false);
    expect(check).toMatchObject({ status: 'fail', detail: expect.stringContaining(B) });
    expect(check!.detail).toContain('EntityNotExist.Role');
    expect(check!.detail).not.toContain(`${A} (`);
    expect(check!.fix).toContain('create the role REDEEM_ACCOUNTS names in that member account');
    expect(accounts!.calls.filter((c) => c.action === 'AssumeRole').map((c) => c.params.RoleArn).sort()).toEqual([ROLE(A), ROLE(B)]);
  });

  it('fails when the trust policy wants an external id that REDEEM_EXTERNAL_ID does not give', async () => {
    const { report, check } = await doctorWith({ members: [{ id: A, externalId: 'expected-external-id' }] }, ROLE(A));
    expect(report.ok).toBe(false);
    expect(check).toMatchObject({ status: 'fail', detail: expect.stringContaining('NoPermission') });
    expect(check!.fix).toContain('REDEEM_EXTERNAL_ID');
  });

  it('fails when rd:<role> cannot list the Resource Directory, naming resourcemanager:ListAccounts', async () => {
    const { report, check } = await doctorWith(
      {
        members: [{ id: A }],
        listAccounts: () => ({ status: 403, body: { RequestId: 'rm-denied', Code: 'NoPermission', Message: 'You are not authorized to do this action. You should be authorized by RAM.' } }),
      },
      'rd:domain-redeemer',
    );
    expect(report.ok).toBe(false);
    expect(check).toMatchObject({ status: 'fail' });
    expect(`${check!.detail} ${check!.fix}`).toContain('resourcemanager:ListAccounts');
  });

  it("fails when a member role is assumed but cannot read that account's domains", async () => {
    // The registrar refuses the member role's credentials as the vendor does for a role without the permission
    // (the doctor's own account is refused alike here: its checks fail too, which is beside the point).
    const { report, check } = await doctorWith({ members: [{ id: A }] }, ROLE(A), {}, (call) =>
      call.action === 'QueryDomainList' && call.params.QueryType === '2'
        ? { status: 403, body: { RequestId: 'denied-1', Code: 'Forbidden.RAM', Message: 'User not authorized to operate on the specified resource, or this API does not support RAM.' } }
        : undefined,
    );
    expect(report.ok).toBe(false);
    expect(check).toMatchObject({ status: 'fail', detail: expect.stringContaining(A) });
    expect(check!.detail).toContain('Forbidden.RAM');
    expect(accounts!.calls.filter((c) => c.action === 'AssumeRole')).toHaveLength(1);
  });

  it('fails when STS cannot be reached, naming STS_ENDPOINT', async () => {
    const { report, check } = await doctorWith({ members: [{ id: A }] }, ROLE(A), { STS_ENDPOINT: 'http://127.0.0.1:9' });
    expect(report.ok).toBe(false);
    expect(check).toMatchObject({ status: 'fail', detail: expect.stringContaining(A), fix: expect.stringContaining('STS_ENDPOINT') });
  });

  it('fails when STS answers credentials bound to another account than the role asked for', async () => {
    const { report, check } = await doctorWith(
      {
        members: [{ id: A }],
        sts: (_call, normal) => {
          const answer = normal();
          if (answer === 'drop' || typeof answer.body !== 'object') return answer;
          const body = answer.body as { AssumedRoleUser: { Arn: string } };
          return { ...answer, body: { ...body, AssumedRoleUser: { ...body.AssumedRoleUser, Arn: body.AssumedRoleUser.Arn.replace(A, B) } } };
        },
      },
      ROLE(A),
    );
    expect(report.ok).toBe(false);
    expect(check).toMatchObject({ status: 'fail', detail: expect.stringContaining('AssumedRoleUser.Arn') });
  });

  it('a directory too large for the check\'s time: reports what it tried and how many it did not, before its deadline', async () => {
    const members = Array.from({ length: 40 }, (_, i) => ({ id: String(3000000000000000 + i) }));
    accounts = await startAccountsStandin({ key: KEY, members, sts: (_call, normal) => normal() });
    registrar = await startStandin({ delayMs: (call) => (call.action === 'QueryDomainList' ? 150 : undefined) });
    const env = { REDEEM_ACCOUNTS: 'rd:domain-redeemer', STS_ENDPOINT: accounts.url, RESOURCE_MANAGER_ENDPOINT: accounts.url, DOMAIN_ENDPOINT: registrar.url };
    const report = await runDoctor(buildDoctorPorts({ env, credentials: KEY, source: 'environment' }), { checkTimeoutMs: 1_000 });
    const check = report.checks.find((c) => c.id === ('accounts' as never));
    expect(check).toMatchObject({ status: 'fail', detail: expect.stringMatching(/^\d+ of the 40 accounts were not tried in the doctor's time \(\d+ were\)$/) });
    expect(check!.fix).toContain('REDEEM_ACCOUNTS');
  });

  it('passes when every account is reachable, says how many, orders nothing and shows no member credential', async () => {
    const { report, check, text } = await doctorWith({ members: [{ id: A }, { id: B }] }, 'rd:domain-redeemer');
    expect(check).toMatchObject({ status: 'pass', detail: expect.stringMatching(/2 accounts/) });
    expect(report.ok).toBe(true);
    expect(registrar!.callsOf('SaveSingleTaskForCreatingOrderRedeem')).toEqual([]);
    expect(text).not.toMatch(/member-secret|CAIS-member-token|function-secret-value/);
  });
});
