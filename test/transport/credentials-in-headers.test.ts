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

/**
 * A character outside ASCII in the id or the token (a typographic quote or dash a document or a chat turned
 * it into, a letter of another script pasted with it): a header cannot carry it (Node refuses one above
 * U+00FF, and sends U+0080-U+00FF as Latin-1 bytes the signature was not computed over), so the run failed
 * deep in the transport, not at startup. Refused as the line break is, naming where it came from.
 */
describe('credentials with a character outside ASCII', () => {
  for (const [variable, value] of [
    ['ALIBABA_CLOUD_ACCESS_KEY_ID', 'STS.NSome\u2019KeyId'],
    ['ALIBABA_CLOUD_ACCESS_KEY_ID', 'STS.NSom\u00e9KeyId'],
    ['ALIBABA_CLOUD_SECURITY_TOKEN', 'CAIS/token\u4e2d+part/2=='],
    ['ALIBABA_CLOUD_SECURITY_TOKEN', 'CAIS/token\u2013part/2=='],
  ] as const) {
    it(`${variable} holding ${JSON.stringify(value.replace(/[A-Za-z0-9/+=.]+/g, ''))}: refused at once, naming the variable and never its value`, () => {
      let thrown: unknown;
      try {
        resolveCredentials(credentialsFromEnv({ ...good, [variable]: value }));
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toMatchObject({ code: 'bad-configuration' });
      const message = String((thrown as Error).message);
      expect(message).toContain(variable);
      expect(message).toMatch(/not ASCII/);
      expect(message).not.toContain(value);
    });
  }

  it("Function Compute's own credentials (the context's) with such a token: refused, saying they are Function Compute's", () => {
    let thrown: unknown;
    try {
      resolveCredentials({ accessKeyId: 'STS.NSomeKeyId', accessKeySecret: 'SomeSecret0123', securityToken: 'CAIS/\u00bftoken' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: 'bad-configuration' });
    expect(String((thrown as Error).message)).toContain('the securityToken Function Compute passed');
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
