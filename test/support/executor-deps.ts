/**
 * The executor's dependencies for specs against the in-memory registrar: a live run, no cap, every
 * emitted record noted in the registrar's log (so calls and records can be put in one order), a 1 s first
 * follow-up wait and 5 s of following. A spec overrides what it is about.
 */
import type { Clock } from '../../shared/clock/index.js';
import type { ExecutorDeps } from '../../shared/run/executor.js';
import type { Ledger } from '../../shared/run/ledger.js';
import type { TimeBudget } from '../../shared/run/time-budget.js';
import type { FakeDomainApi } from './fake-domain-api.js';

export function executorDeps(parts: { readonly api: FakeDomainApi; readonly ledger: Ledger; readonly budget: TimeBudget; readonly clock: Clock }, overrides: Partial<ExecutorDeps> = {}): ExecutorDeps {
  return {
    ...parts,
    mode: 'live',
    capReached: () => undefined,
    emit: (fields) => parts.api.note({ kind: 'emit', record: fields.kind, domain: 'domain' in fields ? fields.domain : undefined }),
    followIntervalMs: 1_000,
    followMs: 5_000,
    ...overrides,
  };
}
