/**
 * QueryDomainList's TotalItemNum changing between the pages of every walk (domain-api.md §3.1: a paged
 * list whose envelope carries TotalItemNum; domains enter and leave redemption all day) on a registrar
 * slow to answer. The listing reads the list again when its total changes; a re-read must not cost the run
 * the list it already read whole, nor the time its orders need.
 */
import { describe, expect, it } from 'vitest';
import { domainItem, pageBody, type Scripted, type StandinCall } from '../support/registrar-standin.js';
import { dueExpiration, runAgainst, standinPerTest } from './standin-runs.js';

const start = standinPerTest();

describe('a slow registrar whose redemption list changes its TotalItemNum on every walk', () => {
  it('the run still orders the due domains it read, and says the list changed', async () => {
    const a = domainItem('first-page.com', dueExpiration('first-page.com'));
    const b = domainItem('second-page.com', dueExpiration('second-page.com'));
    const script = (call: StandinCall): Scripted | undefined => {
      if (call.action !== 'QueryDomainList') return undefined;
      const pageNum = Number(call.params.PageNum ?? '1');
      // Page 1 says two domains; page 2, read a moment later, three (one more entered redemption meanwhile).
      const body = pageNum === 1 ? { ...pageBody('QueryDomainList', [a], { pageNum: 1, nextPage: true, pageSize: 1 }), TotalItemNum: 2, TotalPageNum: 2 } : { ...pageBody('QueryDomainList', [b], { pageNum: 2, nextPage: false, pageSize: 1 }), TotalItemNum: 3, TotalPageNum: 2 };
      return { body, delayMs: 1_500 };
    };
    const s = await start({ domains: [a, b], script: script as never });
    const run = await runAgainst(s, { budgetMs: 10_000 });
    expect(run.summary.run, `the run (${String(run.summary.run.error_message)})`).toMatchObject({ outcome: 'completed' });
    expect(Object.fromEntries(s.ordersPerDomain())).toEqual({ 'first-page.com': 1, 'second-page.com': 1 });
    expect(JSON.stringify(run.records), 'the change is said').toMatch(/TotalItemNum went from 2 to 3 by page 2 \(not read again: too little time was left\)/);
  }, 30_000);
});
