/** The `redeemer` process itself: its streams, as a shell pipeline treats them. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../emulator/server.js';
import { EMULATOR_CREDENTIALS, startEmulator } from '../support/emulator.js';
import { finished, spawnEntry } from '../support/spawn.js';

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ domains: 400, seed: 11 });
});
afterAll(() => emulator.close());

/** Runs shared/cli/bin.ts from source; `closeStdout` closes the reading end of its stdout at once, as `| head -1` does. */
function redeemer(args: string[], options: { closeStdout?: boolean } = {}) {
  const child = spawnEntry('shared/cli/bin.ts', args, {
    DOMAIN_ENDPOINT: emulator.url,
    ALIBABA_CLOUD_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: EMULATOR_CREDENTIALS.accessKeySecret,
  });
  if (options.closeStdout) child.stdout.destroy();
  return finished(child);
}

describe('redeemer process', () => {
  it('prints the table on stdout', async () => {
    const { code, stdout, stderr } = await redeemer(['plan']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^DOMAIN\s+TLD/);
    expect(stderr).toBe('');
  });

  it('a reader that goes away (redeemer plan | head -1) ends it quietly, with the exit code of the run', async () => {
    const { code, stderr } = await redeemer(['plan'], { closeStdout: true });
    expect(stderr).not.toMatch(/EPIPE|\n\s+at /);
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});
