import { describe, expect, it } from 'vitest';
import { DomainApiError, NetworkError, OutcomeUnknownError, TaskIsBeingProcessedError } from '../../shared/domain-api/errors.js';
import { DAY_MS } from '../../shared/run/deadline.js';
import { execute, type ExecutorDeps } from '../../shared/run/executor.js';
import { Ledger } from '../../shared/run/ledger.js';
import type { Decision, SkipReason } from '../../shared/run/planner.js';
import type { RecordFields } from '../../shared/run/records.js';
import { timeBudget } from '../../shared/run/time-budget.js';
import { fakeClock } from '../support/fake-clock.js';
import { FakeDomainApi, type FakeCall, type FakeLogEntry } from '../support/fake-domain-api.js';

const NOW = Date.UTC(2026, 11, 1, 12);
const EXPIRATION = NOW - 57 * DAY_MS;
const SAVE = 'SaveSingleTaskForCreatingOrderRedeem';

function due(domainName: string, reason: 'due' | 'dry-run' = 'due'): Decision {
  return { domainName, expirationMs: EXPIRATION, tld: 'com', rules: 'known', deadlineMs: NOW + DAY_MS, msLeft: DAY_MS, daysLeft: 1, action: 'redeem', reason };
}

function skipped(domainName: string, reason: SkipReason, taskNo?: string): Decision {
  return { domainName, expirationMs: EXPIRATION, tld: 'com', rules: 'known', deadlineMs: NOW + 30 * DAY_MS, msLeft: 30 * DAY_MS, daysLeft: 30, action: 'skip', reason, taskNo };
}

function apiError(code: string, Type: typeof DomainApiError = DomainApiError): DomainApiError {
  return new Type({ action: SAVE, code, message: `${code} (test)`, requestId: `req-${code}`, httpStatus: 400, retryAfterMs: undefined });
}

function outcomeUnknown(domainName: string): OutcomeUnknownError {
  return new OutcomeUnknownError(SAVE, domainName, { cause: new Error('socket hang up') });
}

interface Setup {
  readonly mode?: 'dry-run' | 'live';
  readonly maxPerDay?: number;
  readonly budgetMs?: number;
  /** Before execute: how much of the budget is gone already. */
  readonly elapsedMs?: number;
  readonly capReached?: ExecutorDeps['capReached'];
  readonly submitConcurrency?: ExecutorDeps['submitConcurrency'];
  readonly onSubmitConcurrency?: ExecutorDeps['onSubmitConcurrency'];
}

async function setup(options: Setup = {}) {
  const clock = fakeClock(NOW);
  const api = new FakeDomainApi(clock.now);
  const budget = timeBudget(options.budgetMs ?? 60_000, clock.now);
  const ledger = new Ledger({ api, bounds: { deadlineMs: budget.endsMs, now: clock.now } });
  const emitted: RecordFields[] = [];
  const maxPerDay = options.maxPerDay ?? 20;
  const deps: ExecutorDeps = {
    api,
    ledger,
    budget,
    clock,
    mode: options.mode ?? 'live',
    capReached: options.capReached ?? ((l, _d, nowMs) => (l.orderedLast24h(nowMs) >= maxPerDay ? 'cap-per-day' : undefined)),
    emit: (fields) => {
      emitted.push(fields);
      api.note({ kind: 'emit', record: fields.kind, domain: 'domain' in fields ? fields.domain : undefined });
    },
    followIntervalMs: 1_000,
    followMs: 300_000,
    submitConcurrency: options.submitConcurrency,
    onSubmitConcurrency: options.onSubmitConcurrency,
  };
  return {
    clock,
    api,
    ledger,
    budget,
    emitted,
    deps,
    /** The run's start: the ledger read as prepareRun reads it, then a clean log. */
    async start(decisions: readonly Decision[]) {
      await ledger.read(clock.now(), 7);
      api.log.splice(0);
      clock.advance(options.elapsedMs ?? 0);
      return execute(decisions, deps);
    },
    /** The follow-up polls settle each task they ask about: success, or the failure given for its domain. */
    settleOnPoll(failures: Readonly<Record<string, { errorMsg?: string | null; failReason?: string | null }>> = {}) {
      const previous = api.onCall;
      // The registrar finishes our tasks by the first follow-up round: the first look at the task list
      // after a sleep (a fresh look before a submission does not sleep first).
      api.onCall = async (call) => {
        await previous?.(call);
        if (call.action !== 'QueryTaskList' || clock.sleeps.length === 0) return;
        for (const task of api.tasks.filter((t) => t.by === 'submission')) {
          const failure = failures[task.details[0]!.domainName];
          api.settle(task.taskNo, failure ? 3 : 2, failure);
        }
      };
    },
    saves: () => api.callsOf(SAVE).map((c) => c.domain),
    decision: (domain: string) => emitted.filter((r) => r.kind === 'decision' && r.domain === domain),
  };
}

