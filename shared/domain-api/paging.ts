/**
 * Every paged read of the registrar goes through one bounded walk: a healthy account never reaches its
 * bounds, a misbehaving registrar always does. It stops at the last page, at a page that brings nothing
 * new (a registrar that ignores PageNum), and fails with a clear error past the page cap, past what the
 * first page's TotalPageNum announced, or past the deadline.
 */
import { PagingLimitError } from './errors.js';
import type { Page } from './port.js';

export interface PagingBounds {
  /** Pages a healthy account never needs. */
  readonly maxPages: number;
  /** Epoch ms: no page is asked for after it. */
  readonly deadlineMs: number;
  readonly now: () => number;
}

export interface PagedItems<T> {
  readonly items: T[];
  readonly pages: number;
  /** The walk ended on a page whose every item had been seen already. */
  readonly repeatedPage: boolean;
}

export async function readAllPages<T>(
  action: string,
  fetchPage: (pageNum: number) => Promise<Page<T>>,
  keyOf: (item: T) => string,
  bounds: PagingBounds,
): Promise<PagedItems<T>> {
  const items: T[] = [];
  const seen = new Set<string>();
  let limit = bounds.maxPages;
  for (let pageNum = 1; ; pageNum++) {
    if (pageNum > limit) {
      throw new PagingLimitError(action, `the registrar still answered NextPage=true after ${limit} pages; its paging cannot be trusted, so the read was stopped`);
    }
    if (bounds.now() >= bounds.deadlineMs) throw new PagingLimitError(action, `could not be read to the end inside the time budget (${pageNum - 1} pages read)`);
    const page = await fetchPage(pageNum);
    // One page past what the first page announced is tolerated (a list that grew meanwhile); more is not.
    if (pageNum === 1 && page.totalPages !== undefined && page.totalPages >= 1) limit = Math.min(limit, page.totalPages + 1);
    let fresh = 0;
    for (const item of page.items) {
      const key = keyOf(item);
      if (!seen.has(key)) {
        seen.add(key);
        fresh++;
      }
      items.push(item);
    }
    if (page.items.length > 0 && fresh === 0) return { items, pages: pageNum, repeatedPage: true };
    if (!page.hasNext) return { items, pages: pageNum, repeatedPage: false };
  }
}
