/**
 * A registrar's clock may be behind the runner's by up to REGISTRAR_CLOCK_SLACK_MS (ACS3 refuses more), and
 * it prints CreateTime to the whole second, cut. Another run of this process has an order of x.com out with
 * no answer; the registrar lists it already, dated by a clock 14 min 59.95 s behind: the printed time is up to
 * a second earlier than the sent time less the slack. It is that order, counted once on the day.
 */
import { describe, expect, it } from 'vitest';
import { Ledger } from '../../shared/run/ledger.js';
import { fakeClock } from '../support/fake-clock.js';
import { processLedgers } from '../support/process-ledger.js';
import { FakeDomainApi } from '../support/fake-domain-api.js';

const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);

const ledgerAt = processLedgers('http://slack-seconds.invalid');

describe('Ledger: a listing dated by a registrar clock just inside the slack, printed to the second', () => {
  it("another run's unanswered order listed that way counts once", async () => {
    const clock = fakeClock(NOW + 700);
    const api = new FakeDomainApi(clock.now);
    const first = ledgerAt(clock, api, 'run-1');
    await first.read(clock.now(), 7);
    first.noteMine(undefined, clock.now(), 'x.com');
    // Taken 50 ms after it was sent (12:00:00.700), by a clock 14 min 59.95 s behind: 11:45:00.800, printed
    // 11:45:00, before the sent time less the slack (11:45:00.700).
    api.addTask({ domains: ['x.com'], createdMs: clock.now() + 50 - (15 * 60_000 - 50) });

    clock.advance(1_000);
    const second = ledgerAt(clock, api, 'run-2');
    await second.read(clock.now(), 7);
    expect(second.ordersLast24h(clock.now())).toEqual(['x.com']);
    second.close();
    first.close();
  });
});
