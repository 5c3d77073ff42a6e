/**
 * An order whose outcome stayed unknown counts on the day's caps and against the balance for the ledger's
 * 24 h from when it was sent, and no longer: by then, if the registrar took it, it is paid (the balance
 * shows it) and its task is listed (the ledger counts that), so counting it again holds a due domain for money.
 */
import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../../shared/run/deadline.js';
import { Ledger } from '../../shared/run/ledger.js';
import { fakeClock } from '../support/fake-clock.js';
import { processLedgers } from '../support/process-ledger.js';
import { FakeDomainApi } from '../support/fake-domain-api.js';

const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);

const ledgerAt = processLedgers('http://unknown-age.invalid');

describe('Ledger: an order of unknown outcome ages out of the money after 24 h', () => {
  it("an earlier run of the process: counted against the balance within the day, not after it", async () => {
    const clock = fakeClock(NOW);
    const api = new FakeDomainApi(clock.now);
    const first = ledgerAt(clock, api, 'run-1');
    await first.read(clock.now(), 7);
    first.noteMine(undefined, clock.now(), 'lost.com');
    first.close();

    clock.advance(DAY_MS - 60_000);
    const within = ledgerAt(clock, api, 'run-2');
    await within.read(clock.now(), 7);
    expect(within.unsettledOrders()).toEqual(['lost.com']);
    expect(within.ordersLast24h(clock.now(), { spentOnly: true })).toEqual(['lost.com']);
    within.close();

    // 24 h and the registrar's 15 min of clock slack later: the task list says what happened, the money no longer waits.
    clock.advance(60_000 + 15 * 60_000 + 1_000);
    const after = ledgerAt(clock, api, 'run-3');
    await after.read(clock.now(), 7);
    expect(after.ordersLast24h(clock.now(), { spentOnly: true })).toEqual([]);
    expect(after.unsettledOrders()).toEqual([]);
    after.close();
  });

  it('one a journal kept, sent over a day ago: not against the balance', async () => {
    const clock = fakeClock(NOW);
    const api = new FakeDomainApi(clock.now);
    const ledger = ledgerAt(clock, api, 'run-j');
    await ledger.read(clock.now(), 7);
    ledger.countUnknown([{ domainName: 'lost.com', sentMs: NOW - DAY_MS - 16 * 60_000, runId: 'old-run' }, { domainName: 'recent.com', sentMs: NOW - 3_600_000, runId: 'new-run' }]);
    expect(ledger.unsettledOrders()).toEqual(['recent.com']);
    expect(ledger.ordersLast24h(NOW)).toEqual(['recent.com']);
    ledger.close();
  });
});
