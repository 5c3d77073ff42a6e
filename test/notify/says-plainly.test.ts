/**
 * What the run could not do is said in the message, in words, not left for a person to infer from what
 * is missing: a run cut short by its time budget, an order whose outcome is unknown.
 */
import { describe, expect, it } from 'vitest';
import { composeMessage, PLAIN, renderMessage, summaryLine } from '../../shared/notify/message.js';
import { buildReport, shouldNotify } from '../../shared/notify/report.js';
import { decision, runRecord } from '../support/notify.js';

describe('a run cut short by its time budget', () => {
  // Two due domains the budget did not reach, 5 and 6 days from their deadline: inside REDEEM_WITHIN_DAYS
  // (7), outside NOTIFY_AT_RISK_DAYS (3). One order went through before the time ran out.
  const decisions = [
    decision('placed.com', 4, { action: 'redeem', reason: 'due', outcome: 'succeeded', task_no: 't-1' }),
    decision('not-reached-1.com', 5, { action: 'redeem', reason: 'time-budget', outcome: 'skipped' }),
    decision('not-reached-2.com', 6, { action: 'redeem', reason: 'time-budget', outcome: 'skipped' }),
  ];
  const run = runRecord({ left_for_next_run: 2, count_succeeded: 1, count_failed: 0, count_skipped: 2 });

  it('says in the summary and the body that due domains were left for the next run, and names them', () => {
    const report = buildReport(decisions, run, [], 3);
    expect(summaryLine(report)).toMatch(/2 left for the next run/);
    const text = renderMessage(composeMessage(report), PLAIN);
    expect(text).toContain('not-reached-1.com');
    expect(text).toContain('not-reached-2.com');
  });

  it('is worth a message even when nothing was ordered and nothing is within the at-risk days', () => {
    const report = buildReport(decisions.slice(1), runRecord({ left_for_next_run: 2, count_succeeded: 0, count_failed: 0, count_skipped: 2 }), [], 3);
    expect(shouldNotify(report, 'changes')).toBe(true);
    expect(shouldNotify(report, 'failures')).toBe(true);
  });
});

describe('an order whose outcome is unknown', () => {
  // The submission got no answer and the ledger could not be read to settle it: the executor records it
  // as failed with OutcomeUnknown. It may have been placed, and paid for.
  const unknown = decision('maybe-placed.com', 2, {
    action: 'redeem',
    reason: 'due',
    outcome: 'failed',
    error_code: 'OutcomeUnknown',
    error_message:
      'SaveSingleTaskForCreatingOrderRedeem for maybe-placed.com: outcome unknown (the request did not complete: socket hang up after the request was sent to the registrar endpoint); reconcile with the task ledger before retrying; reconciliation failed: QueryTaskList: NetworkError',
  });
  const report = buildReport([unknown], runRecord({ count_succeeded: 0, count_failed: 1, count_skipped: 0 }), [], 3);

  it('is not called failed: the summary and its line say it may have been ordered', () => {
    expect(summaryLine(report)).not.toMatch(/failed/);
    expect(summaryLine(report)).toMatch(/1 outcome unknown/);
    const text = renderMessage(composeMessage(report), PLAIN);
    const line = text.split('\n').find((l) => l.includes('maybe-placed.com'))!;
    expect(line).toMatch(/may have been ordered/);
    expect(text).not.toMatch(/^Failed/m);
  });
});

describe('records that did not reach SLS', () => {
  it('are told under NOTIFY_ON=failures too: the run has no audit trail but stdout', () => {
    const report = buildReport([decision('far.com', 30)], runRecord({ sls_delivery: 'failed', count_succeeded: 0, count_failed: 0 }), [], 3);
    expect(shouldNotify(report, 'failures')).toBe(true);
    expect(summaryLine(report)).toMatch(/1 delivery problem/);
  });
});

describe('where to find the run', () => {
  it('points to the function log, not SLS, when the records did not reach SLS or no logstore is configured', () => {
    for (const sls_delivery of ['failed', 'off'] as const) {
      const report = buildReport([decision('a.com', 1, { reason: 'cap-per-day' })], runRecord({ sls_delivery }), [], 3);
      const text = renderMessage(composeMessage(report), PLAIN);
      expect(text).not.toContain('Find it in SLS');
      expect(text).toContain('Find it in the function log: run_id: run-0f1e2d3c');
    }
  });
});