/** The log as short lines: "call QueryTaskList", "emit submission a.com". */
function timeline(log: readonly FakeLogEntry[]): string[] {
  return log.map((e) => (e.kind === 'call' ? `call ${e.action}${'domain' in e ? ` ${e.domain}` : ''}` : `emit ${e.record} ${e.domain ?? ''}`.trim()));
}

const onSave = (domain: string, act: (call: Extract<FakeCall, { action: typeof SAVE }>) => void) => (call: FakeCall) => {
  if (call.action === SAVE && call.domain === domain) act(call);
};

describe('executor: dry run', () => {
  it('submits nothing, calls nothing, and writes one decision per domain', async () => {
    const run = await setup({ mode: 'dry-run' });
    const results = await run.start([due('a.com', 'dry-run'), skipped('b.com', 'outside-window'), due('c.com', 'dry-run')]);
    expect(run.api.log.filter((e) => e.kind === 'call')).toEqual([]);
    expect(run.api.calls).toBe(1); // the ledger read before execute, nothing after
    expect(run.emitted.map((r) => [r.kind, 'domain' in r && r.domain, 'outcome' in r && r.outcome])).toEqual([
      ['decision', 'a.com', 'would-redeem'],
      ['decision', 'b.com', 'skipped'],
      ['decision', 'c.com', 'would-redeem'],
    ]);
    expect(results.map((r) => [r.reason, r.outcome])).toEqual([
      ['dry-run', 'would-redeem'],
      ['outside-window', 'skipped'],
      ['dry-run', 'would-redeem'],
    ]);
  });
});

