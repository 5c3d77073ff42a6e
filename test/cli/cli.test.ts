import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../shared/cli/main.js';
import type { Emulator } from '../emulator/server.js';
import { EMULATOR_CREDENTIALS, startEmulator } from '../support/emulator.js';

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ domains: 80, seed: 4, taskTiming: { waitingMs: 50, executingMs: 50 } });
});
afterAll(() => emulator.close());

async function cli(args: string[], env: Record<string, string> = {}) {
  let out = '';
  let err = '';
  const code = await main(args, {
    env: {
      DOMAIN_ENDPOINT: emulator.url,
      ALIBABA_CLOUD_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: EMULATOR_CREDENTIALS.accessKeySecret,
      ...env,
    },
    out: (t) => (out += t),
    err: (t) => (err += t),
  });
  return { code, out, err };
}

describe('redeemer CLI', () => {
  it('plan is a dry run: a table, a summary, exit 0, nothing ordered', async () => {
    const { code, out } = await cli(['plan']);
    expect(code).toBe(0);
    expect(out).toMatch(/^DOMAIN\s+TLD\s+EXPIRY\s+DEADLINE \(EST\.\)\s+DAYS LEFT\s+DECISION\s+REASON\s+OUTCOME\s+TASK/);
    expect(out).toContain('would-redeem');
    expect(out).toMatch(/Run [0-9a-f-]+ \(dry-run, cli\): completed/);
    expect(emulator.domain.tasks).toHaveLength(0);
  });

  it('run --json prints the summary as one JSON line, last', async () => {
    const { code, out } = await cli(['run', '--json']);
    expect(code).toBe(0);
    const last = JSON.parse(out.trimEnd().split('\n').at(-1)!);
    expect(last.run).toMatchObject({ kind: 'run', mode: 'dry-run', trigger: 'cli', outcome: 'completed' });
    expect(Array.isArray(last.decisions)).toBe(true);
  });

  it('--mode live needs REDEEM_DOMAINS: exit 2 with the variable named', async () => {
    const { code, err } = await cli(['run', '--mode', 'live']);
    expect(code).toBe(2);
    expect(err).toMatch(/REDEEM_DOMAINS: required when REDEEM_MODE=live/);
  });

  it('--domains narrows a live run to the named domains', async () => {
    const target = emulator.domain.domains.find((d) => d.domainStatus === 2 && d.phase === 'late-redemption')!;
    const { code, out } = await cli(['run', '--mode', 'live', '--domains', target.domainName], { REDEEM_DOMAINS: '*' });
    expect(code).toBe(0);
    expect(out).toContain('1 succeeded');
    expect(emulator.domain.tasks.map((t) => t.domainName)).toEqual([target.domainName]);
  });

  it('exit 1 when a submission failed', async () => {
    emulator.faults.add({ kind: 'reset', action: 'SaveSingleTaskForCreatingOrderRedeem', count: 1 });
    const { code, out } = await cli(['run', '--mode', 'live'], { REDEEM_DOMAINS: '*', REDEEM_MAX_PER_RUN: '2' });
    expect(code).toBe(1);
    expect(out).toContain('1 failed');
  });

  it('bad usage, bad configuration and missing credentials exit 2 with a message, never a stack trace', async () => {
    for (const [args, env, pattern] of [
      [['fly'], {}, /unknown command "fly"/],
      [['run', '--mode', 'maybe'], {}, /--mode must be dry-run or live/],
      [['run', '--bogus'], {}, /Unknown option '--bogus'/],
      [['plan'], { REDEEM_TLD_RULES: 'nope' }, /REDEEM_TLD_RULES: is not JSON/],
      [['plan', '--domains', 'ok.com,bad domain'], {}, /domains: not domain names: "bad domain"/],
      [['plan'], { ALIBABA_CLOUD_ACCESS_KEY_ID: '' }, /No credentials/],
    ] as Array<[string[], Record<string, string>, RegExp]>) {
      const { code, err } = await cli(args, env);
      expect(code, args.join(' ')).toBe(2);
      expect(err).toMatch(pattern);
      expect(err).not.toMatch(/\n\s+at /);
    }
  });
});
