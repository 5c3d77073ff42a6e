import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../emulator/server.js';
import { startEmulator, runCli } from '../support/emulator.js';

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ domains: 80, seed: 4, taskTiming: { waitingMs: 50, executingMs: 50 } });
});
afterAll(() => emulator.close());

const cli = (args: string[], env: Record<string, string> = {}) => runCli(emulator, args, env);

describe('redeemer CLI', () => {
  it('plan is a dry run: a table, a summary, exit 0, nothing ordered', async () => {
    const { code, out } = await cli(['plan']);
    expect(code).toBe(0);
    expect(out).toMatch(/^DOMAIN\s+TLD\s+EXPIRY \(UTC\)\s+DEADLINE \(EST\., UTC\)\s+DAYS LEFT\s+DECISION\s+REASON\s+OUTCOME\s+TASK/);
    expect(out).toContain('would-redeem');
    expect(out).toMatch(/Run [0-9a-f-]+ \(dry-run, cli\): completed/);
    expect(emulator.domain.tasks).toHaveLength(0);
  });

  it('run --json prints only JSON on stdout: the summary as one line; the table goes to stderr', async () => {
    const { code, out, err } = await cli(['run', '--json']);
    expect(code).toBe(0);
    expect(out.endsWith('\n')).toBe(true);
    expect(out.trimEnd().split('\n')).toHaveLength(1);
    const summary = JSON.parse(out);
    expect(summary.run).toMatchObject({ kind: 'run', mode: 'dry-run', trigger: 'cli', outcome: 'completed' });
    expect(Array.isArray(summary.decisions)).toBe(true);
    expect(err).toMatch(/^DOMAIN\s+TLD/);
    expect(err).toMatch(/Run [0-9a-f-]+ \(dry-run, cli\): completed/);
  });

  it('--records writes each record as a JSON line on stdout, as the function does; the table goes to stderr', async () => {
    const { code, out, err } = await cli(['plan', '--records']);
    expect(code).toBe(0);
    const records = out.trimEnd().split('\n').map((line) => JSON.parse(line));
    const run = records.at(-1);
    expect(run).toMatchObject({ kind: 'run', mode: 'dry-run', outcome: 'completed' });
    expect(records[0]).toMatchObject({ kind: 'run', outcome: 'started', run_id: run.run_id });
    expect(records.slice(1, -1).every((r) => (r.kind === 'decision' || r.kind === 'watch') && r.run_id === run.run_id)).toBe(true);
    expect(records.filter((r) => r.kind === 'decision')).toHaveLength(run.candidates);
    expect(records.filter((r) => r.kind === 'watch')).toHaveLength(run.watched);
    expect(err).toMatch(/^DOMAIN\s+TLD/);
  });

  it('"every record is on stdout" after an SLS failure only when it is true', async () => {
    const sls = { SLS_ENDPOINT: emulator.url, SLS_PROJECT: 'cli-test', SLS_LOGSTORE: 'results' };
    emulator.faults.add({ kind: 'sls-down' });
    try {
      const bare = await cli(['plan'], sls);
      expect(bare.out).toMatch(/SLS: DELIVERY FAILED/);
      expect(bare.out).not.toMatch(/every record is on stdout/);
      expect(bare.out).toMatch(/--records/);
      const records = await cli(['plan', '--records'], sls);
      expect(records.err).toMatch(/SLS: DELIVERY FAILED .*; every record is on stdout/);
      expect(records.out.trimEnd().split('\n').at(-1)).toMatch(/"kind":"run"/);
    } finally {
      emulator.faults.clear();
    }
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

  it('the table shows the error code of a failed order in its ERROR column, beside the task number', async () => {
    emulator.faults.add({ kind: 'task-fail', count: 1 });
    const { code, out } = await cli(['run', '--mode', 'live'], { REDEEM_DOMAINS: '*', REDEEM_MAX_PER_RUN: '1' });
    expect(code).toBe(1);
    const [header, , ...rows] = out.split('\n');
    expect(header).toMatch(/\bTASK\s+ERROR$/);
    const failed = rows.find((row) => /\sfailed\s/.test(row));
    const task = emulator.domain.tasks.at(-1)!;
    expect(failed).toMatch(new RegExp(`\\s${task.taskNo}\\s+REGISTRY_REJECTED$`));
  });

  it('bad usage, bad configuration and missing credentials exit 2 with a message, never a stack trace', async () => {
    for (const [args, env, pattern] of [
      [['fly'], {}, /unknown command "fly"/],
      [['run', '--mode', 'maybe'], {}, /--mode must be dry-run or live/],
      [['run', '--bogus'], {}, /Unknown option '--bogus'/],
      [['plan'], { REDEEM_TLD_RULES: 'nope' }, /REDEEM_TLD_RULES: is not JSON/],
      [['plan', '--domains', 'ok.com,bad domain'], {}, /domains: not domain names: "bad domain"/],
      [['run', '--domains', ''], {}, /--domains names no domain/],
      // The flag the person typed is named, not the variable it stands in for (they set no REDEEM_ACCOUNTS).
      [['plan', '--accounts', 'bogus'], {}, /^redeemer: Invalid configuration: --accounts: not role ARNs of the form acs:ram::<account-id>:role\/<role-name>: "bogus"/],
      [['plan', '--domains', ' , '], {}, /--domains names no domain/],
      [['plan'], { ALIBABA_CLOUD_ACCESS_KEY_ID: '' }, /No credentials/],
    ] as Array<[string[], Record<string, string>, RegExp]>) {
      const { code, err } = await cli(args, env);
      expect(code, args.join(' ')).toBe(2);
      expect(err).toMatch(pattern);
      expect(err).not.toMatch(/\n\s+at /);
    }
  });

  // README "The CLI": `redeemer doctor [--json]` and `redeemer notify-test` take nothing else. An option
  // they ignored read as done: `doctor --accounts <arn>` checked no account (check 11 reads REDEEM_ACCOUNTS),
  // `doctor --domains a.com` looked at every domain, `notify-test --json` printed no JSON.
  it("an option the command does not take exits 2 naming the option, before anything is read or sent", async () => {
    for (const [args, option] of [
      [['doctor', '--accounts', 'acs:ram::1234567890123456:role/domain-redeemer'], '--accounts'],
      [['doctor', '--domains', 'a.com'], '--domains'],
      [['doctor', '--mode', 'live'], '--mode'],
      [['doctor', '--records'], '--records'],
      [['notify-test', '--json'], '--json'],
      [['notify-test', '--reason', 'x'], '--reason'],
    ] as Array<[string[], string]>) {
      const calls = emulator.calls.length;
      const { code, out, err } = await cli(args);
      expect(code, args.join(' ')).toBe(2);
      expect(err, args.join(' ')).toMatch(new RegExp(`^redeemer: ${args[0]} does not take ${option}\\b`));
      expect(out).toBe('');
      expect(emulator.calls.length, args.join(' ')).toBe(calls);
    }
  });
});

