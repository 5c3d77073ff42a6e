/**
 * An STS AccessKey (STS.…) without its security token cannot sign (README "Configuration": a set counts
 * only when it can sign). The run says which variable to set (MissingCredentialsError names
 * ALIBABA_CLOUD_SECURITY_TOKEN); the doctor, asked exactly to say what a person must fix, said "none found
 * in … ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET" to a person who had set both, and told them to give the
 * function a role. Driven through the handler's doctor action, as `s invoke -e '{"action":"doctor"}'`
 * on a function without a role, and through the CLI's path (credentialsOrProblem, checkCredentials).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { credentialsFromEnv, credentialsOrProblem } from '../../shared/config/credentials.js';
import { checkCredentials } from '../../shared/doctor/checks.js';
import { captureStdio, fcContext } from '../support/fc.js';

const KEY = { ALIBABA_CLOUD_ACCESS_KEY_ID: 'STS.NTexampleAccessKeyId', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'exampleAccessKeySecretValue0123' };
const saved = { ...process.env };
afterEach(() => {
  vi.restoreAllMocks();
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
});

describe('the doctor, given an STS key without its token', () => {
  it('the CLI path: names ALIBABA_CLOUD_SECURITY_TOKEN as what to set, not "none found", not whitespace', () => {
    const { credentials, problem, fix } = credentialsOrProblem(undefined, credentialsFromEnv(KEY));
    expect(credentials).toBeUndefined();
    const check = checkCredentials({ credentials: { source: undefined, securityToken: false, problem, fix } });
    expect(check.status).toBe('fail');
    expect(check.detail).toContain('ALIBABA_CLOUD_SECURITY_TOKEN');
    expect(check.detail).not.toMatch(/none found/);
    expect(check.fix).toContain('ALIBABA_CLOUD_SECURITY_TOKEN');
    expect(check.fix).not.toMatch(/whitespace/);
    expect(`${check.detail} ${check.fix}`).not.toContain(KEY.ALIBABA_CLOUD_ACCESS_KEY_SECRET);
  });

  it('the doctor action of a function without a role (context credentials {}): the same', async () => {
    for (const key of Object.keys(process.env)) if (/^(REDEEM_|DOMAIN_|SLS_|WEBHOOK_|NOTIFY_|ALIBABA_CLOUD_)/.test(key)) delete process.env[key];
    Object.assign(process.env, KEY);
    const stdio = captureStdio();
    vi.resetModules();
    const { handler } = await import('../../functions/redeem/index.js');
    const report = (await handler(Buffer.from('{"action":"doctor"}'), fcContext({ credentials: {} }))) as unknown as { checks: Array<{ id: string; detail: string; fix?: string }> };
    const check = report.checks.find((c) => c.id === 'credentials')!;
    expect(check.detail).toContain('ALIBABA_CLOUD_SECURITY_TOKEN');
    expect(check.fix).toContain('ALIBABA_CLOUD_SECURITY_TOKEN');
    expect(stdio.text).not.toContain(KEY.ALIBABA_CLOUD_ACCESS_KEY_SECRET);
  });
});
