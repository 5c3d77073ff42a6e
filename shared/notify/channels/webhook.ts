/**
 * Any HTTPS endpoint: the report as JSON `{summary, ordered, failed, outcome_unknown, earlier_orders, at_risk, left_for_next_run, renew, run}` (and
 * `left_out` when the size limit cut a list), signed exactly like our own inbound webhook so that one
 * secret format serves both directions: `x-redeem-timestamp` (unix seconds) and
 * `x-redeem-signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>`. Success is any 2xx.
 */
import { webhookSignature } from '../../signing/index.js';
import type { ChannelTarget } from '../config.js';
import { fitSections } from '../fit.js';
import { summaryLine } from '../message.js';
import type { NotificationReport } from '../report.js';
import { utf8Bytes } from '../text.js';
import { answerText, JSON_HEADERS, judgeStatus, notTheRobot, type Channel, type OutgoingRequest } from './channel.js';

/** The size our own webhook accepts, so that one redeemer can notify another. */
const WEBHOOK_BODY_LIMIT = 64 * 1024;

const LISTS = ['ordered', 'failed', 'outcome_unknown', 'earlier_orders', 'at_risk', 'left_for_next_run', 'renew'] as const;
/** As the chat messages (fit.ts): the renewals give up items first, then the domains left for the next run. */
const CUT_FIRST = [0, 0, 0, 0, 0, 1, 2];

function webhookPayload(report: NotificationReport): Record<(typeof LISTS)[number] | 'summary' | 'run', unknown> {
  return {
    summary: summaryLine(report),
    ordered: report.ordered.map((o) => ({ domain: o.domain, task_no: o.taskNo, outcome: o.outcome, days_left: o.daysLeft, error_code: o.errorCode, error_message: o.errorMessage })),
    failed: report.failed.map((f) => ({ domain: f.domain, task_no: f.taskNo, error_code: f.errorCode, error_message: f.errorMessage, days_left: f.daysLeft, deadline_ms: finiteOrUndefined(f.deadlineMs) })),
    outcome_unknown: report.outcomeUnknown.map((u) => ({ domain: u.domain, task_no: u.taskNo, error_code: u.errorCode, error_message: u.errorMessage, days_left: u.daysLeft, deadline_ms: finiteOrUndefined(u.deadlineMs) })),
    earlier_orders: report.earlierOrders.map((o) => ({ domain: o.domain, task_no: o.taskNo, run_id: o.runId })),
    at_risk: report.atRisk.map((a) => ({ domain: a.domain, days_left: a.daysLeft, deadline_ms: finiteOrUndefined(a.deadlineMs), reason: a.reason, why: a.why })),
    left_for_next_run: report.leftForNextRun.map((l) => ({ domain: l.domain, days_left: l.daysLeft, why: l.why })),
    renew: report.renew.map((r) => ({ domain: r.domain, expiration_ms: r.expirationMs, days_to_expiry: r.daysToExpiry, days_to_redemption: r.daysToRedemption })),
    run: {
      run_id: report.runId,
      mode: report.mode,
      account_id: report.accountId,
      trigger: report.trigger,
      outcome: report.runOutcome,
      error_code: report.runError?.code,
      error_message: report.runError?.message,
      candidates: report.candidates,
      duration_ms: report.durationMs,
      at_risk_days: report.atRiskDays,
      read_problems: report.readProblems,
      not_in_redemption: report.notInRedemption.names,
      not_in_redemption_count: report.notInRedemption.count,
      delivery_problems: report.deliveryProblems,
      sls_query: `run_id: ${report.runId}`,
      test: report.test || undefined,
    },
  };
}

/** JSON has no Infinity (a listing whose dates could not be read): left out rather than null. */
function finiteOrUndefined(value: number | undefined): number | undefined {
  return value !== undefined && Number.isFinite(value) ? value : undefined;
}

/** The body within the limit: lists give up their last (least urgent) items, what can wait first (fit.ts), counted in left_out. */
function webhookBody(report: NotificationReport): string {
  const payload = webhookPayload(report);
  const lists = LISTS.map((key) => payload[key] as unknown[]);
  const render = (shown: readonly number[]) => {
    const leftOut: Record<string, number> = {};
    const cut: Record<string, unknown> = { ...payload };
    LISTS.forEach((key, i) => {
      cut[key] = lists[i]!.slice(0, shown[i]);
      if (shown[i]! < lists[i]!.length) leftOut[key] = lists[i]!.length - shown[i]!;
    });
    return JSON.stringify(Object.keys(leftOut).length > 0 ? { ...cut, left_out: leftOut } : cut);
  };
  const itemBytes = lists.map((list) => list.map((item) => utf8Bytes(JSON.stringify(item)) + 1));
  return render(fitSections(itemBytes, (shown) => utf8Bytes(render(shown)), WEBHOOK_BODY_LIMIT, CUT_FIRST) ?? LISTS.map(() => 0));
}

export function webhookRequest(target: ChannelTarget, report: NotificationReport, nowMs: number): OutgoingRequest {
  const body = webhookBody(report);
  const timestamp = String(Math.floor(nowMs / 1000));
  const signed: Array<readonly [string, string]> = target.secret
    ? [
        ['x-redeem-timestamp', timestamp],
        ['x-redeem-signature', webhookSignature(target.secret, timestamp, body)],
      ]
    : [];
  return { url: target.url, headers: [...JSON_HEADERS, ...signed], body };
}

export const webhook: Channel = {
  name: 'webhook',
  request: webhookRequest,
  judge: (answer) => {
    const byStatus = judgeStatus(answer);
    if (byStatus) return byStatus;
    if (answer.status >= 200 && answer.status < 300) return { ok: true };
    if (answer.status === 404) return notTheRobot(answer, 'NOTIFY_WEBHOOK_URL');
    // A receiver that checks the signature (README) refuses a wrong secret or a stale timestamp so.
    const remedy = answer.status === 401 || answer.status === 403 ? ' → the endpoint refused the signature: check NOTIFY_WEBHOOK_SECRET, and this machine\'s clock' : '';
    return { ok: false, code: `HTTP ${answer.status}`, message: `${answerText(answer) || 'refused'}${remedy}`, retry: false };
  },
};
