/** The CLI's table on summaries built by hand: what a registrar's odd answer must not break. */
import { describe, expect, it } from 'vitest';
import { renderSummary, renderTable } from '../../shared/cli/table.js';
import type { DecisionRecord, RunSummary } from '../../shared/run/index.js';

const identity = { run_id: 'run-1', trigger: 'cli', fc_request_id: undefined, mode: 'live' } as const;

function summary(decisions: Array<Partial<DecisionRecord>>, sls: RunSummary['sls'] = { configured: false, delivered: false }): RunSummary {
  const full = decisions.map((d) => ({
    kind: 'decision' as const,
    ...identity,
    domain: 'example.com',
    tld: 'com',
    expiration_ms: Date.UTC(2026, 9, 2),
    deadline_ms: Date.UTC(2026, 10, 29),
    days_left: 3,
    rules: 'known' as const,
    action: 'redeem' as const,
    reason: 'due',
    outcome: 'submitted' as const,
    ...d,
  }));
  const zero = { count_would_redeem: 0, count_submitted: 0, count_in_progress: 0, count_succeeded: 0, count_failed: 0, count_skipped: 0 };
  return {
    run: { kind: 'run', ...identity, outcome: 'completed', reason: undefined, candidates: full.length, ...zero, count_submitted: full.length, calls: 3, left_for_next_run: 0, sls_delivery: sls.configured ? (sls.delivered ? 'ok' : 'failed') : 'off', duration_ms: 1200 },
    decisions: full,
    sls,
    callsByAction: {},
  };
}

describe('renderTable', () => {
  it('an expiration date no Date can hold (beyond 2^53, or NaN) shows as "?" instead of throwing after an order was placed', () => {
    const text = renderTable(summary([{ domain: 'huge.com', expiration_ms: 2 ** 60, deadline_ms: Number.NaN, task_no: 'T-1' }]));
    const row = text.split('\n').find((line) => line.startsWith('huge.com'))!;
    expect(row.split(/\s{2,}/).slice(0, 4)).toEqual(['huge.com', 'com', '?', '?']);
    expect(row).toContain('T-1');
  });

  it('the task number and the error code each have their own column', () => {
    const text = renderTable(
      summary([
        { domain: 'a.com', outcome: 'failed', task_no: 'T-9', error_code: 'REGISTRY_REJECTED' },
        { domain: 'b.com', outcome: 'failed', error_code: 'OutcomeUnknown' },
        { domain: 'c.com', outcome: 'succeeded', task_no: 'T-10' },
      ]),
    );
    const cells = (domain: string) => text.split('\n').find((line) => line.startsWith(domain))!.split(/\s{2,}/).slice(-2);
    expect(text.split('\n')[0]).toMatch(/OUTCOME\s+TASK\s+ERROR$/);
    expect(cells('a.com')).toEqual(['T-9', 'REGISTRY_REJECTED']);
    expect(cells('b.com')).toEqual(['failed', 'OutcomeUnknown']);
    expect(cells('c.com')).toEqual(['succeeded', 'T-10']);
  });
});

describe('renderSummary', () => {
  const failedSls = { configured: true, delivered: false, error: 'ServerBusy' };
  it('says where the records are only when the caller says so', () => {
    expect(renderSummary(summary([{}], failedSls))).toMatch(/^SLS: DELIVERY FAILED \(ServerBusy\)$/m);
    expect(renderSummary(summary([{}], failedSls), { recordsNote: 'every record is on stdout' })).toMatch(/^SLS: DELIVERY FAILED \(ServerBusy\); every record is on stdout$/m);
    expect(renderSummary(summary([{}], { configured: true, delivered: true }), { recordsNote: 'every record is on stdout' })).toMatch(/^SLS: delivered$/m);
  });

  it('names the domains --domains asked for that the redemption list does not hold', () => {
    const run = summary([{}]);
    const text = renderSummary({ ...run, run: { ...run.run, not_in_redemption: 'typo-example.com' } });
    expect(text).toMatch(/^.*not in redemption.*typo-example\.com.*$/m);
  });

  it('says what the run could not read (the table shows only what it did read)', () => {
    const run = summary([{}]);
    const text = renderSummary({ ...run, run: { ...run.run, read_problems: 'the renewal list (QueryType=1) could not be read: Forbidden' } });
    expect(text).toMatch(/^not read: the renewal list \(QueryType=1\) could not be read: Forbidden$/m);
  });
});

// The dates are the UTC days of ExpirationDateLong and of the estimate; the registrar's console prints its
// ExpirationDate in its own zone (domain-api.md §3.1: "2017-11-02 04:00:45", zone unverified), a day later for
// an expiry between 00:00 and 08:00 Beijing. Unlabelled, the two disagreed with no word of why.
describe('the zone of the dates', () => {
  it('the EXPIRY and DEADLINE columns say they are UTC days (an expiry of 20:00 UTC is the next day in Beijing)', () => {
    const text = renderTable(summary([{ domain: 'late-evening.com', expiration_ms: Date.UTC(2026, 9, 2, 20) }]));
    expect(text.split('\n')[0]).toMatch(/^DOMAIN\s+TLD\s+EXPIRY \(UTC\)\s+DEADLINE \(EST\., UTC\)\s+DAYS LEFT/);
    expect(text.split('\n').find((l) => l.startsWith('late-evening.com'))!.split(/\s{2,}/).slice(0, 3)).toEqual(['late-evening.com', 'com', '2026-10-02']);
  });
});
