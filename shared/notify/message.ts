/**
 * The message, independent of the channel: a one-line summary that fits a phone's notification, then
 * sections (most urgent first), then the run id and the SLS query that finds the run. Each channel
 * renders it in its own dialect (a Flavor) and cuts it to its own size limit.
 */
import { fitSections, leftOutLine } from './fit.js';
import type { NotificationReport, OrderedItem } from './report.js';
import { utf8Bytes } from './text.js';

/** Pieces of a line; every text in them is already plainText-cleaned (see report.ts). */
type Segment = { readonly text: string } | { readonly code: string };
type Line = readonly Segment[];

interface MessageSection {
  readonly title: string;
  readonly note?: string | undefined;
  readonly lines: readonly Line[];
  /** Cut before sections of a lower rank when the message is over a limit (fit.ts); 0 when absent. */
  readonly cutFirst?: number | undefined;
}

/** What can wait, cut first: the renewals, then the domains left for the next run and the delivery problems. */
const CUT_RENEWALS_FIRST = 2;
const CUT_BEFORE_URGENT = 1;

interface MessageDoc {
  readonly summary: string;
  readonly sections: readonly MessageSection[];
  readonly footer: readonly Line[];
}

const DAY_MS = 86_400_000;

export function composeMessage(report: NotificationReport): MessageDoc {
  return { summary: summaryLine(report), sections: report.test ? [] : sections(report), footer: footer(report) };
}

/** "domain-redeemer · live · account 123: 1 failed · 2 ordered · 3 at risk · 4 to renew" */
export function summaryLine(report: NotificationReport): string {
  const head = `domain-redeemer · ${report.mode}${report.accountId ? ` · account ${report.accountId}` : ''}`;
  if (report.test) return `${head}: test message, this channel works`;
  const counts: string[] = [];
  if (report.runOutcome === 'failed') counts.push(`RUN FAILED (${report.runError?.code ?? 'unknown'})`);
  if (report.outcomeUnknown.length > 0) counts.push(`${report.outcomeUnknown.length} outcome unknown`);
  if (report.earlierOrders.length > 0) counts.push(`${report.earlierOrders.length} ordered by a run that never reported`);
  if (report.failed.length > 0) counts.push(`${report.failed.length} failed`);
  const placed = placedOrders(report);
  if (placed.length > 0) counts.push(`${placed.length} ordered`);
  if (report.atRisk.length > 0) counts.push(`${report.atRisk.length} at risk`);
  if (report.leftForNextRun.length > 0) counts.push(`${report.leftForNextRun.length} left for the next run`);
  if (report.renew.length > 0) counts.push(`${report.renew.length} to renew`);
  const would = report.wouldOrder ?? [];
  if (would.length > 0) counts.push(`${would.length} a live run would order`);
  if (report.readProblems.length > 0) counts.push(`${report.readProblems.length} not read`);
  if (report.notInRedemption.count > 0) counts.push(`${report.notInRedemption.count} not in redemption`);
  if (report.deliveryProblems.length > 0) counts.push(`${report.deliveryProblems.length} delivery problem${report.deliveryProblems.length > 1 ? 's' : ''}`);
  return `${head}: ${counts.length > 0 ? counts.join(' · ') : `nothing to report, ${report.candidates} in redemption checked`}`;
}

