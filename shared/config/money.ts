/**
 * The money settings: the user's expected redemption prices, the balance to keep, the daily spend cap and
 * the BSS endpoint. Read apart from the main configuration so that its problems can be merged into the
 * one configuration message: each problem is "VARIABLE: what is wrong", and no value is ever echoed
 * except the variable's own short text where it helps (none of these is a secret).
 */
import * as z from 'zod/mini';
import { describeIssues, onFirstUse } from '../validation/index.js';
import { echoed, envText, type Env } from './env.js';
import { checkSuffixKeys } from './suffix-keys.js';

/** Prices by TLD suffix ("com", "com.cn", "xn--fiqs8s"), and "*" for every other TLD. */
type PriceTable = Readonly<Record<string, number>>;

export interface MoneyConfig {
  /** REDEEM_PRICES, keys normalised like REDEEM_TLD_RULES keys; undefined when unset. */
  readonly prices: PriceTable | undefined;
  /** REDEEM_MIN_BALANCE: no order may take the available balance below it; 0 when unset. */
  readonly minBalance: number;
  /** REDEEM_MAX_SPEND_PER_DAY: the prices of the last 24 h's orders plus this run's; undefined when unset. */
  readonly maxSpendPerDay: number | undefined;
  /** BSS_ENDPOINT, overriding the site's BSS endpoint (e.g. a local emulator). */
  readonly bssEndpoint: string | undefined;
  /**
   * REDEEM_CURRENCY (upper case): the currency the amounts above are written in. The balance is in the
   * account's billing currency (QueryAccountBalance Data.Currency), and nothing else says which one the
   * prices are in; when set and the account's differs, the guard holds every order. Undefined: the
   * amounts are taken to be in the account's currency, whatever it is. RMB is read as CNY.
   */
  readonly currency?: string | undefined;
  /**
   * True when REDEEM_MIN_BALANCE, REDEEM_PRICES or REDEEM_MAX_SPEND_PER_DAY is set (even to a bad value):
   * then the run reads the balance before it submits and orders nothing when it cannot. False: the guard
   * is off and BSS is never called.
   */
  readonly guard: boolean;
}


/** Far above any real price or balance, and small enough that amounts stay exact in ten-thousandths. */
const MAX_AMOUNT = 1_000_000_000;

const priceShape = onFirstUse(() =>
  z.record(
    z.string(),
    // Above 0: a redemption is never free, and a 0 (meant as "unknown", say) would let any number of that
    // TLD's orders past the balance and the spend cap.
    z.number().check(z.refine((n) => Number.isFinite(n) && n > 0 && n <= MAX_AMOUNT, { message: `expected a price above 0 and at most ${MAX_AMOUNT}` })),
  ),
);

function parsePrices(raw: string, problems: string[]): PriceTable | undefined {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    problems.push('REDEEM_PRICES: is not JSON; expected e.g. {"com": 600, "cn": 1200, "*": 1500}');
    return undefined;
  }
  const parsed = priceShape().safeParse(json);
  if (!parsed.success) {
    problems.push(`REDEEM_PRICES: ${describeIssues(parsed.error.issues, 'prices')}`);
    return undefined;
  }
  const keys = checkSuffixKeys(raw, Object.keys(parsed.data), { allowStar: true, one: 'price' });
  for (const problem of keys.problems) problems.push(`REDEEM_PRICES: ${problem}`);
  if (keys.problems.length > 0) return undefined;
  const table: Record<string, number> = Object.create(null);
  for (const [key, suffix] of keys.suffixes) table[suffix] = parsed.data[key]!;
  if (Object.keys(table).length === 0) {
    problems.push('REDEEM_PRICES: has no price; expected e.g. {"com": 600, "*": 1500}');
    return undefined;
  }
  return table;
}

function parseAmount(name: string, raw: string, problems: string[]): number | undefined {
  if (!/^\d+(\.\d+)?$/.test(raw) || Number(raw) > MAX_AMOUNT) {
    problems.push(`${name}: expected an amount from 0 to ${MAX_AMOUNT} in the account's currency (e.g. 500 or 99.5), got ${echoed(raw)}`);
    return undefined;
  }
  return Number(raw);
}

