/**
 * A due domain a cap held (REDEEM_MAX_PER_RUN, REDEEM_MAX_PER_DAY) waits for a later run: the message must
 * name it under "Left for the next run", and count it in the summary line. Told only when within
 * NOTIFY_AT_RISK_DAYS (under At risk), a domain six days from its deadline that the caps held back was named
 * nowhere, and a person did not know which domain waits.
 */
import { describe, expect, it } from 'vitest';
import { composeMessage, PLAIN, renderMessage, summaryLine } from '../../shared/notify/message.js';
import { buildReport, shouldNotify } from '../../shared/notify/report.js';
import { decision, runRecord } from '../support/notify.js';

const dayCapNote = 'REDEEM_MAX_PER_DAY=2 is used by 2 orders of the last 24 h; the first slot frees at 2026-12-02 08:00 UTC';

describe('due domains a cap held', () => {
  const decisions = [
    decision('placed.com', 5, { action: 'redeem', reason: 'due', outcome: 'succeeded', task_no: 't-1' }),
    decision('run-cap.com', 6, { reason: 'cap-per-run' }),
    decision('day-cap.com', 6, { reason: 'cap-per-day', error_message: dayCapNote }),
    decision('urgent-cap.com', 1, { reason: 'cap-per-run' }),
    decision('far.com', 30, { reason: 'outside-window' }),
  ];
  const report = buildReport(decisions, runRecord({ count_succeeded: 1, count_failed: 0, count_skipped: 4 }), [], 3);
  const text = renderMessage(composeMessage(report), PLAIN);
  const left = text.slice(text.indexOf('Left for the next run'));
  const leftSection = left.slice(0, left.indexOf('\n\n'));

  it('are named under "Left for the next run" with the cap that held them, however far their deadline', () => {
    expect(text).toContain('Left for the next run (3)');
    // Most urgent first; a why an earlier line said reads "same as" it, as at-risk lines do.
    expect(leftSection.split('\n').slice(1)).toEqual([
      '• urgent-cap.com: 1 day left: cap reached: REDEEM_MAX_PER_RUN',
      '• run-cap.com: 6 days left: same as urgent-cap.com',
      `• day-cap.com: 6 days left: cap reached: REDEEM_MAX_PER_DAY: ${dayCapNote}`,
    ]);
    expect(leftSection).not.toContain('far.com');
    // The section's note does not say the run stopped before them.
    expect(leftSection.split('\n')[0]).toMatch(/a cap held/);
  });

  it('are counted in the summary line', () => {
    expect(summaryLine(report)).toBe('domain-redeemer · live: 1 ordered · 1 at risk · 3 left for the next run');
  });

  it('one within the at-risk days stays under At risk too', () => {
    expect(report.atRisk.map((a) => a.domain)).toEqual(['urgent-cap.com']);
  });

  it('alone they make no message under NOTIFY_ON=failures: a cap is the configuration at work, not a failure', () => {
    const held = buildReport([decision('run-cap.com', 6, { reason: 'cap-per-run' })], runRecord({ count_succeeded: 0, count_failed: 0, count_skipped: 1 }), [], 3);
    expect(held.leftForNextRun.map((l) => l.domain)).toEqual(['run-cap.com']);
    expect(shouldNotify(held, 'failures')).toBe(false);
    expect(shouldNotify(held, 'always')).toBe(true);
  });
});
