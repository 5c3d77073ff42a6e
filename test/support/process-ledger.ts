import { afterEach } from 'vitest';
import { forgetRegistrar, Ledger } from '../../shared/run/ledger.js';
import type { fakeClock } from './fake-clock.js';
import type { FakeDomainApi } from './fake-domain-api.js';

/**
 * Ledgers of several runs of one process against one registrar (`endpoint`, a name that need not resolve):
 * what the process remembers across them is the product's own, forgotten after each test.
 */
export function processLedgers(endpoint: string) {
  afterEach(() => forgetRegistrar(endpoint));
  return (clock: ReturnType<typeof fakeClock>, api: FakeDomainApi, runId: string) =>
    new Ledger({ api, bounds: { deadlineMs: clock.now() + 60_000, now: clock.now }, scope: `${endpoint}|acct`, runId });
}
