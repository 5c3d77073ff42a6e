/**
 * ResourceManager ListAccounts (2020-03-31, RPC, ACS3): the member accounts of the Resource Directory.
 * Only the management account or a delegated administrator may call it. The walk is the one bounded
 * walk of every paged read (readAllPages: a page cap, the deadline, a stop at a page that brings nothing
 * new), and it also stops when the service echoes another page number than the one asked for, or ends
 * short of its own TotalCount. TotalCount is the only word on where the directory ends (no NextToken, no
 * "more" flag), so a full page always asks for the next one: a stale TotalCount below the directory would
 * otherwise end the walk in silence, with members unguarded. Whatever was listed before a stop travels
 * with the error.
 */
import * as z from 'zod/mini';
import { PagingLimitError, errorCode, readAllPages, type Page } from '../domain-api/index.js';
import type { Credentials } from '../signing/index.js';
import { rpcCaller, type CallBounds } from './bounds.js';
import { AccountListingError } from './errors.js';
import { onFirstUse } from '../validation/index.js';

const RESOURCE_MANAGER_VERSION = '2020-03-31';
export const RESOURCE_MANAGER_DEFAULT_ENDPOINT = 'https://resourcemanager.aliyuncs.com';
const MAX_PAGE_SIZE = 100;
/** 50 pages of 100: far beyond any Resource Directory we expect, small enough to fail fast. */
const DEFAULT_MAX_PAGES = 50;

const listAccountsSchema = onFirstUse(() => {
  const integer = z.pipe(
    z.union([z.number(), z.string().check(z.regex(/^\d+$/))]),
    z.transform((v) => Number(v)),
  );
  // Blanks about the digits are a copy's, not the id's: one such row refused the page, and every member on it went unrun.
  const accountIdText = z.pipe(
    z.union([z.string().check(z.regex(/^\s*\d{1,32}\s*$/)), z.int().check(z.nonnegative())]),
    z.transform((v) => accountNumber(String(v).trim())),
  );
  // Informational (quoted, never relied on: every member listed is run, and one without the role is told by
  // its AssumeRole): what is not a string is not said. Held to strings, one row's null refused the whole page.
  const said = z.optional(z.pipe(z.unknown(), z.transform((v): string | undefined => (typeof v === 'string' ? v : undefined))));
  const accountSchema = z.object({
    AccountId: accountIdText,
    DisplayName: said,
    Status: said,
    Type: said,
  });
  return z.object({
    RequestId: said,
    // Only echoes of the request (PageNumber checked when said): null is not said.
    PageNumber: z.pipe(z.nullish(integer), z.transform((v) => v ?? undefined)),
    PageSize: z.pipe(z.nullish(integer), z.transform((v) => v ?? undefined)),
    TotalCount: integer,
    // An empty page may come without Accounts (absent or null), or with a lone object instead of a list.
    Accounts: z.nullish(
      z.object({
        Account: z.pipe(
          z.transform((v: unknown) => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v])),
          z.array(accountSchema).check(z.maxLength(1000)),
        ),
      }),
    ),
  });
});

/**
 * An account id as the number it is: 02000000000000001 is 2000000000000001, however STS reads the ARN
 * (and names the account in AssumedRoleUser.Arn). One account in two forms would run twice.
 */
export function accountNumber(id: string): string {
  return id.replace(/^0+(?=\d)/, '');
}

export interface MemberAccount {
  readonly id: string;
  readonly displayName?: string | undefined;
  readonly status?: string | undefined;
  readonly type?: string | undefined;
}

interface ListAccountsRequest extends CallBounds {
  /** The management account's (or delegated administrator's) credentials: the function's own. */
  readonly credentials: Credentials;
  /** Default https://resourcemanager.aliyuncs.com; RESOURCE_MANAGER_ENDPOINT overrides it. */
  readonly endpoint?: string | undefined;
  readonly pageSize?: number | undefined;
  readonly maxPages?: number | undefined;
}

