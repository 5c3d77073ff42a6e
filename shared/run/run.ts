/**
 * One redemption run with the function's own clients: the signed Domain API client and SLS PutLogs, both
 * on the run's one clock and deadline. Credentials live only as long as this call. An account run
 * (REDEEM_ACCOUNTS) talks to the Domain API and BSS with the member account's temporary credentials and
 * to SLS with the function's own.
 */
import { randomUUID } from 'node:crypto';
import type { AccountRef, AccountsConfig } from '../accounts/index.js';
import { systemClock, type Clock } from '../clock/index.js';
import type { RedeemerConfig } from '../config/index.js';
import { errorMessage } from '../errors/index.js';
import { createLogger, type Logger } from '../log/index.js';
import { channelStatuses } from '../notify/index.js';
import { errorText } from '../notify/text.js';
import type { Credentials } from '../signing/index.js';
import { RateLimiter } from '../http/index.js';
import { SlsClient } from '../sls/index.js';
import { accountClients } from './account-clients.js';
import { memberAccountPorts } from './member-account.js';
import { executeRun, registrarScope, type EngineRequest, type RunPorts, type RunSummary } from './engine.js';
import { processJournal, submissionKey, unrecordedTaskId, type JournalAttempt, type JournalOrder, type OrderJournal } from './ledger.js';
import type { Deliver } from './recorder.js';
import { toLogEntry } from './records.js';
import { timeBudget, workDeadline } from './time-budget.js';

export type { RunSummary } from './engine.js';

/** The member account a run acts in, and what it takes to assume its role. */
export interface MemberAccountRun {
  readonly ref: AccountRef;
  readonly config: Pick<AccountsConfig, 'stsEndpoint' | 'externalId'>;
  /** The function's timeout: the temporary credentials must outlive the run. */
  readonly timeoutSeconds?: number | undefined;
}

export interface RunRequest extends Omit<EngineRequest, 'runId' | 'clock' | 'logger' | 'accountId'> {
  /** The function's own credentials: the Domain API's and BSS's in its own account; always SLS's. */
  readonly credentials: Credentials;
  /** Set for an account run: the role there is assumed with `credentials` at the run's first call. */
  readonly account?: MemberAccountRun | undefined;
  readonly runId?: string | undefined;
  readonly clock?: Clock | undefined;
  readonly logger?: Logger | undefined;
  /** Orders kept beyond the process, for the next run (the CLI's); see Ledger. */
  readonly orderJournal?: RunPorts['orderJournal'];
}

export const SLS_TOPIC = 'domain-redeemer';

/** Delivery of records to the results logstore with the function's own credentials; undefined without one. */
export function slsDeliver(config: Pick<RedeemerConfig, 'sls'>, credentials: Credentials, clock: Clock, source: string | undefined): Deliver | undefined {
  return config.sls ? deliverTo(new SlsClient({ target: config.sls, credentials, clock }), clock, source) : undefined;
}

function deliverTo(sls: SlsClient, clock: Clock, source: string | undefined): Deliver {
  return (records, deadlineMs) => {
    const time = Math.floor(clock.now() / 1000);
    return sls.putLogs(records.map((record) => toLogEntry(record, time)), { topic: SLS_TOPIC, source: source ?? 'local' }, deadlineMs);
  };
}

