/**
 * The registrar's own ledger of redemption tasks: which domains have a task waiting, executing or
 * succeeded, and how many domains were ordered in the last 24 hours. No local state is needed to avoid
 * ordering twice, and the daily cap holds across runs, instances and machines: the executor looks again
 * (`refresh`) right before every submission, so a concurrent run's order is seen before ours goes out.
 * Names are compared in the one canonical form of `normalizeDomainName`, whatever spelling the registrar
 * reports them in.
 */
import { minuteUtc } from '../clock/index.js';
import { normalizeDomainName } from '../config/index.js';
import { contradictsItself, PagingLimitError, readAllPages, TaskDetailStatus, UNREADABLE_CANCEL_STATUS, withPageSizes, type DomainReads, type PagedItems, type PagingBounds, type TaskDetail, type TaskInfo } from '../domain-api/index.js';
import { mapLimit } from '../http/index.js';
import { DAY_MS } from './deadline.js';

/**
 * The task types the vendor lists for operations other than a redemption. That a redemption's task says
 * ORDER_REDEEM comes from the same enum list, not from a live answer (unverified), so the ledger does not
 * rest on it: a task of any type not listed here (ORDER_REDEEM, or a spelling nobody documented) may be a
 * redemption, and stops an order of its domain and counts on the day's cap. Guessing wrong that way costs a
 * skipped order that the next run retries; guessing wrong the other way costs a second redemption fee.
 */
const OTHER_TASK_TYPES: ReadonlySet<string> = new Set([
  'CHG_HOLDER', 'CHG_DNS', 'SET_WHOIS_PROTECT', 'UPDATE_ADMIN_CONTACT', 'UPDATE_BILLING_CONTACT', 'UPDATE_TECH_CONTACT',
  'UPDATE_REGISTRANT_CONTACT', 'SET_UPDATE_PROHIBITED', 'SET_TRANSFER_PROHIBITED', 'ORDER_ACTIVATE', 'ORDER_RENEW',
  'CREATE_DNSHOST', 'UPDATE_DNSHOST', 'SYNC_DNSHOST', 'DELETE_DOMAIN',
]);

export function mayBeRedemption(taskType: string): boolean {
  return !OTHER_TASK_TYPES.has(taskType.trim().toUpperCase());
}

/**
 * Orders other than a redemption that take money from the balance as one does (a renewal, a registration:
 * accounts-and-billing.md 1.1, created and paid by their task). They stop no order and count on no cap, but
 * while open the balance read may not show them yet (see unsettledOrders).
 */
const PURCHASE_TASK_TYPES: ReadonlySet<string> = new Set(['ORDER_RENEW', 'ORDER_ACTIVATE']);

/** The orders of a renewal or registration task: its TaskNum, 1 if unsaid, 1,000 at most (the batch limit). */
function purchaseCount(task: Pick<TaskInfo, 'TaskNum'>): number {
  return Math.max(1, Math.min(1_000, task.TaskNum ?? 1));
}
/** 100 pages of 100 tasks a week is far above any account; an endless NextPage stops there. */
const MAX_TASK_PAGES = 100;
/** A task holds at most 1,000 domains (the batch limit): two pages of 1,000 details. */
const MAX_DETAIL_PAGES = 3;
const MAX_TASK_DOMAINS = 1_000;
/**
 * A finished task older than this cannot change a decision: it is out of the day's caps, and the registrar
 * says its states lag by up to 24 h, so its domain has left the redemption list (or, if it failed, may be
 * ordered again). Its details are not read: the ledger's cost grows with the day's work, not the week's.
 */
const DETAILS_WINDOW_MS = 2 * DAY_MS;
/** How far the registrar's clock (a task's CreateTime) may be behind ours: ACS3 refuses more skew than this. */
export const REGISTRAR_CLOCK_SLACK_MS = 15 * 60_000;
/**
 * The EndCreateTime to ask QueryTaskList for when the list should reach `nowMs`: now plus the 15 minutes of
 * clock skew ACS3 accepts. The registrar filters by whole days, in its own zone and by its own clock, which
 * may run that far ahead of ours: asked to end at our now a minute before its midnight, it leaves out the
 * tasks it dated just after, another party's order for the very domain this run is about to order. Nothing
 * is created after its own now, and the margin moves the end into the next day only in those 15 minutes
 * (a wider one would lengthen every window the registrar is asked for, whose limits are not documented).
 */
const MAX_REGISTRAR_CLOCK_AHEAD_MS = 15 * 60_000;

export function taskListEnd(nowMs: number): number {
  return nowMs + MAX_REGISTRAR_CLOCK_AHEAD_MS;
}

/** TaskInfo's code for a finished task (TaskInfo counts 1-3, unlike TaskDetail's 0-3). */
export const TASK_INFO_COMPLETE = 3;

export type LedgerState = 'in-flight' | 'succeeded' | 'failed';

export interface LedgerEntry {
  readonly taskNo: string;
  readonly state: LedgerState;
  readonly createdMs: number | undefined;
  /** What a person needs to hear of this task beyond its state (a cancellation, see underCancel). */
  readonly note?: string | undefined;
}

/** A listed task's cancellation (TaskCancelStatus / TaskCancelStatusCode, domain-api.md §3.6). */
export type CancelState = 'none' | 'cancelling' | 'cancelled';

const TASK_CANCEL_STATUS_NAMES: Readonly<Record<string, number>> = { INIT: 0, CANCELLING: 1, COMPLETE: 2 };

/**
 * INIT 0 (or nothing said): not cancelled; COMPLETE 2: cancelled; CANCELLING 1: being cancelled. A name
 * that contradicts its code, or a code the docs do not list, says neither: read as a cancellation going
 * on, which holds the domain (it may yet be carried out) and is said to a person, never as "cancelled",
 * which lets the domain be ordered again.
 */
export function cancelState(task: Pick<TaskInfo, 'TaskCancelStatus' | 'TaskCancelStatusCode'>): CancelState {
  if (task.TaskCancelStatus === UNREADABLE_CANCEL_STATUS) return 'cancelling';
  const named = TASK_CANCEL_STATUS_NAMES[task.TaskCancelStatus?.trim().toUpperCase() ?? ''];
  const code = task.TaskCancelStatusCode ?? undefined;
  if (code === undefined && named === undefined) return 'none';
  if (code !== undefined && named !== undefined && code !== named) return 'cancelling';
  const said = code ?? named;
  return said === 0 ? 'none' : said === 2 ? 'cancelled' : 'cancelling';
}

/**
 * A detail's state under its task's cancellation. A cancelled task's details may stay WAITING_EXECUTE for
 * ever (nothing in the docs says they move): read as open, the cancelled order held its domain as in
 * flight on every run, never ordered again, until it was lost; so a detail that never started counts as
 * failed (no order was carried out, no money taken), with a note. One that says EXECUTE_SUCCESS under a
 * cancelled task may or may not have been undone: held (never ordered twice) but not called redeemed. A
 * cancellation still going on holds the domain: the task may yet be carried out.
 */
export function underCancel(taskNo: string, cancel: CancelState, detail: Pick<TaskDetail, 'TaskStatusCode' | 'TaskStatus'>): { readonly state: LedgerState; readonly note?: string } {
  const state = entryState(detail);
  if (cancel === 'none' || state === 'failed') return { state };
  if (cancel === 'cancelling') {
    return { state: 'in-flight', note: `task ${taskNo} is being cancelled (TaskCancelStatus CANCELLING): it may still be carried out, so nothing is ordered for the domain while it is; check the registrar's console, the next run decides again` };
  }
  // Only a detail that plainly says it never started (WAITING_EXECUTE, not contradicting itself) lets the
  // domain go. EXECUTING: the registry had begun, and a cancel that came then may not have stopped it; a
  // success, or a state that cannot be read, may have been carried out before the cancel.
  const neverStarted = !contradictsItself(detail) && detail.TaskStatusCode === TaskDetailStatus.WaitingExecute;
  if (!neverStarted) {
    const says = state === 'succeeded' ? 'EXECUTE_SUCCESS' : !contradictsItself(detail) && detail.TaskStatusCode === TaskDetailStatus.Executing ? 'EXECUTING' : 'a state that cannot be read';
    return { state: 'in-flight', note: `task ${taskNo} was cancelled (TaskCancelStatus COMPLETE) while its detail says ${says}: whether the domain was redeemed is not known, so it is not ordered again; check the registrar's console` };
  }
  return { state: 'failed', note: `task ${taskNo} for this domain was cancelled (TaskCancelStatus COMPLETE) before it was carried out, so it redeemed nothing` };
}

interface KnownTask {
  /**
   * Each of its domains (canonical; "" when the registrar did not say), its create time (undefined when
   * unreadable: counted as recent), and whether it was still open (waiting or executing, or a state we
   * cannot read) when learnt: such an order may not have been paid yet (see unsettledOrders); and whether
   * it had failed (an order that failed took no money).
   */
  readonly details: ReadonlyArray<{ readonly name: string; readonly createdMs: number | undefined; readonly open: boolean; readonly failed?: boolean }>;
  /** Its number as the registrar wrote it ("" for a task listed without one), for a person (see unnamedTask). */
  readonly taskNo?: string;
}

const MONTHS: Record<string, number> = { Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11 };

/** After the seconds: a fraction, AM/PM (group 7), "Z" or an offset ahead of UTC; nothing else. */
const TIME_TAIL = String.raw`(?:\.\d{1,9})?(?:\s?([AaPp][Mm]))?(?:Z|\+\d{2}:?\d{2})?\s*$`;
const ISO_TIME = new RegExp(String.raw`^\s*(\d{4})-(\d{2})-(\d{2})[ T](\d{1,2}):(\d{2}):(\d{2})${TIME_TAIL}`);
const MONTH_TIME = new RegExp(String.raw`^\s*([A-Z][a-z]{2}) (\d{1,2}),(\d{4}) (\d{1,2}):(\d{2}):(\d{2})${TIME_TAIL}`);

/**
 * Registrar times come as "2018-01-25 20:46:57" or "Dec 26,2017 11:00:54" with no zone. They are read as
 * UTC on purpose: the registrar's clock is at UTC or ahead of it (Beijing), so a task never looks older
 * than it is and the daily cap can only over-count, never let an extra order through.
 *
 * What follows the seconds must be understood, not skipped: a 12-hour time ("01:30:00 PM") read as its
 * first digits is 12 h older than it is, out of the day's cap while still inside it. Accepted after the
 * seconds: a fraction, AM/PM (read as such), and "Z" or an offset ahead of UTC (its wall time read as UTC
 * over-counts, as above); anything else (an offset behind UTC, a zone name) makes the time unreadable.
 */
