import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../shared/config/config.js';
import { matchesAny, parsePatternList } from '../../shared/config/domain-patterns.js';

function error(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('defaults: dry-run, 7 days, 10 per run, 20 per day, intl, no SLS', () => {
    expect(loadConfig({})).toMatchObject({ mode: 'dry-run', allow: undefined, exclude: [], withinDays: 7, maxPerRun: 10, maxPerDay: 20, site: 'intl', sls: undefined });
  });

  it('an empty variable counts as unset', () => {
    expect(loadConfig({ REDEEM_MODE: '', REDEEM_MAX_PER_RUN: ' ' })).toMatchObject({ mode: 'dry-run', maxPerRun: 10 });
  });

  it('REDEEM_SUBMIT_CONCURRENCY: auto by default, or 1 to 8; anything else is refused by name', () => {
    expect(loadConfig({}).submitConcurrency).toBe('auto');
    expect(loadConfig({ REDEEM_SUBMIT_CONCURRENCY: ' auto ' }).submitConcurrency).toBe('auto');
    expect(loadConfig({ REDEEM_SUBMIT_CONCURRENCY: '1' }).submitConcurrency).toBe(1);
    expect(loadConfig({ REDEEM_SUBMIT_CONCURRENCY: '8' }).submitConcurrency).toBe(8);
    for (const bad of ['0', '9', '2.5', 'many', '-1']) {
      expect(error({ REDEEM_SUBMIT_CONCURRENCY: bad })).toContain(`REDEEM_SUBMIT_CONCURRENCY: expected "auto" or a whole number from 1 to 8, got "${bad}"`);
    }
  });

  it('REDEEM_API_QPS: 1 to 1000, with one message for 0 and for text alike', () => {
    expect(loadConfig({}).apiQps).toBe(20);
    expect(loadConfig({ REDEEM_API_QPS: '1' }).apiQps).toBe(1);
    for (const bad of ['0', '00', 'abc', '1001']) expect(error({ REDEEM_API_QPS: bad })).toContain(`REDEEM_API_QPS: expected a whole number from 1 to 1000, got "${bad}"`);
  });

  it('live mode without an allow-list is refused, naming REDEEM_DOMAINS', () => {
    expect(error({ REDEEM_MODE: 'live' })).toMatch(/REDEEM_DOMAINS: required when REDEEM_MODE=live/);
    expect(loadConfig({ REDEEM_MODE: 'live', REDEEM_DOMAINS: '*' }).mode).toBe('live');
  });

  // The switch that makes orders is never guessed: REDEEM_WATCH_RENEWALS takes "TRUE" (a wrong guess there
  // reads a list), but "LIVE" read as live would order for someone who may have meant to try the spelling.
  it('REDEEM_MODE in another case or spelling is refused naming the variable and the two values, never read as live', () => {
    for (const mode of ['LIVE', 'Live', 'Dry-Run', 'dryrun']) {
      expect(error({ REDEEM_MODE: mode, REDEEM_DOMAINS: '*' })).toBe(`Invalid configuration: REDEEM_MODE: expected "dry-run" or "live", got "${mode}"`);
    }
    expect(loadConfig({ REDEEM_MODE: ' live ', REDEEM_DOMAINS: '*' }).mode).toBe('live');
  });

  it('names every bad variable in one message', () => {
    const message = error({ REDEEM_MODE: 'yolo', REDEEM_MAX_PER_RUN: 'ten', REDEEM_WITHIN_DAYS: '-1', DOMAIN_SITE: 'eu' });
    expect(message).toContain('REDEEM_MODE: expected "dry-run" or "live", got "yolo"');
    expect(message).toContain('REDEEM_MAX_PER_RUN: expected a whole number from 0 to 100000, got "ten"');
    expect(message).toContain('REDEEM_WITHIN_DAYS');
    expect(message).toContain('DOMAIN_SITE');
  });

  it('TLD rules that are not JSON, or of the wrong shape, get a clear message', () => {
    expect(error({ REDEEM_TLD_RULES: '{com: 30}' })).toMatch(/REDEEM_TLD_RULES: is not JSON; expected e\.g\./);
    expect(error({ REDEEM_TLD_RULES: '{"com":{"graceDays":"30","redemptionDays":29}}' })).toMatch(/REDEEM_TLD_RULES: rules\.com\.graceDays: expected number/);
    expect(error({ REDEEM_TLD_RULES: '{"com":{"graceDays":30,"redemptionDays":29,"extra":1}}' })).toMatch(/unknown field extra/);
  });

  it('a TLD rule key that is no TLD or suffix, or names the same TLD as another key, is refused by name (never silently unused)', () => {
    // "*.xyz" would never match a domain: xyz would keep the assumed 30 + 14 days the user meant to replace.
    expect(error({ REDEEM_TLD_RULES: '{"*.xyz":{"graceDays":0,"redemptionDays":5}}' })).toMatch(/REDEEM_TLD_RULES: "\*\.xyz" is not a TLD or suffix/);
    expect(error({ REDEEM_TLD_RULES: '{"x yz":{"graceDays":0,"redemptionDays":5}}' })).toMatch(/REDEEM_TLD_RULES: "x yz" is not a TLD or suffix/);
    // "*" is REDEEM_PRICES' key for every other TLD; no rule is looked up under it, so it would be silently unused.
    expect(error({ REDEEM_TLD_RULES: '{"*":{"graceDays":30,"redemptionDays":60}}' })).toMatch(/REDEEM_TLD_RULES: "\*" is not a TLD or suffix/);
    // Two spellings of one TLD: which of the two rules applies would depend on the key order.
    expect(error({ REDEEM_TLD_RULES: '{"com":{"graceDays":1,"redemptionDays":1},".COM":{"graceDays":30,"redemptionDays":29}}' })).toMatch(/REDEEM_TLD_RULES: "\.COM" names the same TLD as another key \(com\)/);
    // The same key twice: JSON.parse keeps the last rule without a word (REDEEM_PRICES refuses the same).
    expect(error({ REDEEM_TLD_RULES: '{"com":{"graceDays":1,"redemptionDays":1},"com":{"graceDays":30,"redemptionDays":29}}' })).toMatch(/REDEEM_TLD_RULES: "com" is written twice/);
  });

  it('TLD overrides take Unicode or xn-- keys and replace the built-in entry', () => {
    const { tldRules } = loadConfig({ REDEEM_TLD_RULES: '{"中国":{"graceDays":1,"redemptionDays":2},".COM":{"graceDays":3,"redemptionDays":4}}' });
    expect(tldRules['xn--fiqs8s']).toEqual({ graceDays: 1, redemptionDays: 2 });
    expect(tldRules.com).toEqual({ graceDays: 3, redemptionDays: 4 });
    expect(tldRules.net).toEqual({ graceDays: 30, redemptionDays: 29 });
  });

  it('a domain list with junk entries names the entry', () => {
    expect(error({ REDEEM_DOMAINS: 'example.com, not a domain ,*.net' })).toMatch(/REDEEM_DOMAINS: "not a domain" is not a domain name/);
    expect(error({ REDEEM_EXCLUDE: '*.' })).toMatch(/REDEEM_EXCLUDE: "\*\." is not a valid pattern/);
    expect(error({ REDEEM_DOMAINS: ',,' })).toMatch(/REDEEM_DOMAINS: no pattern in the list/);
  });

  it('SLS variables come together', () => {
    expect(error({ SLS_PROJECT: 'p-1' })).toMatch(/SLS_ENDPOINT: required together.*SLS_LOGSTORE: required together/);
    expect(loadConfig({ SLS_ENDPOINT: 'cn-hangzhou.log.aliyuncs.com', SLS_PROJECT: 'audit-1', SLS_LOGSTORE: 'redeem' }).sls).toEqual({
      endpoint: 'https://cn-hangzhou.log.aliyuncs.com',
      project: 'audit-1',
      logstore: 'redeem',
    });
  });

  it('never echoes the webhook secret', () => {
    expect(loadConfig({ WEBHOOK_SECRET: 's3cret' }).webhookSecret).toBe('s3cret');
    expect(error({ WEBHOOK_SECRET: 's3cret', REDEEM_MODE: 'x' })).not.toContain('s3cret');
  });
});

