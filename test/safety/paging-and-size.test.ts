/**
 * Findings 4 and 9 (size, SLS state): every paged read ends, whatever the registrar's NextPage says, with a
 * clear PagingLimit error and no order; an oversized answer is cut off, not read into memory; a run whose
 * logstore is unreachable says so even when it had nothing to decide.
 */
import { describe, expect, it } from 'vitest';
import { closedPort } from '../support/canned-server.js';
import { detailItem, domainItem, pageBody, type StandinOptions } from '../support/registrar-standin.js';
import { decisionsOf, dueExpiration, runAgainst, standinPerTest } from './standin-runs.js';

const start = standinPerTest();

const due = (name: string) => domainItem(name, dueExpiration(name));
const pageOf = (call: { params: Readonly<Record<string, string>> }) => Number(call.params.PageNum);
const HOUR_MS = 3_600_000;
const MiB = 1024 * 1024;

/** Distinct items on every page, NextPage always true and no TotalPageNum: only a page cap can stop it. */
const ENDLESS: Record<'QueryDomainList' | 'QueryTaskList' | 'QueryTaskDetailList', StandinOptions> = {
  QueryDomainList: {
    script: (call) => (call.action === 'QueryDomainList' ? { body: pageBody('QueryDomainList', [due(`page-${pageOf(call)}.com`)], { pageNum: pageOf(call), nextPage: true }) } : undefined),
  },
  QueryTaskList: {
    domains: [due('waiting.com')],
    script: (call) =>
      call.action === 'QueryTaskList'
        ? { body: pageBody('QueryTaskList', [{ TaskNo: `renew-${pageOf(call)}`, TaskType: 'ORDER_RENEW', TaskNum: 1, CreateTime: '2026-12-01 09:00:00' }], { pageNum: pageOf(call), nextPage: true }) }
        : undefined,
  },
  QueryTaskDetailList: {
    domains: [due('waiting.com')],
    tasks: [{ taskNo: 'T-other', domainName: 'other.com', statusCode: 1, createdMs: Date.now() - HOUR_MS }],
    script: (call) =>
      call.action === 'QueryTaskDetailList'
        ? {
            body: pageBody(
              'QueryTaskDetailList',
              [detailItem('T-other', `D${pageOf(call)}`, `other-${pageOf(call)}.com`, 1)],
              { pageNum: pageOf(call), nextPage: true },
            ),
          }
        : undefined,
  },
};

/** The page caps the run declares (shared/run/listing.ts, ledger.ts): a bound a healthy account never reaches. */
const PAGE_CAP = { QueryDomainList: 1_000, QueryTaskList: 100, QueryTaskDetailList: 3 } as const;

describe('finding 4: endless NextPage', () => {
  for (const action of Object.keys(ENDLESS) as Array<keyof typeof ENDLESS>) {
    it(`${action} with new items on every page: a PagingLimit error naming the action, at most ${PAGE_CAP[action]} pages, no order, stopped by the page cap`, async () => {
      const s = await start(ENDLESS[action]);
      const { summary } = await runAgainst(s);
      expect(summary.run).toMatchObject({ outcome: 'failed', error_code: 'PagingLimit', error_message: expect.stringContaining(action) });
      expect(s.callsOf(action).length).toBeLessThanOrEqual(PAGE_CAP[action]);
      expect(s.orders).toHaveLength(0);
      // Stopped by the cap on pages, not by the run's time budget (the same code): a wall-clock limit here
      // failed on a loaded machine, and speed is the benchmark's to measure.
      expect(String(summary.run.error_message)).toMatch(/NextPage=true after \d+ pages/);
    });
  }

  it('QueryDomainList announcing TotalPageNum 2 but saying NextPage for ever: stopped one page past what it announced', async () => {
    const s = await start({
      script: (call) => (call.action === 'QueryDomainList' ? { body: pageBody('QueryDomainList', [due(`page-${pageOf(call)}.com`)], { pageNum: pageOf(call), nextPage: true, totalPages: 2 }) } : undefined),
    });
    const { summary } = await runAgainst(s);
    expect(summary.run).toMatchObject({ outcome: 'failed', error_code: 'PagingLimit' });
    expect(s.callsOf('QueryDomainList')).toHaveLength(3);
    expect(s.orders).toHaveLength(0);
  });

  for (const action of ['QueryTaskList', 'QueryTaskDetailList'] as const) {
    it(`${action} serving the same page for ever (PageNum ignored): the walk stops at the repeated page, one order per domain`, async () => {
      const task = { TaskNo: 'T-other', TaskType: 'ORDER_REDEEM', TaskNum: 1, CreateTime: '2026-12-01 09:00:00' };
      const detail = detailItem('T-other', 'D1', 'other.com', 1);
      const s = await start({
        domains: [due('same-page.com')],
        tasks: [{ taskNo: 'T-other', domainName: 'other.com', statusCode: 1, createdMs: Date.now() - HOUR_MS }],
        script: (call) => {
          // Only the walks under test: the follow-up of this run's own order gets the registrar's normal answer.
          if (call.action !== action || (action === 'QueryTaskDetailList' && call.params.TaskNo !== 'T-other')) return undefined;
          return action === 'QueryTaskList'
            ? { body: pageBody('QueryTaskList', [task], { pageNum: pageOf(call), nextPage: true }) }
            : { body: pageBody('QueryTaskDetailList', [detail], { pageNum: pageOf(call), nextPage: true }) };
        },
      });
      const started = Date.now();
      const run = await runAgainst(s);
      console.log(`[safety] endless ${action} (same page): ${s.callsOf(action).length} calls, ${Date.now() - started} ms, ${run.summary.run.outcome}`);
      expect(run.summary.run.outcome).toBe('completed');
      expect(Object.fromEntries(s.submissionsPerDomain())).toEqual({ 'same-page.com': 1 });
      // Each walk reads two pages and stops at the repeated one: the first read, the fresh look before the
      // one submission, and (for QueryTaskList) every follow-up round's look at the task list.
      const walked = s.callsOf(action).filter((c) => action === 'QueryTaskList' || c.params.TaskNo === 'T-other');
      expect(walked.map(pageOf).every((n) => n <= 2)).toBe(true);
      if (action === 'QueryTaskList') expect(walked.length).toBeGreaterThanOrEqual(4);
      else expect(walked).toHaveLength(2);
    });
  }

  it('an endless QueryTaskList on the fresh look before a submission: nothing is sent, the domain is left for the next run', async () => {
    const s = await start({
      domains: [due('look.com')],
      script: (call) =>
        call.action === 'QueryTaskList' && call.n > 1
          ? { body: pageBody('QueryTaskList', [{ TaskNo: `renew-${call.n}`, TaskType: 'ORDER_RENEW', TaskNum: 1, CreateTime: '2026-12-01 09:00:00' }], { pageNum: pageOf(call), nextPage: true }) }
          : undefined,
    });
    const run = await runAgainst(s);
    expect(s.orders).toHaveLength(0);
    expect(decisionsOf(run).find((d) => d.domain === 'look.com')).toMatchObject({ outcome: 'skipped', reason: 'halted', error_code: 'PagingLimit' });
    expect(run.summary.run.left_for_next_run).toBe(1);
  });
});