describe('executor: live submissions', () => {
  it('a fresh look before each submission; the submission record before the call, the decision right after, before the next one', async () => {
    const run = await setup();
    run.api.onCall = onSave('a.com', () => run.clock.advance(300));
    run.settleOnPoll();
    const results = await run.start([skipped('z.com', 'outside-window'), due('a.com'), due('b.com')]);

    expect(timeline(run.api.log)).toEqual([
      'emit decision z.com',
      'call QueryTaskList',
      'emit submission a.com',
      `call ${SAVE} a.com`,
      'emit decision a.com',
      'call QueryTaskList',
      'emit submission b.com',
      `call ${SAVE} b.com`,
      'emit decision b.com',
      // Following by the page: one look at the task list says both finished; then one detail each.
      'call QueryTaskList',
      'call QueryTaskDetailList',
      'emit task a.com',
      'call QueryTaskDetailList',
      'emit task b.com',
    ]);
    const [a] = run.decision('a.com');
    expect(a).toMatchObject({ kind: 'decision', action: 'redeem', reason: 'due', outcome: 'submitted', task_no: 'T-1', api_request_id: 'req-T-1', attempts: 1, duration_ms: 300 });
    expect(run.api.callsOf(SAVE)[0]).toMatchObject({ expirationMs: EXPIRATION });
    expect(run.emitted.find((r) => r.kind === 'submission')).toEqual({ kind: 'submission', domain: 'a.com', expiration_ms: EXPIRATION });
    expect(results.map((r) => [r.decision.domainName, r.outcome])).toEqual([
      ['z.com', 'skipped'],
      ['a.com', 'succeeded'],
      ['b.com', 'succeeded'],
    ]);
    // Its own tasks cost the ledger no detail call: the only detail reads are the two follow-ups.
    expect(run.api.callsOf('QueryTaskDetailList').map((c) => c.taskNo)).toEqual(['T-1', 'T-2']);
  });

  it("another run's task appearing between two submissions stops the second domain (task-in-flight), not the third", async () => {
    const run = await setup();
    let theirs = '';
    run.api.onCall = onSave('a.com', () => {
      theirs = run.api.addTask({ domains: ['b.com'], statusCode: 0 }).taskNo;
    });
    const results = await run.start([due('a.com'), due('b.com'), due('c.com')]);
    expect(run.saves()).toEqual(['a.com', 'c.com']);
    expect(run.decision('b.com')).toEqual([expect.objectContaining({ outcome: 'skipped', reason: 'task-in-flight', task_no: theirs, reconciled: true })]);
    expect(results[1]).toMatchObject({ outcome: 'skipped', reason: 'task-in-flight' });
    expect(run.emitted.filter((r) => r.kind === 'submission').map((r) => 'domain' in r && r.domain)).toEqual(['a.com', 'c.com']);
  });

  it("another run's succeeded order meanwhile: already-redeemed", async () => {
    const run = await setup();
    run.api.onCall = onSave('a.com', () => run.api.addTask({ domains: ['b.com'], statusCode: 2 }));
    await run.start([due('a.com'), due('b.com')]);
    expect(run.saves()).toEqual(['a.com']);
    expect(run.decision('b.com')[0]).toMatchObject({ outcome: 'skipped', reason: 'already-redeemed', reconciled: true });
  });

  it("the day cap reached meanwhile, the first held by its own order of unknown outcome: the rest are told their own hold, not that domain's", async () => {
    // engine.ts capsAtSubmission: a domain whose own unknown-outcome order fills the cap is told so
    // (planner ownUnknownNote), any other domain what fills the cap (dayCapNote). The rest of the run, held
    // once the cap is found full, must not be told that another domain's note is theirs.
    const run = await setup({
      capReached: (l, d, nowMs) =>
        l.orderedLast24h(nowMs) >= 2 ? { reason: 'cap-per-day', detail: d.domainName === 'b.com' ? "the day's count holds this domain's own order of unknown outcome" : 'REDEEM_MAX_PER_DAY=2 is used by 2 orders of the last 24 h' } : undefined,
    });
    run.api.onCall = onSave('a.com', () => run.api.addTask({ domains: ['elsewhere.com'], statusCode: 1 }));
    const results = await run.start([due('a.com'), due('b.com'), due('c.com')]);
    expect(run.saves()).toEqual(['a.com']);
    expect(results.map((r) => [r.decision.domainName, r.reason, r.error_message])).toEqual([
      ['a.com', 'due', undefined],
      ['b.com', 'cap-per-day', "the day's count holds this domain's own order of unknown outcome"],
      ['c.com', 'cap-per-day', 'REDEEM_MAX_PER_DAY=2 is used by 2 orders of the last 24 h'],
    ]);
  });

  it('the day cap reached meanwhile (another run ordered): cap-per-day for this domain and the rest, with no more looks', async () => {
    const run = await setup({ maxPerDay: 2 });
    run.api.onCall = onSave('a.com', () => run.api.addTask({ domains: ['elsewhere.com'], statusCode: 1 }));
    const results = await run.start([due('a.com'), due('b.com'), due('c.com')]);
    expect(run.saves()).toEqual(['a.com']);
    expect(results.map((r) => [r.decision.domainName, r.reason, r.outcome])).toEqual([
      ['a.com', 'due', 'submitted'],
      ['b.com', 'cap-per-day', 'skipped'],
      ['c.com', 'cap-per-day', 'skipped'],
    ]);
    // The look before a.com and the one before b.com; c.com is stopped without one (the follow-up of
    // a.com looks at the task list again afterwards).
    const beforeFollowing = run.api.log.slice(0, run.api.log.findIndex((e) => e.kind === 'emit' && e.record === 'decision' && e.domain === 'c.com'));
    expect(beforeFollowing.filter((e) => e.kind === 'call' && e.action === 'QueryTaskList')).toHaveLength(2);
    expect(run.decision('c.com')).toHaveLength(1);
  });

  it('a spend cap stops only its own domain: a cheaper one may still go', async () => {
    const run = await setup({ capReached: (_l, d) => (d.domainName === 'a.com' ? 'cap-spend-per-day' : undefined) });
    const results = await run.start([due('a.com'), due('b.com')]);
    expect(run.saves()).toEqual(['b.com']);
    expect(results.map((r) => r.reason)).toEqual(['cap-spend-per-day', 'due']);
  });

  it('a refusal that is no race (a bad domain) fails that domain alone, without a second look', async () => {
    const run = await setup();
    run.api.onCall = onSave('a.com', () => {
      throw apiError('InvalidDomainName.Malformed');
    });
    const results = await run.start([due('a.com'), due('b.com')]);
    expect(results[0]).toMatchObject({ outcome: 'failed', error_code: 'InvalidDomainName.Malformed', api_request_id: 'req-InvalidDomainName.Malformed' });
    expect(run.saves()).toEqual(['a.com', 'b.com']);
    expect(timeline(run.api.log).slice(0, 5)).toEqual(['call QueryTaskList', 'emit submission a.com', `call ${SAVE} a.com`, 'emit decision a.com', 'call QueryTaskList']);
  });
});

