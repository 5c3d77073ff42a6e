/**
 * `redeemer run --accounts` in two CLI processes one after another on one machine, the registrar listing
 * the first one's order late (the docs do not say how soon QueryTaskList shows a task). A single-account
 * CLI run keeps its orders beside the host lock for the next run (shared/cli/host-lock.ts); an account run
 * must too, or the next CLI process finds the domain listed, no task for it, and orders it again.
 * STS is the emulator's (AssumeRole), the member account's Domain API the registrar stand-in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
  registrar = await startStandin({ domains: [domainItem('member.com', dueExpiration('member.com'))], listAfterMs: 3_600_000, newTaskStatus: 0 });
});
afterAll(async () => {
  await registrar.close();
  await sts.close();
});

describe('CLI runs with --accounts, one process after another', () => {
  it('the second process does not order again what the first ordered in that account', async () => {
    const account = MEMBERS[0]!.id;
    const env = { STS_ENDPOINT: sts.url, DOMAIN_ENDPOINT: registrar.url, REDEEM_DOMAINS: '*', REDEEM_FOLLOW_SECONDS: '1' };
    const first = await runCli(sts, ['run', '--mode', 'live', '--json', '--accounts', roleArnOf(account)], env);
    expect(first.code, first.err).toBe(0);
    expect(registrar.orders.map((o) => o.domainName)).toEqual(['member.com']);
    // A new CLI process: nothing of the first one's registry of orders is left.
    forgetRegistrar(registrar.url);
    const second = await runCli(sts, ['run', '--mode', 'live', '--json', '--accounts', roleArnOf(account)], env);
    expect(registrar.orders.map((o) => o.domainName), 'orders the registrar took (each a redemption fee)').toEqual(['member.com']);
    const decision = JSON.parse(second.out).accounts[0].decisions.find((d: { domain: string }) => d.domain === 'member.com');
    expect(decision).toMatchObject({ outcome: 'skipped', reason: 'task-in-flight', task_no: registrar.orders[0]!.taskNo });
  });
});
