/**
 * Flag values a person can type that Number() reads as something else than they wrote: --budget-seconds
 * takes digits only, as every whole-number variable does (REDEEM_MAX_PER_RUN and the others:
 * config.ts wholeNumber), so "0x3c" (60 in hex), "1e3", "+60", "60.0" and "0b111100" are refused naming the
 * flag and echoing the value, not run for a budget nobody wrote; spaces around digits (a quoted value) are
 * trimmed, as the variables' are. Refused before the configuration is loaded or anything is asked.
 */
import { describe, expect, it } from 'vitest';
import { offlineCli as cli } from '../support/offline-cli.js';


describe('--budget-seconds', () => {
  it.each(['0x3c', '1e3', '+60', '60.0', '0b111100', '0o74', '6e1', '١٢٠'])('%s is refused, naming the flag and the value', async (value) => {
    const { code, first, out } = await cli(['run', '--budget-seconds', value]);
    expect(first).toBe(`redeemer: --budget-seconds must be a whole number of seconds from 10 to 86400 (digits only), got "${value}"`);
    expect(code).toBe(2);
    expect(out).toBe('');
  });

  it.each(['', '  ', '9', '86401', '-60'])('%j is refused as out of range or empty', async (value) => {
    const { code, first } = await cli(['run', `--budget-seconds=${value}`]);
    expect(first).toMatch(/^redeemer: --budget-seconds must be a whole number of seconds from 10 to 86400 \(digits only\), got /);
    expect(code).toBe(2);
  });
});

/**
 * A flag given twice: node's parseArgs keeps the last in silence, so `run --mode dry-run --mode live` ran
 * live and `--domains a.com --domains b.net` looked at b.net alone. Refused naming the flag, as the
 * function refuses an event that names a field twice ({"mode":"dry-run",…,"mode":"live"} orders).
 */
describe('a flag that takes a value, given twice', () => {
  it.each([
    ['--mode', ['run', '--mode', 'dry-run', '--mode', 'live']],
    ['--domains', ['plan', '--domains', 'a.com', '--domains=b.net']],
    ['--reason', ['run', '--reason', 'a', '--reason', 'b']],
    ['--budget-seconds', ['run', '--budget-seconds', '60', '--budget-seconds', '600']],
    ['--accounts', ['plan', '--accounts', 'rd:a', '--accounts', 'rd:b']],
  ] as Array<[string, string[]]>)('%s: refused naming it, nothing run', async (flag, args) => {
    const { code, first, out } = await cli(args);
    expect(first).toBe(`redeemer: ${flag} is given twice; give it once${flag === '--domains' || flag === '--accounts' ? ', the values separated by commas' : ''}`);
    expect(code).toBe(2);
    expect(out).toBe('');
  });

  it('a switch given twice (--json --json) is still taken', async () => {
    const { first } = await cli(['plan', '--json', '--json', '--budget-seconds', 'x']);
    expect(first).toMatch(/^redeemer: --budget-seconds must be/);
  });
});
