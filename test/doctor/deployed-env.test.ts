/**
 * The doctor's 4 KB check (FC: "the total size of all environment variables cannot exceed 4 KB", reference
 * function-compute.md section 5 and Limits) measures the environment FC gets: s.yaml's environmentVariables
 * as `s deploy` resolves them (every variable s.yaml names, an unset one with its default), not the CLI's
 * own variables. Measured from the CLI's, a shell whose values fit passed a deploy that did not (s.yaml's
 * 36 names and defaults are about 850 bytes more), and a variable of the shell that s.yaml does not deploy
 * (REDEEM_ROLE_ARN, read by `s deploy` itself) counted as if it were.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { deployedVariables, readDeployedEnv } from '../../shared/cli/deployed-env.js';
import { main } from '../../shared/cli/main.js';

const temp = mkdtempSync(join(tmpdir(), 'redeemer-deployed-env-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** `redeemer doctor --json` with `env` and no credentials (nothing is asked of any API): its config check. */
async function configCheck(env: Record<string, string>): Promise<{ status: string; detail: string }> {
  let out = '';
  await main(['doctor', '--json'], { env: { TMPDIR: temp, DOMAIN_ENDPOINT: 'http://127.0.0.1:9', ...env }, out: (t) => (out += t), err: () => undefined });
  return JSON.parse(out).checks.find((c: { id: string }) => c.id === 'config');
}

/** A value of `bytes` characters for REDEEM_EXCLUDE: domain names separated by commas. */
const exclude = (bytes: number) => Array.from({ length: Math.ceil(bytes / 16) }, (_, i) => `x${String(i).padStart(10, '0')}.com`).join(',').slice(0, bytes).replace(/,?[^,]*$/, '.com');

describe("the doctor's 4 KB measure, from the CLI", () => {
  it('fails a shell whose own variables fit but whose deploy (every s.yaml variable with its default) does not', async () => {
    const value = exclude(3_400);
    expect(Buffer.byteLength(JSON.stringify({ REDEEM_EXCLUDE: value }))).toBeLessThan(4096);
    const check = await configCheck({ REDEEM_EXCLUDE: value });
    expect(check.status).toBe('fail');
    expect(check.detail).toMatch(/the function's variables total \d+ bytes \(as .*s\.yaml deploys it with this shell's variables\), above FC's 4096-byte limit/);
  });

  // Another tool's variable is named outside REDEEM_* / NOTIFY_*: an unknown REDEEM_* name is refused as a
  // likely typo (config/unknown-variables.test.ts), whatever its size.
  it("passes a shell with a long variable s.yaml does not deploy (REDEEM_ROLE_ARN, another tool's BUILD_NOTES)", async () => {
    const check = await configCheck({ REDEEM_ROLE_ARN: 'acs:ram::1234567890123456:role/domain-redeemer', BUILD_NOTES: 'n'.repeat(5_000) });
    expect(check.status).toBe('pass');
    expect(check.detail).toMatch(/^valid; environment [\d,]+ of 4,096 bytes \(as .*s\.yaml deploys it with this shell's variables\)$/);
  });
});

describe('deployedVariables', () => {
  const S_YAML = [
    'resources:',
    '  redeem:',
    '    component: fc3',
    '    props:',
    '      environmentVariables:',
    "        A: ${env('A', 'default-a')}",
    "        B: ${env('B')}",
    '        C: "${env(\'C\', \'x\')}-suffix"',
    '        D: 7',
    '        E:',
  ].join('\n');

  it('resolves env() from the shell, an unset or empty one with its default, and keeps literals', async () => {
    expect(await deployedVariables(S_YAML, {})).toEqual({ A: 'default-a', B: '', C: 'x-suffix', D: '7', E: '' });
    expect(await deployedVariables(S_YAML, { A: '', B: 'set-b', C: 'y' })).toEqual({ A: 'default-a', B: 'set-b', C: 'y-suffix', D: '7', E: '' });
  });

  it('an s.yaml that cannot be read: the shell\'s variables, and the report says why', async () => {
    const missing = await readDeployedEnv({}, { REDEEM_MODE: 'live' }, pathToFileURL(join(temp, 'no-such-s.yaml')));
    expect(missing).toMatchObject({ variables: { REDEEM_MODE: 'live' }, problem: expect.stringMatching(/no-such-s\.yaml could not be read \(ENOENT\)/) });
    const broken = join(temp, 'broken-s.yaml');
    writeFileSync(broken, 'resources: [unclosed');
    expect((await readDeployedEnv({}, {}, pathToFileURL(broken))).problem).toMatch(/broken-s\.yaml could not be read/);
  });
});
