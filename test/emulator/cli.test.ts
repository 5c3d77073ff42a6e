/** `npm run emulator`: its --help, and the environment it prints, pasted into a shell, is all a redeemer needs. */
import { execFileSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { main } from '../../shared/cli/main.js';
import { finished, spawnEntry } from '../support/spawn.js';
import { EMULATOR_OPTIONS } from './cli-usage.js';
import { FAULT_KINDS, parseFaultSpec } from './faults.js';

/** Everything the emulator prints on start, up to its last line ("Ctrl-C to stop."). */
function banner(child: ChildProcessWithoutNullStreams): Promise<string> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`no start banner in 15 s; got: ${stdout}`)), 15_000);
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (!stdout.includes('Ctrl-C to stop.')) return;
      clearTimeout(timer);
      resolve(stdout);
    });
    child.on('close', () => reject(new Error(`the emulator ended before its banner; got: ${stdout}`)));
  });
}

describe('npm run emulator', () => {
  it('--help documents every option, the --faults grammar and every fault kind', async () => {
    const { code, stdout, stderr } = await finished(spawnEntry('test/emulator/cli.ts', ['--help']));
    expect(code).toBe(0);
    expect(stderr).toBe('');
    for (const name of Object.keys(EMULATOR_OPTIONS)) expect(stdout).toMatch(new RegExp(`^  --${name}\\b.*\\S`, 'm'));
    // Each option's argument stands apart from its help (the longest one ran into it: "@file>the domains").
    for (const line of stdout.split('\n').filter((l) => l.startsWith('  --'))) expect(line).toMatch(/^  --[a-z-]+(?: <[^>]*>)?(?: {2,}\S| *$)/);
    expect(stdout).toContain('kind[@Action][*count][%probability][+retryAfterMs]');
    for (const kind of FAULT_KINDS) expect(stdout).toMatch(new RegExp(`^    ${kind} +\\S`, 'm'));
    // The example in the help is one the parser accepts.
    const example = /--faults '([^']+)'/.exec(stdout)![1]!;
    expect(parseFaultSpec(example).length).toBeGreaterThan(1);
  });

  it('prints export lines that, pasted into a shell, point the CLI at it (Domain API and SLS)', async () => {
    const secret = "it's a secret";
    const child = spawnEntry('test/emulator/cli.ts', ['--domains', '30', '--seed', '3', '--access-key-id', 'cli-test-ak', '--access-key-secret', secret]);
    const done = finished(child);
    try {
      const stdout = await banner(child);
      const exports = stdout.split('\n').filter((line) => line.startsWith('export '));
      expect(exports.map((line) => /^export (\w+)=/.exec(line)![1]).sort()).toEqual(
        ['ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET', 'DOMAIN_ENDPOINT', 'SLS_ENDPOINT', 'SLS_LOGSTORE', 'SLS_PROJECT'],
      );
      const script = `${exports.join('\n')}\nnode -e 'process.stdout.write(JSON.stringify(process.env))'`;
      const env = JSON.parse(execFileSync('bash', ['-c', script], { env: { PATH: process.env.PATH ?? '' } }).toString()) as Record<string, string>;
      expect(env.ALIBABA_CLOUD_ACCESS_KEY_SECRET).toBe(secret);
      let out = '';
      const code = await main(['plan'], { env, out: (t) => (out += t), err: (t) => (out += t) });
      expect(out).toMatch(/dry-run, cli\): completed/);
      expect(out).toMatch(/^SLS: delivered$/m);
      expect(code).toBe(0);
    } finally {
      child.kill('SIGTERM');
    }
    expect((await done).code).toBe(0);
  });

  // README "Quick start" and "The emulator on its own" give these command lines to copy; each must start the
  // emulator (on a free port here, in place of the README's 8080).
  it("starts with every option line the README gives for it", async () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8').replace(/\\\n\s*/g, '');
    const lines = readme.split('\n').map((line) => (/^`npm run emulator -- ([^`]*)`/.exec(line.trim()) ?? /^npm run emulator -- (.*?)(?:\s+#.*)?$/.exec(line.trim()))?.[1]).filter((args): args is string => args !== undefined && !args.includes('--help'));
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) {
      // The shell's own word splitting of the line, quotes and all.
      const args = execFileSync('bash', ['-c', `printf '%s\\0' ${line}`]).toString().split('\0').slice(0, -1);
      const port = args.indexOf('--port');
      if (port >= 0) args[port + 1] = '0';
      const child = spawnEntry('test/emulator/cli.ts', args);
      const done = finished(child);
      const started = await banner(child).catch((error: Error) => `not started: ${error.message}`);
      child.kill('SIGTERM');
      const { stderr } = await done;
      expect(started, `npm run emulator -- ${line}: ${stderr}`).toMatch(/^emulator listening on http:\/\/127\.0\.0\.1:\d+ \(/);
    }
  }, 60_000);

  // README "The emulator on its own": `--deny QueryTaskList,QueryAccountBalance` answers Forbidden. A
  // misspelt action (QueryTaskLis) was taken and denied nothing, and the person tested a permission that
  // was never taken away; the same for --latency-ms, --qps and --faults '@Action'.
  it('an action name it does not answer, in --deny, --latency-ms, --qps or --faults, exits 2 naming the option and the name', async () => {
    for (const [option, value] of [
      ['--deny', 'QueryTaskList,QueryTaskLis'],
      ['--latency-ms', '150,QueryDomainLis=300'],
      ['--qps', '50,QuerytaskList=5'],
      ['--faults', 'throttle@SaveSingleTaskForCreatingOrderRedem'],
    ] as const) {
      const child = spawnEntry('test/emulator/cli.ts', ['--port', '0', option, value]);
      // One that took the name starts and keeps running: stopped, it fails below on its exit code.
      const timer = setTimeout(() => child.kill('SIGTERM'), 8_000);
      const { code, stderr } = await finished(child);
      clearTimeout(timer);
      expect(code, `${option} ${value}: ${stderr}`).toBe(2);
      expect(stderr).toMatch(new RegExp(`^emulator: ${option}: no such action "(QueryTaskLis|QueryDomainLis|QuerytaskList|SaveSingleTaskForCreatingOrderRedem)"`));
    }
  }, 60_000);
});

