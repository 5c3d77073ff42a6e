/**
 * Every paged read of the registrar goes through one bounded walk: a healthy account never reaches its
 * bounds, a misbehaving registrar always does. It stops at the last page, at a page that brings nothing
 * new (a registrar that ignores PageNum), at an empty page past what the first page's TotalPageNum
 * announced (an empty page before it is read past), and fails with a clear error past the page cap, past
 * what TotalPageNum announced, or past the deadline.
 */
import { Semaphore } from '../http/index.js';
import { DomainApiError, PagingLimitError } from './errors.js';
import type { Page } from './port.js';

export interface PagingBounds {
  /** Pages a healthy account never needs. */
  readonly maxPages: number;
  /** Epoch ms: no page is asked for after it. */
  readonly deadlineMs: number;
  readonly now: () => number;
  /** A stop from outside (the read no longer matters: another read of the run failed); the walk throws its reason. */
  readonly signal?: AbortSignal | undefined;
}

export interface PagedItems<T> {
  readonly items: T[];
  readonly pages: number;
  /** The walk ended on a page whose every item had been seen already. */
  readonly repeatedPage: boolean;
  /**
   * Set when the walk ended with fewer distinct items than the first page's TotalItemNum announced: on a
   * repeated page (a registrar ignoring PageNum), or on a last page that came short (an empty or missing
   * Data where items were announced). The rest was never served.
   */
  readonly short?: { readonly announced: number; readonly read: number } | undefined;
  /**
   * Set when a later page's TotalItemNum differed from the first page's: the list changed while it was
   * read. Paging is by offset (PageNum, PageSize), so an item that left a page already read moved every
   * later item up by one, and the one that crossed into that page was never served.
   */
  readonly totalChanged?: { readonly from: number; readonly to: number; readonly page: number } | undefined;
}

export async function readAllPages<T>(
  action: string,
  fetchPage: (pageNum: number) => Promise<Page<T>>,
  keyOf: (item: T) => string,
  bounds: PagingBounds,
  /** Pages read at once once the first page has said how many there are (the rate limiter paces them). */
  concurrency = 1,
): Promise<PagedItems<T>> {
  const items: T[] = [];
  const seen = new Set<string>();
  let limit = bounds.maxPages;
  /** The pages the first page said there are (its TotalPageNum), when it said. */
  let announced = 0;
  /** The items the first page said there are (its TotalItemNum), when it said. */
  let announcedItems: number | undefined;
  let totalChanged: PagedItems<T>['totalChanged'];
  /** A page short of the announced ones said NextPage false (see walk). */
  let deniedNext = false;
  let ahead = new Map<number, Promise<Page<T>>>();
  let ended = false;
  // A page fetched ahead starts only while the walk still wants it: not after the walk ended (a stop, an
  // error, the last page), not past the deadline, not once the signal has stopped the read.
  const wanted = () => !ended && !bounds.signal?.aborted && bounds.now() < bounds.deadlineMs;
  try {
    return await walk();
  } finally {
    ended = true;
    // Pages fetched ahead and not needed are let go; their answers (or errors) are dropped.
    for (const unused of ahead.values()) unused.catch(() => undefined);
  }

  async function walk(): Promise<PagedItems<T>> {
    for (let pageNum = 1; ; pageNum++) {
      if (bounds.signal?.aborted) throw bounds.signal.reason;
      if (pageNum > limit) {
        throw new PagingLimitError(action, `the registrar still answered NextPage=true after ${limit} pages; its paging cannot be trusted, so the read was stopped`);
      }
      if (bounds.now() >= bounds.deadlineMs) throw new PagingLimitError(action, `could not be read to the end inside the time budget (${pageNum - 1} pages read)`);
      const page = await (ahead.get(pageNum) ?? fetchPage(pageNum));
      ahead.delete(pageNum);
      if (pageNum === 1) announcedItems = page.totalItems;
      else if (totalChanged === undefined && announcedItems !== undefined && page.totalItems !== undefined && page.totalItems !== announcedItems) {
        totalChanged = { from: announcedItems, to: page.totalItems, page: pageNum };
      }
      if (pageNum === 1 && page.totalPages !== undefined && page.totalPages >= 1) {
        // One page past what the first page announced is tolerated (a list that grew meanwhile); more is not.
        limit = Math.min(limit, page.totalPages + 1);
        announced = Math.min(limit, page.totalPages);
        if (concurrency > 1 && page.hasNext) ahead = prefetch(fetchPage, 2, Math.min(page.totalPages, limit), concurrency, wanted);
      }
      let fresh = 0;
      for (const item of page.items) {
        const key = keyOf(item);
        if (!seen.has(key)) {
          seen.add(key);
          fresh++;
        }
        items.push(item);
      }
      // An empty page short of the pages the first one announced is not the end: a registrar that fills
      // its pages after paging (or lost one) would otherwise hide every page behind it, and with them
      // domains to redeem or ledger tasks that stop an order. The announcement bounds it.
      // After a page that said NextPage false (below), or once every item TotalItemNum announced has been
      // served, an empty page is the end: a TotalPageNum set too high (1000 for two domains) is not read to
      // its last page, each call taken from the run's rate.
      const allServed = announcedItems !== undefined && seen.size >= announcedItems;
      if (page.items.length === 0 && pageNum < announced && !deniedNext && !allServed) continue;
      // So is a page that brought new items and says NextPage false short of them: the answer contradicts
      // itself, and believed at its NextPage it hid the announced pages behind it (without a TotalItemNum,
      // in silence). The next page is read; an empty one ends the walk.
      if (page.items.length > 0 && !page.hasNext && fresh > 0 && pageNum < announced) {
        deniedNext = true;
        continue;
      }
      if ((page.items.length > 0 && fresh === 0) || !page.hasNext) {
        const repeatedPage = page.items.length > 0 && fresh === 0;
        const short = announcedItems !== undefined && seen.size < announcedItems ? { announced: announcedItems, read: seen.size } : undefined;
        return { items, pages: pageNum, repeatedPage, short, totalChanged };
      }
    }
  }
}

