import { describe, expect, it } from 'vitest';
import { PagingLimitError } from '../../shared/domain-api/errors.js';
import { readAllPages, type PagingBounds } from '../../shared/domain-api/paging.js';
import { pageOf, type Page } from '../../shared/domain-api/port.js';
import { fakeClock } from '../support/fake-clock.js';

const page = (pageNum: number, items: string[], hasNext: boolean, totalPages?: number): Page<string> => ({ items, pageNum, totalPages, totalItems: undefined, hasNext, requestId: `req-${pageNum}` });

/** A registrar answering each page number with what `answer` gives, and the page numbers asked for. */
function registrar(answer: (pageNum: number) => Page<string>) {
  const asked: number[] = [];
  const fetchPage = async (pageNum: number) => {
    asked.push(pageNum);
    return answer(pageNum);
  };
  return { fetchPage, asked };
}

const bounds = (overrides: Partial<PagingBounds> = {}): PagingBounds => ({ maxPages: 50, deadlineMs: Number.MAX_SAFE_INTEGER, now: () => 0, ...overrides });
const key = (item: string) => item;

async function limitError(walk: Promise<unknown>): Promise<PagingLimitError> {
  const error = await walk.then(
    () => expect.fail('the walk ended normally'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PagingLimitError);
  return error as PagingLimitError;
}

describe('readAllPages', () => {
  it('stops at the last page', async () => {
    const { fetchPage, asked } = registrar((n) => page(n, [`a${n}`, `b${n}`], n < 3));
    expect(await readAllPages('QueryTaskList', fetchPage, key, bounds())).toEqual({ items: ['a1', 'b1', 'a2', 'b2', 'a3', 'b3'], pages: 3, repeatedPage: false });
    expect(asked).toEqual([1, 2, 3]);
  });

  it('stops at a page that brings nothing new (a registrar that ignores PageNum)', async () => {
    const { fetchPage, asked } = registrar(() => page(1, ['a', 'b'], true));
    const read = await readAllPages('QueryDomainList', fetchPage, key, bounds());
    expect(read).toEqual({ items: ['a', 'b', 'a', 'b'], pages: 2, repeatedPage: true });
    expect(asked).toEqual([1, 2]);
  });

  it('a page with one new item among repeats goes on', async () => {
    const { fetchPage, asked } = registrar((n) => page(n, n === 1 ? ['a', 'b'] : ['b', 'c'], n < 2));
    expect(await readAllPages('QueryDomainList', fetchPage, key, bounds())).toMatchObject({ pages: 2, repeatedPage: false });
    expect(asked).toEqual([1, 2]);
  });

  it('fails past the page cap, with the action and the cap in the message', async () => {
    const { fetchPage, asked } = registrar((n) => page(n, [`item${n}`], true));
    const error = await limitError(readAllPages('QueryTaskList', fetchPage, key, bounds({ maxPages: 4 })));
    expect(asked).toEqual([1, 2, 3, 4]);
    expect(error.action).toBe('QueryTaskList');
    expect(error.message).toBe('QueryTaskList: the registrar still answered NextPage=true after 4 pages; its paging cannot be trusted, so the read was stopped');
  });

  it('tolerates one page past what the first page announced (TotalPageNum + 1), not two', async () => {
    const grew = registrar((n) => page(n, [`item${n}`], n < 3, 2));
    expect(await readAllPages('QueryDomainList', grew.fetchPage, key, bounds())).toMatchObject({ pages: 3 });

    const endless = registrar((n) => page(n, [`item${n}`], true, 2));
    const error = await limitError(readAllPages('QueryDomainList', endless.fetchPage, key, bounds()));
    expect(endless.asked).toEqual([1, 2, 3]);
    expect(error.message).toMatch(/after 3 pages/);
  });

  it("only the first page's TotalPageNum counts, never above the cap, and 0 or none means no announcement", async () => {
    const later = registrar((n) => page(n, [`item${n}`], true, n === 1 ? 10 : 1));
    await limitError(readAllPages('QueryDomainList', later.fetchPage, key, bounds({ maxPages: 50 })));
    expect(later.asked).toHaveLength(11);

    const huge = registrar((n) => page(n, [`item${n}`], true, 1_000));
    await limitError(readAllPages('QueryDomainList', huge.fetchPage, key, bounds({ maxPages: 5 })));
    expect(huge.asked).toHaveLength(5);

    const zero = registrar((n) => page(n, [`item${n}`], true, 0));
    await limitError(readAllPages('QueryDomainList', zero.fetchPage, key, bounds({ maxPages: 6 })));
    expect(zero.asked).toHaveLength(6);
  });

  it('asks no page at or after the deadline', async () => {
    const clock = fakeClock(1_000);
    const none = registrar((n) => page(n, [`item${n}`], true));
    const error = await limitError(readAllPages('QueryTaskList', none.fetchPage, key, { maxPages: 50, deadlineMs: 1_000, now: clock.now }));
    expect(none.asked).toEqual([]);
    expect(error.message).toBe('QueryTaskList: could not be read to the end inside the time budget (0 pages read)');

    // Each page takes 400 ms: pages 1 (at 1,000) and 2 (at 1,400) start before 1,500, page 3 (at 1,800) does not.
    const slow = registrar((n) => {
      clock.advance(400);
      return page(n, [`item${n}`], true);
    });
    const late = await limitError(readAllPages('QueryTaskList', slow.fetchPage, key, { maxPages: 50, deadlineMs: 1_500, now: clock.now }));
    expect(slow.asked).toEqual([1, 2]);
    expect(late.message).toMatch(/\(2 pages read\)/);
  });
});

describe('readAllPages with pages fetched ahead', () => {
  it('a walk that fails on a page starts none of the pages still queued behind it', async () => {
    const asked: number[] = [];
    const fetchPage = async (pageNum: number) => {
      asked.push(pageNum);
      await new Promise((resolve) => setTimeout(resolve, 2));
      if (pageNum === 3) throw new Error('page 3 broke (test)');
      return page(pageNum, [`item${pageNum}`], true, 40);
    };
    await expect(readAllPages('QueryDomainList', fetchPage, key, bounds(), 4)).rejects.toThrow('page 3 broke');
    const atFailure = asked.length;
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Page 1, 4 in flight, and those that took a freed slot before the walk reached page 3; nothing after.
    expect(atFailure).toBeLessThanOrEqual(9);
    expect(asked).toHaveLength(atFailure);
  });

  it('a signal stops the walk at its next page with the signal\'s reason, and no queued page starts', async () => {
    const stop = new AbortController();
    const asked: number[] = [];
    const fetchPage = async (pageNum: number) => {
      asked.push(pageNum);
      if (pageNum === 2) stop.abort(new Error('the other read failed (test)'));
      await new Promise((resolve) => setTimeout(resolve, 2));
      return page(pageNum, [`item${pageNum}`], true, 40);
    };
    await expect(readAllPages('QueryTaskList', fetchPage, key, bounds({ signal: stop.signal }), 2)).rejects.toThrow('the other read failed');
    const atStop = asked.length;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(atStop).toBeLessThanOrEqual(4);
    expect(asked).toHaveLength(atStop);
  });
});

describe('pageOf: the paging envelope', () => {
  it('NextPage decides when present; else CurrentPageNum < TotalPageNum; an empty page ends the walk whatever it says', () => {
    expect(pageOf(['a'], { RequestId: 'r', NextPage: true, TotalPageNum: 1, CurrentPageNum: 1 }, 1).hasNext).toBe(true);
    expect(pageOf(['a'], { RequestId: 'r', NextPage: false, TotalPageNum: 9, CurrentPageNum: 1 }, 1).hasNext).toBe(false);
    expect(pageOf(['a'], { RequestId: 'r', TotalPageNum: 3, CurrentPageNum: 2 }, 2).hasNext).toBe(true);
    expect(pageOf(['a'], { RequestId: 'r', TotalPageNum: 3, CurrentPageNum: 3 }, 3).hasNext).toBe(false);
    // Without CurrentPageNum, the page asked for.
    expect(pageOf(['a'], { RequestId: 'r', TotalPageNum: 3 }, 2).hasNext).toBe(true);
    expect(pageOf(['a'], { RequestId: 'r' }, 1).hasNext).toBe(false);
    expect(pageOf([], { RequestId: 'r', NextPage: true, TotalPageNum: 9, CurrentPageNum: 1 }, 1).hasNext).toBe(false);
    expect(pageOf(['a'], { RequestId: 'r-9', TotalPageNum: 4, TotalItemNum: 31 }, 1)).toEqual({ items: ['a'], pageNum: 1, totalPages: 4, totalItems: 31, hasNext: true, requestId: 'r-9' });
  });
});