describe('patterns', () => {
  it('exact, suffix and all; IDN names compare in punycode', () => {
    const patterns = parsePatternList('Example.COM., *.com.cn, 例子.中国');
    expect(matchesAny('example.com', patterns)).toBe(true);
    expect(matchesAny('shop.com.cn', patterns)).toBe(true);
    expect(matchesAny('com.cn', patterns)).toBe(false);
    expect(matchesAny('xn--fsqu00a.xn--fiqs8s', patterns)).toBe(true);
    expect(matchesAny('example.net', patterns)).toBe(false);
    expect(matchesAny('anything.org', parsePatternList('*'))).toBe(true);
    expect(matchesAny('a.com', parsePatternList('*.com'))).toBe(true);
  });

  it('a pattern with URL parts, a percent escape or an IP address is refused, never cut down to a host', () => {
    for (const bad of ['b.com/a.com', 'a.com/', 'a.com?x', 'a.com#x', 'shop%2ecom', '10.0.0.1', '*.com/x']) expect(() => parsePatternList(bad), bad).toThrow(/is not a (domain name|valid pattern)/);
  });

  it('patterns on separate lines (a YAML block in s.yaml) or apart by spaces: refused, saying to separate them with commas', () => {
    for (const list of ['a.com\nb.com', 'a.com b.com', '*.com\r\n*.net']) {
      const message = error({ REDEEM_DOMAINS: list });
      expect(message, JSON.stringify(list)).toContain('separate patterns with commas');
      expect(message).not.toContain('a URL or a secret');
    }
  });

  it('a suffix pattern may end in a dot, as a name may (the root, as DNS writes it)', () => {
    expect(parsePatternList('*.com., *.COM.CN.')).toEqual([{ kind: 'suffix', suffix: 'com' }, { kind: 'suffix', suffix: 'com.cn' }]);
    expect(() => parsePatternList('*.')).toThrow(/"\*\." is not a valid pattern/);
  });
});
