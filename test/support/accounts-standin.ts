/**
 * STS AssumeRole, ResourceManager ListAccounts and FC 3.0 InvokeFunction on one loopback server, written
 * from the vendors' published rules as the project's reference notes summarise them (accounts-and-billing.md
 * sections 2 and 3; the rules a test relies on are repeated below), not from test/emulator/accounts.ts:
 *
 * - every request is ACS3-HMAC-SHA256 signed with the function's own key (checked by vendor-acs3.ts);
 * - AssumeRole (RPC, version 2015-04-01, parameters in the query): RoleArn acs:ram::<account>:role/<name>,
 *   RoleSessionName 2 to 64 of [A-Za-z0-9.@_-], DurationSeconds 900 to the role's MaxSessionDuration
 *   (3600 by default), ExternalId checked by the role's trust policy; the answer is
 *   {RequestId, AssumedRoleUser{Arn, AssumedRoleId}, Credentials{AccessKeyId "STS.…", AccessKeySecret,
 *   SecurityToken, Expiration (UTC ISO, 2015-04-09T11:52:19Z)}}; refusals EntityNotExist.Role (404),
 *   NoPermission (403, "You are not authorized to do this action. You should be authorized by RAM.");
 * - ListAccounts (RPC, 2020-03-31): PageNumber from 1, PageSize 1 to 100 (default 10); the answer
 *   {RequestId, PageNumber, PageSize, TotalCount, Accounts.Account[{AccountId, DisplayName, Status, Type}]};
 * - InvokeFunction (ROA, 2023-03-30): POST /2023-03-30/functions/{name}/invocations, x-fc-invocation-type
 *   Sync (default) or Async; Async answers 202 with x-fc-request-id, Sync 200 with the function's result.
 *
 * Each action can be answered otherwise by a script (`sts`, `listAccounts`, `invoke`), for the odd but
 * possible answers the tests feed; an accepted invocation is recorded before the script is asked, so a
 * script that drops the connection plays "FC took the event, the answer was lost".
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyAcs3, type VendorKey } from './vendor-acs3.js';

export interface StandinMember {
  readonly id: string;
  /** Role names that exist in the account (default: ['domain-redeemer']). */
  readonly roles?: readonly string[];
  readonly status?: string;
  readonly externalId?: string;
}

/** A scripted answer: a JSON body, or a dropped connection. */
export type AccountsAnswer = { readonly status?: number; readonly body: object | string; readonly headers?: Readonly<Record<string, string>> } | 'drop';

export interface AccountsCall {
  readonly action: string;
  readonly params: Readonly<Record<string, string>>;
  /** 1-based count of calls of this action, this one included. */
  readonly n: number;
}

export interface Invocation {
  readonly functionName: string;
  readonly invocationType: string;
  readonly qualifier: string | undefined;
  readonly payload: string;
  readonly requestId: string;
}

export interface AccountsStandinOptions {
  /** The function's own key: the only one the three services take here. */
  readonly key: VendorKey;
  readonly members: readonly StandinMember[];
  readonly now?: () => number;
  /** Answers instead of the default; undefined falls through to it. */
  readonly sts?: (call: AccountsCall, normal: () => AccountsAnswer) => AccountsAnswer | undefined;
  readonly listAccounts?: (call: AccountsCall, normal: () => AccountsAnswer) => AccountsAnswer | undefined;
  readonly invoke?: (invocation: Invocation, n: number) => AccountsAnswer | undefined;
  /** How long FC takes to answer an invocation it took (recorded at once): a slow or loaded FC. */
  readonly invokeDelayMs?: number;
  /** Called for every accepted asynchronous invocation, after it was answered (FC runs it later). */
  readonly onInvoked?: (invocation: Invocation) => void;
}

export interface AccountsStandin {
  readonly url: string;
  readonly calls: AccountsCall[];
  readonly invocations: Invocation[];
  /** Every body this server sent, as text: for a test that looks for a secret in what came back. */
  readonly answered: string[];
  close(): Promise<void>;
}