describe('executor: REDEEM_SUBMIT_CONCURRENCY=auto', () => {
  /** Counts the submissions on the wire at once; each takes `ms` of the run's time and a little real time. */
  function measureInFlight(run: Awaited<ReturnType<typeof setup>>, ms: number) {
    const seen = { now: 0, most: 0 };
    run.api.onCall = async (call) => {
      if (call.action !== SAVE) return;
      seen.most = Math.max(seen.most, ++seen.now);
      run.clock.advance(ms);
      await new Promise((resolve) => setTimeout(resolve, 2));
      seen.now--;
    };
    return seen;
  }

  it('one at a time while the orders fit: each decision line before the next submission', async () => {
    let highest: number | undefined;
    const run = await setup({ submitConcurrency: 'auto', onSubmitConcurrency: (n) => (highest = n) });
    const inFlight = measureInFlight(run, 300);
    await run.start(['a.com', 'b.com', 'c.com', 'd.com'].map((d) => due(d)));
    expect(inFlight.most).toBe(1);
    expect(highest).toBe(1);
    const lines = timeline(run.api.log).filter((l) => !l.startsWith('call QueryTask'));
    expect(lines.slice(0, 12)).toEqual(['a.com', 'b.com', 'c.com', 'd.com'].flatMap((d) => [`emit submission ${d}`, `call ${SAVE} ${d}`, `emit decision ${d}`]));
  });

  it('several at once when one at a time would leave orders for the next run; never two for one domain', async () => {
    let highest: number | undefined;
    const run = await setup({ submitConcurrency: 'auto', maxPerDay: 1_000, budgetMs: 120_000, onSubmitConcurrency: (n) => (highest = n) });
    // 40 orders at 4 s each: 160 s one at a time, in a 120 s budget.
    const domains = Array.from({ length: 40 }, (_, i) => `d${i}.com`);
    const inFlight = measureInFlight(run, 4_000);
    await run.start(domains.map((d) => due(d)));
    expect(inFlight.most).toBeGreaterThan(1);
    expect(inFlight.most).toBeLessThanOrEqual(8);
    expect(highest).toBe(inFlight.most);
    const saves = run.saves();
    expect(new Set(saves).size).toBe(saves.length);
    // Each call still has its submission line first.
    const lines = timeline(run.api.log);
    for (const domain of saves) expect(lines.indexOf(`emit submission ${domain}`)).toBeLessThan(lines.indexOf(`call ${SAVE} ${domain}`));
  });
});