/** What a page fetched ahead answers when the walk no longer wants it by its turn: it is never sent. */
class PageNotWantedError extends Error {
  override readonly name = 'PageNotWantedError';
}

/** Starts pages first..last with at most `concurrency` in flight, each awaited in order by the walk. */
function prefetch<T>(
  fetchPage: (pageNum: number) => Promise<Page<T>>,
  first: number,
  last: number,
  concurrency: number,
  wanted: () => boolean,
): Map<number, Promise<Page<T>>> {
  const semaphore = new Semaphore(concurrency);
  const pages = new Map<number, Promise<Page<T>>>();
  for (let n = first; n <= last; n++) {
    const page = semaphore.run(() => (wanted() ? fetchPage(n) : Promise.reject(new PageNotWantedError(`page ${n} was no longer wanted`))));
    // The walk may stop before it reaches a page: its failure must not go unhandled.
    page.catch(() => undefined);
    pages.set(n, page);
  }
  return pages;
}

/** The page sizes tried after a refusal of the one asked for (see withPageSizes). */
const SMALLER_PAGE_SIZES = [50, 20, 10];

/**
 * A paged read `walk(pageSize)` that, refused with InvalidPageSize (a Domain business code, HTTP 400), walks
 * again from page 1 with a smaller page (50, 20, 10): no maximum is documented for QueryDomainList or
 * QueryTaskList, and below the one asked every run failed, nothing was ever ordered, and nothing a person
 * could set changed it. Each walk starts over because PageNum counts pages of one size. `onSize` hears the
 * size that was answered.
 */
export async function withPageSizes<R>(pageSize: number, walk: (pageSize: number) => Promise<R>, onSize?: (pageSize: number) => void): Promise<R> {
  const sizes = [pageSize, ...SMALLER_PAGE_SIZES.filter((size) => size < pageSize)];
  for (let i = 0; ; i++) {
    try {
      const result = await walk(sizes[i]!);
      onSize?.(sizes[i]!);
      return result;
    } catch (error) {
      if (!(error instanceof DomainApiError && error.code === 'InvalidPageSize') || i === sizes.length - 1) throw error;
    }
  }
}
