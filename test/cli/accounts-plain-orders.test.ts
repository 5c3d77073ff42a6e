/**
 * An account run (--accounts: a member account through its role) and a plain run of that same account
 * (the member's own key) on one machine, one after the other, the registrar listing the first one's order
 * late. Their orders files are scoped apart (by key, and by member account for an account run), yet a
 * domain's name is unique at the registrar: the order either placed is the order for that domain, and the
 * other run must hold it, not order it again (a second redemption fee). STS is the emulator's, the
 * member's Domain API the registrar stand-in (which checks no signature: any key is that account).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { forgetRegistrar } from '../../shared/run/ledger.js';
import type { Emulator } from '../emulator/server.js';
import { MEMBERS, roleArnOf } from '../support/accounts.js';
import { runCli, startEmulator } from '../support/emulator.js';
import { domainItem, startStandin, type RegistrarStandin } from '../support/registrar-standin.js';
import { dueExpiration } from '../safety/standin-runs.js';

let sts: Emulator;
let registrar: RegistrarStandin;
beforeAll(async () => {
  sts = await startEmulator({ domains: 0, accounts: MEMBERS });
});
beforeEach(async () => {
  await registrar?.close();
  registrar = await startStandin({ domains: [domainItem('member.com', dueExpiration('member.com'))], listAfterMs: 3_600_000, newTaskStatus: 0 });
});
afterAll(async () => {
  await registrar.close();
  await sts.close();
});

/** The member's own access key: a plain run started with it is that account's, with no --accounts. */
const MEMBER_KEY = { ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAImemberownkey0001', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'member-own-secret-0123456789' };

describe('an account run and a plain run of the same account on one machine', () => {
  it('the plain run (the member key) does not order again what the account run ordered', async () => {
    const account = MEMBERS[0]!.id;
    const env = { STS_ENDPOINT: sts.url, DOMAIN_ENDPOINT: registrar.url, REDEEM_DOMAINS: '*', REDEEM_FOLLOW_SECONDS: '1' };
    const first = await runCli(sts, ['run', '--mode', 'live', '--json', '--accounts', roleArnOf(account)], env);
    expect(first.code, first.err).toBe(0);
    expect(registrar.orders.map((o) => o.domainName)).toEqual(['member.com']);
    // A new CLI process: nothing of the first one's registry of orders is left.
    forgetRegistrar(registrar.url);
    const second = await runCli(sts, ['run', '--mode', 'live', '--json'], { ...env, ...MEMBER_KEY });
    expect(registrar.orders.map((o) => o.domainName), 'orders the registrar took (each a redemption fee)').toEqual(['member.com']);
    const decision = JSON.parse(second.out).decisions.find((d: { domain: string }) => d.domain === 'member.com');
    expect(decision).toMatchObject({ outcome: 'skipped', reason: 'task-in-flight', task_no: registrar.orders[0]!.taskNo });
  });

  it('the account run does not order again what the plain run (the member key) ordered', async () => {
    const account = MEMBERS[0]!.id;
    const env = { STS_ENDPOINT: sts.url, DOMAIN_ENDPOINT: registrar.url, REDEEM_DOMAINS: '*', REDEEM_FOLLOW_SECONDS: '1' };
    const first = await runCli(sts, ['run', '--mode', 'live', '--json'], { ...env, ...MEMBER_KEY });
    expect(first.code, first.err).toBe(0);
    expect(registrar.orders.map((o) => o.domainName)).toEqual(['member.com']);
    forgetRegistrar(registrar.url);
    const second = await runCli(sts, ['run', '--mode', 'live', '--json', '--accounts', roleArnOf(account)], env);
    expect(registrar.orders.map((o) => o.domainName), 'orders the registrar took (each a redemption fee)').toEqual(['member.com']);
    const decision = JSON.parse(second.out).accounts[0].decisions.find((d: { domain: string }) => d.domain === 'member.com');
    expect(decision).toMatchObject({ outcome: 'skipped', reason: 'task-in-flight', task_no: registrar.orders[0]!.taskNo });
  });

  it("the doctor with the member key says what the plain run would hold: the account run's order", async () => {
    const account = MEMBERS[0]!.id;
    const env = { STS_ENDPOINT: sts.url, DOMAIN_ENDPOINT: registrar.url, REDEEM_DOMAINS: '*', REDEEM_FOLLOW_SECONDS: '1' };
    const first = await runCli(sts, ['run', '--mode', 'live', '--json', '--accounts', roleArnOf(account)], env);
    expect(first.code, first.err).toBe(0);
    forgetRegistrar(registrar.url);
    const doctor = await runCli(sts, ['doctor', '--json'], { ...env, ...MEMBER_KEY, REDEEM_MODE: 'live' });
    const plan = (JSON.parse(doctor.out).checks as Array<{ id: string; detail: string }>).find((c) => c.id === 'plan');
    expect(plan?.detail).toMatch(/^would order 0,/);
  });
});