function sections(report: NotificationReport): MessageSection[] {
  const out: MessageSection[] = [];
  if (report.runError) out.push({ title: 'Run failed', lines: [[{ code: report.runError.code }, { text: report.runError.message ? `: ${report.runError.message}` : '' }]] });
  if (report.outcomeUnknown.length > 0) {
    out.push({
      title: `Outcome unknown (${report.outcomeUnknown.length})`,
      note: "the order may have been placed and paid for: check the registrar's console before ordering by hand",
      lines: report.outcomeUnknown.map((u) => [{ text: `${u.domain}: may have been ordered, no answer: ` }, { code: u.errorCode }, { text: `${u.errorMessage ? `: ${u.errorMessage}` : ''}${u.taskNo ? ` (task ${u.taskNo})` : ''}${deadlineNote(u)}` }]),
    });
  }
  if (report.earlierOrders.length > 0) {
    out.push({
      title: `Ordered by a run that never reported (${report.earlierOrders.length})`,
      // A run on another machine or instance may still be going (its end record not written yet): said so.
      // Or its message reached no one: every channel refused it (report.ts, EarlierOrderItem).
      note: 'the registrar took these orders; the run that placed them has not reported (it stopped before its message, its message reached no channel or got no answer from it and may not have reached you, or it is still going)',
      lines: report.earlierOrders.map((o) => [{ text: `${o.domain}: task ${o.taskNo} (${o.runId === undefined ? 'a run that left no record, or an order by hand' : `run ${o.runId}`})` }]),
    });
  }
  if (report.failed.length > 0) {
    out.push({
      title: `Failed (${report.failed.length})`,
      lines: report.failed.map((f) => [{ text: `${f.domain}: ` }, { code: f.errorCode }, { text: `${f.errorMessage ? `: ${f.errorMessage}` : ''}${f.taskNo ? ` (task ${f.taskNo})` : ''}${deadlineNote(f)}` }]),
    });
  }
  const placed = placedOrders(report);
  if (placed.length > 0) out.push({ title: `Ordered (${placed.length})`, lines: placed.map(orderedLine) });
  if (report.atRisk.length > 0) {
    out.push({
      title: `At risk (${report.atRisk.length})`,
      note: `redemption deadline within ${report.atRiskDays} days, or held by the balance guard, not ordered by this run`,
      lines: atRiskLines(report.atRisk),
    });
  }
  if (report.leftForNextRun.length > 0) {
    out.push({
      title: `Left for the next run (${report.leftForNextRun.length})`,
      note: leftNote(report.leftForNextRun),
      cutFirst: CUT_BEFORE_URGENT,
      lines: withSameAs(report.leftForNextRun).map((l) => [{ text: `${l.domain}: ${l.daysLeft === undefined ? 'deadline unknown' : daysLeftWords(l.daysLeft)}: ${l.why}` }]),
    });
  }
  if (report.renew.length > 0) {
    out.push({
      title: `Renew now (${report.renew.length})`,
      note: 'a renewal costs a fraction of a redemption; this function never renews',
      cutFirst: CUT_RENEWALS_FIRST,
      lines: report.renew.map((r) => [
        { text: `${r.domain}: ${expiryWords(r.daysToExpiry)} (${isoDate(r.expirationMs)})${r.daysToRedemption !== undefined ? `, redemption ${r.daysToRedemption > 0 ? `in ${plural(r.daysToRedemption, 'day')}` : 'within a day'}` : ''}` },
      ]),
    });
  }
  const would = report.wouldOrder ?? [];
  if (would.length > 0) {
    out.push({
      title: `A live run would order (${would.length})`,
      note: 'dry-run: nothing was ordered',
      cutFirst: CUT_BEFORE_URGENT,
      lines: would.map((w): Line => [{ text: `${w.domain}: ${w.daysLeft === undefined ? 'deadline unknown' : daysLeftWords(w.daysLeft)}` }]),
    });
  }
  const missing = report.notInRedemption;
  if (missing.count > 0) {
    // Named by the request and not in the list: nothing was done with them, and no other section names them.
    const unnamed = missing.count - missing.names.length;
    out.push({
      title: `Not in redemption (${missing.count})`,
      note: `asked for by name, not in the redemption list the registrar served: misspelt, another account's, or still in its renewal grace (renew it now), so not ordered${unnamed > 0 ? `; ${unnamed} more not named (the run record names the first ${missing.names.length})` : ''}`,
      // Nothing was spent or lost on these by this run: cut before the orders, failures and domains at risk.
      cutFirst: CUT_BEFORE_URGENT,
      lines: missing.names.map((name): Line => [{ text: name }]),
    });
  }
  if (report.readProblems.length > 0) out.push({ title: 'Not read', note: 'what lay behind these was not looked at', lines: report.readProblems.map((p) => [{ text: p }]) });
  if (report.deliveryProblems.length > 0) out.push({ title: 'Delivery problems', cutFirst: CUT_BEFORE_URGENT, lines: report.deliveryProblems.map((p) => [{ text: p }]) });
  return out;
}

/**
 * One line a domain at risk, its why said in full once: a why that an earlier line of the section already
 * said (the day cap's note is one for the run, up to 400 characters) reads "same as <that domain>". Said
 * 200 times, it filled WeCom's 4096 bytes with 11 names, and domains with less than a day left went unnamed.
 * A cut keeps a section's first lines, so the line referred to is always shown.
 */
function atRiskLines(items: NotificationReport['atRisk']): Line[] {
  return withSameAs(items).map((a): Line => [{ text: Number.isFinite(a.deadlineMs) ? `${a.domain}: deadline ~${isoDate(a.deadlineMs)} (${daysLeftWords(a.daysLeft ?? 0)}): ${a.why}` : `${a.domain}: deadline unknown: ${a.why}` }]);
}

