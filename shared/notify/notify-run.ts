/**
 * The two calls the rest of the function makes: after a run (report, decide, send) and from
 * `redeemer notify-test` (a short test message to every configured channel).
 */
import type { DecisionRecord, RunRecord } from '../run/index.js';
import { envText, type Env } from '../config/env.js';
import { loadNotifyConfig, type NotifyConfig } from './config.js';
import { sendNotifications, undelivered, type ChannelResult, type SendOptions } from './deliver.js';
import type { AccountRecord, FanOutRunRecord } from '../run/records.js';
import { buildReport, fanOutReport, shouldNotify, startFailureReport, testReport, type NotificationReport, type ReportExtras, type WatchRecord } from './report.js';

export interface RunNotification {
  readonly report: NotificationReport;
  /** False when NOTIFY_ON said the run was not worth a message, or no channel is configured (then no channel was called). */
  readonly sent: boolean;
  readonly results: readonly ChannelResult[];
}

export async function notifyRun(
  config: NotifyConfig,
  records: { readonly decisions: readonly DecisionRecord[]; readonly run: RunRecord; readonly watch: readonly WatchRecord[] },
  extras: ReportExtras,
  options: SendOptions,
): Promise<RunNotification> {
  const report = buildReport(records.decisions, records.run, records.watch, config.atRiskDays, extras);
  // No channel: nothing goes anywhere, so the run record must not say a message was sent (readers, and
  // the next run's look for a channel that failed, take `notify: sent` at its word).
  if (!shouldNotify(report, config.on) || Object.keys(config.channels).length === 0) return { report, sent: false, results: [] };
  return { report, sent: true, results: await sendNotifications(config, report, options) };
}

export function sendTestNotifications(
  config: Pick<NotifyConfig, 'channels'>,
  identity: { readonly runId: string; readonly mode: 'dry-run' | 'live'; readonly accountId?: string | undefined },
  options: SendOptions,
): Promise<ChannelResult[]> {
  return sendNotifications(config, testReport(identity), options);
}

/**
 * A run that could not start: told to every channel the notification variables name, read on their own
 * (the rest of the configuration may be what is wrong). A wrong notification setting (NOTIFY_ON, another
 * robot's URL) leaves the robots whose own URL and secret are right: they are told, or a typo in NOTIFY_ON
 * stopped every run in silence. Nothing is sent when no robot's variables are right.
 */
export async function notifyStartFailure(
  env: Env,
  identity: Omit<Parameters<typeof startFailureReport>[0], 'mode'>,
  options: SendOptions,
): Promise<ChannelResult[]> {
  const notify = loadNotifyConfig(env);
  const channels = notify.ok ? notify.config.channels : notify.channels;
  if (Object.keys(channels).length === 0) return [];
  // The mode as configured when it can be read; a run that cannot start orders nothing either way.
  const mode = envText(env, 'REDEEM_MODE') === 'live' ? 'live' : 'dry-run';
  return sendNotifications({ channels }, startFailureReport({ ...identity, mode }), options);
}

/**
 * The orchestrating run's message (REDEEM_ACCOUNTS): sent only when it failed, could not hand an account
 * on, or listed the directory only in part, since each account's own run tells of that account. No
 * channel: nothing sent, no results.
 */
export async function notifyFanOut(config: NotifyConfig, run: FanOutRunRecord, accounts: readonly AccountRecord[], options: SendOptions): Promise<RunNotification> {
  const report = fanOutReport(run, accounts);
  // A directory listed only in part leaves accounts that nothing else will name, however the hand-ons went.
  const worth = (run.outcome === 'failed' || run.count_failed > 0 || run.listing_error_code !== undefined) && Object.keys(config.channels).length > 0;
  return { report, sent: worth, results: worth ? await sendNotifications(config, report, options) : [] };
}

/** One line per channel for a CLI answer: "dingtalk  ok      oapi.dingtalk.com", or the vendor's error. */
export function formatChannelResults(results: readonly ChannelResult[]): string {
  return results
    .map((r) => [r.channel.padEnd(9), r.status.padEnd(7), r.host ?? '-', undelivered(r.status) ? `${r.code ?? ''}${r.message ? `: ${r.message}` : ''}` : ''].join(' ').trimEnd())
    .join('\n');
}