describe('executor: an outcome unknown', () => {
  it('several in flight: once an outcome is unknown, no submission starts before the ledger was consulted', async () => {
    const run = await setup({ submitConcurrency: 2 });
    const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
    // Looks take 10 ms and submissions 15 ms; a.com's answer is lost 20 ms after it was sent, while the
    // other worker is in the middle of its look for c.com: it must wait for the reconciliation to send.
    run.api.onCall = async (call) => {
      if (call.action === 'QueryTaskList') await pause(10);
      if (call.action !== SAVE) return;
      if (call.domain !== 'a.com') return pause(15);
      await pause(20);
      run.api.note({ kind: 'emit', record: 'lost', domain: 'a.com' });
      throw outcomeUnknown('a.com');
    };
    const results = await run.start([due('a.com'), due('b.com'), due('c.com'), due('d.com')]);
    const lines = timeline(run.api.log);
    const lost = lines.indexOf('emit lost a.com');
    const consulted = lines.indexOf('call QueryTaskList', lost);
    expect(lost).toBeGreaterThan(0);
    expect(consulted).toBeGreaterThan(lost);
    // Every submission sent after the loss waits for that look.
    for (const [i, line] of lines.entries()) if (line.startsWith(`call ${SAVE}`) && i > lost) expect(i).toBeGreaterThan(consulted);
    expect(run.saves().sort()).toEqual(['a.com', 'b.com', 'c.com', 'd.com']);
    expect(results.map((r) => r.outcome)).toEqual(['failed', 'submitted', 'submitted', 'submitted']);
  });

  it('two reconciliations at once: a later submission waits for both, and the run does not stall', async () => {
    const run = await setup({ submitConcurrency: 3 });
    const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
    let reconciling = 0;
    let sentWhileReconciling = 0;
    const refresh = run.ledger.refresh.bind(run.ledger);
    run.ledger.refresh = async (nowMs, options) => {
      if (!options?.startedAfterNow) return refresh(nowMs, options);
      reconciling++;
      try {
        // a.com's reconciliation is slow, b.com's quick: the quick one ends while the slow one goes on.
        await pause(reconciling === 1 ? 60 : 5);
        return await refresh(nowMs, options);
      } finally {
        reconciling--;
      }
    };
    run.api.onCall = async (call) => {
      if (call.action !== SAVE) return;
      if (reconciling > 0) sentWhileReconciling++;
      if (call.domain === 'a.com' || call.domain === 'b.com') {
        await pause(call.domain === 'a.com' ? 10 : 12);
        throw outcomeUnknown(call.domain);
      }
      // c.com frees its slot at 20 ms, while a.com's reconciliation is still going on: d.com must wait.
      if (call.domain === 'c.com') await pause(20);
    };
    const results = await run.start([due('a.com'), due('b.com'), due('c.com'), due('d.com')]);
    expect(sentWhileReconciling).toBe(0);
    expect(run.saves().sort()).toEqual(['a.com', 'b.com', 'c.com', 'd.com']);
    expect(results.map((r) => r.outcome)).toEqual(['failed', 'failed', 'submitted', 'submitted']);
  });

  it('reconciled when the ledger shows the order: submitted with its task number, followed, counted once', async () => {
    const run = await setup({ maxPerDay: 2 });
    let created = '';
    run.api.onCall = onSave('a.com', (call) => {
      created = run.api.accept({ domainName: call.domain, currentExpirationDate: call.expirationMs }).taskNo;
      throw outcomeUnknown('a.com');
    });
    run.settleOnPoll();
    const results = await run.start([due('a.com'), due('b.com'), due('c.com')]);
    expect(run.decision('a.com')[0]).toMatchObject({ outcome: 'submitted', task_no: created, reconciled: true, error_code: 'OutcomeUnknown' });
    expect(results[0]).toMatchObject({ outcome: 'succeeded', task_no: created });
    // The reconciling look comes before the decision record, and that before the next submission.
    expect(timeline(run.api.log).slice(0, 8)).toEqual([
      'call QueryTaskList',
      'emit submission a.com',
      `call ${SAVE} a.com`,
      // Found without its number: its details are read to learn it.
      'call QueryTaskList',
      'call QueryTaskDetailList',
      'emit decision a.com',
      'call QueryTaskList',
      'emit submission b.com',
    ]);
    // a.com counted once against the cap of 2: b.com goes, c.com does not.
    expect(run.saves()).toEqual(['a.com', 'b.com']);
    expect(results[2]).toMatchObject({ reason: 'cap-per-day', outcome: 'skipped' });
  });

  it('failed when the ledger does not show it; it still counts against the day cap', async () => {
    const run = await setup({ maxPerDay: 1 });
    run.api.onCall = onSave('a.com', () => {
      throw outcomeUnknown('a.com');
    });
    const results = await run.start([due('a.com'), due('b.com')]);
    expect(results[0]).toMatchObject({ outcome: 'failed', error_code: 'OutcomeUnknown' });
    expect(results[0]!.error_message).toMatch(/no order found in the ledger, the next run will decide again/);
    expect(results[0]!.reconciled).toBeUndefined();
    // The order may exist all the same: with a cap of 1, b.com is not sent.
    expect(run.saves()).toEqual(['a.com']);
    expect(results[1]).toMatchObject({ reason: 'cap-per-day', outcome: 'skipped' });
  });

  it('halted when the ledger cannot be read: nothing more is sent, nor looked at, this run', async () => {
    const run = await setup();
    let saved = false;
    run.api.onCall = (call) => {
      if (call.action === SAVE) {
        saved = true;
        throw outcomeUnknown(call.domain);
      }
      if (call.action === 'QueryTaskList' && saved) throw new NetworkError('QueryTaskList', true, 'ECONNRESET');
    };
    const results = await run.start([due('a.com'), due('b.com'), due('c.com')]);
    expect(results[0]).toMatchObject({ outcome: 'failed', error_code: 'OutcomeUnknown' });
    expect(results[0]!.error_message).toMatch(/reconciliation failed: QueryTaskList did not complete: ECONNRESET/);
    for (const later of results.slice(1)) {
      expect(later).toMatchObject({ outcome: 'skipped', reason: 'halted' });
      expect(later.error_message).toMatch(/^reconciliation failed/);
    }
    expect(run.saves()).toEqual(['a.com']);
    expect(run.api.callsOf('QueryTaskList')).toHaveLength(2);
    expect(run.api.callsOf('QueryTaskDetailList')).toHaveLength(0);
    expect(run.emitted.filter((r) => r.kind === 'decision')).toHaveLength(3);
  });

  it('a fresh look that fails before any submission halts the run before anything is sent', async () => {
    const run = await setup();
    run.api.onCall = (call) => {
      // The first list call is the run's initial read; the looks after it fail.
      if (call.action === 'QueryTaskList' && run.api.callsByAction.QueryTaskList! > 1) throw new NetworkError('QueryTaskList', false, 'ECONNREFUSED');
    };
    const results = await run.start([due('a.com'), due('b.com')]);
    expect(run.saves()).toEqual([]);
    expect(run.emitted.some((r) => r.kind === 'submission')).toBe(false);
    expect(results[0]).toMatchObject({ outcome: 'skipped', reason: 'halted', error_code: 'NetworkError' });
    expect(results[0]!.error_message).toMatch(/the ledger could not be read before submitting/);
    expect(results[1]).toMatchObject({ outcome: 'skipped', reason: 'halted' });
  });
});

