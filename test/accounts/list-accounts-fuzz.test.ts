/**
 * ListAccounts fed arbitrary (but well-formed) pages by a stand-in that plays the published answer shape
 * ({RequestId, PageNumber, PageSize, TotalCount, Accounts.Account[]}, test/support/accounts-standin.ts):
 * duplicates within and across pages, a TotalCount that lies either way, a page number echoed wrong or
 * not at all, empty pages, pages longer than asked. Whatever it answers, the walk ends within its page
 * cap, lists each account once, lists only accounts some page named, and when it says it reached the end,
 * it lists every account any page named.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountListingError } from '../../shared/accounts/errors.js';
import { listAccounts } from '../../shared/accounts/resource-manager.js';
import { systemClock } from '../../shared/clock/index.js';
import { startAccountsStandin, type AccountsStandin } from '../support/accounts-standin.js';

const KEY = { accessKeyId: 'LTAI-function-key', accessKeySecret: 'function-secret-value-1234' };

interface PageScript {
  readonly ids: readonly number[];
  readonly totalCount: number;
  /** undefined: PageNumber left out; otherwise the offset from the page asked for. */
  readonly echoOffset: number | undefined;
}

let script: PageScript[] = [];
let named = new Set<string>();
let standin: AccountsStandin;
beforeAll(async () => {
  standin = await startAccountsStandin({
    key: KEY,
    members: [],
    listAccounts: (call) => {
      const asked = Number(call.params.PageNumber);
      // Past the script, the last page again: a service that ignores PageNumber past its end.
      const page = script[Math.min(asked, script.length) - 1]!;
      const ids = page.ids.map((n) => String(4000000000000000 + n));
      for (const id of ids) named.add(id);
      return {
        body: {
          RequestId: `rm-${call.n}`,
          ...(page.echoOffset === undefined ? {} : { PageNumber: asked + page.echoOffset }),
          PageSize: Number(call.params.PageSize),
          TotalCount: page.totalCount,
          Accounts: { Account: ids.map((AccountId) => ({ AccountId, Status: 'CreateSuccess' })) },
        },
      };
    },
  });
});
afterAll(() => standin.close());

const pageArb = fc.record({
  ids: fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 12 }),
  totalCount: fc.integer({ min: 0, max: 60 }),
  echoOffset: fc.option(fc.constantFrom(0, 0, 0, -1, 1), { nil: undefined }),
});

describe('ListAccounts against arbitrary pages', () => {
  it('ends within its cap, lists each account once and only named ones, and all of them when it says it is done', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(pageArb, { minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 10 }), async (pages, pageSize) => {
        script = pages;
        named = new Set();
        const before = standin.calls.length;
        const maxPages = 12;
        let listed: readonly { id: string }[];
        let done = false;
        try {
          listed = (await listAccounts({ credentials: KEY, endpoint: standin.url, pageSize, maxPages, clock: systemClock, deadlineMs: Date.now() + 10_000, retry: { maxAttempts: 1 } })).accounts;
          done = true;
        } catch (error) {
          expect(error).toBeInstanceOf(AccountListingError);
          listed = (error as AccountListingError).partial;
        }
        expect(standin.calls.length - before).toBeLessThanOrEqual(maxPages);
        const ids = listed.map((a) => a.id);
        expect(new Set(ids).size).toBe(ids.length);
        for (const id of ids) expect(named.has(id)).toBe(true);
        if (done) expect(new Set(ids)).toEqual(named);
      }),
      { numRuns: 300 },
    );
  }, 60_000);
});
