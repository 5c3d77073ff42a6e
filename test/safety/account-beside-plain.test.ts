/**
 * An account run (--accounts: a member account through its role) and a plain run with that member's own
 * key started together on one machine, as two CLI processes, the registrar listing orders late and slow to
 * answer a submission. A domain's name is unique at the registrar: however the two runs are keyed, one
 * order for the domain is all the account may pay for (README Safety model: on one machine live CLI runs
 * take turns, and each holds the other's orders).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../emulator/server.js';
import { MEMBERS, roleArnOf } from '../support/accounts.js';
import { EMULATOR_CREDENTIALS, startEmulator } from '../support/emulator.js';
import { domainItem, startStandin, type RegistrarStandin } from '../support/registrar-standin.js';
import { finished } from '../support/spawn.js';
import { removeCliTemp, spawnCli } from './harness.js';
import { dueExpiration } from './standin-runs.js';

let sts: Emulator;
let registrar: RegistrarStandin;
beforeAll(async () => {
  sts = await startEmulator({ domains: 0, accounts: MEMBERS });
  registrar = await startStandin({
    domains: [domainItem('member.com', dueExpiration('member.com'))],
    listAfterMs: 3_600_000,
    newTaskStatus: 0,
    // A registrar slow to answer an order: the two runs overlap whichever starts first.
    delayMs: (call) => (call.action === 'SaveSingleTaskForCreatingOrderRedeem' ? 1_500 : 200),
  });
});
afterAll(async () => {
  await registrar.close();
  await sts.close();
  removeCliTemp();
});

const MEMBER_KEY = { ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAImemberownkey0001', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'member-own-secret-0123456789' };

describe('an account run and a plain run of the same account started together on one machine', () => {
  it('one order for the domain, not one each', async () => {
    const env = { REDEEM_MODE: 'live', STS_ENDPOINT: sts.url, DOMAIN_ENDPOINT: registrar.url, REDEEM_DOMAINS: '*', REDEEM_FOLLOW_SECONDS: '1', REDEEM_API_QPS: '1000' };
    const account = spawnCli(['run', '--mode', 'live', '--json', '--budget-seconds', '20', '--accounts', roleArnOf(MEMBERS[0]!.id)], { ...env, ALIBABA_CLOUD_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: EMULATOR_CREDENTIALS.accessKeySecret });
    const plain = spawnCli(['run', '--mode', 'live', '--json', '--budget-seconds', '20'], { ...env, ...MEMBER_KEY });
    const [a, p] = await Promise.all([finished(account), finished(plain)]);
    expect([a.code, p.code], `${a.stderr}\n${p.stderr}`).toEqual([0, 0]);
    expect(registrar.orders.map((o) => o.domainName), 'orders the registrar took (each a redemption fee)').toEqual(['member.com']);
  }, 60_000);
});
