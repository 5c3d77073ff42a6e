/**
 * Another run of this process has an order out with no answer yet; a listing of its domain that a later look
 * learnt may be that order (Ledger takeListingSentBefore), but only a task created since the order was sent:
 * an older task of the domain (a failed redemption of hours ago, which left it orderable again) is another
 * order, and both count on REDEEM_MAX_PER_DAY.
 */
import { describe, expect, it } from 'vitest';
import { TaskDetailStatus } from '../../shared/domain-api/index.js';
import { Ledger } from '../../shared/run/ledger.js';
import { fakeClock } from '../support/fake-clock.js';
import { processLedgers } from '../support/process-ledger.js';
import { FakeDomainApi } from '../support/fake-domain-api.js';

const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);
const HOUR = 3_600_000;

const ledgerAt = processLedgers('http://process-listed-early.invalid');

describe("Ledger: another run's unanswered order and an older task of its domain", () => {
  it('a failed task of 10 h ago is not that order: both count on the day', async () => {
    const clock = fakeClock(NOW);
    const api = new FakeDomainApi(clock.now);
    api.addTask({ domains: ['x.com'], statusCode: TaskDetailStatus.ExecuteFailure, createdMs: NOW - 10 * HOUR });
    const first = ledgerAt(clock, api, 'run-1');
    await first.read(clock.now(), 7);
    // As the run does when it plans an order (engine.ts): the finished tasks' details are read.
    await first.resolveFinished();
    expect(first.ordersLast24h(clock.now())).toEqual(['x.com']);
    // run-1 orders x.com again (the failed task left it orderable); its answer has not come back.
    first.noteMine(undefined, clock.now(), 'x.com');

    clock.advance(1_000);
    const second = ledgerAt(clock, api, 'run-2');
    await second.read(clock.now(), 7);
    await second.resolveFinished();
    expect(second.ordersLast24h(clock.now())).toEqual(['x.com', 'x.com']);
    second.close();
    first.close();
  });

  it('a task created since the order was sent is that order: counted once', async () => {
    const clock = fakeClock(NOW);
    const api = new FakeDomainApi(clock.now);
    const first = ledgerAt(clock, api, 'run-1');
    await first.read(clock.now(), 7);
    first.noteMine(undefined, clock.now(), 'x.com');
    api.addTask({ domains: ['x.com'], createdMs: NOW + 500 });

    clock.advance(1_000);
    const second = ledgerAt(clock, api, 'run-2');
    await second.read(clock.now(), 7);
    expect(second.ordersLast24h(clock.now())).toEqual(['x.com']);
    second.close();
    first.close();
  });
});
