/**
 * The registrar's redemption list, read to the end under bounds and checked item by item before any money
 * moves: a domain is one domain however often and in whatever spelling it is listed (one canonical, punycode
 * form), and an item whose name is not a host name or whose expiration date is not a positive whole number
 * of milliseconds in the safe range (and from 1985 on) becomes an `invalid-listing` decision, never an order.
 */
import { normalizeDomainName } from '../config/index.js';
import { errorMessage } from '../errors/index.js';
import { readAllPages, withPageSizes, type DomainItem, type DomainReads, type PagingBounds } from '../domain-api/index.js';

export interface Candidate {
  /** Canonical: lower case, punycode. */
  readonly domainName: string;
  readonly expirationMs: number;
}

export interface InvalidListing {
  /** The name as listed, made printable and cut to 253 characters. */
  readonly domain: string;
  readonly problem: string;
  readonly expirationMs: number | undefined;
}

interface CheckedListing {
  readonly candidates: Candidate[];
  readonly invalid: InvalidListing[];
  /** Items that repeated a domain already listed (same date), merged into it. */
  readonly duplicates: number;
}

/** 1,000 pages of 100: a healthy account is far below, an endless NextPage is stopped with a clear error. */
const MAX_LIST_PAGES = 1_000;

function printable(name: unknown): string {
  if (typeof name !== 'string') return `(DomainName ${name === null ? 'null' : typeof name})`;
  // eslint-disable-next-line no-control-regex
  const clean = name.replace(/[\u0000-\u001f\u007f]/g, '?').slice(0, 253);
  return clean === '' ? '(empty DomainName)' : clean;
}

/**
 * No domain expires before 1985, the year the first .com was registered. A smaller ExpirationDateLong is
 * not an expiry in milliseconds (seconds, most likely: 1.79e9 s reads as January 1970 in ms); taken at its
 * word it is the most urgent domain of the list, takes the first slot of the caps from a real one, and is
 * ordered with a CurrentExpirationDate the registrar never wrote.
 */
const EARLIEST_EXPIRY_MS = Date.UTC(1985, 0, 1);

/**
 * A domain reaches the redemption period only after its expiry and the renewal grace period after it
 * (domain-api.md §5), so a redemption-list item that expires later than now (plus the registrar's own 24 h
 * of tolerance) carries a date that cannot be its expiry: microseconds (a safe integer up to year 285,000),
 * or some other date. Taken at its word, its deadline lay months or millennia ahead: skipped as "outside the
 * window" on every run, said to nobody, until the domain was lost. It is an invalid listing instead.
 */
const FUTURE_TOLERANCE_MS = 86_400_000;

/**
 * ExpirationCurrDateDiff, the registrar's own count of days from today to expiry (negative once expired;
 * the sign comes from the reference's examples, its rounding is unverified), may put the expiry earlier
 * than ExpirationDateLong does. Then the deadline estimated from ExpirationDateLong may be weeks late: a
 * domain the count says expired 55 days ago, due now, was skipped as outside the window, in silence. Which
 * one is right nothing says, so the listing is invalid (a person hears of it). Only an earlier expiry is
 * held, by more than two days (the count's rounding and its "today" in the registrar's zone): a later one
 * errs on the early side, and a count whose sign runs the other way must not hold every domain.
 */
const DAY_COUNT_TOLERANCE_MS = 2 * 86_400_000;

/** How much earlier than `expirationMs` the day count puts the expiry, beyond the tolerance; else undefined. */
function earlierByDayCount(diff: unknown, expirationMs: number, nowMs: number): number | undefined {
  const days = typeof diff === 'number' ? diff : typeof diff === 'string' && /^\s*-?\d{1,6}\s*$/.test(diff) ? Number(diff) : Number.NaN;
  if (!Number.isSafeInteger(days)) return undefined;
  const gap = expirationMs - (nowMs + days * 86_400_000);
  return gap > DAY_COUNT_TOLERANCE_MS ? gap : undefined;
}

