/**
 * The balance guard and the daily spend cap: a pure function of the planned redemptions (most urgent
 * first), the balance read at the start of the run, the money settings and the orders of the last 24 h.
 * It decides, for each planned redemption, whether it may be submitted. Never a guessed balance: with any
 * money setting and no balance, nothing is submitted.
 *
 * Amounts are compared in integer ten-thousandths so that 0.1 + 0.2 is exactly 0.3.
 */
import { priceFor, type MoneyConfig } from '../config/index.js';
import { errorCode, whatToDo } from '../domain-api/index.js';
import { errorMessage, withWhatToDo } from '../errors/index.js';

export type GuardReason = 'insufficient-balance' | 'cap-spend-per-day' | 'balance-unknown';

/** What the run knows of the balance: read, unreadable, or not asked for (the guard is off). */
export type BalanceReading =
  | { readonly ok: true; readonly available: number; readonly currency: string; readonly trustPay?: number | undefined }
  | { readonly ok: false; readonly code: string; readonly message: string; readonly fix?: string | undefined };

export type GuardSettings = Pick<MoneyConfig, 'prices' | 'minBalance' | 'maxSpendPerDay' | 'guard'>;

interface GuardInput<D extends { readonly domainName: string }> {
  /** The planned redemptions, most urgent (earliest deadline) first. */
  readonly planned: readonly D[];
  /** Undefined only when the guard is off (then it is ignored). */
  readonly balance: BalanceReading | undefined;
  readonly settings: GuardSettings;
  /**
   * Domain names of the redeem orders of the last 24 h that may have cost money (Ledger.ordersLast24h with
   * spentOnly: the registrar's, failed ones left out, and this process's), one per order.
   */
  readonly ordersLast24h: readonly string[];
  /**
   * Domain names of other orders (not this run's) whose price the balance read may not show yet: tasks still
   * open, or placed after the balance was read (Ledger.unsettledOrders). With prices, each is taken off the
   * available balance before this run's orders are: the order is created, and paid, by its task.
   */
  readonly unsettled?: readonly string[] | undefined;
}

type GuardVerdict<D> =
  | { readonly decision: D; readonly keep: true; readonly price: number | undefined }
  | { readonly decision: D; readonly keep: false; readonly reason: GuardReason; readonly price: number | undefined; readonly detail: string };

export interface GuardResult<D> {
  /** off: no money setting, BSS not called; on: balance read; balance-unknown: nothing may be submitted. */
  readonly state: 'off' | 'on' | 'balance-unknown';
  /** One per planned redemption, in the order given. */
  readonly verdicts: ReadonlyArray<GuardVerdict<D>>;
  readonly kept: readonly D[];
  /** For the run record: the sum of the prices of the kept orders; undefined without prices. */
  readonly spendPlanned: number | undefined;
  /** The ledger's last 24 h at these prices; undefined without prices or with an order of an unpriced TLD. */
  readonly spentLast24h: number | undefined;
  readonly balanceAvailable: number | undefined;
  readonly balanceCurrency: string | undefined;
  /** One line for the run record and the logs, e.g. "guard off: no REDEEM_MIN_BALANCE, …". */
  readonly summary: string;
}

const SCALE = 10_000;

/**
 * An amount in ten-thousandths, rounded the way that can only hold an order back: money the account has
 * (the balance, the day's cap) down, money that goes (a price, the minimum to keep) up. A balance of
 * "99.99995" rounded to nearest is 100.0000 and would pay an order at 100; a price of 33.33334 rounded to
 * nearest is 33.3333 and three of them would fit in 100.00. The product's binary error (99.99 × 10,000 is
 * 999899.9999999999) is not a fraction of a unit: within a millionth of a unit it is the whole unit.
 */
function toUnits(amount: number, direction: 'down' | 'up'): number {
  const raw = amount * SCALE;
  const nearest = Math.round(raw);
  if (Math.abs(raw - nearest) <= Math.max(1e-6, Math.abs(raw) * 1e-15)) return nearest;
  return direction === 'down' ? Math.floor(raw) : Math.ceil(raw);
}
/** Money the account has or may still spend. */
const unitsHeld = (amount: number) => toUnits(amount, 'down');
/** Money an order takes, or that must stay. */
const units = (amount: number) => toUnits(amount, 'up');
const amount = (u: number) => u / SCALE;

/**
 * The price an order of the ledger is counted at. One whose domain the registrar did not name (a task listed
 * before its details, or without a TaskNo) may be of any TLD: with "*" it is counted at the highest price of
 * the table, never at "*" alone (the cheapest, often), which would hide the fee of a .com it may well be;
 * without "*" it may be of a TLD with no price, and is unpriced.
 */
function orderPrice(name: string, prices: NonNullable<GuardSettings['prices']>): number | undefined {
  if (name !== '') return priceFor(name, prices)?.price;
  return Object.hasOwn(prices, '*') ? Math.max(...Object.values(prices)) : undefined;
}

