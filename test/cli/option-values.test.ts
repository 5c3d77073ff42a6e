/**
 * A bad value of --reason or --domains is the flag's: the message names the flag the person typed (not the
 * run option "domains" of an event they never wrote) and says what it takes; exit 2, no stack, nothing read.
 * main() refuses these before it loads the configuration or asks the registrar (no endpoint is reachable here).
 */
import { describe, expect, it } from 'vitest';
import { offlineCli as cli } from '../support/offline-cli.js';


describe('--domains and --reason values the run options refuse', () => {
  it.each([
    ['a name that is no domain', ['plan', '--domains', 'ok.com,bad domain'], /^redeemer: --domains: not domain names: "bad domain"; expected domain names separated by commas, such as a\.com,b\.net$/],
    ['a name too long', ['plan', '--domains', `${'a'.repeat(250)}.com`], /^redeemer: --domains: name 1 must be at most 253 characters; expected domain names separated by commas, such as a\.com,b\.net$/],
    ['too many names', ['plan', '--domains', Array.from({ length: 1001 }, (_, i) => `d${i}.com`).join(',')], /^redeemer: --domains: must be at most 1000 items; expected domain names separated by commas, such as a\.com,b\.net$/],
    ['a reason too long', ['run', '--reason', 'x'.repeat(501)], /^redeemer: --reason: must be at most 500 characters; expected a short text saying why the run was started$/],
  ] as Array<[string, string[], RegExp]>)('%s', async (_name, args, pattern) => {
    const { code, out, first, err } = await cli(args);
    expect(first).toMatch(pattern);
    expect(err).not.toMatch(/Invalid run options/);
    expect(err).not.toMatch(/\n\s+at /);
    expect(code).toBe(2);
    expect(out).toBe('');
  });
});
