/**
 * Credentials for one invocation: from FC (context or headers) when given, else the ALIBABA_CLOUD_*
 * environment variables. Never cached beyond the invocation: STS credentials rotate.
 */
import { UserError } from '../errors/index.js';
import type { Credentials } from '../signing/index.js';
import type { Env } from './config.js';

export class MissingCredentialsError extends UserError {
  override readonly name = 'MissingCredentialsError';
  constructor() {
    super(
      'missing-credentials',
      'No credentials: give the function a role (FC passes its STS credentials), or set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET (and ALIBABA_CLOUD_SECURITY_TOKEN for STS)',
    );
  }
}

export interface PartialCredentials {
  readonly accessKeyId?: string | undefined;
  readonly accessKeySecret?: string | undefined;
  readonly securityToken?: string | undefined;
}

/** STS hands out AccessKeyIds of this prefix, usable only with their SecurityToken. */
const STS_KEY_PREFIX = 'STS.';

/** The candidate as credentials that can sign a call, or undefined (a part missing, an STS key without its token). */
export function completeCredentials(candidate: PartialCredentials | undefined): Credentials | undefined {
  if (!candidate?.accessKeyId || !candidate.accessKeySecret) return undefined;
  if (candidate.accessKeyId.startsWith(STS_KEY_PREFIX) && !candidate.securityToken) return undefined;
  return { accessKeyId: candidate.accessKeyId, accessKeySecret: candidate.accessKeySecret, securityToken: candidate.securityToken || undefined };
}

export function credentialsFromEnv(env: Env): PartialCredentials {
  return {
    accessKeyId: env.ALIBABA_CLOUD_ACCESS_KEY_ID,
    accessKeySecret: env.ALIBABA_CLOUD_ACCESS_KEY_SECRET,
    securityToken: env.ALIBABA_CLOUD_SECURITY_TOKEN,
  };
}

/** The first complete set, in the order given: FC's (context or headers) before the environment's. */
export function resolveCredentials(...candidates: Array<PartialCredentials | undefined>): Credentials {
  for (const candidate of candidates) {
    const found = completeCredentials(candidate);
    if (found) return found;
  }
  throw new MissingCredentialsError();
}