/**
 * The hold of a redemption that can never be ordered while prices are set: its TLD has no price and there is
 * no "*". The planner asks it before it hands out the count caps' slots (such a domain takes none from one
 * the money can pay), and the guard gives the same verdict.
 */
export function unpricedHold(domainName: string, settings: Pick<GuardSettings, 'prices' | 'maxSpendPerDay' | 'guard'>): { readonly reason: GuardReason; readonly detail: string } | undefined {
  if (!settings.guard || !settings.prices || priceFor(domainName, settings.prices)) return undefined;
  const why = `REDEEM_PRICES has no price for ${domainName} and no "*"`;
  return settings.maxSpendPerDay !== undefined
    ? { reason: 'cap-spend-per-day', detail: `${why}, so it cannot be ordered under the spend cap` }
    : { reason: 'insufficient-balance', detail: `${why}, so the balance cannot be shown to cover it` };
}

const GUARD_OFF_SUMMARY = 'guard off: none of REDEEM_MIN_BALANCE, REDEEM_PRICES, REDEEM_MAX_SPEND_PER_DAY is set, so the balance was not read';

export function guardRedemptions<D extends { readonly domainName: string }>(input: GuardInput<D>): GuardResult<D> {
  const { planned, settings, balance } = input;
  const none = { spendPlanned: undefined, spentLast24h: undefined, balanceAvailable: undefined, balanceCurrency: undefined };
  if (!settings.guard) {
    return { state: 'off', verdicts: planned.map((decision) => ({ decision, keep: true, price: undefined })), kept: [...planned], ...none, summary: GUARD_OFF_SUMMARY };
  }
  if (!balance?.ok || !Number.isFinite(balance.available)) {
    const why = balance && !balance.ok ? `the balance could not be read (${withWhatToDo(`${balance.code}: ${balance.message}`, balance.fix)})` : 'the balance was not read';
    return {
      state: 'balance-unknown',
      verdicts: planned.map((decision) => ({ decision, keep: false, reason: 'balance-unknown', price: undefined, detail: `${why}; nothing is submitted` })),
      kept: [],
      ...none,
      summary: `guard on: ${why}; nothing is submitted`,
    };
  }

  const { prices, maxSpendPerDay } = settings;
  const minUnits = units(settings.minBalance);
  let availableUnits = unitsHeld(balance.available);

  // The ledger's spend; an order of a TLD without a price makes it unknowable, and the cap then holds all.
  let spentUnits: number | undefined = 0;
  let unpricedPast: string | undefined;
  if (prices) {
    for (const name of input.ordersLast24h) {
      const price = orderPrice(name, prices);
      if (price === undefined) {
        unpricedPast ??= name === '' ? 'a domain the registrar did not name' : name;
        spentUnits = undefined;
      } else if (spentUnits !== undefined) spentUnits += units(price);
    }
  } else spentUnits = undefined;

  // Other orders the balance does not show yet will take their price from it too; one whose price is
  // unknown leaves the balance unknowable, and every priced order is then held (the balance is never guessed).
  let unsettledUnits = 0;
  let unpricedUnsettled: string | undefined;
  if (prices) {
    for (const name of input.unsettled ?? []) {
      const price = orderPrice(name, prices);
      if (price !== undefined) unsettledUnits += units(price);
      else unpricedUnsettled ??= name === '' ? 'a domain the registrar did not name' : name;
    }
    availableUnits -= unsettledUnits;
  }

  let plannedUnits = 0;
  // The first priced redemption the money cannot cover holds back every less urgent one: what is left is
  // kept for the most urgent, as the other caps do. A domain with no price never blocks the queue (it can
  // never be ordered while prices are set, so nothing is kept for it).
  let blocked: { reason: GuardReason; domainName: string } | undefined;
  const verdicts: Array<GuardVerdict<D>> = planned.map((decision): GuardVerdict<D> => {
    const hold = (reason: GuardReason, price: number | undefined, detail: string): GuardVerdict<D> => ({ decision, keep: false, reason, price, detail });
    if (!prices && maxSpendPerDay !== undefined) {
      // Refused by the configuration; should it get here, a cap that cannot be summed holds everything.
      return hold('cap-spend-per-day', undefined, 'REDEEM_MAX_SPEND_PER_DAY is set without REDEEM_PRICES');
    }
    if (!prices) {
      // Without prices the cost is unknown: the balance must be above REDEEM_MIN_BALANCE.
      if (availableUnits > minUnits) return { decision, keep: true, price: undefined };
      return hold('insufficient-balance', undefined, `the available ${fmt(balance.available)}${trustPayNote(balance.trustPay)} is not above REDEEM_MIN_BALANCE ${fmt(settings.minBalance)}`);
    }
    const found = priceFor(decision.domainName, prices);
    if (!found) {
      const unpriced = unpricedHold(decision.domainName, settings)!;
      return hold(unpriced.reason, undefined, unpriced.detail);
    }
    const priceUnits = units(found.price);
    if (blocked) return hold(blocked.reason, found.price, `kept for the more urgent ${blocked.domainName}`);
    if (maxSpendPerDay !== undefined) {
      if (spentUnits === undefined) {
        blocked = { reason: 'cap-spend-per-day', domainName: decision.domainName };
        return hold('cap-spend-per-day', found.price, `the last 24 h hold an order for ${unpricedPast}, which has no price, so the day's spend is unknown`);
      }
      if (spentUnits + plannedUnits + priceUnits > unitsHeld(maxSpendPerDay)) {
        blocked = { reason: 'cap-spend-per-day', domainName: decision.domainName };
        return hold('cap-spend-per-day', found.price, `${fmt(amount(spentUnits))} spent in the last 24 h + ${fmt(amount(plannedUnits))} this run + ${fmt(found.price)} would exceed REDEEM_MAX_SPEND_PER_DAY ${fmt(maxSpendPerDay)}`);
      }
    }
    if (unpricedUnsettled !== undefined) {
      blocked = { reason: 'insufficient-balance', domainName: decision.domainName };
      return hold('insufficient-balance', found.price, `an order for ${unpricedUnsettled} is not yet paid (or was placed after the balance was read) and REDEEM_PRICES has no price for it, so the balance left for this order is unknown`);
    }
    if (availableUnits - priceUnits < minUnits) {
      blocked = { reason: 'insufficient-balance', domainName: decision.domainName };
      const others = unsettledUnits > 0 ? ` (after ${fmt(amount(unsettledUnits))} for other orders not yet paid or placed after the balance was read)` : '';
      return hold('insufficient-balance', found.price, `the available ${fmt(amount(availableUnits))}${trustPayNote(balance.trustPay)}${others} less ${fmt(found.price)} would be below REDEEM_MIN_BALANCE ${fmt(settings.minBalance)}`);
    }
    availableUnits -= priceUnits;
    plannedUnits += priceUnits;
    return { decision, keep: true, price: found.price };
  });

  const kept = verdicts.filter((v) => v.keep).map((v) => v.decision);
  const held = verdicts.length - kept.length;
  return {
    state: 'on',
    verdicts,
    kept,
    spendPlanned: prices ? amount(plannedUnits) : undefined,
    spentLast24h: spentUnits === undefined ? undefined : amount(spentUnits),
    balanceAvailable: balance.available,
    balanceCurrency: balance.currency,
    summary: `guard on: ${fmt(balance.available)} ${balance.currency} available, ${kept.length} kept${prices ? ` (${fmt(amount(plannedUnits))} planned)` : ''}, ${held} held back`,
  };
}

