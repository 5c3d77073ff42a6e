/**
 * Which credentials an invocation signs with. An STS AccessKeyId ("STS." prefix) is usable only with its
 * security token (STS AssumeRole hands out the three together; the fc2 SDK requires the token for such a
 * key): FC's context with an STS key and an empty securityToken cannot sign a single call, and the
 * ALIBABA_CLOUD_* variables FC also sets for the role must be used instead.
 */
import { describe, expect, it } from 'vitest';
import { MissingCredentialsError, resolveCredentials } from '../../shared/config/credentials.js';

const env = { accessKeyId: 'STS.env-key', accessKeySecret: 'env-secret', securityToken: 'env-token' };

describe('resolveCredentials', () => {
  it('an STS key without its security token is no credentials: the next candidate is used', () => {
    expect(resolveCredentials({ accessKeyId: 'STS.ctx-key', accessKeySecret: 'ctx-secret', securityToken: '' }, env)).toEqual(env);
    expect(resolveCredentials({ accessKeyId: 'STS.ctx-key', accessKeySecret: 'ctx-secret' }, env)).toEqual(env);
    expect(() => resolveCredentials({ accessKeyId: 'STS.ctx-key', accessKeySecret: 'ctx-secret', securityToken: '' }, {})).toThrow(MissingCredentialsError);
  });

  it('when no candidate can sign, an STS key without its token is named, with the variable to set', () => {
    const sources = { accessKeyId: 'ALIBABA_CLOUD_ACCESS_KEY_ID', accessKeySecret: 'ALIBABA_CLOUD_ACCESS_KEY_SECRET', securityToken: 'ALIBABA_CLOUD_SECURITY_TOKEN' };
    expect(() => resolveCredentials(undefined, { accessKeyId: 'STS.env-key', accessKeySecret: 'env-secret', sources })).toThrow(
      /ALIBABA_CLOUD_ACCESS_KEY_ID holds an STS key \(STS\.…\), which signs only with its token: set ALIBABA_CLOUD_SECURITY_TOKEN/,
    );
  });

  it('a long-term AccessKey needs no token (control)', () => {
    expect(resolveCredentials({ accessKeyId: 'LTAI-key', accessKeySecret: 'secret' }, env)).toEqual({ accessKeyId: 'LTAI-key', accessKeySecret: 'secret', securityToken: undefined });
  });
});
