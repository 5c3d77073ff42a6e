/** The CLI's human view of a run: a table of decisions and a summary line. */
import { channelStatuses, undelivered } from '../notify/index.js';
import type { RunSummary } from '../run/index.js';

/**
 * A date as YYYY-MM-DD, the UTC day (the header says so: the registrar's console prints its own zone's), or
 * "?" for a number no Date can hold: the table is printed after orders were placed and must not throw.
 */
function day(ms: number | undefined): string {
  const date = ms === undefined ? undefined : new Date(ms);
  return date && Number.isFinite(date.getTime()) ? date.toISOString().slice(0, 10) : '?';
}

export interface TableOptions {
  /** Where every record can be found, stated after an SLS failure; omitted, no such claim is made. */
  readonly recordsNote?: string | undefined;
}

export function renderTable(summary: RunSummary, options: TableOptions = {}): string {
  const header = ['DOMAIN', 'TLD', 'EXPIRY (UTC)', 'DEADLINE (EST., UTC)', 'DAYS LEFT', 'DECISION', 'REASON', 'OUTCOME', 'TASK', 'ERROR'];
  const rows = summary.decisions.map((d) => [
    d.domain,
    d.rules === 'assumed' ? `${d.tld}*` : d.tld,
    day(d.expiration_ms),
    day(d.deadline_ms),
    d.days_left === undefined ? '?' : String(d.days_left),
    d.action,
    d.reason,
    d.outcome,
    d.task_no ?? '',
    d.error_code ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const out = [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
  if (summary.decisions.some((d) => d.rules === 'assumed')) out.push('', '* TLD not in the rules: the shortest known window (30 + 14 days) was assumed.');
  out.push('', renderSummary(summary, options));
  return out.join('\n');
}

export function renderSummary(summary: RunSummary, options: TableOptions = {}): string {
  const r = summary.run;
  const counts = [
    ['would-redeem', r.count_would_redeem],
    ['submitted', r.count_submitted],
    ['in-progress', r.count_in_progress],
    ['succeeded', r.count_succeeded],
    ['failed', r.count_failed],
    ['skipped', r.count_skipped],
  ]
    .filter(([, n]) => n !== 0)
    .map(([name, n]) => `${n} ${name}`)
    .join(', ');
  const parts = [
    `Run ${r.run_id} (${r.mode}, ${r.trigger}): ${r.outcome}`,
    `${r.candidates} in redemption: ${counts || 'nothing to do'}`,
    `${r.calls} API calls, ${(r.duration_ms / 1000).toFixed(1)} s`,
    `SLS: ${r.sls_delivery === 'off' ? 'not configured' : summary.sls.delivered ? 'delivered' : `DELIVERY FAILED (${summary.sls.error ?? 'unknown error'})${options.recordsNote ? `; ${options.recordsNote}` : ''}`}`,
  ];
  if (r.left_for_next_run > 0) parts.push(`${r.left_for_next_run} left for the next run (time budget)`);
  // What the run decided without (a renewal list refused, the balance unread): the robots say it, and a
  // person at a terminal may have none configured.
  if (r.read_problems) parts.push(`not read: ${r.read_problems}`);
  // A name --domains asked for that has no row above: said, or the person reads its absence as "nothing to do".
  if (r.not_in_redemption) {
    const more = (r.not_in_redemption_count ?? 0) - r.not_in_redemption.split(',').length;
    parts.push(`not in redemption (asked for by name, not in the list the registrar served): ${r.not_in_redemption}${more > 0 ? ` …and ${more} more` : ''}`);
  }
  // Beside SLS's: a message every robot refused told no one, and the run's records are the only other trace.
  parts.push(`Chat message: ${chatMessageWords(r)}`);
  if (r.error_code) parts.push(`error ${r.error_code}: ${r.error_message}`);
  return parts.join('\n');
}

/** What became of the run's chat message, per channel, from the run record's notify and notify_<channel> fields. */
function chatMessageWords(r: RunSummary['run']): string {
  if (r.notify !== 'sent') return 'none sent (nothing worth one, or no NOTIFY_* channel configured)';
  const fields = r as unknown as Readonly<Record<string, string | undefined>>;
  const channels = channelStatuses(fields).filter((c) => c.status === 'ok' || undelivered(c.status));
  const words = channels.map(({ channel, status }) => {
    if (status === 'ok') return `${channel} delivered`;
    const code = fields[`notify_${channel}_code`];
    const error = fields[`notify_${channel}_error`];
    // Sent whole with no answer (deliver.ts): it may have been posted.
    if (status === 'unknown') return `${channel} NO ANSWER, may have been posted (${[code, error].filter(Boolean).join(': ') || 'no detail'})`;
    return `${channel} FAILED (${[code, error].filter(Boolean).join(': ') || 'no detail'})`;
  });
  const none = channels.length > 0 && channels.every((c) => c.status === 'failed');
  return `${words.join(', ')}${none ? '; it reached no one' : ''}`;
}
