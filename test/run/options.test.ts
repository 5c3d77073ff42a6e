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
});