export async function runRedemption(request: RunRequest): Promise<RunSummary> {
  const { config, credentials } = request;
  const clock = request.clock ?? systemClock;
  const deadlineMs = workDeadline(timeBudget(request.budgetMs, clock.now));
  // One token bucket for every Domain API call of the run: concurrency can never outrun REDEEM_API_QPS.
  const limiter = new RateLimiter({ qps: config.apiQps, burst: config.apiQps, clock, maxWaitMs: Math.max(1, deadlineMs - clock.now()) });
  // One SLS client serves the run's records and its look back at the previous notification.
  const sls = config.sls ? new SlsClient({ target: config.sls, credentials, clock }) : undefined;
  const deliver = sls ? deliverTo(sls, clock, request.fcRequestId) : undefined;
  let ports: RunPorts;
  if (request.account) {
    ports = { ...memberAccountPorts({ config, credentials, account: request.account, clock, deadlineMs, limiter }), deliver };
  } else {
    ports = { ...accountClients(config, credentials, { clock, deadlineMs, limiter }), deliver };
  }
  // With this process's own orders (processJournal): a run whose records reached no logstore leaves them there only.
  const own = processJournal(registrarScope(config, request.account?.ref.id ?? request.ownAccountId), clock.now);
  ports = { ...ports, orderJournal: combinedJournal(own, keptOrdersJournal(sls, clock, request.account?.ref.id, request.orderJournal)) };
  if (sls) {
    // The newest earlier run that sent a message: this run's own record has not been written yet.
    const weekAgo = Math.floor(clock.now() / 1000) - 7 * 86_400;
    ports = { ...ports, previousNotification: (deadlineMs) => sls.newest(`kind: run and notify: sent${request.account ? ` and account_id: ${request.account.ref.id}` : ''}`, weekAgo, Math.floor(clock.now() / 1000) + 1, deadlineMs) };
  }
  return executeRun(
    { ...request, accountId: request.account?.ref.id, runId: request.runId ?? randomUUID(), clock, logger: request.logger ?? createLogger() },
    ports,
  );
}

/**
 * Where a run finds the orders earlier processes placed that the registrar may not list yet: `local` (the
 * CLI's orders file) and the results logstore's read-back. The doctor reads them too, to say what a live run
 * would do now.
 */
export function keptOrdersJournal(sls: SlsClient | undefined, clock: Clock, accountId: string | undefined, local?: OrderJournal): OrderJournal | undefined {
  return combinedJournal(local, sls ? logstoreOrders(sls, clock, accountId) : undefined);
}

/** The run's read-back of the day's live orders (field-indexed `kind` and `action`); the doctor asks it too. */
export const ORDERS_READ_BACK_QUERY = 'kind: decision and action: redeem';

/**
 * Pages of 100 read at most. The query cannot tell a live order from a dry run's `action: redeem` decision
 * (the fields it may name are the indexed `kind` and `action`), and every dry run of the day (a webhook with
 * {"mode":"dry-run"}, `redeemer plan`) writes one per domain it would order: five pages, once thought more
 * than any day's orders, were filled by the day's dry runs, and the morning's live order, older than them,
 * was never read (a fresh instance ordered it again). The read is bounded by its two seconds too, and a read
 * that stops at either bound says so (see `unread`).
 */
const ORDER_PAGES = 20;

/**
 * How far ahead of the reader's clock a log's time may be: SLS takes a log's time up to its own now + 15 min
 * (sls.md), and the reader's own clock may be up to 15 min behind SLS's (its Date is taken within ±15 min).
 * The records of a machine whose clock runs ahead (a laptop's CLI) are dated in the reader's future. Read to
 * now + 1 s only, such an order was left out of the read-back until the reader's clock caught up, and a
 * fresh instance ordered the domain again meanwhile; read to now + 15 min, so was it for a reader 10 min behind.
 */
const LOG_AHEAD_SECONDS = 30 * 60;

/** A row's time as the moment its order was placed: never after now (a writer's clock ahead holds 24 h at most). */
function rowMs(row: Readonly<Record<string, string>>, nowMs: number): number {
  const seconds = Number(row.__time__);
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds * 1000, nowMs) : nowMs;
}

/**
 * The orders of the last 24 h the results logstore holds (every run's `kind: decision` records of live
 * orders with their task number): the one record of an earlier run that a fresh FC instance still has, since
 * its temp folder and the process's registry are gone. The registrar may list a task only some time after
 * it took the order, and its redemption list lags by up to a day, so without it the next run (a webhook
 * after a run FC killed at its timeout, on a new instance) would order the domain again. Needs
 * log:GetLogStoreLogs and an index on `kind` and `action`; without them it reads nothing, and the ledger's
 * look is what holds. Records are the run's own, and SLS takes a few seconds to index them.
 */
