/**
 * npm start runs a live demo against the embedded emulator. The shell it runs from may be the one the
 * README's deploy steps export the real robots and endpoints in: the demo's message about its made-up
 * orders must not reach a real group, nor its calls a real service.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { finished, spawnEntry } from '../support/spawn.js';

describe('npm start from a deploy shell', () => {
  it("sends nothing to the shell's robots and endpoints, says which of its settings it did not take, and exits 0", async () => {
    const reached: string[] = [];
    const real = createServer((req: IncomingMessage, res) => {
      reached.push(`${req.method} ${req.url}`);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"errcode":0,"errmsg":"ok"}');
    });
    await new Promise<void>((resolve) => real.listen(0, '127.0.0.1', resolve));
    const realUrl = `http://127.0.0.1:${(real.address() as AddressInfo).port}`;
    try {
      const { code, stdout, stderr } = await finished(
        spawnEntry('scripts/start.ts', [], {
          NOTIFY_WECOM_URL: `${realUrl}/cgi-bin/webhook/send?key=real-group-key`,
          NOTIFY_WEBHOOK_URL: `${realUrl}/hook`,
          NOTIFY_WEBHOOK_SECRET: 'real-webhook-secret-0123456789',
          BSS_ENDPOINT: realUrl,
          STS_ENDPOINT: realUrl,
        }),
      );
      expect(reached).toEqual([]);
      expect(code, stderr).toBe(0);
      expect(stdout).toMatch(/Not taken from this shell.*NOTIFY_WECOM_URL/);
      expect(stdout).not.toContain('real-group-key');
      expect(stdout).not.toContain('real-webhook-secret');
    } finally {
      await new Promise<void>((resolve) => real.close(() => resolve()));
    }
  }, 60_000);

  // README "Quick start": "from the shell they take only the policy (`REDEEM_*`, `NOTIFY_ON`)". A person who
  // exports REDEEM_MODE=dry-run, or a cap, before trying the demo sees what that policy does.
  it("takes the shell's policy: REDEEM_MODE=dry-run makes the demo a dry run, and its REDEEM_MAX_PER_RUN holds", async () => {
    const { code, stdout, stderr } = await finished(spawnEntry('scripts/start.ts', [], { REDEEM_MODE: 'dry-run', REDEEM_MAX_PER_RUN: '2' }));
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/Run [0-9a-f-]+ \(dry-run, timer\): completed/);
    expect(stdout).toContain('21 in redemption: 2 would-redeem, 19 skipped');
    expect(stdout).toContain('Taken from this shell (the policy): REDEEM_MAX_PER_RUN, REDEEM_MODE');
    // Only the demo's order "from an earlier run".
    expect(stdout).toContain('The emulator now holds 1 redeem tasks');
  }, 60_000);

  // The shell's policy is the function's configuration: a bad value fails the handler as on FC. The demo
  // says so in one line naming the variable (README "Configuration"), not with Node's uncaught-exception dump.
  it('a bad policy value in the shell: one line naming the variable, the run record, exit 1', async () => {
    const { code, stdout, stderr } = await finished(spawnEntry('scripts/start.ts', [], { REDEEM_MAX_PER_DAY: 'ten' }));
    expect(code).toBe(1);
    expect(stderr).not.toMatch(/node:internal|triggerUncaughtException|\n\s+at /);
    expect(`${stdout}${stderr}`).toMatch(/The handler failed: Invalid configuration: REDEEM_MAX_PER_DAY: expected a whole number/);
    expect(stdout).toMatch(/"kind":"run".*"outcome":"failed".*"error_code":"bad-configuration"/);
  }, 60_000);
});