function expirationOf(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d{1,16}$/.test(value) ? Number(value) : NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/** QueryDomainList's DomainStatus: 1 needs renewal, 2 needs redemption, 3 normal. */
type ListStatus = 1 | 2;

function hasStatus(status: unknown, wanted: ListStatus): boolean | undefined {
  if (status === wanted || status === String(wanted)) return true;
  if (status === 1 || status === '1' || status === 2 || status === '2' || status === 3 || status === '3') return false;
  return undefined;
}

export function checkListing(items: readonly DomainItem[], wanted: ListStatus, nowMs: number): CheckedListing {
  const byName = new Map<string, Candidate>();
  const conflicting = new Set<string>();
  /** Names also listed in another documented state, and which: a state that changed while the pages were read. */
  const otherState = new Map<string, string>();
  const invalid: InvalidListing[] = [];
  /** The invalid listings of each domain whose name could be read: a good listing of it beside one is not believed. */
  const badOf = new Map<string, InvalidListing[]>();
  const reject = (domain: string, problem: string, expirationMs: number | undefined) => {
    const listing = { domain, problem, expirationMs };
    invalid.push(listing);
    badOf.set(domain, [...(badOf.get(domain) ?? []), listing]);
  };
  let duplicates = 0;
  for (const item of items) {
    if (item.NotAnObject !== undefined) {
      invalid.push({ domain: `(an item that is ${item.NotAnObject})`, problem: `the registrar listed an item that is ${item.NotAnObject}, not a domain: whichever domain it stood for was not looked at`, expirationMs: undefined });
      continue;
    }
    const status = hasStatus(item.DomainStatus, wanted);
    const name = typeof item.DomainName === 'string' ? normalizeDomainName(item.DomainName) : undefined;
    // QueryType filters on the server; DomainStatus stays the authority (2: a domain is in redemption).
    if (status === false) {
      if (name !== undefined) otherState.set(name, String(item.DomainStatus));
      continue;
    }
    const expirationMs = expirationOf(item.ExpirationDateLong);
    const numeric = typeof item.ExpirationDateLong === 'number' && Number.isFinite(item.ExpirationDateLong) ? item.ExpirationDateLong : undefined;
    const earlierMs = wanted === 2 && expirationMs !== undefined ? earlierByDayCount(item.ExpirationCurrDateDiff, expirationMs, nowMs) : undefined;
    if (name === undefined) {
      invalid.push({ domain: printable(item.DomainName), problem: 'DomainName is not a valid host name', expirationMs: numeric });
    } else if (expirationMs === undefined) {
      reject(name, 'ExpirationDateLong is not a positive whole number of milliseconds within the safe range', undefined);
    } else if (expirationMs < EARLIEST_EXPIRY_MS) {
      reject(name, `ExpirationDateLong ${expirationMs} is before 1985, no domain's expiry in milliseconds (seconds?)`, undefined);
    } else if (wanted === 2 && expirationMs > nowMs + FUTURE_TOLERANCE_MS) {
      reject(name, `ExpirationDateLong ${expirationMs} lies in the future, yet the domain is listed in redemption, which comes only after expiry: not an expiry in milliseconds (microseconds?)`, undefined);
    } else if (earlierMs !== undefined) {
      const days = Math.round(earlierMs / 86_400_000);
      reject(name, `ExpirationCurrDateDiff ${String(item.ExpirationCurrDateDiff)} puts its expiry ${days} days before ExpirationDateLong ${expirationMs}: the redemption deadline cannot be estimated`, expirationMs);
    } else if (status === undefined) {
      reject(name, 'DomainStatus is not one of the documented codes', expirationMs);
    } else {
      const known = byName.get(name);
      if (!known) byName.set(name, { domainName: name, expirationMs });
      else if (known.expirationMs === expirationMs) duplicates++;
      else conflicting.add(name);
    }
  }
  // Listed once with a date that can be its expiry and once with one that cannot (or a status, a day count
  // that cannot be believed): the registrar's answer is untrusted, and which listing is the domain's nothing
  // says. Ordered on the good one alone, the run paid on a date its own list contradicts. One invalid
  // listing instead, that says both: a person hears which domain, and what disagrees. Not on the renewal
  // list (wanted 1): nothing is ordered from it, and its invalid listings are told to nobody (engine.ts
  // readRenewals), so the good one is kept and the renewal still told.
  for (const [name, bad] of wanted === 2 ? badOf : []) {
    const good = byName.get(name);
    if (!good && !conflicting.has(name)) continue;
    byName.delete(name);
    conflicting.delete(name);
    for (const listing of bad) invalid.splice(invalid.indexOf(listing), 1);
    const dates = good ? `one gives ExpirationDateLong ${good.expirationMs}` : 'some give different expiration dates';
    invalid.push({ domain: name, problem: `listed more than once, and the listings disagree: ${dates}, another cannot be believed (${bad[0]!.problem})`, expirationMs: undefined });
  }
  for (const name of conflicting) {
    byName.delete(name);
    invalid.push({ domain: name, problem: 'listed more than once with different expiration dates', expirationMs: undefined });
  }
  // Listed in the wanted state and in another (redeemed or renewed by someone while the list was read,
  // say): the item in the wanted state may be the stale one, and an order on it could pay for a domain
  // that no longer needs it. The next run reads a list that says one thing.
  for (const [name, status] of otherState) {
    const candidate = byName.get(name);
    if (!candidate) continue;
    byName.delete(name);
    invalid.push({ domain: name, problem: `listed with DomainStatus ${wanted} and also with DomainStatus ${status}: its state changed while the list was read`, expirationMs: candidate.expirationMs });
  }
  return { candidates: [...byName.values()], invalid, duplicates };
}

interface RedemptionList extends CheckedListing {
  readonly pages: number;
  readonly repeatedPage: boolean;
  /**
   * What the walk left unread, for a person: it stopped at a page repeating items already read while the
   * first page's TotalItemNum announced more (a registrar ignoring PageNum). The domains it did read are
   * still decided on; the others were not looked at, and someone must be told.
   */
  readonly unread: string | undefined;
}

/**
 * Walks of a list whose TotalItemNum changes while it is read (see PagedItems.totalChanged): a domain may
 * have crossed into a page already read and never been served, so the list is read again, from page 1. A
 * list that keeps changing is decided on its last walk, and a person is told.
 */
const MAX_LIST_WALKS = 3;

/** The redemption list (QueryType=2), or with `queryType` 1 the list of domains that still only need a renewal. */
export async function readDomainList(api: DomainReads, bounds: Omit<PagingBounds, 'maxPages'>, pageSize = 100, queryType: ListStatus = 2, concurrency = 1): Promise<RedemptionList> {
  // Refused for its page size, the walk is made again in smaller pages, and the next walk keeps that size.
  let size = pageSize;
  const walk = (bounds: Omit<PagingBounds, 'maxPages'>) =>
    withPageSizes(
      size,
      (asked) =>
        readAllPages(
          'QueryDomainList',
          (pageNum) => api.queryDomainList({ pageNum, pageSize: asked, queryType }),
          (item) => `${String(item.DomainName)}\u0000${String(item.ExpirationDateLong)}`,
          { ...bounds, maxPages: MAX_LIST_PAGES * Math.ceil(pageSize / asked) },
          concurrency,
        ),
      (answered) => (size = answered),
    );
  let walkStartedMs = bounds.now();
  let read = await walk(bounds);
  let walks = 1;
  /** Why the list was not read again although it changed (no time, or the re-read failed). */
  let stopped: string | undefined;
  while (read.totalChanged && walks < MAX_LIST_WALKS) {
    // A re-read is a second chance at a domain the change may have hidden, not a condition of the run: it
    // starts only if one more walk as long as the last leaves half the time to the submit-by deadline, and
    // gets only that half. One that fails (out of time, a page refused) leaves the walk already read whole;
    // the run went on with none, failed ("QueryDomainList did not complete"), and ordered nothing.
    const nowMs = bounds.now();
    const halfLeftMs = (bounds.deadlineMs - nowMs) / 2;
    if (nowMs - walkStartedMs > halfLeftMs) {
      stopped = 'not read again: too little time was left';
      break;
    }
    walkStartedMs = nowMs;
    try {
      read = await walk({ ...bounds, deadlineMs: nowMs + halfLeftMs });
      walks++;
    } catch (error) {
      if (bounds.signal?.aborted) throw error;
      stopped = `read again, that read failed: ${errorMessage(error)}`;
      break;
    }
  }
  const problems: string[] = [];
  if (read.short) {
    problems.push(`QueryDomainList ${read.repeatedPage ? `served page ${read.pages} again` : `ended at page ${read.pages}`} while TotalItemNum announced ${read.short.announced} domains; ${read.short.read} were read${read.repeatedPage ? ' (PageNum ignored?)' : ''}, the others were not looked at this run`);
  }
  if (read.totalChanged) {
    const { from, to, page } = read.totalChanged;
    const reads = stopped ? `(${stopped})` : `on each of ${walks} reads`;
    problems.push(`QueryDomainList's TotalItemNum went from ${from} to ${to} by page ${page} ${reads}: the list changed while it was read, and a domain that moved to a page already read was not looked at this run`);
  }
  const unread = problems.length > 0 ? problems.join('; ') : undefined;
  return { ...checkListing(read.items, queryType, bounds.now()), pages: read.pages, repeatedPage: read.repeatedPage, unread };
}