function logstoreOrders(sls: SlsClient, clock: Clock, accountId: string | undefined): OrderJournal {
  let unread: string | undefined;
  /** Why the submissions (kind: submission) could not be read, if they could not: said beside `unread`. */
  let unreadAttempts: string | undefined;
  const ofAccount = (query: string) => `${query}${accountId ? ` and account_id: ${accountId}` : ''}`;
  // An account run's rows are its account's (the query names it, each row is checked again). A plain run
  // takes every row, an account run's (account_id) too: a domain's name is unique at the registrar, so an
  // order for it from any account is the order for it, and the engine holds only the domains this account
  // lists in redemption. Taking only rows without account_id, a plain run with the member's own key, right
  // after an account run ordered a domain the registrar did not list yet, ordered it again (a second fee).
  // The other way round, a plain run on FC says its account (FC's accountId: EngineRequest.ownAccountId),
  // so an account run of that account finds its rows by this same query: a fan-out's reads stay one
  // account's size each (taking every row without account_id too, each account run of a fan-out would read
  // every plain run's rows, dry runs' included, and reach ORDER_PAGES sooner). A CLI's plain run knows no
  // account id without another call (its key does not say), so its rows are not an account run's.
  const ofThisAccount = (row: Readonly<Record<string, string>>) => accountId === undefined || row.account_id === accountId;
  // Pages of 100, newest first, up to ORDER_PAGES: the rows of `query` from `days` ago until now.
  // `cut` says why the rows may be only the newest part: a last page still full, or a later page that failed
  // (its deadline, a fault) after earlier pages were read; the rows read are kept either way.
  const rowsOf = async (query: string, days: number, deadlineMs: number) => {
    const nowSeconds = Math.floor(clock.now() / 1000);
    const all: Array<Readonly<Record<string, string>>> = [];
    for (let page = 0; page < ORDER_PAGES; page++) {
      let read: Awaited<ReturnType<SlsClient['partialLogs']>>;
      try {
        read = await sls.partialLogs(ofAccount(query), nowSeconds - days * 86_400, nowSeconds + LOG_AHEAD_SECONDS + 1, deadlineMs, { line: 100, offset: page * 100 });
      } catch (error) {
        if (page === 0) throw error;
        return { rows: all, cut: `page ${page + 1} failed: ${errorMessage(error)}` };
      }
      all.push(...read.rows);
      // A page that stayed incomplete may lack rows, never invents them: the orders it carries hold their
      // domains (failing the whole read for it, a morning's order SLS had found was ordered again), and the
      // read is said to be partial.
      if (read.partial) return { rows: all, cut: `page ${page + 1} was not whole: ${read.partial}` };
      if (read.rows.length < 100) return { rows: all, cut: undefined };
    }
    return { rows: all, cut: `the read stops at ${ORDER_PAGES} pages` };
  };
  let attempts: readonly JournalAttempt[] = [];
  // The runs (and `task:` ids) earlier messages told, when the day was read whole (OrderJournal.told).
  let toldWhole: ReadonlySet<string> | undefined;
  // A live run's `kind: submission` lines (written just before each order is sent): a run killed while an
  // order was on the wire leaves one and no decision with a task number. Failing, it costs only that.
  const readAttempts = async (deadlineMs: number): Promise<JournalAttempt[]> => {
    try {
      const { rows, cut } = await rowsOf('kind: submission', 1, deadlineMs);
      if (cut) unreadAttempts = `the day's submissions were read back from the results logstore only in part (${cut.slice(0, 100)}), so an order another instance sent and never had answered (killed while it was on the wire) may not count on the day's caps`;
      return rows.flatMap((row) => {
        if (row.kind !== 'submission' || row.mode !== 'live' || !row.domain || !ofThisAccount(row)) return [];
        return [{ domainName: row.domain, sentMs: rowMs(row, clock.now()), runId: row.run_id || undefined }];
      });
    } catch (error) {
      // Since such an order counts on the day's caps (engine.ts unknownOutcomes), a read that fails (SLS
      // answering Incomplete every time, say) leaves the caps to the registrar's list alone: said, not silent.
      unreadAttempts = `the day's submissions could not be read back from the results logstore, so an order another instance sent and never had answered (killed while it was on the wire) does not count on the day's caps (\`redeemer doctor\` says what the logstore needs): ${errorText(errorMessage(error), 140)}`;
      return [];
    }
  };
  const readOrders = async (deadlineMs: number): Promise<readonly JournalOrder[]> => {
    const orders: JournalOrder[] = [];
    const sent = readAttempts(deadlineMs);
    let read: Awaited<ReturnType<typeof rowsOf>>;
    try {
      read = await rowsOf(ORDERS_READ_BACK_QUERY, 1, deadlineMs);
    } catch (error) {
      // The submissions are a query of their own (no index on `action` needed): read, they still count on
      // the day's caps (engine.ts unknownOutcomes), none called untold or settled, as when the runs' ends
      // cannot be read (below). Dropped with the orders' read, a killed run's order on the wire let the
      // next instance order that very domain again under REDEEM_MAX_PER_DAY=1: a second redemption fee.
      attempts = (await sent).map((a) => ({ ...a, untold: false, settled: false }));
      throw error;
    }
    // Silent, an older order beyond the rows read held nothing, and nobody knew the hold was partial.
    // The consequence first: the message cuts a line at 300 characters.
    if (read.cut) unread = `an older order another instance placed that the registrar does not list yet may not hold its domain nor count on the day's caps: the day's orders were read back from the results logstore only in part (its newest ${read.rows.length} action: redeem records, dry runs' included; ${read.cut.slice(0, 100)})`;
    // A decision of the run for the domain with no task number and a known outcome: that submission certainly
    // placed no order (refused, throttled, never sent). One whose outcome stayed unknown is not settled. Nor
    // did one skipped or in progress, whatever task it names: refused because another order got there first,
    // it carries that order's task (already-redeemed, task-in-flight). Read as an outcome unknown, it took a
    // slot of REDEEM_MAX_PER_DAY on every fresh instance for 24 h, and held a due domain on a cap no order used.
    const refused = (row: Readonly<Record<string, string>>) => row.outcome === 'skipped' || row.outcome === 'in-progress';
    // Every task a decision line names, an order's or the one that stopped a skipped order (a console
    // order, another run's): a record names it, so it is not a task "no record names" (engine.ts unrecordedTasks).
    const named = new Set(read.rows.flatMap((row) => (row.kind === 'decision' && row.task_no?.trim() ? [unrecordedTaskId(row.task_no)] : [])));
    const settled = new Set(read.rows.filter((row) => row.kind === 'decision' && (refused(row) || (!row.task_no?.trim() && row.error_code !== 'OutcomeUnknown'))).map((row) => submissionKey(row.run_id, row.domain ?? '')));
    for (const row of read.rows) {
      const taskNo = row.task_no?.trim();
      // Only this deployment's live orders of this account: a query is matched by words, so each field is checked again.
      if (row.kind !== 'decision' || row.action !== 'redeem' || row.mode !== 'live' || !taskNo || !row.domain) continue;
      // Skipped at submission, or refused and in progress, it carries the task that stopped it (a console
      // order, another run's): the run placed nothing. Read as the run's order, a run that never told was said
      // to have ordered the domain under another's task; and that task, claimed by it, was not the order of the
      // killed run whose submission it is, which then counted on the day's caps beside it as an outcome
      // unknown. That task holds the domain by itself, from the ledger or its own run's record.
      if (refused(row)) continue;
      if (!ofThisAccount(row)) continue;
      orders.push({ domainName: row.domain, taskNo, sentMs: rowMs(row, clock.now()), runId: row.run_id || undefined });
    }
    const tried = await sent;
    // A run's end record is written after its message, and names the earlier runs whose orders that
    // message told (told_runs): an order of a run with neither, or whose message reached no channel,
    // never reached a person.
    const told = new Set<string>();
    try {
      // Cut short, some runs' ends are not read: their orders are told again, never left untold.
      const ends = await rowsOf('kind: run', 2, deadlineMs);
      for (const row of ends.rows) {
        if (row.kind !== 'run' || row.outcome === 'started') continue;
        // A message that every channel refused told no one (engine.ts): its run's orders are untold.
        if (row.notify === 'sent' && !channelStatuses(row).some((c) => c.status === 'ok')) continue;
        if (row.run_id) told.add(row.run_id);
        // A task is named as its key (unrecordedTaskId), however the writer spelt its number.
        for (const id of (row.told_runs ?? '').split(',').map((s) => s.trim())) if (id) told.add(id.startsWith('task:') ? unrecordedTaskId(id.slice(5)) : id);
      }
      if (!ends.cut && !read.cut && unreadAttempts === undefined) toldWhole = new Set([...told, ...named]);
    } catch {
      // Which runs ended is unknown: the orders still hold their domains, and none is called untold. The
      // submissions are kept, none called untold either: an order on the wire when its run was killed may
      // have been taken whether or not its run told it, and counts on the day's caps (engine.ts
      // unknownOutcomes). Left out, a read of the runs' ends that stayed Incomplete let the next run order
      // as if the day were empty: a second order a minute later under REDEEM_MAX_PER_DAY=1.
      attempts = tried.map((a) => ({ ...a, untold: false, settled: settled.has(submissionKey(a.runId, a.domainName)) }));
      return orders;
    }
    attempts = tried.map((a) => ({ ...a, untold: a.runId !== undefined && !told.has(a.runId), settled: settled.has(submissionKey(a.runId, a.domainName)) }));
    return orders.map((o) => ({ ...o, untold: o.runId !== undefined && !told.has(o.runId) }));
  };
  return {
    unread: () => [unread, unreadAttempts].filter((problem) => problem !== undefined),
    attempts: () => attempts,
    async load(deadlineMs) {
      unread = undefined;
      unreadAttempts = undefined;
      attempts = [];
      toldWhole = undefined;
      try {
        return await readOrders(deadlineMs);
      } catch (error) {
        // The hold this read gives is silently off without it (no index, no permission, a slow logstore).
        // The consequence and the fix first: the message cuts a line at 300 characters.
        unread = `the day's orders could not be read back from the results logstore: other instances' orders the registrar does not list yet hold no domain and miss the day's caps (\`redeemer doctor\` says what the logstore needs): ${errorText(errorMessage(error), 140)}`;
        throw error;
      }
    },
    told: () => toldWhole,
    // Its records are the run's own decision lines, written as they are known.
    placed: () => undefined,
  };
}

function combinedJournal(...journals: ReadonlyArray<OrderJournal | undefined>): OrderJournal | undefined {
  const present = journals.filter((j): j is OrderJournal => j !== undefined);
  if (present.length <= 1) return present[0];
  return {
    // Each on its own: one that cannot be read leaves the others.
    load: async (deadlineMs) => (await Promise.all(present.map((j) => Promise.resolve().then(() => j.load(deadlineMs)).catch(() => [] as const)))).flat(),
    placed: (order) => {
      for (const j of present) j.placed(order);
    },
    sending: (attempt) => {
      for (const j of present) j.sending?.(attempt);
    },
    released: (attempt) => {
      for (const j of present) j.released?.(attempt);
    },
    attempts: () => present.flatMap((j) => j.attempts?.() ?? []),
    ended: (runId, told) => {
      for (const j of present) j.ended?.(runId, told);
    },
    // Each that failed is said: the CLI's file and the logstore hold different runs' orders.
    unread: () => present.flatMap((j) => j.unread?.() ?? []),
    told: () => present.find((j) => j.told)?.told?.(),
  };
}