/** Each item's why, or "same as <domain>" where an earlier item of the list said it already (see atRiskLines). */
function withSameAs<T extends { readonly domain: string; readonly why: string }>(items: readonly T[]): T[] {
  const firstWith = new Map<string, string>();
  return items.map((item) => {
    const earlier = firstWith.get(item.why);
    if (earlier === undefined) firstWith.set(item.why, item.domain);
    // Only worth it where the reference is shorter than what it stands for.
    return earlier !== undefined && earlier.length + 8 < item.why.length ? { ...item, why: `same as ${earlier}` } : item;
  });
}

/** What the domains left for the next run have in common: the run stopped before them, or a cap held them. */
function leftNote(items: NotificationReport['leftForNextRun']): string {
  const capped = items.some((l) => l.heldByCap);
  const stopped = items.some((l) => !l.heldByCap);
  if (capped && stopped) return 'due, but this run stopped before ordering them, or a cap held them';
  return capped ? 'due, but a cap held them: a later run orders them as the caps allow' : 'due, but this run stopped before ordering them';
}

/**
 * A failed order, or one whose outcome is unknown, leaves the domain to a person, who orders it by hand
 * before its deadline: said as an at-risk line says it, after the error (which a cut may shorten).
 */
function deadlineNote(item: { readonly deadlineMs?: number | undefined; readonly daysLeft?: number | undefined }): string {
  if (item.deadlineMs === undefined || !Number.isFinite(item.deadlineMs)) return '';
  return `; deadline ~${isoDate(item.deadlineMs)} (${daysLeftWords(item.daysLeft ?? 0)})`;
}

/**
 * The orders the registrar took (succeeded, submitted, in progress). A refused order and one whose outcome
 * is unknown are told once, under Failed and Outcome unknown: counted under "ordered" as well, one refusal
 * of two orders read "1 failed · 2 ordered", three domains to a person who had two.
 */
function placedOrders(report: NotificationReport): readonly OrderedItem[] {
  return report.ordered.filter((o) => o.outcome !== 'failed' && o.outcome !== 'unknown');
}

function orderedLine(o: OrderedItem): Line {
  const task = o.taskNo ? `, task ${o.taskNo}` : '';
  const words = o.outcome === 'in-progress' ? 'in progress (another operation holds the domain)' : o.outcome;
  return [{ text: `${o.domain}: ${words}${task}` }];
}

function footer(report: NotificationReport): Line[] {
  const seconds = (report.durationMs / 1000).toFixed(1);
  // A test message belongs to no run, so there is nothing to find in SLS.
  if (report.test) return [[{ text: `Sent by redeemer notify-test (${report.runId})` }]];
  // Only where its records are: a logstore that failed or is not configured has none of them.
  const where = report.slsFailed || report.slsOff ? 'the function log' : 'SLS';
  if (report.handedOn) {
    const { accounts, invoked } = report.handedOn;
    return [
      [{ text: `Run ${report.runId} (${report.trigger}) ${report.runOutcome} in ${seconds} s: handed on ${invoked} of ${accounts} accounts, each of which sends its own message` }],
      [{ text: `Find it in ${where}: ` }, { code: `run_id: ${report.runId}` }],
    ];
  }
  // Its record went to stdout only: SLS was never reached.
  if (report.notStarted) {
    const after = report.startFailsAlways === false ? 'the next run tries again' : 'every run fails the same way until this is fixed';
    return [[{ text: `Run ${report.runId} (${report.trigger}) could not start: nothing was looked at or ordered, and ${after}` }], [{ text: 'Find it in the function log: ' }, { code: `run_id: ${report.runId}` }]];
  }
  const runLine: Line = [{ text: `Run ${report.runId} (${report.trigger}) ${report.runOutcome} in ${seconds} s, ${report.candidates} in redemption` }];
  return [runLine, [{ text: `Find it in ${where}: ` }, { code: `run_id: ${report.runId}` }]];
}

/**
 * `days` is days_left, whole days rounded down (deadline.ts): 2 is at least two days left, and -1 is a
 * deadline passed less than a day ago (-2: one whole day ago). Said as -days, a deadline passed ten minutes
 * ago read "passed 1 day ago": the estimate is a day before the registrar's own end, so that is the last
 * day to act by hand, not one already gone.
 */
function daysLeftWords(days: number): string {
  if (days === -1) return 'passed less than a day ago, still listed';
  if (days < 0) return `passed ${plural(-days - 1, 'day')} ago, still listed`;
  if (days === 0) return 'less than a day left';
  return `${plural(days, 'day')} left`;
}

/**
 * `days` is days_to_expiry, whole days rounded down (engine.ts), read as daysLeftWords reads days_left: 0
 * is within the next 24 h ("today" printed beside tomorrow's date), -1 less than a day ago.
 */
