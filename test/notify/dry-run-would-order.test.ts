/**
 * A dry run (the default, and what README's "Go live when the dry runs say what you expect" asks a person
 * to read) with domains a live run would order, their deadlines further off than NOTIFY_AT_RISK_DAYS:
 * under NOTIFY_ON=always its message must say so, never "nothing to report".
 */
import { describe, expect, it } from 'vitest';
import { composeMessage, PLAIN, renderMessage } from '../../shared/notify/message.js';
import { buildReport } from '../../shared/notify/report.js';
import { decision, runRecord } from '../support/notify.js';

describe('a dry run that would order domains outside the at-risk days', () => {
  const decisions = [
    decision('due-one.com', 10, { action: 'redeem', reason: 'dry-run', outcome: 'would-redeem', mode: 'dry-run' }),
    decision('due-two.net', 12, { action: 'redeem', reason: 'dry-run', outcome: 'would-redeem', mode: 'dry-run' }),
    decision('later.org', 20),
  ];
  const run = runRecord({ mode: 'dry-run', candidates: 3, count_would_redeem: 2, count_succeeded: 0, count_failed: 0, count_skipped: 1 });
  const text = renderMessage(composeMessage(buildReport(decisions, run, [], 3)), PLAIN);

  it('says how many a live run would order, and which, not "nothing to report"', () => {
    expect(text).not.toMatch(/nothing to report/);
    expect(text.split('\n')[0]).toMatch(/2 a live run would order/);
    expect(text).toContain('due-one.com');
    expect(text).toContain('due-two.net');
    expect(text).not.toContain('later.org');
  });
});
