/**
 * STS AssumeRole (2015-04-01, RPC, ACS3): the function's own credentials buy temporary credentials in a
 * member account. The answer is validated, and it must be for the account asked for: credentials bound
 * to another account would let a run act on the wrong portfolio.
 */
import * as z from 'zod/mini';
import { NOT_IN_A_KEY, NOT_IN_A_SECRET } from '../config/credentials.js';
import { MalformedResponseError } from '../domain-api/index.js';
import { onFirstUse } from '../validation/index.js';
import type { Credentials } from '../signing/index.js';
import { rpcCaller, type CallBounds } from './bounds.js';

const STS_VERSION = '2015-04-01';
export const STS_DEFAULT_ENDPOINT = 'https://sts.aliyuncs.com';
/** STS's minimum; the maximum is the role's MaxSessionDuration (3600 s unless raised). */
const MIN_DURATION_SECONDS = 900;
const MAX_DEFAULT_DURATION_SECONDS = 3600;

const assumeRoleSchema = onFirstUse(() => {
  const nonEmpty = z.string().check(z.minLength(1));
  /**
   * What the run signs with, as checkSignable (config/credentials.ts) reads the function's own: an id or a
   * token goes into a header, where Node refuses a line break or a control character before connecting; that
   * refusal is no network's and read as "may have been sent", so every order signed with it was "outcome
   * unknown" though it never left the process. A secret goes only into the HMAC: whitespace at an end is a
   * copy's, not a secret's.
   */
  const inAHeader = z.string().check(z.minLength(1), z.refine((v) => !NOT_IN_A_KEY.test(v), { error: 'holds whitespace, a control character or a character that is not ASCII, which no AccessKey id or token does' }));
  const aSecret = z.string().check(z.minLength(1), z.refine((v) => !NOT_IN_A_SECRET.test(v), { error: 'holds a control character, or whitespace at an end, which no AccessKey secret does' }));
  // Informational (quoted, never relied on): null is not said. Held to strings, an answer with complete
  // Credentials and either null was malformed, and the member account was not run.
  const said = z.pipe(z.nullable(z.string()), z.transform((v): string | undefined => v ?? undefined));
  return z.object({
    RequestId: said,
    AssumedRoleUser: z.object({ Arn: nonEmpty, AssumedRoleId: z.optional(said) }),
    // STS puts no limit on the token's length: none is imposed here.
    Credentials: z.object({
      AccessKeyId: inAHeader,
      AccessKeySecret: aSecret,
      SecurityToken: inAHeader,
      Expiration: z.string().check(z.regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/)),
    }),
  });
});

interface AssumeRoleRequest extends CallBounds {
  /** The function's own (STS) credentials. */
  readonly credentials: Credentials;
  /** acs:ram::<account-id>:role/<role-name> */
  readonly roleArn: string;
  /** The member account the role belongs to; the answer must name the same account. */
  readonly accountId: string;
  readonly durationSeconds?: number | undefined;
  readonly externalId?: string | undefined;
  /** Default https://sts.aliyuncs.com; STS_ENDPOINT overrides it. */
  readonly endpoint?: string | undefined;
}

export interface AssumedRole {
  readonly credentials: Credentials & { readonly securityToken: string };
  /** Epoch ms of the credentials' expiry. */
  readonly expiresAt: number;
  readonly assumedRoleArn: string;
  readonly requestId: string | undefined;
}

/** redeemer-<account-id>: visible in the member account's ActionTrail, 2 to 64 of [A-Za-z0-9.@_-]. */
export function roleSessionName(accountId: string): string {
  return `redeemer-${accountId}`.slice(0, 64);
}

/** Long enough for a run of the function's timeout, within STS's bounds and the default role maximum. */
export function durationForTimeout(timeoutSeconds: number | undefined): number {
  const wanted = Math.ceil((timeoutSeconds ?? 0) + 60);
  return Math.min(MAX_DEFAULT_DURATION_SECONDS, Math.max(MIN_DURATION_SECONDS, wanted));
}

const ACTION = 'AssumeRole';

/** AssumeRole changes nothing: it is retried as a read. */
export async function assumeRole(request: AssumeRoleRequest): Promise<AssumedRole> {
  const durationSeconds = request.durationSeconds ?? MIN_DURATION_SECONDS;
  // Before the request: the session cannot have begun earlier, so it ends no later than this plus its duration.
  const askedAtMs = request.clock.now();
  const body = await rpcCaller(request.endpoint ?? STS_DEFAULT_ENDPOINT, STS_VERSION, request.credentials, request, 'STS_ENDPOINT', [request.externalId]).read(
    ACTION,
    {
      RoleArn: request.roleArn,
      RoleSessionName: roleSessionName(request.accountId),
      DurationSeconds: durationSeconds,
      ExternalId: request.externalId,
    },
    assumeRoleSchema(),
  );
  // acs:ram::<account-id>:role/<role-name>/<session-name>
  const boundTo = /^acs:ram::(\d+):/.exec(body.AssumedRoleUser.Arn)?.[1];
  if (boundTo !== request.accountId) {
    throw new MalformedResponseError(ACTION, 'AssumedRoleUser.Arn', `names account ${boundTo ?? '(none)'}, not ${request.accountId}`, body.RequestId);
  }
  const stated = Date.parse(body.Credentials.Expiration);
  if (!(stated > request.clock.now())) {
    throw new MalformedResponseError(ACTION, 'Credentials.Expiration', 'already past', body.RequestId);
  }
  // STS grants at most the DurationSeconds asked for. An Expiration beyond it (a far-future value, or STS's
  // clock ahead of ours) would keep the run signing with a dead token: the session is renewed by the
  // earlier of the two, measured on our own clock.
  const expiresAt = Math.min(stated, askedAtMs + durationSeconds * 1000);
  return {
    credentials: {
      accessKeyId: body.Credentials.AccessKeyId,
      accessKeySecret: body.Credentials.AccessKeySecret,
      securityToken: body.Credentials.SecurityToken,
    },
    expiresAt,
    assumedRoleArn: body.AssumedRoleUser.Arn,
    requestId: body.RequestId,
  };
}