export interface AccountListing {
  readonly accounts: readonly MemberAccount[];
  /** ListAccounts pages read (each one signed call, retries aside). */
  readonly pages: number;
}

const ACTION = 'ListAccounts';

/** Every member account, or AccountListingError (carrying what was listed) when the walk stops early. */
export async function listAccounts(request: ListAccountsRequest): Promise<AccountListing> {
  const pageSize = Math.min(MAX_PAGE_SIZE, Math.max(1, request.pageSize ?? MAX_PAGE_SIZE));
  const maxPages = Math.max(1, request.maxPages ?? DEFAULT_MAX_PAGES);
  const caller = rpcCaller(request.endpoint ?? RESOURCE_MANAGER_DEFAULT_ENDPOINT, RESOURCE_MANAGER_VERSION, request.credentials, request, 'RESOURCE_MANAGER_ENDPOINT');
  const seen = new Map<string, MemberAccount>();
  let totalCount = 0;
  let pagesRead = 0;
  const stop = (code: string, message: string, cause?: unknown) =>
    new AccountListingError(code, `${ACTION}: ${message}; ${seen.size} account(s) listed before the stop`, [...seen.values()], cause === undefined ? undefined : { cause });

  const fetchPage = async (pageNumber: number): Promise<Page<MemberAccount>> => {
    const body = await caller.read(ACTION, { PageNumber: pageNumber, PageSize: pageSize }, listAccountsSchema());
    const items = (body.Accounts?.Account ?? []).map((item) => ({ id: item.AccountId, displayName: item.DisplayName, status: item.Status, type: item.Type }));
    // Asked only because the page before was full while TotalCount was already reached: a service that
    // answers past its end with an earlier page (echoed or not) has simply ended. Only a page that brings
    // no new account ends it so: one that names accounts not seen yet under another page number is no
    // earlier page, and is refused below rather than dropped in silence.
    const pastTheEnd = pageNumber > 1 && seen.size >= totalCount;
    if (pastTheEnd && items.every((item) => seen.has(item.id))) {
      return { items: [], pageNum: pageNumber, totalPages: pageNumber - 1, totalItems: totalCount, hasNext: false, requestId: body.RequestId };
    }
    if (body.PageNumber !== undefined && body.PageNumber !== pageNumber) throw stop('PageRepeated', `asked for page ${pageNumber}, got page ${body.PageNumber}`);
    totalCount = body.TotalCount;
    pagesRead = pageNumber;
    for (const item of items) if (!seen.has(item.id)) seen.set(item.id, item);
    return {
      items,
      pageNum: pageNumber,
      totalPages: Math.ceil(body.TotalCount / pageSize),
      totalItems: body.TotalCount,
      // A full page may not be the last whatever TotalCount says; an exact count costs one empty page.
      hasNext: items.length > 0 && (seen.size < body.TotalCount || items.length >= pageSize),
      requestId: body.RequestId,
    };
  };

  let walk;
  try {
    walk = await readAllPages(ACTION, fetchPage, (account) => account.id, { maxPages, deadlineMs: request.deadlineMs, now: request.clock.now });
  } catch (error) {
    if (error instanceof AccountListingError) throw error;
    if (error instanceof PagingLimitError) {
      const why = request.clock.now() >= request.deadlineMs
        ? 'not at the end when the time budget ran out'
        : `still not at the end after ${pagesRead} pages of ${pageSize}${pagesRead < maxPages ? ` (TotalCount said ${totalCount})` : ''}`;
      throw stop('PagingLimit', why, error);
    }
    // A call that failed part-way: the accounts of the pages before it are still real members.
    if (seen.size > 0) throw stop(errorCode(error), (error as Error).message, error);
    throw error;
  }
  if (walk.repeatedPage) throw stop('PageRepeated', `page ${walk.pages} repeats accounts already listed`);
  if (seen.size < totalCount) throw stop('PageEmpty', `page ${walk.pages} ends the listing although TotalCount is ${totalCount}`);
  return { accounts: [...seen.values()], pages: walk.pages };
}