/** Said with a hold, so that a person who sees a larger AvailableAmount in the console knows what was left out. */
function trustPayNote(trustPay: number | undefined): string {
  return trustPay ? ` (MybankCreditAmount ${fmt(trustPay)} left out: domain orders cannot be paid with 信任付 trust pay)` : '';
}

function fmt(n: number): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: 4 });
}

/**
 * Reads the balance only when the guard is on: with no money setting BSS is never called. A failure is
 * a reading of its own (never a guessed amount), which guardRedemptions turns into balance-unknown.
 */
export async function readBalanceForGuard(
  settings: Pick<MoneyConfig, 'guard' | 'currency'>,
  read: () => Promise<{ readonly available: number; readonly currency: string; readonly trustPay?: number | undefined }>,
): Promise<BalanceReading | undefined> {
  if (!settings.guard) return undefined;
  try {
    const { available, currency, trustPay } = await read();
    // A balance in another currency than the prices is no balance to weigh them against: 700 USD against
    // prices written in CNY (or 700 CNY against prices in USD, which pays an order it cannot) would be a
    // comparison of numbers, not of money. It is a balance the guard cannot use, as one it could not read.
    const mismatch = currencyMismatch(currency, settings.currency);
    if (mismatch) return mismatch;
    return { ok: true, available, currency, trustPay };
  } catch (error) {
    // With what to do about it (the permission BSS wants, the guard's settings): what the person hears is
    // all that ends a guard that holds every order, run after run, until someone mends it.
    return { ok: false, code: errorCode(error), message: errorMessage(error), fix: whatToDo(error) };
  }
}

/** The code a currency mismatch is recorded and told under, as BSS's own codes are. */
const CURRENCY_MISMATCH = 'CurrencyMismatch';

/** The reading of a balance billed in another currency than REDEEM_CURRENCY (`configured`), or undefined when it is not; the doctor says it alike. */
export function currencyMismatch(account: string, configured: string | undefined): Extract<BalanceReading, { ok: false }> | undefined {
  if (configured === undefined || account.toUpperCase() === configured) return undefined;
  return {
    ok: false,
    code: CURRENCY_MISMATCH,
    // Short: a message line is cut at 300 characters, and both currencies must reach the person.
    message: `the account is billed in ${account} (QueryAccountBalance), REDEEM_CURRENCY is ${configured}`,
    fix: `write REDEEM_PRICES, REDEEM_MIN_BALANCE and REDEEM_MAX_SPEND_PER_DAY in ${account} and set REDEEM_CURRENCY=${account}`,
  };
}
