/**
 * The benchmark's yardsticks on fixed work, computed by hand: the minimum number of calls the API
 * allows, the chain of dependent calls and the bound on wall time.
 */
import { describe, expect, it } from 'vitest';
import { latencyOf, latencySpec, selectCases } from '../../bench/cases.js';
import { workOf, type DecisionTuple } from '../../bench/lib.js';
import { boundMs, dependencyChain, minimumCalls, ratio } from '../../bench/metrics.js';

const flat = (ms: number) => () => ms;

describe('minimum calls', () => {
  it('100,000 domains, 4,909 in redemption, 3,288 orders all confirmed: 50 + 1 + 3,288 + 3,288', () => {
    expect(minimumCalls({ inRedemption: 4_909, ledgerTasks: 0, decisiveTasks: 0, orders: 3_288, confirmed: 3_288 })).toEqual({
      listPages: 50,
      ledgerPages: 1,
      decisiveDetails: 0,
      submissions: 3_288,
      outcomeDetails: 3_288,
      total: 6_627,
    });
  });

  it('the next day with nothing to order: list pages and ledger pages only (152 listed, 341 tasks)', () => {
    expect(minimumCalls({ inRedemption: 152, ledgerTasks: 341, decisiveTasks: 0, orders: 0, confirmed: 0 }).total).toBe(2 + 4);
  });

  it('tasks that outlast the run: submissions but no outcome details', () => {
    expect(minimumCalls({ inRedemption: 493, ledgerTasks: 0, decisiveTasks: 0, orders: 341, confirmed: 0 }).total).toBe(5 + 1 + 341);
  });

  it('one detail per decisive ledger task; an empty account still costs a list page and a ledger page', () => {
    expect(minimumCalls({ inRedemption: 50, ledgerTasks: 250, decisiveTasks: 3, orders: 10, confirmed: 7 }).total).toBe(1 + 3 + 3 + 10 + 7);
    expect(minimumCalls({ inRedemption: 0, ledgerTasks: 0, decisiveTasks: 0, orders: 0, confirmed: 0 }).total).toBe(2);
    expect(minimumCalls({ inRedemption: 100, ledgerTasks: 100, decisiveTasks: 0, orders: 0, confirmed: 0 }).total).toBe(2);
    expect(minimumCalls({ inRedemption: 101, ledgerTasks: 101, decisiveTasks: 0, orders: 0, confirmed: 0 }).total).toBe(4);
  });
});

describe('the chain of dependent calls and the bound', () => {
  it('at 20 ms: list page 1, the other pages, the submissions, the outcome details: 80 ms, plus 300 ms of registrar time', () => {
    const work = { inRedemption: 4_909, ledgerTasks: 0, decisiveTasks: 0, orders: 3_288, confirmed: 3_288 };
    expect(dependencyChain(work, flat(20))).toEqual(['QueryDomainList', 'QueryDomainList', 'SaveSingleTaskForCreatingOrderRedeem', 'QueryTaskDetailList']);
    expect(boundMs(work, { calls: 6_627, callsByAction: {} }, flat(20), 300)).toEqual({
      chainMs: 80,
      taskMs: 300,
      qpsMs: 0,
      totalMs: 380,
      chain: ['QueryDomainList', 'QueryDomainList', 'SaveSingleTaskForCreatingOrderRedeem', 'QueryTaskDetailList'],
    });
  });

  it('a QPS limit applies: calls ÷ QPS (6,627 calls at 10 QPS: 662.7 s)', () => {
    const work = { inRedemption: 4_909, ledgerTasks: 0, decisiveTasks: 0, orders: 3_288, confirmed: 3_288 };
    expect(boundMs(work, { calls: 6_627, callsByAction: {} }, flat(20), 300, [{ all: 10 }]).totalMs).toBeCloseTo(662_700, 6);
  });

  it('the tightest of several limits, per action included', () => {
    const work = { inRedemption: 10, ledgerTasks: 0, decisiveTasks: 0, orders: 100, confirmed: 0 };
    const made = { calls: 200, callsByAction: { SaveSingleTaskForCreatingOrderRedeem: 100, QueryTaskDetailList: 50 } };
    expect(boundMs(work, made, flat(0), 0, [{ all: 50, byAction: { SaveSingleTaskForCreatingOrderRedeem: 5 } }]).qpsMs).toBe(20_000);
    expect(boundMs(work, made, flat(0), 0, [{ all: 50, byAction: { SaveSingleTaskForCreatingOrderRedeem: 5 } }, { all: 8 }]).qpsMs).toBe(25_000);
    expect(boundMs(work, made, flat(0), 0, [{ byAction: { QueryTaskList: 1 } }]).qpsMs).toBe(0);
  });

  it('per-action latency picks the slower of discovery and ledger; no registrar time when nothing was confirmed', () => {
    const latency = latencyOf({ all: 20, byAction: { QueryDomainList: 150, SaveSingleTaskForCreatingOrderRedeem: 300 } });
    const work = { inRedemption: 50, ledgerTasks: 250, decisiveTasks: 3, orders: 10, confirmed: 7 };
    expect(dependencyChain(work, latency)).toEqual(['QueryDomainList', 'SaveSingleTaskForCreatingOrderRedeem', 'QueryTaskDetailList']);
    expect(boundMs(work, { calls: 30, callsByAction: {} }, latency, 600_000).totalMs).toBe(150 + 300 + 20 + 600_000);
    const slowLedger = latencyOf({ all: 20, byAction: { QueryTaskList: 100 } });
    expect(dependencyChain(work, slowLedger)).toEqual(['QueryTaskList', 'QueryTaskList', 'QueryTaskDetailList', 'SaveSingleTaskForCreatingOrderRedeem', 'QueryTaskDetailList']);
    expect(boundMs({ ...work, confirmed: 0 }, { calls: 30, callsByAction: {} }, slowLedger, 600_000)).toMatchObject({ chainMs: 100 + 100 + 20 + 20, taskMs: 0, totalMs: 240 });
  });

  it('the next day at 20 ms: two list pages or two ledger pages, 40 ms', () => {
    expect(boundMs({ inRedemption: 152, ledgerTasks: 341, decisiveTasks: 0, orders: 0, confirmed: 0 }, { calls: 347, callsByAction: {} }, flat(20), 300).totalMs).toBe(40);
  });

  it('ratios to two decimals, none against zero', () => {
    expect(ratio(6_627, 6_627)).toBe(1);
    expect(ratio(1, 3)).toBe(0.33);
    expect(ratio(347, 6)).toBe(57.83);
    expect(ratio(5, 0)).toBeUndefined();
  });
});