describe("executor: refused because another run's order got there first", () => {
  it.each([
    ['TaskIsBeingProcessed', 1, 'task-in-flight', 'in-progress'],
    ['ParameterIllegal', 1, 'task-in-flight', 'in-progress'],
    ['ParameterIllegal', 2, 'already-redeemed', 'skipped'],
    ['TaskIsBeingProcessed', 2, 'already-redeemed', 'skipped'],
  ] as const)('%s with their task at status %i: %s, %s, not failed', async (code, statusCode, reason, outcome) => {
    const run = await setup();
    let theirs = '';
    run.api.onCall = onSave('a.com', () => {
      theirs = run.api.addTask({ domains: ['a.com'], statusCode }).taskNo;
      throw apiError(code, code === 'TaskIsBeingProcessed' ? TaskIsBeingProcessedError : DomainApiError);
    });
    const results = await run.start([due('a.com'), due('b.com')]);
    expect(results[0]).toMatchObject({ reason, outcome, error_code: code, task_no: theirs, reconciled: true });
    expect(run.saves()).toEqual(['a.com', 'b.com']);
  });

  it('without such a task: TaskIsBeingProcessed is in-progress, ParameterIllegal a failure', async () => {
    const busy = await setup();
    busy.api.onCall = onSave('a.com', () => {
      throw apiError('TaskIsBeingProcessed', TaskIsBeingProcessedError);
    });
    expect((await busy.start([due('a.com')]))[0]).toMatchObject({ reason: 'due', outcome: 'in-progress', error_code: 'TaskIsBeingProcessed' });

    const illegal = await setup();
    illegal.api.onCall = onSave('a.com', () => {
      throw apiError('ParameterIllegal');
    });
    expect((await illegal.start([due('a.com')]))[0]).toMatchObject({ reason: 'due', outcome: 'failed', error_code: 'ParameterIllegal' });
  });
});

