import { describe, expect, it } from 'vitest';
import { withWhatToDo } from '../../shared/errors/index.js';
import { composeMessage, MARKDOWN, renderMessage, SLACK, summaryLine } from '../../shared/notify/message.js';
import { buildReport, reasonWords, shouldNotify, type NotificationReport } from '../../shared/notify/report.js';
import { busyRun, decision, NOW, runRecord, watchRecord } from '../support/notify.js';

describe('buildReport', () => {
  const { decisions, run, watch } = busyRun();
  const report = buildReport(decisions, run, watch, 3, { accountId: '1234567890' });

  it('lists the orders with their outcomes and the failures with the registrar code', () => {
    expect(report.ordered.map((o) => [o.domain, o.outcome, o.taskNo])).toEqual([
      ['mail-000011.org', 'succeeded', '0e735859-aaaa'],
      ['shop-000002.com', 'failed', 'b1c2'],
    ]);
    expect(report.failed).toEqual([{ domain: 'shop-000002.com', taskNo: 'b1c2', errorCode: 'ParameterIllegal', errorMessage: 'the domain expiry changed ‹@all› (click)(http://evil)', deadlineMs: NOW + 86_400_000, daysLeft: 1 }]);
  });

  it('puts at risk what is close and not ordered, most urgent first, with why; never what is already redeemed', () => {
    expect(report.atRisk.map((a) => [a.domain, a.daysLeft, a.why])).toEqual([
      ['new-000006.com', 0, 'the account balance is too low'],
      ['odd-000007.com', 1, 'not ordered (some-future-reason)'],
      ['home-000010.com', 2, 'not on the allow-list (REDEEM_DOMAINS)'],
      ['blog-000003.net', 3, 'cap reached: REDEEM_MAX_PER_DAY'],
    ]);
  });

  it('lists renewals by expiry and reports an SLS delivery failure', () => {
    expect(report.renew.map((r) => r.domain)).toEqual(['renew-me.com', 'renew-too.cn']);
    expect(buildReport([], runRecord({ sls_delivery: 'failed' }), [], 3).deliveryProblems).toEqual(['SLS delivery failed: the records of this run are on stdout (the function log) only']);
    expect(buildReport([], runRecord({ sls_delivery: 'failed', sls_error: 'PutLogs failed: LogStoreNotExist: logstore results does not exist' }), [], 3).deliveryProblems).toEqual([
      'SLS delivery failed (PutLogs failed: LogStoreNotExist: logstore results does not exist): the records of this run are on stdout (the function log) only',
    ]);
  });

  it('gives every reason of today and of the coming checks words, and a fallback for others', () => {
    for (const reason of ['due', 'dry-run', 'outside-window', 'not-allowed', 'not-requested', 'excluded', 'task-in-flight', 'already-redeemed', 'cap-per-run', 'cap-per-day', 'time-budget', 'halted', 'invalid-listing', 'insufficient-balance', 'cap-spend-per-day', 'balance-unknown']) {
      expect(reasonWords(reason)).not.toMatch(/^not ordered \(/);
    }
    expect(reasonWords('<!channel>')).toBe('not ordered (‹!channel›)');
  });

  // "1 failed · 2 ordered" read as three domains when one order of two was refused: an order counted and
  // listed once, under what became of it (Failed, Outcome unknown), and "ordered" only for the ones placed.
  it('counts and lists a refused order once, under Failed, not also under Ordered', () => {
    const text = renderMessage(composeMessage(report), MARKDOWN);
    const ordered = text.slice(text.indexOf('Ordered ('));
    expect(text).toContain('Ordered (1)');
    expect(ordered.slice(0, ordered.indexOf('\n\n'))).not.toContain('shop-000002.com');
    expect(text.slice(text.indexOf('Failed (1)'))).toContain('shop-000002.com');
  });

  it('starts with a one-line summary: counts, mode, account', () => {
    // blog-000003.net, held by REDEEM_MAX_PER_DAY, waits for a later run: named under Left for the next run too.
    expect(summaryLine(report)).toBe('domain-redeemer · live · account 1234567890: 1 failed · 1 ordered · 4 at risk · 1 left for the next run · 2 to renew');
    expect(summaryLine(buildReport([], runRecord({ outcome: 'failed', error_code: 'Forbidden', error_message: 'no' }), [], 3))).toBe('domain-redeemer · live: RUN FAILED (Forbidden)');
  });

  it('renders sections and ends with the run id and the SLS query', () => {
    const text = renderMessage(composeMessage(report), MARKDOWN);
    expect(text.split('\n')[0]).toBe(`**${summaryLine(report)}**`);
    expect(text).toContain('**Failed (1)**\n- shop-000002.com: `ParameterIllegal`: the domain expiry changed');
    expect(text).toContain('- renew-me.com: expires in 5 days (2026-12-06 UTC), redemption in 35 days');
    expect(text).toContain('- new-000006.com: deadline ~2026-12-01 UTC (less than a day left): the account balance is too low\n- odd-000007.com: deadline ~2026-12-02 UTC (1 day left)');
    expect(text.endsWith('Find it in SLS: `run_id: run-0f1e2d3c`')).toBe(true);
    // No mention or link syntax survives from registrar text.
    expect(text).not.toMatch(/<@|\]\(/);
  });

  it('escapes Slack control characters', () => {
    const amp = buildReport([decision('a.com', 1, { action: 'redeem', outcome: 'failed', error_code: 'X', error_message: 'a & b' })], runRecord(), [], 3);
    expect(renderMessage(composeMessage(amp), SLACK)).toContain('a &amp; b');
  });
});

describe('shouldNotify', () => {
  const quiet = buildReport([decision('far.com', 20)], runRecord(), [], 3);
  const ordered = buildReport([decision('a.com', 1, { action: 'redeem', reason: 'due', outcome: 'succeeded', task_no: 't' })], runRecord(), [], 3);
  const atRisk = buildReport([decision('a.com', 1, { reason: 'cap-per-run' })], runRecord(), [], 3);
  const failedRun = buildReport([], runRecord({ outcome: 'failed', error_code: 'Forbidden' }), [], 3);
  const slsDown = buildReport([], runRecord({ sls_delivery: 'failed' }), [], 3);
  const renewOnly = buildReport([], runRecord(), busyRun().watch, 3);
  const cases: Array<[string, NotificationReport, boolean, boolean]> = [
    // name, report, changes, failures
    ['a quiet run', quiet, false, false],
    ['an order', ordered, true, false],
    ['a domain at risk', atRisk, true, true],
    ['a failed run', failedRun, true, true],
    ['an SLS delivery problem', slsDown, true, true],
    ['renewals only', renewOnly, false, false],
  ];
  it.each(cases)('%s', (_name, report, changes, failures) => {
    expect(shouldNotify(report, 'changes')).toBe(changes);
    expect(shouldNotify(report, 'failures')).toBe(failures);
    expect(shouldNotify(report, 'always')).toBe(true);
  });
});

describe('a "Not read" line longer than the message allows', () => {
  it('keeps what to do whole, as error lines do, and cuts the words before it', () => {
    const line = withWhatToDo(`the account balance could not be read (InternalError): ${'BSS said something long. '.repeat(20)}; nothing was ordered (balance-unknown)`, 'check BSS_ENDPOINT if set');
    const [shown] = buildReport([], runRecord(), [], 3, { readProblems: [line] }).readProblems;
    expect(Array.from(shown!).length).toBeLessThanOrEqual(300);
    expect(shown).toMatch(/^the account balance could not be read \(InternalError\): BSS said/);
    expect(shown).toMatch(/; what to do: check BSS_ENDPOINT if set$/);
  });
});

// days_left is Math.floor(msLeft / 1 day) (deadline.ts): 3 means at least 3 whole days left, and -1 means the
// estimate passed less than a day ago. The estimate is a day before the registrar's own end (DESIGN §3), so
// a deadline passed minutes ago is the last day to act by hand, not a day gone.
describe('a deadline that passed moments ago, told to a person', () => {
  const HOUR = 3_600_000;
  it.each([
    [10 * 60_000, 'passed less than a day ago, still listed'],
    [30 * HOUR, 'passed 1 day ago, still listed'],
    [49 * HOUR, 'passed 2 days ago, still listed'],
  ])('%i ms ago: "%s"', (agoMs, words) => {
    const deadline = NOW - agoMs;
    const d = decision('late-000012.com', Math.floor((deadline - NOW) / 86_400_000), { reason: 'not-allowed', deadline_ms: deadline });
    const text = renderMessage(composeMessage(buildReport([d], runRecord(), [], 3)), MARKDOWN);
    expect(text).toContain(`- late-000012.com: deadline ~${new Date(deadline).toISOString().slice(0, 10)} UTC (${words})`);
  });
});

// days_to_expiry is Math.floor((expiry - now) / 1 day) (engine.ts): 0 is "within the next 24 h", which need
// not be today in any calendar, and -1 is an expiry less than a day ago.
describe('a renewal-list expiry hours away or hours ago, told to a person', () => {
  const HOUR = 3_600_000;
  it.each([
    [20 * HOUR, 'expires within a day'],
    [-2 * HOUR, 'expired less than a day ago'],
    [-30 * HOUR, 'expired 1 day ago'],
    [5 * 24 * HOUR + HOUR, 'expires in 5 days'],
  ])('%i ms from now: "%s"', (inMs, words) => {
    const expiry = NOW + inMs;
    const days = Math.floor(inMs / 86_400_000);
    const w = { ...watchRecord('soon-000013.com', days), expiration_ms: expiry, days_to_redemption: days + 29 };
    const text = renderMessage(composeMessage(buildReport([], runRecord(), [w], 3)), MARKDOWN);
    expect(text).toContain(`- soon-000013.com: ${words} (${new Date(expiry).toISOString().slice(0, 10)} UTC)`);
  });

  it('a redemption estimated less than a day away (days_to_redemption 0) is "redemption within a day", not "in 0 days"', () => {
    const w = { ...watchRecord('grace-000014.com', -29), days_to_redemption: 0 };
    const text = renderMessage(composeMessage(buildReport([], runRecord(), [w], 3)), MARKDOWN);
    expect(text).toMatch(/- grace-000014\.com: expired 28 days ago \(\d{4}-\d{2}-\d{2} UTC\), redemption within a day/);
  });
});

// The message's dates are UTC days (of ExpirationDateLong and of the estimate); the registrar's console
// prints dates in its own zone, a day later for an instant between 00:00 and 08:00 Beijing.
describe('the zone of the dates in a message', () => {
  it('a deadline and an expiry are said as UTC days', () => {
    const d = decision('edge-000015.com', 2, { reason: 'not-allowed' });
    const w = watchRecord('edge-000016.com', 5);
    const text = renderMessage(composeMessage(buildReport([d], runRecord(), [w], 3)), MARKDOWN);
    expect(text).toContain(`- edge-000015.com: deadline ~${new Date(d.deadline_ms!).toISOString().slice(0, 10)} UTC (2 days left)`);
    expect(text).toContain(`- edge-000016.com: expires in 5 days (${new Date(w.expiration_ms).toISOString().slice(0, 10)} UTC)`);
  });
});
