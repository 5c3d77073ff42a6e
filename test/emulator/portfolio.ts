/**
 * A seeded, deterministic portfolio of domains in every lifecycle phase. The windows below are the
 * registry's "truth" inside the emulator; they are written out here, independently of the product's
 * rule table, and deliberately differ for the TLDs the product does not know.
 */
import { seededRandom } from './random.js';

export const DAY_MS = 86_400_000;

interface TldWindow {
  readonly tld: string;
  readonly graceDays: number;
  readonly redemptionDays: number;
  readonly domainType: 'gTLD' | 'ccTLD' | 'New gTLD';
}

export const TLDS: readonly TldWindow[] = [
  { tld: 'com', graceDays: 30, redemptionDays: 29, domainType: 'gTLD' },
  { tld: 'net', graceDays: 30, redemptionDays: 29, domainType: 'gTLD' },
  { tld: 'org', graceDays: 30, redemptionDays: 29, domainType: 'gTLD' },
  { tld: 'info', graceDays: 30, redemptionDays: 29, domainType: 'gTLD' },
  { tld: 'tv', graceDays: 30, redemptionDays: 29, domainType: 'gTLD' },
  { tld: 'cn', graceDays: 30, redemptionDays: 14, domainType: 'ccTLD' },
  { tld: 'com.cn', graceDays: 30, redemptionDays: 14, domainType: 'ccTLD' },
  { tld: 'xn--fiqs8s', graceDays: 30, redemptionDays: 14, domainType: 'ccTLD' },
  { tld: 'xn--55qx5d', graceDays: 30, redemptionDays: 14, domainType: 'New gTLD' },
  { tld: 'co', graceDays: 30, redemptionDays: 14, domainType: 'ccTLD' },
  { tld: 'hk', graceDays: 28, redemptionDays: 59, domainType: 'ccTLD' },
  { tld: 'xyz', graceDays: 30, redemptionDays: 30, domainType: 'New gTLD' },
  { tld: 'top', graceDays: 30, redemptionDays: 30, domainType: 'New gTLD' },
  { tld: 'shop', graceDays: 30, redemptionDays: 30, domainType: 'New gTLD' },
];

export type Phase = 'active' | 'grace' | 'early-redemption' | 'late-redemption' | 'past-deadline';

export interface EmulatedDomain {
  domainName: string;
  instanceId: string;
  tld: string;
  domainType: string;
  registrationDateLong: number;
  expirationDateLong: number;
  /** 1 needs renewal (grace), 2 needs redemption, 3 normal. */
  domainStatus: 1 | 2 | 3;
  phase: Phase;
}

export interface PortfolioOptions {
  readonly count: number;
  readonly seed: number;
  /** Share of the portfolio in the redemption period (the rest is active or in grace). */
  readonly redemptionShare: number;
  readonly now: number;
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

function between(random: () => number, low: number, high: number): number {
  return low + Math.floor(random() * (high - low + 1));
}

function phaseFor(random: () => number, redemptionShare: number): Phase {
  const roll = random();
  if (roll < redemptionShare) {
    const inner = roll / redemptionShare;
    return inner < 0.4 ? 'early-redemption' : inner < 0.85 ? 'late-redemption' : 'past-deadline';
  }
  return random() < 0.8 ? 'active' : 'grace';
}

/** Days since expiry for a domain of `window` in `phase`. */
function daysSinceExpiry(random: () => number, window: TldWindow, phase: Phase): number {
  const end = window.graceDays + window.redemptionDays;
  switch (phase) {
    case 'active':
      return -between(random, 10, 700);
    case 'grace':
      return between(random, 1, window.graceDays - 1);
    case 'early-redemption':
      return between(random, window.graceDays + 1, end - 10);
    case 'late-redemption':
      // Ends in 2 to 7 days at the registry: inside the product's default 7-day window once its margin is taken.
      return end - between(random, 2, 7);
    case 'past-deadline':
      // The registry's boundary can lag by up to a day: still listed although the estimate has passed.
      return end;
  }
}

export function generatePortfolio(options: PortfolioOptions): EmulatedDomain[] {
  const random = seededRandom(options.seed);
  const domains: EmulatedDomain[] = [];
  for (let i = 0; i < options.count; i++) {
    const window = pick(random, TLDS);
    const phase = phaseFor(random, options.redemptionShare);
    const hours = between(random, 0, 23);
    const expirationDateLong = options.now - daysSinceExpiry(random, window, phase) * DAY_MS - hours * 3_600_000;
    domains.push({
      domainName: `${pick(random, ['brand', 'shop', 'mail', 'cloud', 'data', 'pay', 'news', 'home'])}-${String(i).padStart(6, '0')}.${window.tld}`,
      instanceId: `S2026${String(100000000 + i)}`,
      tld: window.tld,
      domainType: window.domainType,
      registrationDateLong: expirationDateLong - between(random, 1, 10) * 365 * DAY_MS,
      expirationDateLong,
      domainStatus: phase === 'active' ? 3 : phase === 'grace' ? 1 : 2,
      phase,
    });
  }
  return domains;
}