describe('executor: follow-up', () => {
  it("a failed task: a task record with the registrar's own ErrorMsg and FailReason", async () => {
    const run = await setup();
    run.settleOnPoll({ 'a.com': { errorMsg: '账户余额不足，请充值后再试', failReason: 'PAYMENT_FAILED' }, 'b.com': { errorMsg: null, failReason: '' } });
    const results = await run.start([due('a.com'), due('b.com'), due('c.com')]);
    const tasks = run.emitted.filter((r) => r.kind === 'task');
    expect(tasks).toEqual([
      { kind: 'task', domain: 'a.com', task_no: 'T-1', outcome: 'failed', error_code: 'PAYMENT_FAILED', error_message: '账户余额不足，请充值后再试' },
      { kind: 'task', domain: 'b.com', task_no: 'T-2', outcome: 'failed', error_code: 'EXECUTE_FAILURE', error_message: undefined },
      { kind: 'task', domain: 'c.com', task_no: 'T-3', outcome: 'succeeded' },
    ]);
    expect(results.map((r) => r.outcome)).toEqual(['failed', 'failed', 'succeeded']);
    expect(results[0]).toMatchObject({ error_code: 'PAYMENT_FAILED', error_message: '账户余额不足，请充值后再试' });
    expect(run.ledger.entryFor('a.com')).toMatchObject({ taskNo: 'T-1', state: 'failed' });
  });

  it('polls again, the wait doubling, until the task is final; a failed poll is tried again', async () => {
    const run = await setup();
    let polls = 0;
    // Follow-up rounds look at the task list: the first look fails (each task is then asked about
    // directly), the second says not yet, the third finds it finished.
    run.api.onCall = (call) => {
      if (call.action !== 'QueryTaskList' || run.clock.sleeps.length === 0) return;
      polls++;
      if (polls === 1) throw new NetworkError('QueryTaskList', true, 'ECONNRESET');
      if (polls === 3) run.api.settle('T-1', 2);
    };
    const results = await run.start([due('a.com')]);
    expect(results[0]!.outcome).toBe('succeeded');
    expect(run.clock.sleeps).toEqual([1_000, 2_000, 4_000]);
  });

  it('stops following at the finishing margin: the task stays submitted, for the next run to read', async () => {
    const run = await setup({ budgetMs: 60_000 });
    const results = await run.start([due('a.com')]);
    expect(results[0]!.outcome).toBe('submitted');
    // 1 + 2 + 4 + 8 + 16 = 31 s; a 30 s wait more would leave less than the 6 s finishing margin.
    expect(run.clock.sleeps).toEqual([1_000, 2_000, 4_000, 8_000, 16_000]);
    // One look at the task list a round (after the fresh look before the submission); no detail is read
    // for a task the list does not call finished.
    expect(run.api.callsOf('QueryTaskList')).toHaveLength(1 + 5);
    expect(run.api.callsOf('QueryTaskDetailList')).toHaveLength(0);
    expect(run.clock.now()).toBeLessThanOrEqual(run.budget.endsMs - run.budget.finishMarginMs);
    expect(run.emitted.some((r) => r.kind === 'task')).toBe(false);
  });
});

