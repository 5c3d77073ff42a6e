/**
 * QueryDomainList paging against a list that changes while it is read (domain-api.md §3.1: PageNum /
 * PageSize paging with TotalItemNum, TotalPageNum and NextPage; no cursor, no snapshot, and nothing says
 * the list holds still: domains enter the redemption period and leave it, redeemed or deleted, at any time).
 * The stand-in serves pages of two whatever PageSize asks ("PageSize not honoured"), from the list as it is
 * at each call.
 */
import { describe, expect, it } from 'vitest';
import { domainItem, pageBody, type StandinCall, type RegistrarStandin } from '../support/registrar-standin.js';
import { inboxPerTest } from '../support/webhook-inbox.js';
import { decisionsOf, dueExpiration, runAgainst, standinPerTest } from './standin-runs.js';

const start = standinPerTest();
const openInbox = inboxPerTest();
const PAGE = 2;
const due = (name: string) => domainItem(name, dueExpiration(name));

/** A page of two of the stand-in's list as it is now, with a TotalItemNum and TotalPageNum that say so. */
function pageOfTwo(call: StandinCall, standin: RegistrarStandin): object {
  const pageNum = Number(call.params.PageNum);
  const all = standin.domains;
  const totalPages = Math.ceil(all.length / PAGE);
  return { ...pageBody('QueryDomainList', all.slice((pageNum - 1) * PAGE, pageNum * PAGE), { pageNum, nextPage: pageNum < totalPages, totalPages, pageSize: PAGE }), TotalItemNum: all.length };
}

describe('a redemption list that changes between its pages', () => {
  it('a domain leaves it after page 1 (TotalItemNum 6, then 5): the domain that moved up to page 1 unread is still decided and ordered', async () => {
    const s = await start({
      domains: ['a', 'b', 'c', 'd', 'e', 'f'].map((n) => due(`${n}.com`)),
      script: (call, standin) => {
        if (call.action !== 'QueryDomainList' || call.params.QueryType !== '2') return undefined;
        // Between the first walk's page 1 and page 2: a.com redeemed elsewhere, it leaves the list.
        if (Number(call.params.PageNum) === 2 && standin.domains.some((d) => d.DomainName === 'a.com')) standin.domains = standin.domains.slice(1);
        return { body: pageOfTwo(call, standin) };
      },
    });
    const run = await runAgainst(s);
    // c.com moved from page 2 to page 1 after page 1 was read: a walk by offsets never serves it.
    expect(decisionsOf(run).map((d) => d.domain)).toContain('c.com');
    expect(s.ordersPerDomain().get('c.com')).toBe(1);
  });

  it('a list that shrinks on every walk: bounded, what was read is decided, and a person hears that some of it was not', async () => {
    const s = await start({
      domains: Array.from({ length: 40 }, (_, i) => due(`d${i}.com`)),
      script: (call, standin) => {
        if (call.action !== 'QueryDomainList' || call.params.QueryType !== '2') return undefined;
        // Before every page 2: the first domain leaves.
        if (Number(call.params.PageNum) === 2) standin.domains = standin.domains.slice(1);
        return { body: pageOfTwo(call, standin) };
      },
    });
    const inbox = await openInbox();
    const run = await runAgainst(s, { env: { NOTIFY_WEBHOOK_URL: inbox.url, NOTIFY_WEBHOOK_SECRET: 'inbox-secret' } });
    expect(run.summary.run.outcome).toBe('completed');
    // Bounded: a few walks of twenty pages, not one per change.
    expect(s.callsOf('QueryDomainList').filter((c) => c.params.QueryType === '2').length).toBeLessThanOrEqual(3 * 21);
    expect(JSON.stringify(inbox.bodies)).toMatch(/QueryDomainList.*TotalItemNum/);
  });
});

describe('a page that says NextPage false before the pages the first one announced', () => {
  it.each([
    ['with TotalItemNum', true],
    ['without TotalItemNum', false],
  ])('page 1 of TotalPageNum 3 (%s) says NextPage false: pages 2 and 3 are read all the same, every domain decided', async (_label, withTotal) => {
    const s = await start({
      domains: ['a', 'b', 'c', 'd', 'e', 'f'].map((n) => due(`${n}.com`)),
      script: (call, standin) => {
        if (call.action !== 'QueryDomainList' || call.params.QueryType !== '2') return undefined;
        const body = pageOfTwo(call, standin) as Record<string, unknown>;
        if (!withTotal) delete body.TotalItemNum;
        return { body: Number(call.params.PageNum) === 1 ? { ...body, NextPage: false } : body };
      },
    });
    const run = await runAgainst(s);
    expect(decisionsOf(run).map((d) => d.domain).sort()).toEqual(['a.com', 'b.com', 'c.com', 'd.com', 'e.com', 'f.com']);
    expect(s.orders).toHaveLength(6);
  });
});

