/**
 * The registrar's task times carry no zone and are read as UTC (parseRegistrarTime); the README allows a
 * registrar that prints them in Beijing time, 8 h ahead. Whether a listing was "created since" an order was
 * sent cannot rest on such a time: a failed redemption of x.com 5 h ago, printed in Beijing time, reads as
 * 3 h from now. Another run of this process has an order of x.com out with no answer yet; that old task is
 * not that order, and both count on REDEEM_MAX_PER_DAY.
 */
import { describe, expect, it } from 'vitest';
import { TaskDetailStatus } from '../../shared/domain-api/index.js';
import { Ledger } from '../../shared/run/ledger.js';
import { fakeClock } from '../support/fake-clock.js';
import { processLedgers } from '../support/process-ledger.js';
import { FakeDomainApi, registrarTime } from '../support/fake-domain-api.js';

const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);
const HOUR = 3_600_000;
const BEIJING = 8 * HOUR;

const ledgerAt = processLedgers('http://beijing-dated-since.invalid');

describe("Ledger: a Beijing-dated old task and another run's unanswered order of its domain", () => {
  it('a failed task of 5 h ago printed in Beijing time is not that order: both count on the day', async () => {
    const clock = fakeClock(NOW);
    const api = new FakeDomainApi(clock.now);
    const old = NOW - 5 * HOUR;
    api.addTask({ domains: ['x.com'], statusCode: TaskDetailStatus.ExecuteFailure, createdMs: old, createTime: registrarTime(old + BEIJING) });
    const first = ledgerAt(clock, api, 'run-1');
    await first.read(clock.now(), 7);
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
});

describe("Ledger: a Beijing-dated old task and an ended run's order of its domain not listed yet", () => {
  it('a failed task of 5 h ago printed in Beijing time is not that order: both count on the day', async () => {
    const clock = fakeClock(NOW);
    const api = new FakeDomainApi(clock.now);
    const old = NOW - 5 * HOUR;
    api.addTask({ domains: ['x.com'], statusCode: TaskDetailStatus.ExecuteFailure, createdMs: old, createTime: registrarTime(old + BEIJING) });
    const first = ledgerAt(clock, api, 'run-1');
    await first.read(clock.now(), 7);
    await first.resolveFinished();
    // run-1 orders x.com again and is answered with its task number; the registrar does not list it yet.
    first.noteMine('T-NEW', clock.now(), 'x.com');
    first.close();

    clock.advance(60_000);
    const second = ledgerAt(clock, api, 'run-2');
    await second.read(clock.now(), 7);
    await second.resolveFinished();
    expect(second.ordersLast24h(clock.now())).toEqual(['x.com', 'x.com']);
    second.close();
  });
});

describe("Ledger: a Beijing-dated old task and an ended run's order of its domain whose outcome stayed unknown", () => {
  it('a failed task of 5 h ago printed in Beijing time is not that order: both count on the day', async () => {
    const clock = fakeClock(NOW);
    const api = new FakeDomainApi(clock.now);
    const old = NOW - 5 * HOUR;
    api.addTask({ domains: ['x.com'], statusCode: TaskDetailStatus.ExecuteFailure, createdMs: old, createTime: registrarTime(old + BEIJING) });
    const first = ledgerAt(clock, api, 'run-1');
    await first.read(clock.now(), 7);
    await first.resolveFinished();
    // run-1 orders x.com again; the answer is lost and no look finds the order: its outcome stays unknown.
    first.noteMine(undefined, clock.now(), 'x.com');
    first.close();

    clock.advance(60_000);
    const second = ledgerAt(clock, api, 'run-2');
    await second.read(clock.now(), 7);
    await second.resolveFinished();
    expect(second.ordersLast24h(clock.now())).toEqual(['x.com', 'x.com']);
    second.close();
  });
});

describe("Ledger: another run's order sent while a look of the process was on the wire", () => {
  it('that look listed it: a third run counts it once', async () => {
    const clock = fakeClock(NOW);
    const api = new FakeDomainApi(clock.now);
    const first = ledgerAt(clock, api, 'run-1');
    await first.read(clock.now(), 7);
    // run-2's first look is asked for; before the registrar answers it, run-1 sends x.com's order, and the
    // registrar takes it and lists it in that very answer.
    api.onCall = (call) => {
      if (call.action !== 'QueryTaskList' || api.tasks.length > 0) return;
      first.noteMine(undefined, clock.now(), 'x.com');
      api.addTask({ domains: ['x.com'], createdMs: clock.now() + 100 });
    };
    const second = ledgerAt(clock, api, 'run-2');
    await second.read(clock.now(), 7);
    api.onCall = undefined;
    expect(api.tasks.length).toBe(1);

    clock.advance(1_000);
    const third = ledgerAt(clock, api, 'run-3');
    await third.read(clock.now(), 7);
    expect(third.ordersLast24h(clock.now())).toEqual(['x.com']);
    expect(second.ordersLast24h(clock.now())).toEqual(['x.com']);
    third.close();
    second.close();
    first.close();
  });
});