describe('executor: time budget', () => {
  it('with less than the submitting margin left, every due domain is a time-budget skip and nothing is called', async () => {
    // 60 s budget: 12 s submitting margin; 11.999 s are left.
    const run = await setup({ budgetMs: 60_000, elapsedMs: 48_001 });
    const results = await run.start([due('a.com'), skipped('b.com', 'outside-window'), due('c.com')]);
    expect(run.api.log.filter((e) => e.kind === 'call')).toEqual([]);
    expect(results.map((r) => [r.reason, r.outcome])).toEqual([
      ['time-budget', 'skipped'],
      ['outside-window', 'skipped'],
      ['time-budget', 'skipped'],
    ]);
    expect(run.emitted.filter((r) => r.kind === 'decision')).toHaveLength(3);
  });

  it('a slow submission uses the budget up: the next domain is a time-budget skip, the first is still followed', async () => {
    const run = await setup({ budgetMs: 60_000 });
    // 60 s budget, 12 s submitting margin: 11.5 s are left after it.
    run.api.onCall = onSave('a.com', () => run.clock.advance(48_500));
    run.settleOnPoll();
    const results = await run.start([due('a.com'), due('b.com')]);
    expect(run.saves()).toEqual(['a.com']);
    expect(results.map((r) => [r.reason, r.outcome])).toEqual([
      ['due', 'succeeded'],
      ['time-budget', 'skipped'],
    ]);
    expect(results[0]!.duration_ms).toBe(48_500);
  });
});

describe('executor: an order the registrar lists before its answer arrives', () => {
  it("several in flight: b.com's task, listed while its answer is still on the way, is one order of the day, not two", async () => {
    const run = await setup({ submitConcurrency: 2, maxPerDay: 3 });
    const save = run.api.saveSingleTaskForCreatingOrderRedeem.bind(run.api);
    let cTurn!: () => void;
    const cDecided = new Promise<void>((resolve) => (cTurn = resolve));
    const emit = run.deps.emit;
    (run.deps as { emit: ExecutorDeps['emit'] }).emit = (fields) => {
      emit(fields);
      if ('domain' in fields && fields.domain === 'c.com') cTurn();
    };
    run.api.saveSingleTaskForCreatingOrderRedeem = async (order) => {
      // The registrar has created the task (the task list shows it); its answer arrives after c.com's turn.
      const saved = await save(order);
      if (order.domainName === 'b.com') await Promise.race([cDecided, new Promise((resolve) => setTimeout(resolve, 500))]);
      return saved;
    };
    run.settleOnPoll();
    const results = await run.start([due('a.com'), due('b.com'), due('c.com')]);
    expect(run.saves().sort()).toEqual(['a.com', 'b.com', 'c.com']);
    expect(results.map((r) => r.reason)).toEqual(['due', 'due', 'due']);
  });
});