describe('a TotalPageNum set too high', () => {
  it('page 1 holds both domains TotalItemNum announces, says NextPage true and TotalPageNum 1000, and every later page is empty: a few more pages are asked for, not 999', async () => {
    const s = await start({
      domains: ['a', 'b'].map((n) => due(`${n}.com`)),
      script: (call, standin) => {
        if (call.action !== 'QueryDomainList' || call.params.QueryType !== '2') return undefined;
        const page = pageOfTwo(call, standin) as Record<string, unknown>;
        return { body: { ...page, TotalPageNum: 1000, NextPage: Number(call.params.PageNum) === 1 } };
      },
    });
    const run = await runAgainst(s);
    expect(decisionsOf(run).map((d) => d.domain).sort()).toEqual(['a.com', 'b.com']);
    expect(s.callsOf('QueryDomainList').filter((c) => c.params.QueryType === '2').length).toBeLessThanOrEqual(12);
  });

  it('page 1 of "TotalPageNum 500" holds every domain and says NextPage false: one more page is asked for, not 499', async () => {
    const s = await start({
      domains: ['a', 'b'].map((n) => due(`${n}.com`)),
      script: (call, standin) => {
        if (call.action !== 'QueryDomainList' || call.params.QueryType !== '2') return undefined;
        return { body: { ...pageOfTwo(call, standin), TotalPageNum: 500, NextPage: false } };
      },
    });
    const run = await runAgainst(s);
    expect(decisionsOf(run).map((d) => d.domain).sort()).toEqual(['a.com', 'b.com']);
    expect(s.callsOf('QueryDomainList').filter((c) => c.params.QueryType === '2')).toHaveLength(2);
  });
});

describe('a registrar whose PageSize maximum is below the one asked', () => {
  // domain-api.md §3.1: no maximum PageSize is documented for QueryDomainList (nor for QueryTaskList), and
  // InvalidPageSize (HTTP 400) is one of the Domain business codes (§6). Here the maximum is 50.
  const refuseAbove50 = (call: StandinCall) =>
    (call.action === 'QueryDomainList' || call.action === 'QueryTaskList') && Number(call.params.PageSize) > 50
      ? { status: 400, body: { RequestId: 'R-PS', HostId: 'domain-intl.aliyuncs.com', Code: 'InvalidPageSize', Message: 'The specified PageSize is invalid.' } }
      : undefined;

  it('InvalidPageSize to PageSize 100: the lists are read in smaller pages, the run completes and orders', async () => {
    const s = await start({ domains: [due('small-pages.com')], tasks: [], script: refuseAbove50 });
    const run = await runAgainst(s);
    expect(run.summary.run.outcome).toBe('completed');
    expect(Object.fromEntries(s.ordersPerDomain())).toEqual({ 'small-pages.com': 1 });
  });

  it('an open task on the ledger is still seen in the smaller pages: its domain is not ordered again', async () => {
    const s = await start({ domains: [due('held.com')], tasks: [{ taskNo: 'T-held', domainName: 'held.com', statusCode: 0, createdMs: Date.now() - 3_600_000 }], script: refuseAbove50 });
    const run = await runAgainst(s);
    expect(s.orders).toHaveLength(0);
    expect(decisionsOf(run).find((d) => d.domain === 'held.com')).toMatchObject({ reason: 'task-in-flight', task_no: 'T-held' });
  });
});

describe('CurrentPageNum that is not the page asked for', () => {
  it('every page answered as CurrentPageNum 1 with no NextPage (TotalPageNum 3): every domain decided, a bounded number of pages', async () => {
    const s = await start({
      domains: ['a', 'b', 'c', 'd', 'e', 'f'].map((n) => due(`${n}.com`)),
      script: (call, standin) => {
        if (call.action !== 'QueryDomainList' || call.params.QueryType !== '2') return undefined;
        const { NextPage: _dropped, ...page } = pageOfTwo(call, standin) as Record<string, unknown>;
        return { body: { ...page, CurrentPageNum: 1 } };
      },
    });
    const run = await runAgainst(s);
    expect(decisionsOf(run).map((d) => d.domain).sort()).toEqual(['a.com', 'b.com', 'c.com', 'd.com', 'e.com', 'f.com']);
    expect(s.callsOf('QueryDomainList').filter((c) => c.params.QueryType === '2').length).toBeLessThanOrEqual(4);
  });
});
