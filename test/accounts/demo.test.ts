/** npm run demo:accounts from source: two member accounts redeemed through the real handler, exit 0. */
import { describe, expect, it } from 'vitest';
import { finished, spawnEntry } from '../support/spawn.js';

describe('npm run demo:accounts', () => {
  it('orchestrates two accounts, one table each, each account ordering in its own portfolio only', async () => {
    const { code, stdout, stderr } = await finished(spawnEntry('scripts/demo-accounts.ts', []));
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/Orchestrating run [0-9a-f-]+ \(live, timer\): completed; 2 accounts, 2 invoked, 0 failed/);
    expect(stdout.match(/^== Account (\d+) /gm)).toEqual(['== Account 2000000000000001 ', '== Account 2000000000000002 ']);
    // Each member account's table lists only its own domains (their names carry the account's label).
    const [, first, second] = stdout.split(/^== Account \d+ .*$/m);
    expect(first).toMatch(/m0001-/);
    expect(first).not.toMatch(/m0002-/);
    expect(second).toMatch(/m0002-/);
    expect(second).not.toMatch(/m0001-/);
    expect(stdout).toMatch(/FC invocations: 2; redeem tasks per member account: 2000000000000001: [1-3], 2000000000000002: [1-3];/);
    expect(stdout).toContain('AssumeRole 2');
  });

  // README "Quick start": the demos take the policy (REDEEM_*, NOTIFY_ON) from the shell.
  it("takes the shell's policy: REDEEM_MODE=dry-run makes every account run a dry run, ordering nothing", async () => {
    const { code, stdout, stderr } = await finished(spawnEntry('scripts/demo-accounts.ts', [], { REDEEM_MODE: 'dry-run' }));
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/Orchestrating run [0-9a-f-]+ \(dry-run, timer\): completed; 2 accounts, 2 invoked, 0 failed/);
    expect(stdout).toMatch(/redeem tasks per member account: 2000000000000001: 0, 2000000000000002: 0;/);
  });

  it('a bad policy value in the shell: one line naming the variable, exit 1, no uncaught-exception dump', async () => {
    const { code, stdout, stderr } = await finished(spawnEntry('scripts/demo-accounts.ts', [], { REDEEM_MAX_PER_DAY: 'ten' }));
    expect(code).toBe(1);
    expect(stderr).not.toMatch(/node:internal|triggerUncaughtException|\n\s+at /);
    expect(`${stdout}${stderr}`).toMatch(/The handler failed: Invalid configuration: REDEEM_MAX_PER_DAY: expected a whole number/);
  });
});

