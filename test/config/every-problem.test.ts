/**
 * README "Configuration": bad configuration "fails with one message that names each variable and what is
 * wrong with it". A person deploying fixes what the message (the doctor's config check, /healthz, the
 * run's error) names and deploys again: every bad variable must be named the first time, not one layer
 * at a time. And the doctor, which goes on with "the defaults for what was wrong", must keep what was
 * right: the site and endpoint it reads the account at.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../shared/config/config.js';
import { buildDoctorPorts } from '../../shared/doctor/wire.js';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems.map((p) => p.variable);
  }
  throw new Error('expected a ConfigError');
}

describe('a configuration with several bad variables', () => {
  it('names every one of them at once: a typo in a number, live with no allow-list, a bad NOTIFY_ON, prices that are not JSON', () => {
    const named = problemsOf({ REDEEM_MAX_PER_RUN: 'ten', REDEEM_MODE: 'live', NOTIFY_ON: 'sometimes', REDEEM_PRICES: '{com:1}' });
    expect(named.sort()).toEqual(['NOTIFY_ON', 'REDEEM_DOMAINS', 'REDEEM_MAX_PER_RUN', 'REDEEM_PRICES']);
  });

  it('names a variable once, for what is wrong with its value (an SLS endpoint that is no URL is not also "required together")', () => {
    const named = problemsOf({ SLS_ENDPOINT: 'http://', SLS_PROJECT: 'audit', SLS_LOGSTORE: 'results', REDEEM_WITHIN_DAYS: 'soon' });
    expect(named.sort()).toEqual(['REDEEM_WITHIN_DAYS', 'SLS_ENDPOINT']);
  });

  it('the doctor reads the account at the site and endpoint that were set right, whatever else was wrong', () => {
    const ports = buildDoctorPorts({ env: { REDEEM_MAX_PER_RUN: 'ten', DOMAIN_SITE: 'cn' }, credentials: undefined, source: undefined });
    expect(ports.site).toBe('cn');
    expect(ports.configProblems).toEqual([expect.stringMatching(/^REDEEM_MAX_PER_RUN: /)]);
  });
});

describe('a variable with several problems', () => {
  it('keeps each of them (two bad keys of REDEEM_TLD_RULES are both named), next to another bad variable', () => {
    let message = '';
    try {
      loadConfig({ REDEEM_TLD_RULES: '{"*.xyz":{"graceDays":30,"redemptionDays":29},"*.top":{"graceDays":30,"redemptionDays":29}}', REDEEM_MAX_PER_DAY: 'x' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('REDEEM_MAX_PER_DAY');
    expect(message).toContain('*.xyz');
    expect(message).toContain('*.top');
  });
});

describe('a bad variable that others refer to', () => {
  // Each round drops the variables named so far; a variable that is right, read beside a dropped one, was
  // then named for the absence of what the person had set (wrongly): they would remove a right value.
  it('names no variable that was set right: a bad NOTIFY_DINGTALK_URL does not make its secret "set without the URL"', () => {
    expect(problemsOf({ NOTIFY_DINGTALK_URL: 'ftp://oapi.dingtalk.com/robot/send', NOTIFY_DINGTALK_SECRET: 'SEC0123456789abcdef' })).toEqual(['NOTIFY_DINGTALK_URL']);
  });

  it('names no variable that was set right: bad REDEEM_ACCOUNTS does not make REDEEM_EXTERNAL_ID "set, but REDEEM_ACCOUNTS is not"', () => {
    expect(problemsOf({ REDEEM_ACCOUNTS: 'acs:ram::nope', REDEEM_EXTERNAL_ID: 'ext-id-1' })).toEqual(['REDEEM_ACCOUNTS']);
  });

  it('the doctor keeps the site that was set right when the one bad variable is an SLS endpoint', () => {
    const ports = buildDoctorPorts({ env: { SLS_ENDPOINT: 'ftp://cn-hangzhou.log.aliyuncs.com', SLS_PROJECT: 'audit', SLS_LOGSTORE: 'results', DOMAIN_SITE: 'cn' }, credentials: undefined, source: undefined });
    expect(ports.configProblems).toEqual([expect.stringMatching(/^SLS_ENDPOINT: /)]);
    expect(ports.site).toBe('cn');
  });
});