describe('finding 9: an oversized answer', () => {
  /** Samples this process's RSS while `work` runs: the peak rise above where it started. */
  async function peakRss<T>(work: () => Promise<T>): Promise<{ result: T; riseMiB: number }> {
    const base = process.memoryUsage().rss;
    let peak = base;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    try {
      const result = await work();
      peak = Math.max(peak, process.memoryUsage().rss);
      return { result, riseMiB: (peak - base) / MiB };
    } finally {
      clearInterval(timer);
    }
  }

  // 64 MiB rather than 20: what loopback sockets buffer (tcp_rmem may reach 32 MiB) stays well below it, so
  // an answer the server wrote to the end can only mean the client read it all.
  for (const declareLength of [false, true]) {
    it(`a 64 MiB QueryDomainList answer (${declareLength ? 'Content-Length declared' : 'chunked'}): the run fails cleanly, every attempt cut off, memory flat`, async () => {
      const s = await start({ script: (call) => (call.action === 'QueryDomainList' ? { stream: 64 * MiB, declareLength } : undefined) });
      const started = Date.now();
      const { result, riseMiB } = await peakRss(() => runAgainst(s));
      const attempts = s.callsOf('QueryDomainList').length;
      const written = s.streams.map((w) => (w.written / MiB).toFixed(1));
      console.log(
        `[safety] 64 MiB answer (${declareLength ? 'declared' : 'chunked'}): ${attempts} attempts, MiB written by the server before the client hung up [${written.join(',')}], ` +
          `RSS rise ${riseMiB.toFixed(0)} MiB, ${Date.now() - started} ms, ${result.summary.run.error_code}: ${result.summary.run.error_message}`,
      );
      expect(result.summary.run).toMatchObject({ outcome: 'failed', error_message: expect.stringMatching(/ResponseTooLarge|larger than/) });
      expect(s.orders).toHaveLength(0);
      // The server never got to the end of an answer: the client hung up at the cap.
      expect(s.streams).toHaveLength(attempts);
      expect(s.streams.filter((w) => w.completed)).toHaveLength(0);
      expect(riseMiB).toBeLessThan(100);
    });
  }

  it('a 64 MiB answer to a submission that was accepted: outcome unknown, found in the ledger, followed, not sent again', async () => {
    const s = await start({
      domains: [due('big-answer.com')],
      script: (call, standin) => {
        if (call.action !== 'SaveSingleTaskForCreatingOrderRedeem') return undefined;
        const taskNo = `T-big-${call.n}`;
        standin.tasks.push({ taskNo, domainName: call.params.DomainName!, statusCode: 2, createdMs: Date.now() });
        standin.orders.push({ domainName: call.params.DomainName!, expiration: call.params.CurrentExpirationDate!, taskNo });
        return { stream: 64 * MiB };
      },
    });
    const run = await runAgainst(s);
    expect(s.callsOf('SaveSingleTaskForCreatingOrderRedeem')).toHaveLength(1);
    expect(decisionsOf(run).find((d) => d.domain === 'big-answer.com')).toMatchObject({ outcome: 'succeeded', reconciled: true, error_code: 'OutcomeUnknown', task_no: 'T-big-1' });
  });
});

describe('finding 9: SLS state in the run record', () => {
  it('an unreachable logstore is sls_delivery "failed" even when the run had no decision to send', async () => {
    const s = await start({ domains: [] });
    const port = await closedPort();
    const { summary, records } = await runAgainst(s, { env: { SLS_ENDPOINT: `http://127.0.0.1:${port}`, SLS_PROJECT: 'audit', SLS_LOGSTORE: 'results' } });
    expect(summary.run).toMatchObject({ outcome: 'completed', candidates: 0, sls_delivery: 'failed' });
    expect(records.filter((r) => r.kind === 'decision')).toHaveLength(0);
    expect(records.at(-1)).toMatchObject({ kind: 'run', sls_delivery: 'failed' });
  });
});
