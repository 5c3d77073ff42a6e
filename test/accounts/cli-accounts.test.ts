/** `redeemer run --accounts`: every account in the CLI process, its role assumed, one table each and a total. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../emulator/server.js';
import { MEMBERS, roleArnOf } from '../support/accounts.js';
import { startEmulator, runCli } from '../support/emulator.js';

const [A, B, C] = MEMBERS.map((m) => m.id) as [string, string, string];
const ALL = MEMBERS.map((m) => roleArnOf(m.id)).join(',');
let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ domains: 10, seed: 4, accounts: MEMBERS, taskTiming: { waitingMs: 20, executingMs: 20 } });
});
afterAll(() => emulator.close());

const cli = (args: string[], env: Record<string, string> = {}) => runCli(emulator, args, { STS_ENDPOINT: emulator.url, REDEEM_DOMAINS: '*', REDEEM_MAX_PER_RUN: '2', ...env });

describe('redeemer with many accounts', () => {
  it('plan --accounts: one table per account and a total; the account whose role is missing is named; nothing ordered', async () => {
    const { code, out } = await cli(['plan', '--accounts', ALL]);
    expect(code).toBe(1);
    expect(out.match(/^== Account \d+ \(acs:ram::\d+:role\/domain-redeemer\)$/gm)).toEqual(MEMBERS.map((m) => `== Account ${m.id} (${roleArnOf(m.id)})`));
    expect(out).toMatch(/^DOMAIN\s+TLD/m);
    expect(out).toContain('== Total: 3 accounts, 2 completed, 1 failed');
    expect(out).toContain(`account ${C}: EntityNotExist.Role`);
    expect([...emulator.accounts.accounts.values()].flatMap((a) => a.domain.tasks)).toEqual([]);
  });

  it('run --mode live with REDEEM_ACCOUNTS and --json: each account ordered within its own cap; JSON only on stdout', async () => {
    const { code, out, err } = await cli(['run', '--mode', 'live', '--json'], { REDEEM_ACCOUNTS: [A, B].map((id) => roleArnOf(id)).join(',') });
    expect(code).toBe(0);
    const result = JSON.parse(out);
    expect(result.accounts.map((a: any) => [a.account_id, a.run.account_id, a.run.outcome, a.run.mode])).toEqual([
      [A, A, 'completed', 'live'],
      [B, B, 'completed', 'live'],
    ]);
    for (const id of [A, B]) {
      const tasks = emulator.accounts.get(id).domain.tasks;
      expect(tasks).toHaveLength(2);
      expect(result.accounts.find((a: any) => a.account_id === id).decisions.every((d: any) => d.account_id === id)).toBe(true);
    }
    expect(emulator.domain.tasks).toEqual([]);
    expect(err).toContain('== Total: 2 accounts, 2 completed, 0 failed');
    expect(err).toMatch(/4 ordered \(/);
  });

  it('--accounts with something that is not a role ARN says so', async () => {
    const { code, err } = await cli(['plan', '--accounts', 'acs:ram::1:user/alice']);
    expect(code).toBe(2);
    expect(err).toContain('--accounts: not role ARNs of the form acs:ram::<account-id>:role/<role-name>');
  });
});