const RPC_ERROR = (status: number, code: string, message: string): AccountsAnswer => ({ status, body: { RequestId: randomUUID().toUpperCase(), Code: code, Message: message } });
const utcSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export async function startAccountsStandin(options: AccountsStandinOptions): Promise<AccountsStandin> {
  const now = options.now ?? Date.now;
  const calls: AccountsCall[] = [];
  const invocations: Invocation[] = [];
  const answered: string[] = [];
  const counts = new Map<string, number>();
  const nonces = new Set<string>();
  let issued = 0;

  const assumeRole = (params: Readonly<Record<string, string>>): AccountsAnswer => {
    const match = /^acs:ram::(\d+):role\/([^/]+)$/.exec(params.RoleArn ?? '');
    if (!match) return RPC_ERROR(400, 'InvalidParameter.RoleArn', 'The parameter RoleArn is wrongly formed.');
    const session = params.RoleSessionName ?? '';
    if (!/^[A-Za-z0-9.@_-]{2,64}$/.test(session)) return RPC_ERROR(400, 'InvalidParameter.RoleSessionName', 'The parameter RoleSessionName is wrongly formed.');
    const duration = params.DurationSeconds === undefined ? 3600 : Number(params.DurationSeconds);
    if (!(duration >= 900 && duration <= 3600)) return RPC_ERROR(400, 'InvalidParameter.DurationSeconds', 'The Min/Max value of DurationSeconds is 15min/1hr.');
    const member = options.members.find((m) => m.id === match[1]);
    if (!member || !(member.roles ?? ['domain-redeemer']).includes(match[2]!)) return RPC_ERROR(404, 'EntityNotExist.Role', 'The role not exists: acs:ram::' + match[1] + ':role/' + match[2]);
    if (member.externalId !== undefined && params.ExternalId !== member.externalId) return RPC_ERROR(403, 'NoPermission', 'You are not authorized to do this action. You should be authorized by RAM.');
    issued++;
    return {
      body: {
        RequestId: randomUUID().toUpperCase(),
        AssumedRoleUser: { Arn: `${params.RoleArn}/${session}`, AssumedRoleId: `3${issued}:${session}` },
        Credentials: {
          AccessKeyId: `STS.member-${member.id}-${issued}`,
          AccessKeySecret: `member-secret-${member.id}-${issued}`,
          SecurityToken: `CAIS-member-token-${member.id}-${issued}`,
          Expiration: utcSeconds(now() + duration * 1000),
        },
      },
    };
  };

  const listPage = (params: Readonly<Record<string, string>>): AccountsAnswer => {
    const pageNumber = Number(params.PageNumber ?? '1');
    const pageSize = Number(params.PageSize ?? '10');
    if (!(pageSize >= 1 && pageSize <= 100)) return RPC_ERROR(400, 'InvalidParameter.PageSize', 'The specified parameter PageSize is invalid.');
    const page = options.members.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
    return {
      body: {
        RequestId: randomUUID().toUpperCase(),
        PageNumber: pageNumber,
        PageSize: pageSize,
        TotalCount: options.members.length,
        Accounts: { Account: page.map((m) => ({ AccountId: m.id, DisplayName: `member ${m.id}`, Status: m.status ?? 'CreateSuccess', Type: 'ResourceAccount' })) },
      },
    };
  };

  const reply = (res: ServerResponse, answer: AccountsAnswer, extraHeaders: Record<string, string> = {}) => {
    if (answer === 'drop') return void res.socket?.destroy();
    const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
    answered.push(text);
    res.writeHead(answer.status ?? 200, { 'content-type': 'application/json', ...extraHeaders, ...answer.headers });
    res.end(text);
  };

  const handle = (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const refused = verifyAcs3({ method: req.method ?? 'GET', rawUrl: req.url ?? '/', headers: req.headers, body }, options.key, nonces, now());
    if (refused) return reply(res, RPC_ERROR(refused.status, refused.code, refused.message));
    const action = String(req.headers['x-acs-action']);
    const url = new URL(req.url ?? '/', 'http://standin');
    const params = Object.fromEntries(url.searchParams);
    const n = (counts.get(action) ?? 0) + 1;
    counts.set(action, n);
    const call = { action, params, n };
    calls.push(call);
    if (action === 'AssumeRole') return reply(res, options.sts?.(call, () => assumeRole(params)) ?? assumeRole(params));
    if (action === 'ListAccounts') return reply(res, options.listAccounts?.(call, () => listPage(params)) ?? listPage(params));
    const path = /^\/2023-03-30\/functions\/([^/]+)\/invocations$/.exec(url.pathname);
    if (action === 'InvokeFunction' && path && req.method === 'POST') {
      const requestId = randomUUID();
      const invocation: Invocation = {
        functionName: decodeURIComponent(path[1]!),
        invocationType: String(req.headers['x-fc-invocation-type'] ?? 'Sync'),
        qualifier: url.searchParams.get('qualifier') ?? undefined,
        payload: body.toString('utf8'),
        requestId,
      };
      invocations.push(invocation);
      if (options.invokeDelayMs) return void setTimeout(() => answerInvocation(invocation, n), options.invokeDelayMs);
      return answerInvocation(invocation, n);
    }
    return reply(res, RPC_ERROR(404, 'InvalidAction.NotFound', `Specified api is not found, please check your url and method: ${action}`));

    function answerInvocation(invocation: Invocation, n: number) {
      const { requestId } = invocation;
      if (res.destroyed) return;
      const scripted = options.invoke?.(invocation, n);
      if (scripted) return reply(res, scripted, { 'x-fc-request-id': requestId });
      if (invocation.invocationType !== 'Async') return reply(res, { status: 200, body: 'null' }, { 'x-fc-request-id': requestId });
      res.writeHead(202, { 'x-fc-request-id': requestId, 'content-length': '0' }).end();
      answered.push('');
      if (options.onInvoked) setImmediate(() => options.onInvoked!(invocation));
    }
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => handle(req, res, Buffer.concat(chunks)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    invocations,
    answered,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
