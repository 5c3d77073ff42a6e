/**
 * Credentials from the environment with a character no HTTP header may carry (a line break copied with
 * the token from a file or a secret store): Node refuses the header before connecting, so every call failed
 * as "network error ERR_INVALID_CHAR", was asked again eight times, and a submission that certainly never
 * left became "outcome unknown". The fault is the variable's, and the person is told which one.
 */
import { describe, expect, it } from 'vitest';
import { credentialsFromEnv, resolveCredentials } from '../../shared/config/index.js';

const good = { ALIBABA_CLOUD_ACCESS_KEY_ID: 'STS.NSomeKeyId', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'SomeSecret0123', ALIBABA_CLOUD_SECURITY_TOKEN: 'CAIS/token+part/2==' };

describe('credentials with whitespace or control characters', () => {
  for (const [variable, value] of [
    ['ALIBABA_CLOUD_SECURITY_TOKEN', `${good.ALIBABA_CLOUD_SECURITY_TOKEN}\n`],
    ['ALIBABA_CLOUD_ACCESS_KEY_ID', `${good.ALIBABA_CLOUD_ACCESS_KEY_ID}\r\n`],
    ['ALIBABA_CLOUD_ACCESS_KEY_SECRET', ` ${good.ALIBABA_CLOUD_ACCESS_KEY_SECRET}`],
  ] as const) {
    it(`${variable} with ${JSON.stringify(value.replace(/[A-Za-z0-9/+=.]+/, '…'))}: refused at once, naming the variable and never its value`, () => {
      let thrown: unknown;
      try {
        resolveCredentials(credentialsFromEnv({ ...good, [variable]: value }));
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(Error);
      expect(thrown).toMatchObject({ code: 'bad-configuration' });
      const message = String((thrown as Error).message);
      expect(message).toContain(variable);
      expect(message).not.toContain(value.trim());
    });
  }

  it('clean credentials pass as they are', () => {
    expect(resolveCredentials(credentialsFromEnv(good))).toEqual({ accessKeyId: good.ALIBABA_CLOUD_ACCESS_KEY_ID, accessKeySecret: good.ALIBABA_CLOUD_ACCESS_KEY_SECRET, securityToken: good.ALIBABA_CLOUD_SECURITY_TOKEN });
  });
});

describe('the doctor with such a credential', () => {
  it('says which variable holds the line break, not "none found" nor a network error', async () => {
    const { runCli } = await import('../support/emulator.js');
    const { code, out } = await runCli({ url: 'http://127.0.0.1:9' }, ['doctor'], { ALIBABA_CLOUD_SECURITY_TOKEN: 'CAIS/token+part/2==\n' });
    expect(code).not.toBe(0);
    expect(out).toContain('ALIBABA_CLOUD_SECURITY_TOKEN holds whitespace or a control character');
    expect(out).not.toContain('none found');
    expect(out).not.toContain('CAIS/token+part/2==');
  });
});
