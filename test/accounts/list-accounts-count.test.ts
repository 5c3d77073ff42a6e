/**
 * ListAccounts pages by PageNumber/PageSize and says TotalCount; it has no NextToken and no "more" flag,
 * so TotalCount is the walk's only word on where the directory ends. A stale or capped TotalCount below
 * what the pages actually hold must not end the walk in silence: every account left unread is a member
 * whose domains nobody guards. Stand-in: a directory that answers as the API reference describes, with a
 * TotalCount that lies low.
 */
import { describe, expect, it } from 'vitest';
import { AccountListingError } from '../../shared/accounts/errors.js';
import { listAccounts } from '../../shared/accounts/resource-manager.js';
import { systemClock } from '../../shared/clock/index.js';
import { cannedServer } from '../support/canned-server.js';
import { EMULATOR_CREDENTIALS } from '../support/emulator.js';

const ids = (count: number) => Array.from({ length: count }, (_, i) => String(3_000_000_000_000_000 + i));

/** A directory of `members` accounts whose every page claims TotalCount `claimed`. */
function directory(members: readonly string[], claimed: number) {
  return cannedServer((req) => {
    const query = new URL(req.url!, 'http://x').searchParams;
    const pageNumber = Number(query.get('PageNumber'));
    const pageSize = Number(query.get('PageSize'));
    const slice = members.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
    return { body: { RequestId: `r${pageNumber}`, PageNumber: pageNumber, PageSize: pageSize, TotalCount: claimed, Accounts: { Account: slice.map((AccountId) => ({ AccountId })) } } };
  });
}

const bounds = () => ({ clock: systemClock, deadlineMs: Date.now() + 30_000 });

describe('ListAccounts with a TotalCount below the directory', () => {
  it('a full page asks for the next: 150 members behind a TotalCount of 100 are all listed', async () => {
    const members = ids(150);
    const server = await directory(members, 100);
    try {
      const listing = await listAccounts({ credentials: EMULATOR_CREDENTIALS, endpoint: server.url, ...bounds() });
      expect(listing.accounts.map((a) => a.id)).toEqual(members);
      expect(listing.pages).toBe(2);
    } finally {
      await server.close();
    }
  });

  it('more pages than TotalCount allows for stop the walk with an error and what was listed, never silently', async () => {
    const server = await directory(ids(250), 100);
    try {
      const error = (await listAccounts({ credentials: EMULATOR_CREDENTIALS, endpoint: server.url, ...bounds() }).catch((e: unknown) => e)) as AccountListingError;
      expect(error).toBeInstanceOf(AccountListingError);
      expect(error.code).toBe('PagingLimit');
      expect(error.message).toBe('ListAccounts: still not at the end after 2 pages of 100 (TotalCount said 100); 200 account(s) listed before the stop');
      expect(error.partial).toHaveLength(200);
    } finally {
      await server.close();
    }
  });

  it('an exact TotalCount on a full last page costs one page more, and nothing is reported', async () => {
    const exact = await directory(ids(100), 100);
    // A service that answers past its end with its first page again, without echoing PageNumber.
    const again = await cannedServer(() => ({ body: { RequestId: 'r', PageSize: 100, TotalCount: 100, Accounts: { Account: ids(100).map((AccountId) => ({ AccountId })) } } }));
    try {
      for (const server of [exact, again]) {
        const listing = await listAccounts({ credentials: EMULATOR_CREDENTIALS, endpoint: server.url, ...bounds() });
        expect(listing.accounts).toHaveLength(100);
        expect(server.requests).toHaveLength(2);
      }
    } finally {
      await exact.close();
      await again.close();
    }
  });
});