function expiryWords(days: number): string {
  if (days === -1) return 'expired less than a day ago';
  if (days < 0) return `expired ${plural(-days - 1, 'day')} ago`;
  if (days === 0) return 'expires within a day';
  return `expires in ${plural(days, 'day')}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * A date for a person; 'unknown' for what no Date can hold. A safe integer the registrar sends may lie
 * past year 275760 (8.64e15 ms), where toISOString throws: the whole message, orders and all, was lost.
 */
function isoDate(ms: number): string {
  const date = new Date(Number.isFinite(ms) ? Math.floor(ms / DAY_MS) * DAY_MS : Number.NaN);
  // The UTC day, said as such: the registrar's console prints its dates in its own zone, a day later for
  // an instant between 00:00 and 08:00 Beijing, and an unlabelled date that disagrees with it says nothing of why.
  return Number.isFinite(date.getTime()) ? `${date.toISOString().slice(0, 10)} UTC` : 'unknown';
}

/** A channel's dialect. */
interface Flavor {
  readonly segment: (segment: Segment) => string;
  readonly summary: (summary: string) => string;
  readonly sectionTitle: (section: MessageSection) => string;
  readonly bullet: (text: string) => string;
  /** Between the lines of a section, and between blocks (summary, sections, footer). */
  readonly lineBreak: string;
  readonly blockBreak: string;
}

export const MARKDOWN: Flavor = {
  segment: (s) => ('code' in s ? `\`${s.code}\`` : s.text),
  summary: (summary) => `**${summary}**`,
  sectionTitle: (s) => `**${s.title}**${s.note ? ` ${s.note}` : ''}`,
  bullet: (text) => `- ${text}`,
  lineBreak: '\n',
  blockBreak: '\n\n',
};

export const PLAIN: Flavor = {
  segment: (s) => ('code' in s ? s.code : s.text),
  summary: (summary) => summary,
  sectionTitle: (s) => `${s.title}${s.note ? `: ${s.note}` : ''}`,
  bullet: (text) => `• ${text}`,
  lineBreak: '\n',
  blockBreak: '\n\n',
};

/** Slack mrkdwn: `&`, `<` and `>` are its control characters (plainText already replaced the last two). */
const slackEscape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
export const SLACK: Flavor = {
  segment: (s) => ('code' in s ? `\`${slackEscape(s.code)}\`` : slackEscape(s.text)),
  summary: (summary) => `*${slackEscape(summary)}*`,
  sectionTitle: (s) => `*${slackEscape(s.title)}*${s.note ? ` ${slackEscape(s.note)}` : ''}`,
  bullet: (text) => `• ${text}`,
  lineBreak: '\n',
  blockBreak: '\n\n',
};

function renderLine(line: Line, flavor: Flavor): string {
  return line.map(flavor.segment).join('');
}

/** The message with the first shown[s] lines of each section and "…and N more" where some were left out. */
export function renderMessage(doc: MessageDoc, flavor: Flavor, shown?: readonly number[]): string {
  const blocks = [flavor.summary(doc.summary)];
  doc.sections.forEach((section, s) => {
    const count = shown?.[s] ?? section.lines.length;
    const lines = section.lines.slice(0, count).map((line) => flavor.bullet(renderLine(line, flavor)));
    if (count < section.lines.length) lines.push(flavor.bullet(flavor.segment({ text: leftOutLine(section.lines.length - count) })));
    blocks.push([flavor.sectionTitle(section), ...lines].join(flavor.lineBreak));
  });
  blocks.push(doc.footer.map((line) => renderLine(line, flavor)).join(flavor.blockBreak));
  return blocks.join(flavor.blockBreak);
}

/**
 * The largest rendering whose final payload (`payload(text)`, e.g. the JSON request body) is within
 * `limit` bytes. When even no section line fits (it cannot with the bounded texts of report.ts), the
 * summary and the footer alone.
 */
export function renderWithin(doc: MessageDoc, flavor: Flavor, limit: number, payload: (text: string) => string): string {
  const itemBytes = doc.sections.map((section) => section.lines.map((line) => utf8Bytes(flavor.bullet(renderLine(line, flavor))) + flavor.lineBreak.length));
  const measure = (shown: readonly number[]) => utf8Bytes(payload(renderMessage(doc, flavor, shown)));
  const shown = fitSections(itemBytes, measure, limit, doc.sections.map((section) => section.cutFirst ?? 0));
  return shown ? renderMessage(doc, flavor, shown) : renderMessage({ ...doc, sections: [] }, flavor);
}
