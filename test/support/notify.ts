/** Records and robot targets for the notification tests. */
import type { DecisionRecord, RunRecord } from '../../shared/run/index.js';
import type { WatchRecord } from '../../shared/run/index.js';

export const NOW = Date.UTC(2026, 11, 1, 9);
const DAY = 86_400_000;
const identity = { run_id: 'run-0f1e2d3c', trigger: 'timer', fc_request_id: '1-abc', mode: 'live' } as const;

export function decision(domain: string, daysLeft: number, fields: Partial<DecisionRecord> = {}): DecisionRecord {
  return {
    kind: 'decision',
    ...identity,
    domain,
    tld: domain.split('.').slice(1).join('.'),
    expiration_ms: NOW - (58 - daysLeft) * DAY,
    deadline_ms: NOW + daysLeft * DAY,
    days_left: daysLeft,
    rules: 'known',
    action: 'skip',
    reason: 'outside-window',
    outcome: 'skipped',
    ...fields,
  };
}

export function runRecord(fields: Partial<RunRecord> = {}): RunRecord {
  return {
    kind: 'run',
    ...identity,
    outcome: 'completed',
    reason: undefined,
    candidates: 6,
    count_would_redeem: 0,
    count_submitted: 0,
    count_in_progress: 0,
    count_succeeded: 1,
    count_failed: 1,
    count_skipped: 4,
    calls: 9,
    left_for_next_run: 0,
    sls_delivery: 'ok',
    duration_ms: 3_100,
    ...fields,
  };
}

export function watchRecord(domain: string, daysToExpiry: number, daysToRedemption?: number): WatchRecord {
  return { kind: 'watch', ...identity, domain, expiration_ms: NOW + daysToExpiry * DAY, days_to_expiry: daysToExpiry, days_to_redemption: daysToRedemption ?? daysToExpiry + 30 };
}

/** A run with an order that succeeded, one that failed, domains at risk for several reasons, and renewals. */
export function busyRun() {
  const decisions = [
    decision('mail-000011.org', -2, { action: 'redeem', reason: 'due', outcome: 'succeeded', task_no: '0e735859-aaaa' }),
    decision('shop-000002.com', 1, { action: 'redeem', reason: 'due', outcome: 'failed', task_no: 'b1c2', error_code: 'ParameterIllegal', error_message: 'the domain expiry changed <@all> [click](http://evil)' }),
    decision('home-000010.com', 2, { reason: 'not-allowed' }),
    decision('blog-000003.net', 3, { reason: 'cap-per-day' }),
    decision('safe-000004.com', 1, { reason: 'already-redeemed', task_no: 't9' }),
    decision('later-000005.com', 9, { reason: 'outside-window' }),
    decision('new-000006.com', 0, { reason: 'insufficient-balance' }),
    decision('odd-000007.com', 1, { reason: 'some-future-reason' }),
  ];
  return { decisions, run: runRecord(), watch: [watchRecord('renew-me.com', 5, 35), watchRecord('renew-too.cn', 12)] };
}
