/**
 * Credentials for one invocation: from FC (context or headers) when given, else the ALIBABA_CLOUD_*
 * environment variables. Never cached beyond the invocation: STS credentials rotate.
 */
import { UserError } from '../errors/index.js';
import type { Credentials } from '../signing/index.js';
import type { Env } from './config.js';

export class MissingCredentialsError extends UserError {
  override readonly name = 'MissingCredentialsError';
  /** `stsKeyAlone`: where an STS key was found without its token, the one near miss worth naming. */
  constructor(readonly stsKeyAlone?: { readonly key: string; readonly token: string }) {
    super(
      'missing-credentials',
      stsKeyAlone
        ? `No credentials: ${stsKeyAlone.key} holds an STS key (STS.…), which signs only with its token: set ${stsKeyAlone.token}, or use a long-term AccessKey`
        : 'No credentials: give the function a role (FC passes its STS credentials), or set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET (and ALIBABA_CLOUD_SECURITY_TOKEN for STS)',
    );
  }
}

export interface PartialCredentials {
  readonly accessKeyId?: string | undefined;
  readonly accessKeySecret?: string | undefined;
  readonly securityToken?: string | undefined;
  /** Where each part came from (the variables' names), for a message about a bad one. */
  readonly sources?: { readonly accessKeyId: string; readonly accessKeySecret: string; readonly securityToken: string } | undefined;
}

/**
 * Whitespace or a control character: AccessKey ids, secrets and STS tokens never hold one, and the id and
 * the token go into HTTP headers, where Node refuses a line break before connecting (ERR_INVALID_CHAR), so
 * every call failed as a network error, was asked again, and a submission that never left was "outcome
 * unknown". A value copied with its line break from a file or a secret store is the usual cause.
 */
const BREAKS_A_HEADER = /[\s\x00-\x1f\x7f]/;
/**
 * Anything but printable ASCII: beside the above, a character outside ASCII (a typographic quote or dash a
 * document turned it into, a letter pasted with it). Node refuses a header above U+00FF and sends U+0080 to
 * U+00FF as Latin-1 bytes the signature was not computed over: the run failed deep in the transport.
 */
export const NOT_IN_A_KEY = /[^\x21-\x7e]/;

/** What is wrong with an id or a token, in words that never quote it; undefined when nothing is. */
export function notInAKey(value: string): string | undefined {
  if (BREAKS_A_HEADER.test(value)) return 'holds whitespace or a control character (a line break copied with it?)';
  return NOT_IN_A_KEY.test(value) ? 'holds a character that is not ASCII (a typographic quote or dash, or a letter pasted with it?)' : undefined;
}
/** The secret goes only into the HMAC, never a header: only a control character or whitespace at an end is refused. */
export const NOT_IN_A_SECRET = /[\x00-\x1f\x7f]|^\s|\s$/;

function checkSignable(credentials: Credentials, sources: PartialCredentials['sources']): void {
  for (const part of ['accessKeyId', 'accessKeySecret', 'securityToken'] as const) {
    const value = credentials[part];
    if (value === undefined) continue;
    const wrong = part === 'accessKeySecret' ? (NOT_IN_A_SECRET.test(value) ? 'holds whitespace or a control character (a line break copied with it?)' : undefined) : notInAKey(value);
    if (wrong === undefined) continue;
    const where = sources?.[part] ?? `the ${part} Function Compute passed`;
    throw new UserError('bad-configuration', `${where} ${wrong}; AccessKeys and security tokens never do: set it without`);
  }
}

/** STS hands out AccessKeyIds of this prefix, usable only with their SecurityToken. */
export const STS_KEY_PREFIX = 'STS.';

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
    sources: { accessKeyId: 'ALIBABA_CLOUD_ACCESS_KEY_ID', accessKeySecret: 'ALIBABA_CLOUD_ACCESS_KEY_SECRET', securityToken: 'ALIBABA_CLOUD_SECURITY_TOKEN' },
  };
}

/** The first complete set, in the order given: FC's (context or headers) before the environment's. */
export function resolveCredentials(...candidates: Array<PartialCredentials | undefined>): Credentials {
  for (const candidate of candidates) {
    const found = completeCredentials(candidate);
    if (found) {
      checkSignable(found, candidate?.sources);
      return found;
    }
  }
  const stsAlone = candidates.find((c) => c?.accessKeyId?.startsWith(STS_KEY_PREFIX) && c.accessKeySecret && !c.securityToken);
  throw new MissingCredentialsError(
    stsAlone && { key: stsAlone.sources?.accessKeyId ?? 'the accessKeyId Function Compute passed', token: stsAlone.sources?.securityToken ?? 'the securityToken Function Compute passes with it' },
  );
}

/**
 * For the doctor, which reports on credentials rather than failing without them: the first complete set,
 * or none, and why when some are there but cannot be used (said as such, not as "none found"), with what
 * to do: a value with whitespace in it set again, an STS key's token set (the run names it the same way).
 */
export function credentialsOrProblem(...candidates: Array<PartialCredentials | undefined>): { readonly credentials?: Credentials; readonly problem?: string; readonly fix?: string } {
  try {
    return { credentials: resolveCredentials(...candidates) };
  } catch (error) {
    if (error instanceof UserError && error.code === 'bad-configuration') return { problem: error.message, fix: 'set the variable again as it was issued, without that character (a value read from a file keeps its line break)' };
    if (error instanceof MissingCredentialsError && error.stsKeyAlone) {
      const { key, token } = error.stsKeyAlone;
      return { problem: `${key} holds an STS key (STS.…), which signs only with its security token, and ${token} is not set`, fix: `set ${token} to the token issued with that key, or use a RAM user's long-term AccessKey` };
    }
    return {};
  }
}

