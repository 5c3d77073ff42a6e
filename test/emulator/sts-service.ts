/**
 * STS AssumeRole (2015-04-01) as the emulator plays it, behind the same ACS3 check as every RPC
 * product. It answers temporary credentials bound to the role's account and registers them with the
 * verifier. Error codes and messages are STS's own where they are published (help.aliyun.com
 * document 42775, "STS AssumeRole common errors"; EntityNotExist.Role from aliyun/openapi-sdk-php
 * tests/Feature/StsTest.php); the HTTP statuses of those errors are not published (UNVERIFIED).
 */
import type { AccountDirectory } from './accounts.js';
import { errorBody, type ApiAnswer } from './domain-service.js';
import type { RpcProduct } from './server.js';

export const STS_VERSION = '2015-04-01';
const HOST_ID = 'sts.aliyuncs.com';
const ROLE_ARN = /^acs:ram::(\d+):role\/([^/]+)$/;
const SESSION_NAME = /^[\w.@-]{2,64}$/;
const MAX_SESSION_SECONDS = 3600;

function error(status: number, requestId: string, code: string, message: string): ApiAnswer {
  return { status, body: { ...errorBody(requestId, code, message), HostId: HOST_ID } };
}

function formatExpiration(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export class StsService implements RpcProduct {
  /** Every AssumeRole that got an answer, in order: what a test asserts on. */
  readonly assumed: Array<{ readonly roleArn: string; readonly sessionName: string; readonly code: string; readonly callerAccountId: string }> = [];

  constructor(private readonly directory: AccountDirectory) {}

  handle(action: string, params: ReadonlyMap<string, string>, requestId: string, caller: { readonly accessKeyId: string }): ApiAnswer {
    const answer = this.answer(action, params, requestId);
    this.assumed.push({
      roleArn: params.get('RoleArn') ?? '',
      sessionName: params.get('RoleSessionName') ?? '',
      code: String(answer.body.Code ?? 'OK'),
      callerAccountId: this.directory.accountOf(caller.accessKeyId).id,
    });
    return answer;
  }

  private answer(action: string, params: ReadonlyMap<string, string>, requestId: string): ApiAnswer {
    if (action !== 'AssumeRole') return error(404, requestId, 'InvalidAction.NotFound', `Specified api is not found, please check your url and method: ${action}`);
    const roleArn = params.get('RoleArn');
    const sessionName = params.get('RoleSessionName');
    for (const [name, value] of [['RoleArn', roleArn], ['RoleSessionName', sessionName]] as const) {
      if (!value) return error(400, requestId, 'MissingParameter', `The input parameter "${name}" that is mandatory for processing this request is not supplied.`);
    }
    if (!SESSION_NAME.test(sessionName!)) return error(400, requestId, 'InvalidParameter.RoleSessionName', 'The parameter RoleSessionName is wrongly formed.');
    const duration = params.has('DurationSeconds') ? Number(params.get('DurationSeconds')) : MAX_SESSION_SECONDS;
    if (!Number.isInteger(duration) || duration < 900 || duration > MAX_SESSION_SECONDS) {
      return error(400, requestId, 'InvalidParameter.DurationSeconds', 'The Min/Max value of DurationSeconds is 15min/1hr.');
    }
    const match = ROLE_ARN.exec(roleArn!);
    const account = match ? this.directory.accounts.get(match[1]!) : undefined;
    if (!match || !account || !account.roles.has(match[2]!.toLowerCase())) {
      return error(404, requestId, 'EntityNotExist.Role', `The specified Role not exists: ${roleArn}.`);
    }
    if (account.externalId !== undefined && params.get('ExternalId') !== account.externalId) {
      return error(403, requestId, 'NoPermission', 'No permission perform sts:AssumeRole on this Role. Maybe you are not authorized to perform sts:AssumeRole on this role.');
    }
    const key = this.directory.issue(account.id, roleArn!, duration);
    return {
      status: 200,
      body: {
        RequestId: requestId,
        AssumedRoleUser: { Arn: `${roleArn}/${sessionName}`, AssumedRoleId: `3${account.id.slice(-15)}:${sessionName}` },
        Credentials: {
          AccessKeyId: key.accessKeyId,
          AccessKeySecret: key.accessKeySecret,
          SecurityToken: key.securityToken,
          Expiration: formatExpiration(key.expiresAt),
        },
      },
    };
  }
}