describe('the work of a run, from its decisions', () => {
  it('counts orders, confirmed outcomes (a registry failure has a task) and ledger-decided skips', () => {
    const decisions: DecisionTuple[] = [
      ['a.com', 'redeem', 'due', 'succeeded', 1, ''],
      ['b.com', 'redeem', 'due', 'failed', 1, 'REGISTRY_REJECTED'],
      ['c.com', 'redeem', 'due', 'failed', 0, 'Throttling.User'],
      ['d.com', 'redeem', 'due', 'submitted', 1, ''],
      ['e.com', 'redeem', 'due', 'in-progress', 0, 'TaskIsBeingProcessed'],
      ['f.com', 'redeem', 'time-budget', 'skipped', 0, ''],
      ['g.com', 'skip', 'task-in-flight', 'skipped', 1, ''],
      ['h.com', 'skip', 'already-redeemed', 'skipped', 1, ''],
      ['i.com', 'skip', 'outside-window', 'skipped', 0, ''],
    ];
    expect(workOf(40, 12, decisions)).toEqual({ inRedemption: 40, ledgerTasks: 12, decisiveTasks: 2, orders: 6, confirmed: 2 });
  });
});

describe('the cases', () => {
  it('the default run has the cases of the issue, the big ones only on request, --case picks any', () => {
    expect(selectCases({ quick: false, big: false }).map((c) => c.name)).toEqual(['qps10-1k', 'latency20-10k', 'latency150-10k', 'second-day-10k', 'slow-tasks-10k-120s', 'qps50-10k']);
    expect(selectCases({ quick: false, big: true }).map((c) => c.name).slice(-3)).toEqual(['latency20-100k', 'latency150-100k', 'qps10-10k']);
    expect(selectCases({ quick: true, big: false }).every((c) => c.groups.includes('quick'))).toBe(true);
    expect(selectCases({ quick: false, big: false, names: ['qps10-1k'] })).toHaveLength(1);
    expect(selectCases({ quick: false, big: false, names: ['latency150-100k'] }).map((c) => c.domains)).toEqual([100_000]);
    expect(() => selectCases({ quick: false, big: false, names: ['nope'] })).toThrow(/--case: unknown nope; the cases are latency20-1k/);
  });

  it('the emulator spec of a latency', () => {
    expect(latencySpec({ all: 150 })).toBe('150');
    expect(latencySpec({ all: 20, byAction: { SaveSingleTaskForCreatingOrderRedeem: 300 } })).toBe('20,SaveSingleTaskForCreatingOrderRedeem=300');
  });
});
