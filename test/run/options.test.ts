import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/config/config.js';
import { parseRunOptions, narrow, RunOptionsError } from '../../shared/run/options.js';

describe('run options', () => {
  const live = loadConfig({ REDEEM_MODE: 'live', REDEEM_DOMAINS: '*' });
  const dry = loadConfig({});

  it('narrow: dry-run asked of a live function is honoured; live asked of a dry-run function is refused', () => {
    expect(narrow(live, parseRunOptions({ mode: 'dry-run' })).mode).toBe('dry-run');
    expect(narrow(live, parseRunOptions({})).mode).toBe('live');
    expect(() => narrow(dry, parseRunOptions({ mode: 'live' }))).toThrow(RunOptionsError);
  });

  it('unknown fields, wrong types and junk domains are refused by name', () => {
    expect(() => parseRunOptions({ mode: 'live', force: true })).toThrow(/unknown field force/);
    expect(() => parseRunOptions({ domains: 'a.com' })).toThrow(/domains: expected array/);
    expect(() => parseRunOptions({ domains: ['a.com', 'bad domain!'] })).toThrow(/domains: not domain names: "bad domain!"/);
  });

  // An empty list named no domain: the run looked at none of them ("not-requested" for each), exit 0, while
  // `"domains"?` left out takes every domain of the allow-list. A list built from an empty variable
  // (`--domains "$DOMAINS"`) is a mistake to name, as an empty `accounts` list already is.
  it('an empty domains list is refused by name, as an empty accounts list is', () => {
    expect(() => parseRunOptions({ domains: [] })).toThrow(/^Invalid run options: domains: .*names no domain/);
    expect(() => parseRunOptions({ accounts: [] })).toThrow(/accounts/);
  });
});