/**
 * The ISO 4217 code a user's REDEEM_CURRENCY names, upper case: RMB (人民币, how many Chinese users write the
 * renminbi) is CNY, the code BSS answers in Data.Currency. Read as a currency of its own, RMB against a CNY
 * account was a mismatch that held every order of every run, the money the same.
 */
function currencyCode(typed: string | undefined): string | undefined {
  const upper = typed?.toUpperCase();
  return upper === 'RMB' ? 'CNY' : upper;
}

/** An http(s) URL, or a bare host name that gets https://; the trailing slash dropped. */
export function parseEndpoint(name: string, raw: string, problems: string[]): string | undefined {
  const candidate = /^[a-z]+:\/\//i.test(raw) ? raw : `https://${raw}`;
  try {
    const url = new URL(candidate);
    if (url.protocol === 'http:' || url.protocol === 'https:') return candidate.replace(/\/+$/, '');
  } catch {
    // reported below
  }
  // echoed(): what fails to parse is often a whole line pasted as the value ("NOTIFY_DINGTALK_URL: https://…"),
  // and quoted whole it sent a robot's token to every robot and the logs.
  problems.push(`${name}: is not an http(s) URL or host name: ${echoed(raw)}`);
  return undefined;
}

export function loadMoneyConfig(env: Env = process.env): { value: MoneyConfig; problems: string[] } {
  const problems: string[] = [];
  const rawPrices = envText(env, 'REDEEM_PRICES');
  const rawMin = envText(env, 'REDEEM_MIN_BALANCE');
  const rawCap = envText(env, 'REDEEM_MAX_SPEND_PER_DAY');
  const rawEndpoint = envText(env, 'BSS_ENDPOINT');
  const typedCurrency = envText(env, 'REDEEM_CURRENCY');
  const rawCurrency = currencyCode(typedCurrency);

  const prices = rawPrices === undefined ? undefined : parsePrices(rawPrices, problems);
  const minBalance = rawMin === undefined ? 0 : parseAmount('REDEEM_MIN_BALANCE', rawMin, problems);
  const maxSpendPerDay = rawCap === undefined ? undefined : parseAmount('REDEEM_MAX_SPEND_PER_DAY', rawCap, problems);
  if (rawCap !== undefined && rawPrices === undefined) {
    problems.push('REDEEM_MAX_SPEND_PER_DAY: needs REDEEM_PRICES (the cap adds up the prices of the orders)');
  }
  const bssEndpoint = rawEndpoint === undefined ? undefined : parseEndpoint('BSS_ENDPOINT', rawEndpoint, problems);
  // A code of three letters, as BSS writes Data.Currency; which codes an account may have is BSS's to say.
  const currency = rawCurrency !== undefined && /^[A-Z]{3}$/.test(rawCurrency) ? rawCurrency : undefined;
  if (rawCurrency !== undefined && currency === undefined) {
    // echoed(), as every other value: its first 20 characters were quoted, 20 of an AccessKey secret's 30
    // or of a robot token's 64 hex digits (hex reads the same upper-cased) pasted into the wrong line.
    problems.push(`REDEEM_CURRENCY: expected a currency code of three letters such as CNY, USD or JPY (the account's, as QueryAccountBalance gives it), got ${echoed(typedCurrency!)}`);
  }
  return {
    value: {
      prices,
      // A bad value is reported above; the value keeps the guard on and strict, never off.
      minBalance: minBalance ?? MAX_AMOUNT,
      maxSpendPerDay: rawCap === undefined ? undefined : (maxSpendPerDay ?? 0),
      bssEndpoint,
      currency,
      guard: rawPrices !== undefined || rawMin !== undefined || rawCap !== undefined,
    },
    problems,
  };
}

/**
 * The price of redeeming `domainName`: the longest suffix with a price wins (com.cn before cn), then "*".
 * Undefined when neither applies: such a domain is never ordered while prices are set (see guard.ts).
 */
export function priceFor(domainName: string, prices: PriceTable): { suffix: string; price: number } | undefined {
  const labels = domainName.toLowerCase().split('.');
  for (let i = 1; i < labels.length; i++) {
    const suffix = labels.slice(i).join('.');
    if (Object.hasOwn(prices, suffix)) return { suffix, price: prices[suffix]! };
  }
  return Object.hasOwn(prices, '*') ? { suffix: '*', price: prices['*']! } : undefined;
}
