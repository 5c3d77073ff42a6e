/**
 * The redemption deadline, estimated: no API field gives it. It is the expiry plus the TLD's grace and
 * redemption days, minus a one-day safety margin (the registrar says its boundaries may be off by 24 h);
 * the expiry plus the redemption days alone, minus the margin, for a domain listed in redemption more than a
 * day before the grace period would end (see estimateDeadline).
 * Epoch milliseconds throughout; the time left is computed here and nowhere else.
 */
import { domainToASCII } from 'node:url';

export const DAY_MS = 86_400_000;
const SAFETY_MARGIN_MS = DAY_MS;

interface TldRule {
  readonly graceDays: number;
  readonly redemptionDays: number;
}

export type TldRules = Readonly<Record<string, TldRule>>;

const GTLD: TldRule = { graceDays: 30, redemptionDays: 29 };
const CNNIC: TldRule = { graceDays: 30, redemptionDays: 14 };

export const DEFAULT_TLD_RULES: TldRules = Object.assign(Object.create(null) as Record<string, TldRule>, {
  ...Object.fromEntries(['com', 'net', 'org', 'biz', 'info', 'cc', 'tv', 'me', 'name', 'mobi', 'asia', 'so', 'tel'].map((tld) => [tld, GTLD])),
  // cn also covers second levels not listed here, by suffix; IDN TLDs in their xn-- form: 中国 中國 公司 网络.
  ...Object.fromEntries(
    ['cn', 'com.cn', 'net.cn', 'org.cn', 'gov.cn', 'ac.cn', 'xn--fiqs8s', 'xn--fiqz9s', 'xn--55qx5d', 'xn--io0a7i', 'co'].map((tld) => [tld, CNNIC]),
  ),
  hk: { graceDays: 28, redemptionDays: 59 },
});

/** An unknown TLD gets the shortest known window, so that the estimate errs early, never late. */
const ASSUMED_RULE: TldRule = { graceDays: 30, redemptionDays: 14 };

/**
 * Overrides replace built-in entries; keys may be given in Unicode (中国) or xn-- form, with or without a dot.
 * An override also replaces the built-in entries under its suffix that no override names: "cn" covers the
 * built-in com.cn, net.cn … (the longest suffix wins, so a built-in com.cn left as it was would keep example.com.cn
 * on the old rule), while an explicit "com.cn" key wins over "cn".
 */
export function mergeTldRules(overrides: Readonly<Record<string, TldRule>>): TldRules {
  // No prototype: a key such as "__proto__" is a key like any other, not the object's prototype.
  const merged: Record<string, TldRule> = Object.assign(Object.create(null) as Record<string, TldRule>, DEFAULT_TLD_RULES);
  const given = new Map(Object.entries(overrides).map(([key, rule]) => [normalizeSuffix(key), rule]));
  for (const builtIn of Object.keys(DEFAULT_TLD_RULES)) {
    if (given.has(builtIn)) continue;
    // The longest overridden suffix of the built-in key, if any, decides it.
    const labels = builtIn.split('.');
    for (let i = 1; i < labels.length; i++) {
      const rule = given.get(labels.slice(i).join('.'));
      if (rule) {
        merged[builtIn] = rule;
        break;
      }
    }
  }
  for (const [suffix, rule] of given) merged[suffix] = rule;
  return merged;
}

/** A suffix after normalizeSuffix: LDH labels joined by dots (xn-- forms for Unicode), as a TLD rule or price key must be. */
const SUFFIX = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

export function isSuffix(normalized: string): boolean {
  return SUFFIX.test(normalized);
}

export function normalizeSuffix(key: string): string {
  const bare = key.trim().replace(/^\.+|\.+$/g, '').toLowerCase();
  return domainToASCII(`x.${bare}`).slice(2) || bare;
}

export interface DeadlineEstimate {
  /** The rule's suffix ("com.cn", "com"), or the last label when no rule knows it. */
  readonly tld: string;
  readonly rules: 'known' | 'assumed';
  readonly deadlineMs: number;
  readonly msLeft: number;
  /** Whole days left, rounded down; negative once the estimate has passed. */
  readonly daysLeft: number;
}

/**
 * The longest suffix with a rule wins: com.cn before cn. Only the table's own keys count: a TLD spelt like
 * a property every JS object inherits ("constructor") would otherwise find a function for a rule, and a
 * deadline of NaN that no window comparison stops.
 */
export function ruleFor(domainName: string, rules: TldRules): { tld: string; rule: TldRule; known: boolean } {
  const labels = domainName.split('.');
  for (let i = 1; i < labels.length; i++) {
    const suffix = labels.slice(i).join('.');
    const rule = Object.hasOwn(rules, suffix) ? rules[suffix] : undefined;
    if (rule) return { tld: suffix, rule, known: true };
  }
  return { tld: labels.at(-1) ?? domainName, rule: ASSUMED_RULE, known: false };
}

/**
 * The deadline of a domain the registrar lists in redemption. Listed more than a day (the registrar's own
 * 24 h) before the rule's grace period would end, the registry's states run ahead of the rule: the
 * redemption period may have begun at any time since the expiry, so the deadline is taken from the expiry
 * plus the redemption days alone (less the margin), the earlier of the two: an order earlier, never later.
 */
export function estimateDeadline(domainName: string, expirationMs: number, rules: TldRules, nowMs: number): DeadlineEstimate {
  const { tld, rule, known } = ruleFor(domainName, rules);
  const aheadOfRule = nowMs < expirationMs + rule.graceDays * DAY_MS - SAFETY_MARGIN_MS;
  const deadlineMs = expirationMs + ((aheadOfRule ? 0 : rule.graceDays) + rule.redemptionDays) * DAY_MS - SAFETY_MARGIN_MS;
  const msLeft = deadlineMs - nowMs;
  return { tld, rules: known ? 'known' : 'assumed', deadlineMs, msLeft, daysLeft: Math.floor(msLeft / DAY_MS) };
}

/**
 * Whole days (rounded down) until a domain still in its grace period is estimated to enter redemption: its
 * expiry plus the TLD's grace days, less the same day of margin as the deadline. The registrar's boundaries may be off by 24 h (domain-api.md §5), and the count tells a
 * person how long a renewal (a fraction of the redemption fee) can wait: without the margin a domain told
 * "redemption in 1 day" could enter redemption that very day.
 */
export function daysToRedemption(domainName: string, expirationMs: number, rules: TldRules, nowMs: number): number {
  const { rule } = ruleFor(domainName, rules);
  return Math.floor((expirationMs + rule.graceDays * DAY_MS - SAFETY_MARGIN_MS - nowMs) / DAY_MS);
}