export function parseRegistrarTime(text: string | null | undefined): number | undefined {
  if (!text) return undefined;
  let m = ISO_TIME.exec(text);
  if (m) return utc(+m[1]!, +m[2]! - 1, +m[3]!, hour24(m[4]!, m[7]), +m[5]!, +m[6]!);
  m = MONTH_TIME.exec(text);
  if (m && MONTHS[m[1]!] !== undefined) return utc(+m[3]!, MONTHS[m[1]!]!, +m[2]!, hour24(m[4]!, m[7]), +m[5]!, +m[6]!);
  return undefined;
}

/** The hour on a 24-hour clock; with AM/PM the hour must be 1 to 12 (otherwise 99: out of range, unreadable). */
function hour24(hour: string, meridiem: string | undefined): number {
  const h = +hour;
  if (meridiem === undefined) return h;
  if (h < 1 || h > 12) return 99;
  return (h % 12) + (meridiem.toUpperCase() === 'PM' ? 12 : 0);
}

/** Date.UTC, but a field out of range (month 13, day 0, 24:00) is unreadable, not rolled into another day (an earlier one would under-count the cap). */
function utc(year: number, month: number, day: number, hour: number, minute: number, second: number): number | undefined {
  const ms = Date.UTC(year, month, day, hour, minute, second);
  const d = new Date(ms);
  return d.getUTCMonth() === month && d.getUTCDate() === day && hour < 24 && minute < 60 && second < 60 ? ms : undefined;
}

/**
 * An undocumented status code, or a TaskStatus that contradicts its code, counts as in flight: never
 * order on a task we cannot read.
 */
export function entryState(detail: Pick<TaskDetail, 'TaskStatusCode' | 'TaskStatus'>): LedgerState {
  if (contradictsItself(detail)) return 'in-flight';
  if (detail.TaskStatusCode === TaskDetailStatus.ExecuteSuccess) return 'succeeded';
  if (detail.TaskStatusCode === TaskDetailStatus.ExecuteFailure) return 'failed';
  return 'in-flight';
}

/**
 * The task list, if the walk read all of it: as many tasks as the first page's TotalItemNum announced.
 * Tasks never leave the list (its window is by create time), so fewer means some were never served, by
 * a page repeating tasks already read (a registrar ignoring PageNum) or by a last page that came short
 * (an empty or missing Data): a task left unread may be another run's order for a domain this run is
 * about to order, or a slot of the day's cap, so the ledger then counts as unreadable.
 */
function wholeTaskList(walk: PagedItems<TaskInfo>): TaskInfo[] {
  if (walk.short) {
    const how = walk.repeatedPage ? `page ${walk.pages} repeated tasks already read (the registrar may be ignoring PageNum)` : `the last page, ${walk.pages}, ended the list`;
    throw new PagingLimitError('QueryTaskList', `${how} while TotalItemNum announced ${walk.short.announced} and only ${walk.short.read} were read; the ledger would be incomplete, so no order can rest on it`);
  }
  return walk.items;
}

/** One detail of one task, however often the pages serve it. */
export function detailKey(detail: TaskDetail): string {
  return `${detail.TaskDetailNo ?? ''}\u0000${detail.DomainName}`;
}

const PRECEDENCE: Record<LedgerState, number> = { 'in-flight': 3, succeeded: 2, failed: 1 };

/**
 * A task number as the ledger compares it: trimmed and lower-cased. The registrar's task numbers are
 * UUIDs, and nothing says it prints one in the same case on the task list as in the submission's answer:
 * compared as written, this run's own order would look like another task and count twice on the day's cap.
 * The registrar is always sent the number as it wrote it.
 */
export function taskKey(taskNo: string): string {
  return taskNo.trim().toLowerCase();
}

/** How a run record's told_runs, and OrderJournal.told, name a task by its number: `task:<no>`. */
export function unrecordedTaskId(taskNo: string): string {
  return `task:${taskKey(taskNo)}`;
}

/**
 * A listed task's key: its number's (see taskKey), or, for a task listed with no number, one made of what
 * else the list says of it. Such a task's details cannot be asked for (QueryTaskDetailList requires a
 * TaskNo), so it is counted from its TaskNum; two such tasks alike in time and size count once.
 */
function listedKey(task: Pick<TaskInfo, 'TaskNo' | 'CreateTime' | 'TaskNum'>): string {
  return taskKey(task.TaskNo) || `\u0000unnumbered|${task.CreateTime ?? ''}|${task.TaskNum ?? ''}`;
}

/** TaskInfo's TaskStatus names, in the order of their TaskStatusCode (1-3; TaskDetail's are 0-3). */
const TASK_INFO_STATUS_NAMES: Readonly<Record<string, number>> = { WAITING_EXECUTE: 1, EXECUTING: 2, COMPLETE: 3 };

/**
 * A task list row as the ledger believes it: one whose TaskStatus names a documented state other than its
 * TaskStatusCode's (coded COMPLETE, named EXECUTING) says neither, and is kept with no status, i.e. open:
 * its details are read now. Believed finished, a row dated over two days ago was never read, and the open
 * redemption it is was ordered again. A TaskStatus that names no documented state leaves the code the
 * authority, as for details (contradictsItself).
 */
function believedRow(task: TaskInfo): TaskInfo {
  const named = TASK_INFO_STATUS_NAMES[task.TaskStatus?.trim().toUpperCase() ?? ''];
  return named !== undefined && named !== task.TaskStatusCode ? { ...task, TaskStatusCode: undefined } : task;
}

/**
 * One task the list served twice (pages that shifted, a replica behind): rows that agree are one; rows that
 * disagree on its state, date or size are neither believed. Kept as the last row (the later copy would
 * win), a row saying it finished days ago hid the row saying it is open, and its details (the domain it
 * holds) were never read: the domain was ordered again. Merged, the task counts as open (no status: read
 * now, never skipped as old or left for later), of unknown date (counted as recent) and of the larger size.
 */
function mergedRows(a: TaskInfo, b: TaskInfo): TaskInfo {
  const sameCancel = cancelState(a) === cancelState(b);
  if (a.TaskStatusCode === b.TaskStatusCode && a.CreateTime === b.CreateTime && a.TaskNum === b.TaskNum && sameCancel) return a;
  const sizes = [a.TaskNum, b.TaskNum].filter((n): n is number => n !== undefined);
  return {
    ...a,
    TaskStatusCode: a.TaskStatusCode === b.TaskStatusCode ? a.TaskStatusCode : undefined,
    CreateTime: a.CreateTime === b.CreateTime ? a.CreateTime : undefined,
    TaskNum: sizes.length > 0 ? Math.max(...sizes) : undefined,
    // Two rows that disagree on its cancellation: neither believed, held as being cancelled (see cancelState).
    ...(sameCancel ? {} : { TaskCancelStatus: undefined, TaskCancelStatusCode: 1 }),
  };
}

/**
 * An order's date for the day's cap when the task list and its detail both date it: the later one. They
 * are one order's dates and may disagree (a detail dated 40 h ago under a task listed an hour ago); taken
 * from the detail alone, an order of the last hour fell out of the day's cap and let one more through.
 * The later date can only over-count, the cap's safe side; a task the list misdates into the past (its own
 * sample says "Dec 26,2017") is still counted by its detail's recent date.
 */
function laterOf(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.max(a, b);
}

/**
 * The canonical form, or the lower-cased text for a name that is not a host name (it then matches nothing).
 * A detail's name with URL parts ("b.com/") holds the host before them, as it did when normalizeDomainName
 * took those: the ledger errs towards holding (a skipped order the next run retries, never a second fee).
 */
