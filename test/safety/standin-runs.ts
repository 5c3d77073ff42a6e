/** Runs against the registrar stand-in: the configuration, due dates, and the name forms the tests compare. */
import { domainToASCII } from 'node:url';
import { afterEach } from 'vitest';
import { startStandin, type RegistrarStandin, type StandinOptions } from '../support/registrar-standin.js';
import { quickClock, runInProcess, type Env, type InProcessRun, type JsonRecord } from './harness.js';

const DAY_MS = 86_400_000;

/** One IDN in both spellings; the punycode literal is checked against node:url's own conversion. */
export const UNICODE_NAME = '例子.中国';
export const PUNYCODE_NAME = 'xn--fsqu00a.xn--fiqs8s';
if (domainToASCII(UNICODE_NAME) !== PUNYCODE_NAME) throw new Error('the IDN fixture does not convert as expected');

/**
 * An expiration date that makes a domain due today: its estimated deadline (expiry + grace + redemption
 * - 1 day) three days away. gTLDs have 30 + 29 days, CNNIC names (cn, 中国) 30 + 14.
 */
export function dueExpiration(name: string, now = Date.now()): number {
  const cnnic = /\.(cn|xn--fiqs8s|中国)$/.test(name);
  return Math.floor(now - ((cnnic ? 44 : 59) - 1 - 3) * DAY_MS);
}

export function standinEnv(standin: RegistrarStandin, extra: Env = {}): Env {
  return { REDEEM_MODE: 'live', REDEEM_DOMAINS: '*', REDEEM_MAX_PER_RUN: '50', REDEEM_MAX_PER_DAY: '50', REDEEM_API_QPS: '1000', DOMAIN_ENDPOINT: standin.url, ...extra };
}

/** A live run against the stand-in, with retry waits cut short and a 20 s budget unless told. */
export function runAgainst(standin: RegistrarStandin, extra: { env?: Env; budgetMs?: number } = {}): Promise<InProcessRun> {
  return runInProcess(standinEnv(standin, extra.env), { budgetMs: extra.budgetMs ?? 20_000, clock: quickClock, followIntervalMs: 10 });
}

export function decisionsOf(run: InProcessRun): JsonRecord[] {
  return run.summary.decisions as unknown as JsonRecord[];
}

/** A stand-in per test, closed after it: call once in a test file, then `start(options)` in each test. */
export function standinPerTest(): (options: StandinOptions) => Promise<RegistrarStandin> {
  let current: RegistrarStandin | undefined;
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return async (options) => (current = await startStandin(options));
}
