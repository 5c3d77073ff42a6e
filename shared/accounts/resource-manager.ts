/**
 * ResourceManager ListAccounts (2020-03-31, RPC, ACS3): the member accounts of the Resource Directory.
 * Only the management account or a delegated administrator may call it. The walk is bounded: a page
 * cap, and a stop with an error when the service hands back a page it already gave (a loop) or an empty
 * page before its own TotalCount. Whatever was listed before the stop travels with the error.
 */
import * as z from 'zod/mini';
import type { Credentials } from '../signing/index.js';
import { callRpc, type RetrySettings } from './acs-call.js';
import { AccountListingError } from './errors.js';

export const RESOURCE_MANAGER_VERSION = '2020-03-31';
export const RESOURCE_MANAGER_DEFAULT_ENDPOINT = 'https://resourcemanager.aliyuncs.com';
export const MAX_PAGE_SIZE = 100;
/** 50 pages of 100: far beyond any Resource Directory we expect, small enough to fail fast. */
export const DEFAULT_MAX_PAGES = 50;

const integer = z.pipe(
  z.union([z.number(), z.string().check(z.regex(/^\d+$/))]),
  z.transform((v) => Number(v)),
);
const accountIdText = z.pipe(
  z.union([z.string().check(z.regex(/^\d{1,32}$/)), z.int().check(z.nonnegative())]),
  z.transform((v) => String(v)),
);
const accountSchema = z.object({
  AccountId: accountIdText,
  DisplayName: z.optional(z.string()),
  Status: z.optional(z.string()),
  Type: z.optional(z.string()),
});
const listAccountsSchema = z.object({
  RequestId: z.string(),
  PageNumber: z.optional(integer),
  PageSize: z.optional(integer),
  TotalCount: integer,
  // An empty page may come without Accounts, or with a lone object instead of a list.
  Accounts: z.optional(
    z.object({
      Account: z.pipe(
        z.transform((v: unknown) => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v])),
        z.array(accountSchema),
      ),
    }),
  ),
});

export interface MemberAccount {
  readonly id: string;
  readonly displayName?: string | undefined;
  readonly status?: string | undefined;
  readonly type?: string | undefined;
}

export interface ListAccountsRequest extends RetrySettings {
  /** The management account's (or delegated administrator's) credentials: the function's own. */
  readonly credentials: Credentials;
  /** Default https://resourcemanager.aliyuncs.com; RESOURCE_MANAGER_ENDPOINT overrides it. */
  readonly endpoint?: string | undefined;
  readonly pageSize?: number | undefined;
  readonly maxPages?: number | undefined;
  readonly timeoutMs?: number | undefined;
}

export interface AccountListing {
  readonly accounts: readonly MemberAccount[];
  /** ListAccounts pages read (each one signed call, retries aside). */
  readonly pages: number;
}

/** Every member account, or AccountListingError (carrying what was listed) when the walk stops early. */
export async function listAccounts(request: ListAccountsRequest): Promise<AccountListing> {
  const pageSize = Math.min(MAX_PAGE_SIZE, Math.max(1, request.pageSize ?? MAX_PAGE_SIZE));
  const maxPages = Math.max(1, request.maxPages ?? DEFAULT_MAX_PAGES);
  const seen = new Map<string, MemberAccount>();
  let pages = 0;
  const stop = (code: AccountListingError['code'], message: string) =>
    new AccountListingError(code, `ListAccounts: ${message}; ${seen.size} account(s) listed before the stop`, [...seen.values()]);

  for (let pageNumber = 1; ; pageNumber++) {
    if (pageNumber > maxPages) throw stop('PageCapReached', `still not at the end after ${maxPages} pages of ${pageSize}`);
    const body = await callRpc(
      {
        endpoint: request.endpoint ?? RESOURCE_MANAGER_DEFAULT_ENDPOINT,
        version: RESOURCE_MANAGER_VERSION,
        action: 'ListAccounts',
        params: { PageNumber: pageNumber, PageSize: pageSize },
        credentials: request.credentials,
        timeoutMs: request.timeoutMs,
        retry: request.retry,
        runtime: request.runtime,
      },
      listAccountsSchema,
    );
    pages++;
    if (body.PageNumber !== undefined && body.PageNumber !== pageNumber) {
      throw stop('PageRepeated', `asked for page ${pageNumber}, got page ${body.PageNumber}`);
    }
    const items = body.Accounts?.Account ?? [];
    if (items.length === 0) {
      if (seen.size < body.TotalCount) throw stop('PageEmpty', `page ${pageNumber} is empty although TotalCount is ${body.TotalCount}`);
      break;
    }
    const fresh = items.filter((item) => !seen.has(item.AccountId));
    if (fresh.length === 0) throw stop('PageRepeated', `page ${pageNumber} repeats accounts already listed`);
    for (const item of fresh) {
      seen.set(item.AccountId, { id: item.AccountId, displayName: item.DisplayName, status: item.Status, type: item.Type });
    }
    if (seen.size >= body.TotalCount) break;
  }
  return { accounts: [...seen.values()], pages };
}
