/** The emulator's portfolio as the safety tests read it: which domains are due, and what was ordered. */
import type { Emulator } from '../emulator/server.js';
import { DAY_MS, TLDS } from '../emulator/portfolio.js';
import { EMULATOR_CREDENTIALS } from '../support/emulator.js';
import type { Env } from './harness.js';

/**
 * Due by the design's rule (deadline within the default 7 days), worked out from the emulator's own
 * registry windows: the product knows every TLD the emulator has except xyz, top and shop, for which it
 * assumes the shortest window (30 + 14 days). Sorted by name, so that a test can split them the same way.
 */
const ASSUMED_BY_PRODUCT = new Set(['xyz', 'top', 'shop']);
export function dueDomains(e: Emulator, now = Date.now()): string[] {
  return e.domain.domains
    .filter((d) => {
      if (d.domainStatus !== 2) return false;
      const w = TLDS.find((t) => t.tld === d.tld)!;
      const windowDays = ASSUMED_BY_PRODUCT.has(d.tld) ? 44 : w.graceDays + w.redemptionDays;
      // A day of margin either way, so a domain at the boundary is neither counted nor used.
      return d.expirationDateLong + (windowDays - 1) * DAY_MS - now <= 6 * DAY_MS;
    })
    .map((d) => d.domainName)
    .sort();
}

export function ordersPerDomain(e: Emulator): Map<string, number> {
  const counts = new Map<string, number>();
  for (const task of e.domain.tasks) counts.set(task.domainName, (counts.get(task.domainName) ?? 0) + 1);
  return counts;
}

/** Submissions that reached the emulator, and how many it refused (another order for the domain was first). */
export function submitCalls(e: Emulator): { total: number; refused: number } {
  const calls = e.calls.filter((c) => c.action === 'SaveSingleTaskForCreatingOrderRedeem');
  return { total: calls.length, refused: calls.filter((c) => c.code !== 'OK').length };
}

/** A live configuration against the emulator (for in-process runs, which take the credentials directly). */
export function liveEnv(e: Emulator, extra: Env = {}): Env {
  return { REDEEM_MODE: 'live', REDEEM_DOMAINS: '*', REDEEM_MAX_PER_RUN: '10', REDEEM_MAX_PER_DAY: '3', REDEEM_API_QPS: '1000', DOMAIN_ENDPOINT: e.url, ...extra };
}

/** The same, for a CLI child process: with the emulator's key in the environment. */
export function cliEnv(e: Emulator, extra: Env = {}): Env {
  return {
    ...liveEnv(e),
    ALIBABA_CLOUD_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: EMULATOR_CREDENTIALS.accessKeySecret,
    ...extra,
  };
}

/** Splits `items` into `parts` disjoint groups of `size` (round robin over the sorted list). */
export function disjointSets<T>(items: readonly T[], parts: number, size: number): T[][] {
  if (items.length < parts * size) throw new Error(`need ${parts * size} due domains, the portfolio has ${items.length}`);
  return Array.from({ length: parts }, (_, p) => items.slice(p * size, (p + 1) * size));
}