export function canonicalName(name: string): string {
  return normalizeDomainName(name) ?? normalizeDomainName(name.split(/[/?#\\]/)[0]!) ?? name.trim().toLowerCase();
}

/**
 * Every task dated, each no later than the one before it: the list as the registrar gave it, newest first.
 * `shown`: and the last earlier than the first, since a list of one second's tasks is in either order.
 */
function listedNewestFirst(tasks: readonly TaskInfo[], shown = false): boolean {
  let previous = Number.POSITIVE_INFINITY;
  let first: number | undefined;
  for (const task of tasks) {
    const ms = parseRegistrarTime(task.CreateTime);
    if (ms === undefined || ms > previous) return false;
    first ??= ms;
    previous = ms;
  }
  return !shown || (first !== undefined && previous < first);
}

/** A look's bounds; `readByMs`: each of its reads ends by then, its retries included (TaskListQuery.deadlineMs). */
type LookBounds = Omit<PagingBounds, 'maxPages'> & { readonly readByMs?: number | undefined };

interface LedgerDeps {
  readonly api: DomainReads;
  readonly bounds: Omit<PagingBounds, 'maxPages'>;
  /** Detail reads in flight at once. */
  readonly concurrency?: number | undefined;
  /**
   * Which registrar ledger this is (endpoint and account): runs of one process with the same scope see
   * each other's orders before the registrar lists them. Left out, a ledger shares with no other.
   */
  readonly scope?: string | undefined;
  /**
   * Where orders outlive the process (the CLI's file beside its host lock): each order of this run is
   * handed to it the moment its task number is known. What it kept is taken in with `adopt`.
   */
  readonly journal?: OrderJournal | undefined;
  /** The run's id, kept with each of its orders in the journal. */
  readonly runId?: string | undefined;
}

/** An order with its task number, as a journal keeps it. */
export interface JournalOrder {
  readonly domainName: string;
  readonly taskNo: string;
  readonly sentMs: number;
  /** The run that placed it. */
  readonly runId?: string | undefined;
  /** Its run never said it was told to a person (killed, timed out, or still going): the next run tells it. */
  readonly untold?: boolean | undefined;
}

/**
 * An order about to be sent (its `kind: submission` line), as a journal keeps it: a run killed while the
 * order was on the wire leaves this and no JournalOrder, though the registrar may have taken it.
 */
export interface JournalAttempt {
  readonly domainName: string;
  readonly sentMs: number;
  readonly runId?: string | undefined;
  /** As JournalOrder's: no source says its run told a person. */
  readonly untold?: boolean | undefined;
  /** Its run recorded that this submission certainly placed no order (see OrderJournal.released). */
  readonly settled?: boolean | undefined;
}

/** One run's submission of one domain: the key every journal's copy of it (attempt, order, decision line) shares. */
export function submissionKey(runId: string | undefined, domainName: string): string {
  return `${runId ?? ''}\u0000${canonicalName(domainName)}`;
}

export interface OrderJournal {
  /** The orders of the last 24 h it holds, read by `deadlineMs`; a failure is the caller's to ignore. */
  load(deadlineMs: number): readonly JournalOrder[] | Promise<readonly JournalOrder[]>;
  /** Keeps one more; called before the order's decision line is written. */
  placed(order: JournalOrder): void;
  /** Keeps an order about to be sent, before it is sent (see JournalAttempt). */
  sending?(attempt: JournalAttempt): void;
  /** The submission of `sending` certainly placed no order (refused, throttled, never sent). */
  released?(attempt: { readonly domainName: string; readonly runId?: string | undefined }): void;
  /** The orders about to be sent of the last 24 h that the last load found. */
  attempts?(): readonly JournalAttempt[];
  /** What the last load could not read, each said to a person under "Not read" on a line of its own; none when it read all. */
  unread?(): readonly string[];
  /** The run `runId` has ended after a message that reached a person (or was not due), which told the orders of the runs `told` too; not called when every channel refused it. */
  ended?(runId: string, told: readonly string[]): void;
  /**
   * The runs earlier messages told (told_runs), and as `task:<no>` (unrecordedTaskId) the tasks they told
   * that no record named and every task a decision line names, when the last load read every order,
   * submission and run end of the day whole; undefined otherwise (engine.ts unrecordedTasks).
   */
  told?(): ReadonlySet<string> | undefined;
}

/** An order this process has sent, or is sending, for one registrar ledger. */
interface ProcessOrder {
  readonly domainName: string;
  /** Known once the registrar answered; undefined while in flight, or for an outcome never found. */
  taskNo: string | undefined;
  /** How many looks at the task list the noting ledger had begun when it was sent. */
  readonly sentAfterLooks: number;
  /** Where it was sent among the process's looks at the task list (processSeq): a look begun later may list it. */
  readonly sentSeq: number;
  /** When it was sent (the run's clock): it counts on the day's cap for 24 h. */
  readonly sentMs: number;
  /** Its run has ended; kept (see Ledger.close) until the registrar lists its task or the day is over. */
  ended?: boolean;
  /** The run that placed it, when known (for a person: see unlistedOrderNote). */
  readonly runId?: string | undefined;
}


/**
 * What holds a domain that another run's order (see Ledger.sentByAnotherRun) holds, in words a person can
 * act on. Such an order is one the registrar does not list: nothing in the docs says how soon it lists a
 * task, so the hold is this process's word alone, not the registrar's; if the task never appears (an order
 * the registrar dropped, a record that names a task it never took), the domain is not being redeemed until
 * the hold ends. Near its deadline a person must know that, and look in the registrar's console.
 */
function unlistedOrderNote(order: { readonly taskNo: string | undefined; readonly sentMs: number; readonly ended?: boolean | undefined; readonly runId?: string | undefined }, listed = false): string {
  const by = `${order.ended ? 'an earlier run' : 'another run'}${order.runId ? ` (run ${order.runId})` : ''}`;
  if (order.taskNo === undefined) return `being ordered by ${by} of this process since ${minuteUtc(order.sentMs)}, no answer yet`;
  // A run still going whose task the registrar lists already: its state is the registrar's word.
  if (listed) return `ordered by ${by} at ${minuteUtc(order.sentMs)}, task ${order.taskNo}`;
  return `ordered by ${by} at ${minuteUtc(order.sentMs)}, task ${order.taskNo}, which the registrar does not list yet; held until ${minuteUtc(order.sentMs + DAY_MS)}, so check the registrar's console that the order exists`;
}

/**
 * Every order the runs of this process have sent, per registrar ledger. A run counts the others' before the
 * registrar lists them (two webhooks in one custom-runtime instance, several runs of one CLI process), and
 * one the registrar already lists only once: the cap holds across them exactly. An order the registrar
 * answered with its task number outlives its run until the registrar lists it (see Ledger.close).
 */
const processOrders = new Map<string, Set<ProcessOrder>>();

/** An order whose outcome is unknown (see Ledger.countUnknown), with the run that sent it when known. */
interface UnknownOrder {
  readonly domainName: string;
  readonly sentMs: number;
  readonly runId?: string | undefined;
  /** Where it was sent among the process's looks (processSeq), for an order of this process (see processLearnt). */
  readonly sentSeq?: number | undefined;
}

/**
 * Per registrar ledger, as processOrders: the orders of this process's ended runs whose outcome stayed
 * unknown, and those its runs learnt of from a journal. They count on the day's caps for 24 h (see
 * Ledger.countUnknown), in every later run of the process too (a webhook after the timer, on a warm instance).
 */
const processUnknown = new Map<string, UnknownOrder[]>();

/**
 * The ledgers of each scope not yet closed. A scope's registry is dropped only when it is empty and no
 * ledger of it is open: dropped while another run's ledger still held it (a dry run that ended while a live
 * run was taking its fresh look), the live run's order went into a set no later run saw, and the next run of
 * the process, the task not listed yet, ordered the domain again.
 */
const openLedgers = new Map<string, number>();

/**
 * Per scope, while a ledger of it is open or an ended run's order is kept (an unknown one too): processSeq when the look of this process that
 * first learnt each task was answered (see takeListingSentBefore). A task some run's look learnt before an order was sent is not that order,
 * whatever its CreateTime says: times carry no zone, and a failed redemption of hours ago printed in
 * Beijing time reads as created after the order, so it was taken for the order and two counted once.
 */
const processLearnt = new Map<string, Map<string, number>>();

/** The runs of this process whose ledger is open (see runStillGoing): from the ledger's making until close. */
const runsGoing = new Set<string>();

/**
 * Runs whose orders a message of this process told (the run itself and the earlier runs its message
 * carried), with when: the journals learn it from the run's end record, the last thing it writes, and
 * SLS finds a log only once it is indexed, seconds later. The next run of the process meanwhile found the
 * run's orders and no end, and told them again. Kept two days (the read-back's reach), so it stays small.
 */
const runsTold = new Map<string, number>();
const RUNS_TOLD_KEPT_MS = 2 * 86_400_000;

/** The runs `runIds` had their orders told by a message of this process (see runsTold). */
export function noteRunsTold(runIds: readonly string[], nowMs: number): void {
  for (const [id, ms] of runsTold) if (ms < nowMs - RUNS_TOLD_KEPT_MS) runsTold.delete(id);
  for (const id of runIds) runsTold.set(id, nowMs);
}

/** Whether a message of this process told the orders of run `runId` (see runsTold). */
export function toldInThisProcess(runId: string | undefined): boolean {
  return runId !== undefined && runsTold.has(runId);
}

/**
 * The orders the runs of this process placed in the last day, per registrar ledger (scope), as a journal
 * for its later runs (a warm FC instance): see processJournal.
 */
const placedInProcess = new Map<string, { orders: JournalOrder[]; attempts: JournalAttempt[]; released: Set<string> }>();

/**
 * A journal of this process's own orders. The logstore's read-back tells the next run the orders of a run
 * whose message reached no one; a run whose records never reached the logstore either (SLS unreachable)
 * left them on stdout alone, and the next run, finding their tasks listed, skipped the domains in silence.
 * Each is untold until a message of this process told its run (toldInThisProcess: the engine leaves those
 * out, and those another instance told, which the logstore says).
 */
export function processJournal(scope: string, now: () => number): OrderJournal {
  const kept = placedInProcess.get(scope) ?? { orders: [], attempts: [], released: new Set<string>() };
  placedInProcess.set(scope, kept);
  const recent = <T extends { readonly sentMs: number }>(list: T[]) => {
    const dayAgo = now() - DAY_MS;
    for (let i = list.length - 1; i >= 0; i--) if (list[i]!.sentMs <= dayAgo) list.splice(i, 1);
  };
  return {
    load: () => {
      recent(kept.orders);
      recent(kept.attempts);
      const sent = new Set(kept.attempts.map((a) => submissionKey(a.runId, a.domainName)));
      for (const key of kept.released) if (!sent.has(key)) kept.released.delete(key);
      return kept.orders.map((order) => ({ ...order, untold: true }));
    },
    placed: (order) => void kept.orders.push(order),
    // Its submissions too: one whose outcome stayed unknown is told as such (engine.ts attemptsOfUntoldRuns).
    sending: (attempt) => void kept.attempts.push(attempt),
    released: (attempt) => void kept.released.add(submissionKey(attempt.runId, attempt.domainName)),
    attempts: () => kept.attempts.map((a) => ({ ...a, untold: true, settled: kept.released.has(submissionKey(a.runId, a.domainName)) })),
  };
}

/**
 * Forgets every order this process holds for the registrar at `endpoint` (a scope begins with it). For
 * tests: a registrar stand-in started on a port an earlier one used is another registrar to them, one
 * ledger to the product, and the earlier one's orders would hold the new one's domains.
 */
export function forgetRegistrar(endpoint: string): void {
  for (const scope of processOrders.keys()) if (scope.startsWith(`${endpoint}|`)) processOrders.delete(scope);
  for (const scope of processUnknown.keys()) if (scope.startsWith(`${endpoint}|`)) processUnknown.delete(scope);
  for (const scope of placedInProcess.keys()) if (scope.startsWith(`${endpoint}|`)) placedInProcess.delete(scope);
  for (const scope of processLearnt.keys()) if (scope.startsWith(`${endpoint}|`)) processLearnt.delete(scope);
}

/**
 * Whether a task the registrar dated `createdMs` (undefined: unreadable) may have been created since an
 * order was sent at `sentMs` by our clock: its clock may be REGISTRAR_CLOCK_SLACK_MS behind, and it prints
 * whole seconds, cut, so the true time is up to a second after the printed one. Without that second, an
 * order listed by a clock just inside the slack was not matched with its listing and counted twice.
 */
function createdSince(createdMs: number | undefined, sentMs: number): boolean {
  return createdMs === undefined || createdMs > sentMs - REGISTRAR_CLOCK_SLACK_MS - 1_000;
}

/** A listed task no order of this process claims by task number, and the look that learnt it. */
interface UnclaimedListing {
  readonly name: string;
  readonly look: number;
  /** When the first look of the process that learnt it was answered, among its looks and orders (processSeq). */
  readonly seq: number;
  /** Its detail's create time (undefined when unreadable: counted as recent, see ordersLast24h). */
  readonly createdMs?: number | undefined;
}

/**
 * Takes out of `unclaimed` the listing that may be this run's own order still waiting for its answer: its
 * domain, learnt by a look begun after the order was sent (several in flight, the registrar may list an
 * order before it answers). True when one was taken: that listing is the order, counted once.
 */
function takeOwnListing(unclaimed: UnclaimedListing[], order: { readonly domainName: string; readonly sentAfterLooks: number }): boolean {
  const listed = unclaimed.findIndex((t) => t.name === order.domainName && t.look > order.sentAfterLooks);
  if (listed === -1) return false;
  unclaimed.splice(listed, 1);
  return true;
}

/**
 * Every look at the task list that any ledger of this process begins, and every order it sends, numbered in
 * the order they happen: a listing learnt by a look begun after an order was sent may be that order.
 */
let processSeq = 0;

/**
 * Takes out of `unclaimed` the listing that may be the order another run of this process has sent and not had
 * answered yet: its domain, first learnt by a look answered after the order was sent (the registrar may list an order
 * before it answers). Its run had found no task of the domain right before sending it, so the listing is that
 * order (or another party's placed in the same moments, the race between hosts the README leaves open).
 * Counted as both, the day's cap held another run's domain on a slot no order used. Only a task created since
 * the order was sent (less the registrar's clock slack, as takeListingOfDomain): a run that began after the
 * order learns every task with a later number, and an older one of the domain (a failed redemption, which
 * left it orderable) taken for it counted two orders once on REDEEM_MAX_PER_DAY.
 */
function takeListingSentBefore(unclaimed: UnclaimedListing[], order: { readonly domainName: string; readonly sentSeq: number; readonly sentMs: number }): boolean {
  const listed = unclaimed.findIndex((t) => t.name === order.domainName && t.seq > order.sentSeq && createdSince(t.createdMs, order.sentMs));
  if (listed === -1) return false;
  unclaimed.splice(listed, 1);
  return true;
}

/**
 * Takes out of `unclaimed` a listed task of the domain of an earlier run's order (an ended run's, or one a
 * journal kept) whose own task number no listed task has, created since the order was sent (less the
 * registrar's clock slack). A domain's name is unique at the registrar: the order a journal names for it
 * and the task listed for it since are one order, whatever number the journal kept (a row of the logstore
 * written by another version, a number the registrar printed otherwise). Counted as both, the day's caps
 * and the balance guard counted it twice, and a due domain was left unordered for the cap. True when one
 * was taken: the listing is counted, the order not again. It still holds its domain (sentByAnotherRun).
 */
function takeListingOfDomain(unclaimed: UnclaimedListing[], order: { readonly domainName: string; readonly sentMs: number; readonly sentSeq: number }): boolean {
  // An order of this process's ended run (sentSeq; 0 for a journal's) is not a task a look learnt before it was sent (see processLearnt).
  const listed = unclaimed.findIndex((t) => t.name === order.domainName && t.seq > order.sentSeq && createdSince(t.createdMs, order.sentMs));
  if (listed === -1) return false;
  unclaimed.splice(listed, 1);
  return true;
}

export class Ledger {
  private readonly byDomain = new Map<string, LedgerEntry>();
  private readonly tasks = new Map<string, KnownTask>();
  /** Task numbers this run created, with when it submitted them, and for which domain. */
  private readonly mine = new Map<string, { readonly submittedMs: number; readonly domainName: string }>();
  /** Task numbers two answers of this run gave (see dispute): their details are read, not taken from the claim. */
  private readonly disputed = new Set<string>();
  /** This run's entries in the process-wide orders of its scope. */
  private readonly own: ProcessOrder[] = [];
  private readonly shared: Set<ProcessOrder>;
  private closed = false;
  /** Earlier runs' orders whose outcome is unknown (see countUnknown), shared by the runs of the process. */
  private readonly unknownOrders: UnknownOrder[];

  constructor(private readonly deps: LedgerDeps) {
    const scope = deps.scope;
    this.shared = scope === undefined ? new Set() : (processOrders.get(scope) ?? new Set());
    if (scope !== undefined) processOrders.set(scope, this.shared);
    this.unknownOrders = scope === undefined ? [] : (processUnknown.get(scope) ?? []);
    if (scope !== undefined) processUnknown.set(scope, this.unknownOrders);
    if (scope !== undefined) openLedgers.set(scope, (openLedgers.get(scope) ?? 0) + 1);
    this.learntAtSeq = scope === undefined ? new Map() : (processLearnt.get(scope) ?? new Map());
    if (scope !== undefined) processLearnt.set(scope, this.learntAtSeq);
    if (deps.runId !== undefined) runsGoing.add(deps.runId);
  }

  /**
   * Takes in the orders a journal kept from earlier processes (see LedgerDeps.journal) as ended runs'
   * orders: held until the registrar lists their task, counted on the day's cap meanwhile.
   */
  adopt(kept: readonly JournalOrder[]): void {
    const known = this.claimedTaskKeys();
    for (const order of kept) {
      const domainName = canonicalName(order.domainName);
      if (known.has(taskKey(order.taskNo)) || domainName === '') continue;
      known.add(taskKey(order.taskNo));
      const adopted: ProcessOrder = { domainName, taskNo: order.taskNo, sentAfterLooks: 0, sentSeq: 0, sentMs: order.sentMs, ended: true, runId: order.runId };
      this.shared.add(adopted);
      const key = taskKey(order.taskNo);
      const skipped = this.skippedOld.get(key);
      if (skipped) {
        // Listed finished and dated before the details' window, so its details were not read (see learn);
        // this order was sent within the day: the date is wrong, and its details are read (resolveFinished).
        this.skippedOld.delete(key);
        this.tasks.delete(key);
        this.unresolved.set(key, skipped);
      } else this.claimRead(key, adopted);
    }
  }

  /**
   * Takes in earlier runs' orders whose outcome is unknown: a run killed with the order on the wire left its
   * `kind: submission` line and no answer, and no listed task shows it (engine.ts attemptsOfUntoldRuns). The
   * registrar may have taken it and list it later. It holds no domain (the next run decides again: holding a
   * domain on an order that may never have been placed can lose it), but it counts on the day's caps and
   * against the balance for 24 h from when it was sent, as this run's own unknown outcome does: forgotten,
   * a kill let the next run order as if the day were empty, past REDEEM_MAX_PER_DAY and the spend cap.
   */
  countUnknown(orders: readonly UnknownOrder[]): void {
    for (const order of orders) {
      const domainName = canonicalName(order.domainName);
      if (domainName === '') continue;
      // One order, however many sources know it (this process's registry, the orders file, the logstore).
      const same = (o: UnknownOrder) => o.domainName === domainName && (o.runId !== undefined && order.runId !== undefined ? o.runId === order.runId : o.sentMs === order.sentMs);
      if (!this.unknownOrders.some(same)) this.unknownOrders.push({ domainName, sentMs: order.sentMs, runId: order.runId, sentSeq: order.sentSeq });
    }
  }

  /**
   * The unknown orders (countUnknown) sent in the 24 h before `nowMs` that no listed task may be yet: once a
   * task of the domain created since (less the registrar's clock slack) is listed, that task is counted.
   */
  private unknownUnlisted(nowMs: number, taken: ReadonlyMap<string, number> = new Map()): UnknownOrder[] {
    // One listing is one order: taken by another order of its domain (`taken`: a journal's order listed under
    // another number, this run's own order listed before its answer), or by an earlier unknown order, it is
    // not this one too. Taken for all of them, a killed run's unknown order and the order the next run placed
    // for that domain counted once, and the day's cap let one order too many through (fuzz seed 5225).
    const used = new Map(taken);
    return this.unknownOrders
      .filter((o) => o.sentMs > nowMs - DAY_MS)
      .sort((a, b) => a.sentMs - b.sentMs)
      .filter((o) => {
        const listings = this.unclaimedTasksNaming(o.domainName).filter((t) => t.seq > (o.sentSeq ?? 0) && createdSince(t.createdMs, o.sentMs)).length;
        const usedOfDomain = used.get(o.domainName) ?? 0;
        if (listings <= usedOfDomain) return true;
        used.set(o.domainName, usedOfDomain + 1);
        return false;
      });
  }

  /**
   * The earliest order of `domainName` whose outcome is unknown (countUnknown) that still counts on the
   * day's caps at `nowMs`: with REDEEM_MAX_PER_DAY small, it is what holds that very domain's retry, and a
   * person must hear so (the order may never have reached the registrar; only its console can say).
   */
  unknownOrderOf(domainName: string, nowMs: number): { readonly sentMs: number; readonly runId?: string | undefined } | undefined {
    const name = canonicalName(domainName);
    return this.unknownUnlisted(nowMs)
      .filter((o) => o.domainName === name)
      .sort((a, b) => a.sentMs - b.sentMs)[0];
  }

  /**
   * Ends this run's part in the process-wide orders. An order the registrar answered with a task number
   * certainly exists, but nothing in the docs says how soon QueryTaskList shows it, and the redemption list
   * lags by up to a day: released now, the next run of this process (a webhook after the timer on a warm
   * instance) would find the domain still listed, no task for it, and order it again (a second fee), and
   * would not count it on the day's cap. So it stays, as another run's order, until a later look lists its
   * task or 24 h have passed. An outcome-unknown order never found is released, as before: the next run
   * decides again, since holding a domain on an order that may never have been placed can lose it.
   */
  close(): void {
    if (this.deps.runId !== undefined) runsGoing.delete(this.deps.runId);
    // An order whose outcome stayed unknown holds no domain after its run (the next run decides again), but
    // counts on the day's caps for 24 h in the process's later runs, as it did in its own (countUnknown).
    const unknown: UnknownOrder[] = [];
    for (const order of this.own) {
      if (order.taskNo === undefined) {
        this.shared.delete(order);
        unknown.push({ domainName: order.domainName, sentMs: order.sentMs, runId: order.runId, sentSeq: order.sentSeq });
      } else order.ended = true;
    }
    this.countUnknown(unknown);
    this.own.length = 0;
    const dayAgo = this.deps.bounds.now() - DAY_MS;
    for (let i = this.unknownOrders.length - 1; i >= 0; i--) if (this.unknownOrders[i]!.sentMs <= dayAgo) this.unknownOrders.splice(i, 1);
    const scope = this.deps.scope;
    if (scope !== undefined && !this.closed) {
      this.closed = true;
      const open = (openLedgers.get(scope) ?? 1) - 1;
      if (open > 0) openLedgers.set(scope, open);
      else openLedgers.delete(scope);
      if (open <= 0 && this.shared.size === 0 && processOrders.get(scope) === this.shared) processOrders.delete(scope);
      if (open <= 0 && this.unknownOrders.length === 0 && processUnknown.get(scope) === this.unknownOrders) processUnknown.delete(scope);
      // Kept while an ended run's order is (takeListingOfDomain, unknownUnlisted ask when a task was first learnt).
      if (open <= 0 && this.shared.size === 0 && this.unknownOrders.length === 0 && processLearnt.get(scope) === this.learntAtSeq) processLearnt.delete(scope);
    }
  }

  /** Drops ended runs' orders the registrar lists now (this ledger has read their task), or sent a day ago. */
  private forgetListed(nowMs: number): void {
    for (const order of this.shared) {
      if (order.ended && (order.sentMs <= nowMs - DAY_MS || (order.taskNo !== undefined && this.hasReadDetails(order.taskNo)))) this.shared.delete(order);
    }
  }

  /**
   * A listed task that may be a redemption, not this run's, with a domain its details do not name (they
   * answered empty or short of TaskNum: the registrar writes them when it gets to the task, or a task listed
   * with no number, whose details cannot be asked for), and not known to have failed. Which domain that
   * slot is, nothing says: it may be the very domain a run is about to order (another tool's order, or a
   * redemption that succeeded while the domain is still listed, the registry catching up), and a second
   * order costs a second fee. So while one is listed no domain is ordered, and a person is told why; the
   * next run decides again once its details are readable. A finished task whose details were left for later
   * (see resolveFinished) is not one until they have been asked for.
   */
  unnamedTask(): { readonly taskNo: string; readonly note: string } | undefined {
    for (const [key, task] of this.tasks) {
      if (this.mine.has(key) || this.unresolved.has(key)) continue;
      const slot = task.details.find((d) => d.name === '' && !d.failed);
      if (!slot) continue;
      const taskNo = (task.taskNo ?? '').trim();
      const which = taskNo === '' ? 'a task listed without a TaskNo' : `task ${taskNo}`;
      return {
        taskNo,
        note: `${which} (${slot.open ? 'open' : 'finished'}, possibly a redemption) does not say which domain it is for (QueryTaskDetailList names none, or fewer than its TaskNum or its TotalItemNum), so it may be this one: nothing is ordered while it is unnamed; check the registrar's console, the next run decides again`,
      };
    }
    return undefined;
  }

  /**
   * Whether the details of a listed task have been asked for (not left for later, see resolveFinished):
   * only then does the registrar's word on it (entryFor, or the domain named from the order, see
   * readDetails) replace what holds an ended run's order of it.
   */
  private hasReadDetails(taskNo: string): boolean {
    const key = taskKey(taskNo);
    return this.tasks.has(key) && !this.unresolved.has(key);
  }

  entryFor(domainName: string): LedgerEntry | undefined {
    return this.byDomain.get(domainName);
  }

  hasTask(taskNo: string): boolean {
    return this.tasks.has(taskKey(taskNo));
  }

  /** Domains ordered in the 24 h before `nowMs`: every run's, this one's included even where not yet listed. */
  orderedLast24h(nowMs: number): number {
    return this.ordersLast24h(nowMs).length;
  }

  /**
   * The domains ordered in the 24 h before `nowMs`, one name per order ("" where the registrar did not
   * say which): what the ledger shows, and the orders of this process it does not show yet (this run's,
   * concurrent runs', ended runs' and those adopted from a journal), for the day's cap and the spend cap.
   */
  ordersLast24h(nowMs: number, options: { readonly spentOnly?: boolean } = {}): string[] {
    return this.countedLast24h(nowMs, options).map((o) => o.name);
  }

  /**
   * ordersLast24h with when each order entered the rolling 24 h (undefined: a listed CreateTime that cannot
   * be read, counted as recent for as long as it is listed). One list for the count and for dayCapFreesAt,
   * so that when a slot frees is said of the very orders the cap counts.
   */
  private countedLast24h(nowMs: number, options: { readonly spentOnly?: boolean } = {}): Array<{ readonly name: string; readonly ms: number | undefined }> {
    // spentOnly (the spend cap): a listed order that failed took no money (see unsettledOrders), and counted
    // at its price it held the order placed again for that very domain for a day. The count cap counts it.
    // A listed task is dated by the registrar's clock, which may be up to REGISTRAR_CLOCK_SLACK_MS behind
    // ours: dated 24 h 10 min ago, it may be 23 h 55 min old, and let go at 24 h of its CreateTime it let one
    // order too many through. So it counts from its latest true time (CreateTime + the slack), here and in
    // when a slot frees (dayCapFreesAt). Over-counting by the slack is the cap's safe side.
    const trueMs = (createdMs: number | undefined) => (createdMs === undefined ? undefined : createdMs + REGISTRAR_CLOCK_SLACK_MS);
    const { claimed, unclaimed } = this.listedDetails((_key, detail) => (detail.createdMs === undefined || trueMs(detail.createdMs)! > nowMs - DAY_MS) && !(options.spentOnly && detail.failed));
    // Taken before the orders below: an own order found among the listings (takeOwnListing) is counted as that listing.
    const counted: Array<{ readonly name: string; readonly ms: number | undefined }> = [...claimed.map((d) => ({ name: d.name, ms: trueMs(d.createdMs) })), ...unclaimed.map((t) => ({ name: t.name, ms: trueMs(t.createdMs) }))];
    // The listings of each domain the orders below take: an unknown order of the domain cannot be them too.
    const taken = new Map<string, number>();
    const take = (name: string) => void taken.set(name, (taken.get(name) ?? 0) + 1);
    // Orders of this process (this run's, concurrent runs', ended runs') not yet among the tasks this ledger read.
    for (const order of this.shared) {
      if (order.ended && order.sentMs <= nowMs - DAY_MS) continue;
      if (order.taskNo !== undefined) {
        if (this.tasks.has(taskKey(order.taskNo))) continue;
        if (order.ended && takeListingOfDomain(unclaimed, order)) take(order.domainName);
        else counted.push({ name: order.domainName, ms: order.sentMs });
        continue;
      }
      // Counted once: already among the listed names when it is listed before its answer came back.
      if (this.own.includes(order) ? takeOwnListing(unclaimed, order) : takeListingSentBefore(unclaimed, order)) take(order.domainName);
      else counted.push({ name: order.domainName, ms: order.sentMs });
    }
    counted.push(...this.unknownUnlisted(nowMs, taken).map((o) => ({ name: o.domainName, ms: o.sentMs })));
    return counted;
  }

  /**
   * When REDEEM_MAX_PER_DAY=`maxPerDay` next has a free slot for an order at `nowMs`, for a person: once
   * enough of the orders ordersLast24h(nowMs) counts (with `planned` more this run sends now) have left the
   * rolling 24 h that fewer than the cap remain. With the cap exceeded (more counted than it allows), the
   * earliest leaving frees none. Undefined when that rests on an order that is not dated (an unreadable
   * CreateTime counts as recent for as long as it is listed). Listed tasks go by their CreateTime read as
   * UTC (parseRegistrarTime) plus the registrar's clock slack (see countedLast24h), orders of this process
   * the registrar does not list yet by when they were sent.
   */
  dayCapFreesAt(nowMs: number, maxPerDay: number, planned = 0): number | undefined {
    const counted = this.countedLast24h(nowMs);
    const dated = counted.flatMap((o) => (o.ms === undefined ? [] : [o.ms])).sort((a, b) => a - b);
    // Leaving must take the count below the cap: counted + planned - left < maxPerDay.
    const mustLeave = counted.length + planned - Math.max(0, maxPerDay) + 1;
    if (mustLeave <= 0) return nowMs;
    const last = dated[mustLeave - 1];
    return last === undefined ? undefined : last + DAY_MS;
  }

  /**
   * The domains of the listed tasks `keep` admits, one name per detail: those an order of this process
   * claims by its task number, and the others with the look that learnt them (see takeOwnListing).
   */
  private listedDetails(keep: (key: string, detail: KnownTask['details'][number], look: number) => boolean): { claimed: Array<{ readonly name: string; readonly createdMs: number | undefined }>; unclaimed: UnclaimedListing[] } {
    const claimedKeys = this.claimedTaskKeys();
    const claimed: Array<{ readonly name: string; readonly createdMs: number | undefined }> = [];
    const unclaimed: UnclaimedListing[] = [];
    for (const [key, task] of this.tasks) {
      const look = this.learntInLook.get(key) ?? 0;
      for (const detail of task.details) {
        if (!keep(key, detail, look)) continue;
        if (claimedKeys.has(key)) claimed.push({ name: detail.name, createdMs: detail.createdMs });
        else unclaimed.push({ name: detail.name, look, seq: this.learntAtSeq.get(key) ?? 0, createdMs: detail.createdMs });
      }
    }
    return { claimed, unclaimed };
  }

  /**
   * Records this run's own submission, before the ledger shows it; `undefined` for one whose outcome is
   * unknown and not found: it may exist all the same, so it counts against the cap.
   */
  noteMine(taskNo: string | undefined, submittedMs: number, domainName = ''): void {
    const order: ProcessOrder = { domainName, taskNo, sentAfterLooks: this.looks, sentSeq: ++processSeq, sentMs: submittedMs, runId: this.deps.runId };
    this.own.push(order);
    this.shared.add(order);
    if (taskNo !== undefined) {
      this.mine.set(taskKey(taskNo), { submittedMs, domainName });
      this.deps.journal?.placed({ domainName, taskNo, sentMs: submittedMs, runId: this.deps.runId });
    } else this.deps.journal?.sending?.({ domainName, sentMs: submittedMs, runId: this.deps.runId });
  }

  /** A reserved submission that certainly did not place an order no longer counts against the cap. */
  releaseUnseen(domainName: string): void {
    const order = this.pendingOf(domainName);
    if (!order) return;
    this.own.splice(this.own.indexOf(order), 1);
    this.shared.delete(order);
    this.deps.journal?.released?.({ domainName, runId: this.deps.runId });
  }

  /** A reserved submission (or one whose outcome was unknown) has its task: it is ours, counted once. */
  claimUnseen(taskNo: string, submittedMs: number, domainName: string): void {
    this.placedSinceLook++;
    const order = this.pendingOf(domainName);
    if (order) {
      order.taskNo = taskNo;
      this.deps.journal?.placed({ domainName, taskNo, sentMs: order.sentMs, runId: this.deps.runId });
    } else this.noteMine(taskNo, submittedMs, domainName);
    this.mine.set(taskKey(taskNo), { submittedMs, domainName });
  }

  private pendingOf(domainName: string): ProcessOrder | undefined {
    return this.own.find((o) => o.taskNo === undefined && o.domainName === domainName);
  }

  /**
   * An order another run of this process has sent for this domain (its task number, when known) that this
   * ledger may not have read yet: the check and this run's reservation are one synchronous step, so two
   * runs of one process never both send for one domain.
   */
  private sentByAnotherRun(domainName: string): { readonly taskNo: string | undefined; readonly sentMs: number; readonly ended?: boolean | undefined; readonly runId?: string | undefined } | undefined {
    for (const order of this.shared) {
      if (order.domainName !== domainName || this.own.includes(order)) continue;
      // An ended run's order whose task this ledger has read: the registrar's state of it decides (entryFor).
      if (order.ended && order.taskNo !== undefined && this.hasReadDetails(order.taskNo)) continue;
      return order;
    }
    return undefined;
  }

  /**
   * What holds `domainName` for another run of this process (sentByAnotherRun): its task number, and the
   * note a person reads of it (unlistedOrderNote), which says whether the registrar lists that task yet.
   */
  heldByAnotherRun(domainName: string): { readonly taskNo: string | undefined; readonly note: string } | undefined {
    const order = this.sentByAnotherRun(domainName);
    return order && { taskNo: order.taskNo, note: unlistedOrderNote(order, order.taskNo !== undefined && this.hasTask(order.taskNo)) };
  }

  /**
   * Whether a run of this process that has not ended yet placed the order of `taskNo`: it tells that order
   * in its own message, so no other run calls it one of a run that never reported.
   */
  placedByRunStillGoing(taskNo: string): boolean {
    const key = taskKey(taskNo);
    for (const order of this.shared) if (!order.ended && order.taskNo !== undefined && taskKey(order.taskNo) === key) return true;
    return false;
  }

  /**
   * Why `taskNo` cannot be the task of the order just answered for `domainName`, or undefined when it may
   * be. It cannot when this ledger knows it as another domain's only (this run's own order of another
   * domain, or a listed task whose details all name other domains), nor when it was listed by a look begun
   * before that order was sent (an earlier task, of this domain too: its old failure was recorded and told
   * as this order's, and a person told so ordered it again by hand). Taken at its word, the order was
   * recorded and followed under a task that is not its own, which it never leaves, and its own task (the
   * order the registrar took) was never looked for. A look begun before the order that still listed it (a
   * page answered after it) is mistaken for an earlier one; its reconciliation then finds it all the same.
   */
  /**
   * The answer for one order gave the number another order of this run was answered with (notThisOrder's
   * "the task of"): at most one of the two is right, and which, only the task's details say. The next look
   * reads them instead of taking the first answer's word (learn), so that an order answered with its own
   * number after another's answer named it is found at its reconciliation, and one whose answer was lost is
   * found by the late look once the other's follow-up read that the details name it. Not so, with answers
   * in flight together, the order placed and answered last was told as failed with no order found.
   */
  dispute(taskNo: string): void {
    const key = taskKey(taskNo);
    if (!this.mine.has(key)) return;
    this.disputed.add(key);
    this.tasks.delete(key);
  }

  /** Whether two answers of this run gave `taskNo`, or its details named another domain than its claim's (see dispute). */
  isDisputed(taskNo: string): boolean {
    return this.disputed.has(taskKey(taskNo));
  }

  notThisOrder(taskNo: string, domainName: string): string | undefined {
    const key = taskKey(taskNo);
    const mine = this.mine.get(key);
    if (mine) return mine.domainName !== domainName ? `the task of ${mine.domainName}` : undefined;
    const details = this.tasks.get(key)?.details ?? [];
    if (details.length > 0 && details.every((d) => d.name !== '' && d.name !== domainName)) return `the task of ${details[0]!.name}`;
    const pending = this.pendingOf(domainName);
    const look = this.learntInLook.get(key);
    if (pending && look !== undefined && look <= pending.sentAfterLooks) return 'a task listed before this order was sent';
    return undefined;
  }

  /**
   * Every listed task whose read details name `domainName` and that no order of this process claims, with
   * its date and whether it failed. entryFor keeps one task a domain, the one its state rests on: a domain
   * ordered twice (a killed run's order the registrar listed late, and the next run's) has two.
   */
  unclaimedTasksNaming(domainName: string): Array<{ readonly taskNo: string; readonly createdMs: number | undefined; readonly failed: boolean; readonly seq: number }> {
    const claimed = this.claimedTaskKeys();
    const found = [];
    for (const [key, task] of this.tasks) {
      if (task.taskNo === undefined || claimed.has(key) || this.mine.has(key)) continue;
      for (const detail of task.details) if (detail.name === domainName) found.push({ taskNo: task.taskNo, createdMs: detail.createdMs, failed: detail.failed === true, seq: this.learntAtSeq.get(key) ?? 0 });
    }
    return found;
  }

  /**
   * The redemption tasks created (by the registrar's clock, read as UTC) since `fromMs` whose read details name a
   * domain, not failed, that no order of this process claims: with the journals' orders left out by the
   * caller, those no record names (engine.ts unrecordedTasks).
   */
  unclaimedTasksSince(fromMs: number): Array<{ readonly taskNo: string; readonly domainName: string }> {
    const claimed = this.claimedTaskKeys();
    const found = [];
    for (const [key, task] of this.tasks) {
      if (task.taskNo === undefined || claimed.has(key) || this.mine.has(key)) continue;
      for (const d of task.details) if (d.name !== '' && !d.failed && d.createdMs !== undefined && d.createdMs >= fromMs) found.push({ taskNo: task.taskNo, domainName: d.name });
    }
    return found;
  }

  /**
   * Whether a run of this process that has not ended yet is `runId` (it tells its own orders): its ledger is
   * open, whether or not it holds an order now (one refused, or throttled past its budget, holds none).
   */
  runStillGoing(runId: string): boolean {
    if (runsGoing.has(runId)) return true;
    for (const order of this.shared) if (!order.ended && order.runId === runId) return true;
    return false;
  }

  /** The task keys the process's orders claim (an order is a task's once the registrar named its TaskNo). */
  private claimedTaskKeys(): Set<string> {
    const keys = new Set<string>();
    for (const order of this.shared) if (order.taskNo !== undefined) keys.add(taskKey(order.taskNo));
    return keys;
  }

  /** The process's order that claims the task of `key`, if one does. */
  private orderOfTask(key: string): ProcessOrder | undefined {
    for (const order of this.shared) if (order.taskNo !== undefined && taskKey(order.taskNo) === key) return order;
    return undefined;
  }

  isMine(taskNo: string): boolean {
    return this.mine.has(taskKey(taskNo));
  }

  /** The initial read: the last `days` days of redeem tasks, with the details of those that can change a decision. */
  async read(nowMs: number, days: number): Promise<void> {
    // Open tasks are read at once (they stop an order); finished ones wait until a plan needs them.
    await this.learn(nowMs - days * DAY_MS, nowMs, true);
    this.initialLooks = this.looks;
  }

  /** Looks at the task list the initial read took: a task learnt by a later look appeared since. */
  private initialLooks = 0;

  /**
   * Redeem orders that are not this run's and whose price a balance read at the start of the run may not
   * show, one name per order ("" where the registrar did not say which domain): the tasks still open when
   * learnt ("the order is created by the task", so a waiting task has not been paid yet), every task that
   * appeared after the initial read and has not failed (placed after the balance was read), and the orders other
   * runs of this process sent that the registrar does not list yet. This run's own orders are left out:
   * the balance guard counts them itself. A listed task that may be this run's own order listed before its
   * answer came back (see ordersLast24h) is left out too, so it is not counted twice.
   */
  unsettledOrders(): string[] {
    const { claimed, unclaimed } = this.listedDetails((key, detail, look) => !this.mine.has(key) && !detail.failed && (detail.open || look > this.initialLooks));
    // The listings of each domain the orders below take (see unknownUnlisted).
    const taken = new Map<string, number>();
    const take = (name: string) => void taken.set(name, (taken.get(name) ?? 0) + 1);
    for (const order of this.own) if (order.taskNo === undefined && takeOwnListing(unclaimed, order)) take(order.domainName);
    const names = [...claimed.map((d) => d.name), ...unclaimed.map((t) => t.name)];
    for (const order of this.shared) {
      if (this.own.includes(order)) continue;
      // Another run's order not answered yet, listed already: that listing, counted above (see takeListingSentBefore).
      if (order.taskNo === undefined && takeListingSentBefore(unclaimed, order)) {
        take(order.domainName);
        continue;
      }
      // An earlier run's order listed under another number is that listing, counted above (see takeListingOfDomain).
      if (order.taskNo !== undefined && order.ended && !this.tasks.has(taskKey(order.taskNo)) && takeListingOfDomain(unclaimed, order)) {
        take(order.domainName);
        continue;
      }
      if (order.taskNo === undefined || !this.tasks.has(taskKey(order.taskNo))) names.push(order.domainName);
    }
    // An earlier run's order whose outcome is unknown, if taken, may not be paid yet or was paid after the
    // balance was read; for the day only, as on the day's caps. Counted with no end, one kept by this
    // process (a warm instance's earlier run, pruned only when a run closes) held the balance past its day:
    // by then, if taken, it is paid and its task listed, and the registrar's list says what happened.
    names.push(...this.unknownUnlisted(this.deps.bounds.now(), taken).map((o) => o.domainName));
    // Renewals and registrations still processing (or placed after the balance was read) take money too.
    for (const p of this.purchases.values()) if (this.purchaseCounts(p)) names.push(...(p.names ?? Array.from({ length: purchaseCount(p.task) }, () => '')));
    return names;
  }

  /**
   * A fresh look at the last day: learns the redeem tasks that appeared since the last look (another run's,
   * or ours), reading details only for those. Answers the tasks it learnt.
   */
  async refresh(nowMs: number, options: { readonly startedAfterNow?: boolean; readonly deadlineMs?: number; readonly readsEnd?: boolean } = {}): Promise<TaskDetail[]> {
    // Submissions in flight together share one look (two looks at once would count a task twice); a
    // reconciliation wants a look that starts after its own call, so it waits for the one in flight.
    if (this.refreshing && options.startedAfterNow) await this.refreshing.catch(() => undefined);
    // A look after an order (its reconciliation, a late listing) may end later than the reads before the
    // orders (bounded by the submit-by time): an order answered, or given up, after the submit-by time must
    // still be looked for, or its outcome stays unknown with no look ever sent.
    // `readsEnd`: each read ends by then too, its retries included (a follow-up's look ends with following).
    const bounds: LookBounds = options.deadlineMs === undefined ? this.deps.bounds : { ...this.deps.bounds, deadlineMs: options.deadlineMs, ...(options.readsEnd ? { readByMs: options.deadlineMs } : {}) };
    this.refreshing ??= this.learn(nowMs - DAY_MS, nowMs, false, true, bounds).finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private refreshing: Promise<TaskDetail[]> | undefined;

  /**
   * Finished tasks of the last two days whose details were left for later (see `read`): read now, once a
   * plan holds a redemption that one of them could stop, or the spend cap needs their domains' names.
   */
  async resolveFinished(): Promise<void> {
    await this.resolveFinishedWhere(() => true);
  }

  /**
   * Those of the finished tasks whose details wait that `pick` chooses (by number and listed CreateTime, read
   * as UTC): the rest keep waiting for a plan that needs them.
   */
  async resolveFinishedWhere(pick: (task: { readonly taskNo: string; readonly createdMs: number | undefined }) => boolean): Promise<void> {
    const tasks: TaskInfo[] = [];
    for (const [key, task] of this.unresolved) {
      if (!pick({ taskNo: task.TaskNo, createdMs: parseRegistrarTime(task.CreateTime) })) continue;
      tasks.push(task);
      this.unresolved.delete(key);
    }
    if (tasks.length === 0) return;
    try {
      await this.readDetails(tasks);
    } catch (error) {
      // Nothing of a read that failed was learnt (readDetails learns once every task is read): they still wait.
      for (const task of tasks) this.unresolved.set(taskKey(task.TaskNo), task);
      throw error;
    }
  }

  /** Whether finished recent tasks still wait for their details. */
  get hasUnresolved(): boolean {
    return this.unresolved.size > 0;
  }

  /**
   * Whether an order of this process (one adopted from the journal after the initial read) claims a
   * finished task whose details wait: until they are read, that order holds its domain, whether the task
   * succeeded (already redeemed) or failed (to be ordered again); the run should read them (resolveFinished).
   */
  get claimsUnresolved(): boolean {
    for (const order of this.shared) if (order.taskNo !== undefined && this.unresolved.has(taskKey(order.taskNo))) return true;
    return false;
  }

  private readonly unresolved = new Map<string, TaskInfo>();

  /** Finished tasks listed as older than the details' window, whose details were never read (see learn). */
  private readonly skippedOld = new Map<string, TaskInfo>();

  /** The task list's TotalItemNum at the last look, and this run's orders placed since (see `listTasks`). */
  private lookTotal: number | undefined;
  private placedSinceLook = 0;

  /**
   * The day's tasks. A look (`quick`) that finds the list's TotalItemNum exactly where the last look left
   * it plus this run's own orders since has nothing new to read beyond its first page: the fresh look before
   * each submission then costs one call, not one per hundred of the day's tasks. Any other total (another
   * run's order, a task that left the window, an order of ours whose outcome was unknown) reads every page.
   * That a new task shows on page 1 holds only when the registrar lists newest first, which its docs do not
   * say: the first page alone is taken only once a whole read showed that order (or when it is the whole
   * list). Listed oldest first, our own order not listed yet and another party's placed meanwhile made the
   * total come out as expected, with the new task on the last page: the domain was ordered twice.
   */
  private async listTasks(beginMs: number, endMs: number, quick: boolean, bounds: LookBounds = this.deps.bounds): Promise<TaskInfo[]> {
    // Refused for its page size (InvalidPageSize), the list is read again in smaller pages, and every later
    // look keeps the size that was answered (see withPageSizes). TotalItemNum does not depend on it.
    return withPageSizes(this.taskPageSize, (pageSize) => this.listTasksIn(pageSize, beginMs, endMs, quick, bounds), (answered) => (this.taskPageSize = answered));
  }

  /** The last whole read of the task list came newest first (see listTasks). */
  private listedNewestFirst = false;

  /** The task list's page size the registrar took on this run: 100, or smaller after InvalidPageSize (the follow-up reads with it too). */
  taskPageSize = 100;

  private async listTasksIn(pageSize: number, beginMs: number, endMs: number, quick: boolean, bounds: LookBounds): Promise<TaskInfo[]> {
    const { api } = this.deps;
    const fetchPage = (pageNum: number) => api.queryTaskList({ pageNum, pageSize, beginCreateTime: beginMs, endCreateTime: taskListEnd(endMs), deadlineMs: bounds.readByMs });
    const first = await fetchPage(1);
    const expected = this.lookTotal === undefined ? undefined : this.lookTotal + this.placedSinceLook;
    const total = first.totalItems;
    // Page 1 holds every new task: it is the whole list, or the list comes newest first (as the last whole read showed).
    const pageOneHoldsNew = total !== undefined && (total <= first.items.length || (this.listedNewestFirst && listedNewestFirst(first.items)));
    const settled = quick && total === expected && pageOneHoldsNew;
    let items = first.items;
    if (!settled) {
      items = wholeTaskList(
        await readAllPages('QueryTaskList', (pageNum) => (pageNum === 1 ? Promise.resolve(first) : fetchPage(pageNum)), listedKey, { ...bounds, maxPages: MAX_TASK_PAGES * Math.ceil(100 / pageSize) }, this.deps.concurrency ?? 1),
      );
      this.listedNewestFirst = listedNewestFirst(items, true);
    }
    if (quick) {
      this.lookTotal = first.totalItems;
      this.placedSinceLook = 0;
    }
    return items;
  }

  /** Looks at the task list begun so far, and in which one each task was first learnt (see ordersLast24h). */
  private looks = 0;
  private readonly learntInLook = new Map<string, number>();
  /** processSeq when the process's look that first learnt each task was answered, shared by the scope's ledgers (processLearnt). */
  private readonly learntAtSeq: Map<string, number>;

  private async learn(beginMs: number, endMs: number, deferFinished = false, quick = false, bounds: LookBounds = this.deps.bounds): Promise<TaskDetail[]> {
    const look = ++this.looks;
    const listed = { items: await this.listTasks(beginMs, endMs, quick, bounds) };
    // Taken when the list has answered, not when it was asked for: an order sent while the look was on the
    // wire may be in its answer, and a look begun before it was taken for one that answered before it.
    const seq = ++processSeq;
    const fresh = new Map<string, TaskInfo>();
    for (const task of listed.items) {
      if (PURCHASE_TASK_TYPES.has(task.TaskType.trim().toUpperCase())) this.notePurchase(task, look);
      if (!mayBeRedemption(task.TaskType) || this.tasks.has(listedKey(task))) continue;
      const seen = fresh.get(listedKey(task));
      const row = believedRow(task);
      fresh.set(listedKey(task), seen ? mergedRows(seen, row) : row);
    }
    for (const key of fresh.keys()) {
      this.learntInLook.set(key, look);
      if (!this.learntAtSeq.has(key)) this.learntAtSeq.set(key, seq);
    }
    const toRead: TaskInfo[] = [];
    for (const task of fresh.values()) {
      const listedMs = parseRegistrarTime(task.CreateTime);
      // Dated before the window the registrar was asked for (less a day: it filters by whole days), a task
      // it returns all the same is either misdated (its own sample date is "Dec 26,2017") or returned by a
      // registrar that ignores BeginCreateTime. Which one, only its details tell: they are read, not skipped
      // as old, so that a redemption of the last hours is seen; its count goes by the details' own times.
      const datedInWindow = listedMs !== undefined && listedMs >= beginMs - DAY_MS;
      // A finished task an order of this process claims is read now: its state decides whether that order
      // still holds its domain (a failed one may be ordered again), and nothing else would ask for it.
      const claimed = taskKey(task.TaskNo) !== '' && this.orderOfTask(taskKey(task.TaskNo)) !== undefined;
      // Never for a task an order of this process claims: that order was sent within the day, so the date is
      // wrong, not the order old. Skipped, its task counted as read: the order was let go (forgetListed),
      // held its domain no more and counted on no cap, and the domain was ordered again.
      if (task.TaskStatusCode === TASK_INFO_COMPLETE && datedInWindow && listedMs < endMs - DETAILS_WINDOW_MS && !claimed) {
        this.tasks.set(listedKey(task), { details: [] });
        // Kept in case a journal's order (adopted after the initial read) turns out to claim it.
        if (taskKey(task.TaskNo) !== '') this.skippedOld.set(taskKey(task.TaskNo), task);
        continue;
      }
      if (taskKey(task.TaskNo) === '') {
        this.placeholders(task);
        continue;
      }
      if (deferFinished && task.TaskStatusCode === TASK_INFO_COMPLETE && !claimed) {
        // Counted now from TaskNum; which domains it names is asked for only if a plan needs it.
        this.placeholders(task);
        this.unresolved.set(taskKey(task.TaskNo), task);
        continue;
      }
      const ours = this.mine.get(taskKey(task.TaskNo));
      if (ours !== undefined && !this.disputed.has(taskKey(task.TaskNo))) {
        // Our own order: its domain is known, so its details cost no call.
        this.tasks.set(taskKey(task.TaskNo), { details: [{ name: ours.domainName, createdMs: ours.submittedMs, open: task.TaskStatusCode !== TASK_INFO_COMPLETE }] });
        continue;
      }
      toRead.push(task);
    }
    const learnt = await this.readDetails(toRead, bounds);
    this.forgetListed(endMs);
    return learnt;
  }

  /**
   * Renewal and registration tasks (PURCHASE_TASK_TYPES) that may have taken money the balance read does not
   * show: open when learnt (or learnt after the initial read), one name per order, "" until resolvePurchases
   * reads their details (or when it cannot).
   */
  private readonly purchases = new Map<string, { readonly task: TaskInfo; readonly look: number; readonly open: boolean; names?: string[] }>();

  private notePurchase(task: TaskInfo, look: number): void {
    const key = listedKey(task);
    if (this.purchases.has(key)) return;
    const open = task.TaskStatusCode !== TASK_INFO_COMPLETE && cancelState(task) !== 'cancelled';
    this.purchases.set(key, { task, look, open });
  }

  /** The renewals and registrations the balance may not show, by their details' names (read once each, first page). */
  async resolvePurchases(): Promise<void> {
    const unread = [...this.purchases.values()].filter((p) => this.purchaseCounts(p) && p.names === undefined && taskKey(p.task.TaskNo) !== '');
    await mapLimit(unread, Math.max(1, this.deps.concurrency ?? 1), async (p) => {
      if (this.deps.bounds.signal?.aborted || this.deps.bounds.now() >= this.deps.bounds.deadlineMs) return;
      try {
        const page = await this.deps.api.queryTaskDetailList({ taskNo: p.task.TaskNo, pageNum: 1, pageSize: 1000, deadlineMs: this.deps.bounds.deadlineMs });
        const mine = page.items.filter((d) => taskKey(d.TaskNo) === taskKey(p.task.TaskNo));
        // A failed detail took no money; one not served (fewer than TaskNum) stays unnamed.
        const names = mine.filter((d) => entryState(d) !== 'failed').map((d) => canonicalName(d.DomainName));
        p.names = [...names, ...Array.from({ length: Math.max(0, purchaseCount(p.task) - mine.length) }, () => '')];
      } catch {
        // Unread, each order stays unnamed: priced as the guard prices an order it cannot name.
      }
    });
  }

  private purchaseCounts(p: { readonly look: number; readonly open: boolean }): boolean {
    return p.open || p.look > this.initialLooks;
  }

  /** A task counted by its TaskNum (1 if unsaid), its domains not known yet. */
  private placeholders(task: TaskInfo): void {
    const declared = Math.max(1, Math.min(MAX_TASK_DOMAINS, task.TaskNum ?? 1));
    // A cancelled task placed no order: its unnamed slots hold no domain (see underCancel).
    const cancelled = cancelState(task) === 'cancelled';
    const open = task.TaskStatusCode !== TASK_INFO_COMPLETE && !cancelled;
    this.tasks.set(listedKey(task), {
      taskNo: task.TaskNo,
      details: Array.from({ length: declared }, () => ({ name: '', createdMs: parseRegistrarTime(task.CreateTime), open, ...(cancelled ? { failed: true } : {}) })),
    });
  }

  private async readDetails(toRead: readonly TaskInfo[], bounds: LookBounds = this.deps.bounds): Promise<TaskDetail[]> {
    const { api } = this.deps;
    const learnt: TaskDetail[] = [];
    const read = await mapLimit(toRead, Math.max(1, this.deps.concurrency ?? 1), async (task) => {
      const fetchPage = (pageNum: number) => api.queryTaskDetailList({ taskNo: task.TaskNo, pageNum, pageSize: 1000, deadlineMs: bounds.readByMs });
      // The first page is asked for here, so the walk's own checks come first: a stopped read, the deadline.
      if (bounds.signal?.aborted) throw bounds.signal.reason;
      if (bounds.now() >= bounds.deadlineMs) throw new PagingLimitError('QueryTaskDetailList', 'could not be read to the end inside the time budget (0 pages read)');
      const first = await fetchPage(1);
      // The page cap follows the task's size: nothing says the registrar serves the 1,000 details a page
      // asked for, and a batch of 400 at 100 a page needs four. The cap is the pages TaskNum needs at the
      // first page's length, and one more (a list that grew), never below MAX_DETAIL_PAGES.
      const domains = Math.max(1, Math.min(MAX_TASK_DOMAINS, task.TaskNum ?? 1));
      const maxPages = Math.max(MAX_DETAIL_PAGES, Math.ceil(domains / Math.max(1, first.items.length)) + 1);
      return readAllPages('QueryTaskDetailList', (pageNum) => (pageNum === 1 ? Promise.resolve(first) : fetchPage(pageNum)), detailKey, { ...bounds, maxPages });
    });
    for (const [index, task] of toRead.entries()) {
      const details = read[index]!;
      const known: Array<{ name: string; createdMs: number | undefined; open: boolean; failed?: boolean }> = [];
      const counted = new Set<string>();
      const cancel = cancelState(task);
      for (const detail of details.items) {
        if (taskKey(detail.TaskNo) !== taskKey(task.TaskNo)) continue;
        const createdMs = laterOf(parseRegistrarTime(detail.CreateTime), parseRegistrarTime(task.CreateTime));
        const name = canonicalName(detail.DomainName);
        // Every copy weighs in on the domain's state (the most open one wins), but a detail the pages
        // served twice (PageNum ignored, pages that shifted) is one order of the day: counted twice, it
        // would use up the cap and leave a due domain unordered.
        const { state, note } = underCancel(task.TaskNo, cancel, detail);
        this.remember(name, { taskNo: task.TaskNo, state, createdMs, note });
        if (counted.has(detailKey(detail))) continue;
        counted.add(detailKey(detail));
        known.push({ name, createdMs, open: state === 'in-flight', ...(state === 'failed' ? { failed: true } : {}) });
        learnt.push(detail);
      }
      // A task whose details are not readable yet still counts: at least TaskNum domains (1 if unsaid). A
      // detail walk that ended short of its own TotalItemNum (a last page cut off, NextPage false too soon)
      // left details unread, whatever TaskNum says (the list may undercount a batch): each is a domain
      // unnamed (see unnamedTask), which may be the very one due; taken as all there is, it was ordered again.
      const unread = details.short ? Math.min(MAX_TASK_DOMAINS, details.short.announced) : 0;
      const declared = Math.max(1, Math.min(MAX_TASK_DOMAINS, task.TaskNum ?? 1), unread);
      // A cancelled task whose detail walk ended where it said and served none: the registrar never wrote
      // one (cancelled before it ran), so it placed no order and its unnamed slots hold no domain. Some
      // details served, or a walk cut short: the unserved ones may have run before the cancel, and hold.
      const noneWritten = cancel === 'cancelled' && !details.short && known.length === 0;
      const filler = { name: '', createdMs: parseRegistrarTime(task.CreateTime), open: task.TaskStatusCode !== TASK_INFO_COMPLETE && !noneWritten, ...(noneWritten ? { failed: true } : {}) };
      while (known.length < declared) known.push({ ...filler });
      this.tasks.set(taskKey(task.TaskNo), { taskNo: task.TaskNo, details: known });
      this.readRows.set(taskKey(task.TaskNo), { task, noneWritten });
      const order = this.orderOfTask(taskKey(task.TaskNo));
      if (order) this.claimRead(taskKey(task.TaskNo), order);
    }
    return learnt;
  }

  /** Each task whose details were read, its row as listed and whether a cancelled one wrote no detail (see readDetails). */
  private readonly readRows = new Map<string, { readonly task: TaskInfo; readonly noneWritten: boolean }>();

  /**
   * An order of this process (an earlier run's, one kept in a journal) is the read task of `key`, whenever
   * the two are learnt: at the details' read, or when a journal's order is adopted after it.
   */
  private claimRead(key: string, order: ProcessOrder): void {
    const read = this.readRows.get(key);
    const current = this.tasks.get(key);
    if (!read || !current) return;
    const { task, noneWritten } = read;
    const known = [...current.details];
    const named = known.some((d) => d.name === order.domainName);
    // Its domain is known even while the registrar has not written the details, and is held by the task
    // from here on (the order itself is let go once its task is read, see forgetListed). Unnamed, it held no
    // domain: the next run ordered that domain again; and as an unnamed task it would hold every other order.
    const slot = named ? -1 : known.findIndex((d) => d.name === '');
    if (slot !== -1 && noneWritten) {
      // Cancelled before the registrar wrote a detail: the order was never carried out (see underCancel).
      // Held as in flight here, the next run kept the domain unordered, with no word of the cancel.
      const { state, note } = underCancel(task.TaskNo, cancelState(task), { TaskStatusCode: TaskDetailStatus.WaitingExecute });
      known[slot] = { ...known[slot]!, name: order.domainName, createdMs: known[slot]!.createdMs ?? order.sentMs, open: false, failed: true };
      this.remember(order.domainName, { taskNo: task.TaskNo, state, createdMs: known[slot]!.createdMs, note });
    } else if (slot !== -1) {
      known[slot] = { ...known[slot]!, name: order.domainName, createdMs: known[slot]!.createdMs ?? order.sentMs, open: true };
      // Its state is not readable: held as in flight (a finished task may have succeeded).
      this.remember(order.domainName, { taskNo: task.TaskNo, state: 'in-flight', createdMs: known[slot]!.createdMs });
    } else if (!named) {
      // Every detail names another domain: the registrar's word and the order's disagree on what this task
      // is. The order is let go once its task is read (forgetListed), and so its domain was held by nothing
      // and ordered again. Held as in flight by this task (one order: the task's own detail counts it).
      const note = `task ${task.TaskNo} is the order of this domain by what was kept of it (sent ${minuteUtc(order.sentMs)}), but the registrar's details of it name ${known[0]?.name || 'another domain'}: held, not ordered again; check the registrar's console`;
      this.remember(order.domainName, { taskNo: task.TaskNo, state: 'in-flight', createdMs: order.sentMs, note });
    }
    // Dated by the registrar earlier than the order was sent (its clock, its zone, a misprint), the task fell
    // out of the day's caps while the order was hours old, and the next order went out past REDEEM_MAX_PER_DAY:
    // the order's own send time is a floor, its later date only over-counts (the caps' safe side).
    for (const [i, d] of known.entries()) if (d.name === order.domainName) known[i] = { ...d, createdMs: laterOf(d.createdMs, order.sentMs) };
    this.tasks.set(key, { taskNo: task.TaskNo, details: known });
  }

  private remember(name: string, entry: LedgerEntry): void {
    const current = this.byDomain.get(name);
    if (!current || PRECEDENCE[entry.state] >= PRECEDENCE[current.state]) this.byDomain.set(name, entry);
  }

  /** Updates a domain's entry from a follow-up (the task this run submitted reached a state). */
  update(name: string, entry: LedgerEntry): void {
    this.byDomain.set(name, entry);
  }
}
