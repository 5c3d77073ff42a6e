/**
 * Configuration from environment variables, validated with zod/mini at the edge. Bad configuration fails
 * fast with one message that names each variable and what is wrong with it; a secret is never echoed.
 */
import * as z from 'zod/mini';
import { parseAccounts, type AccountsConfig } from '../accounts/index.js';
import type { DomainSite } from '../domain-api/index.js';
import { UserError } from '../errors/index.js';
import { loadNotifyConfig, NOTIFY_VARIABLES, type NotifyConfig } from '../notify/index.js';
import { echoed, envText, type Env } from './env.js';
import { loadMoneyConfig, type MoneyConfig } from './money.js';
import { MAX_SUBMIT_CONCURRENCY, mergeTldRules, type SubmitConcurrency, type TldRules } from '../run/index.js';
import { describeIssue, describeIssues, onFirstUse } from '../validation/index.js';
import { parsePatternList, type DomainPattern } from './domain-patterns.js';
import { checkSuffixKeys } from './suffix-keys.js';

export interface SlsTarget {
  readonly endpoint: string;
  readonly project: string;
  readonly logstore: string;
}

export type { Env };

export type Mode = 'dry-run' | 'live';

export interface RedeemerConfig {
  readonly mode: Mode;
  /** Undefined when REDEEM_DOMAINS is not set (allowed only in dry-run, where it means every domain). */
  readonly allow: readonly DomainPattern[] | undefined;
  readonly exclude: readonly DomainPattern[];
  readonly withinDays: number;
  readonly maxPerRun: number;
  readonly maxPerDay: number;
  /** Follow submitted tasks this long at most; an unfinished one is the next run's to read. */
  readonly followSeconds: number;
  /** Calls per second to the Domain API at most, all of the run's calls together (REDEEM_API_QPS). */
  readonly apiQps: number;
  /**
   * Submissions of different domains in flight at once (REDEEM_SUBMIT_CONCURRENCY): 1 to 8, or `auto` (the
   * default: one at a time, so that each order's decision line is on stdout before the next is sent, unless
   * the orders left would not all be sent in time that way; see shared/run/submit-pacing.ts).
   */
  readonly submitConcurrency: SubmitConcurrency;
  readonly tldRules: TldRules;
  readonly site: DomainSite;
  readonly domainEndpoint: string | undefined;
  readonly sls: SlsTarget | undefined;
  readonly webhookSecret: string | undefined;
  readonly notify: NotifyConfig;
  /** The balance guard and the spend cap (REDEEM_PRICES, REDEEM_MIN_BALANCE, REDEEM_MAX_SPEND_PER_DAY, BSS_ENDPOINT). */
  readonly money: MoneyConfig;
  /** REDEEM_ACCOUNTS and its companions; undefined when REDEEM_ACCOUNTS is unset (one account, the function's own). */
  readonly accounts?: AccountsConfig | undefined;
}

export interface ConfigProblem {
  readonly variable: string;
  /** What is wrong; for a secret variable it never quotes the value. */
  readonly message: string;
}

/**
 * Bad configuration: one message naming every bad variable, and the problems one by one (for /healthz).
 * `fallback`, when known: the configuration with each bad variable at its default (and dry-run), for the
 * doctor's read-only checks, which must still read the account at the site and endpoint that were right.
 */
export class ConfigError extends UserError {
  override readonly name = 'ConfigError';
  constructor(
    readonly problems: readonly ConfigProblem[],
    readonly fallback?: RedeemerConfig,
  ) {
    super('bad-configuration', `Invalid configuration: ${problems.map((p) => `${p.variable}: ${p.message}`).join('; ')}`);
  }
}

/** An empty variable (as `${env('X')}` gives when X is unset) counts as unset. */
const optionalText = onFirstUse(() =>
  z.pipe(
    z.optional(z.string()),
    z.transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim())),
  ),
);

function wholeNumber(fallback: number, max: number, min = 0) {
  return z.pipe(
    optionalText(),
    z.transform((v, ctx) => {
      if (v === undefined) return fallback;
      if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
        ctx.issues.push({ code: 'custom', message: `expected a whole number from ${min} to ${max}, got ${echoed(v)}`, input: v });
        return z.NEVER;
      }
      return Number(v);
    }),
  );
}

/** REDEEM_SUBMIT_CONCURRENCY: "auto", or a whole number from 1 to 8. */
const submitConcurrency = onFirstUse(() =>
  z.pipe(
    optionalText(),
    z.transform((v, ctx): SubmitConcurrency => {
      if (v === undefined || v === 'auto') return 'auto';
      if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > MAX_SUBMIT_CONCURRENCY) {
        ctx.issues.push({ code: 'custom', message: `expected "auto" or a whole number from 1 to ${MAX_SUBMIT_CONCURRENCY}, got ${echoed(v)}`, input: v });
        return z.NEVER;
      }
      return Number(v);
    }),
  ),
);

function oneOf<const T extends readonly string[]>(values: T, fallback: T[number]) {
  return z.pipe(
    optionalText(),
    z.transform((v, ctx): T[number] => {
      if (v === undefined) return fallback;
      if (!values.includes(v)) {
        ctx.issues.push({ code: 'custom', message: `expected ${values.map((x) => `"${x}"`).join(' or ')}, got ${echoed(v)}`, input: v });
        return z.NEVER;
      }
      return v;
    }),
  );
}

const patternList = onFirstUse(() =>
  z.pipe(
    optionalText(),
    z.transform((v, ctx) => {
      if (v === undefined) return undefined;
      try {
        const patterns = parsePatternList(v);
        if (patterns.length === 0) throw new Error('no pattern in the list');
        return patterns;
      } catch (error) {
        ctx.issues.push({ code: 'custom', message: (error as Error).message, input: v });
        return z.NEVER;
      }
    }),
  ),
);

const tldRulesShape = onFirstUse(() => {
  const ruleShape = z.strictObject({
    graceDays: z.int().check(z.minimum(0), z.maximum(365)),
    redemptionDays: z.int().check(z.minimum(0), z.maximum(365)),
  });
  return z.record(z.string().check(z.minLength(1)), ruleShape);
});

const tldRules = onFirstUse(() =>
  z.pipe(
    optionalText(),
    z.transform((v, ctx): TldRules => {
      if (v === undefined) return mergeTldRules({});
      let json: unknown;
      try {
        json = JSON.parse(v);
      } catch {
        ctx.issues.push({ code: 'custom', message: 'is not JSON; expected e.g. {"com":{"graceDays":30,"redemptionDays":29}}', input: v });
        return z.NEVER;
      }
      const parsed = tldRulesShape().safeParse(json);
      if (!parsed.success) {
        ctx.issues.push({ code: 'custom', message: describeIssues(parsed.error.issues, 'rules'), input: v });
        return z.NEVER;
      }
      const keys = checkSuffixKeys(v, Object.keys(parsed.data), { allowStar: false, one: 'rule' });
      for (const message of keys.problems) ctx.issues.push({ code: 'custom', message, input: v });
      if (keys.problems.length > 0) return z.NEVER;
      return mergeTldRules(parsed.data);
    }),
  ),
);

const url = onFirstUse(() =>
  z.pipe(
    optionalText(),
    z.transform((v, ctx) => {
      if (v === undefined) return undefined;
      const candidate = /^[a-z]+:\/\//i.test(v) ? v : `https://${v}`;
      try {
        const parsed = new URL(candidate);
        if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error();
        return candidate.replace(/\/+$/, '');
      } catch {
        // echoed(), as parseEndpoint: a line pasted whole ("NOTIFY_DINGTALK_URL: https://…") is no URL, and carries a token.
        ctx.issues.push({ code: 'custom', message: `is not an http(s) URL or host name: ${echoed(v)}`, input: v });
        return z.NEVER;
      }
    }),
  ),
);

const envSchema = onFirstUse(() =>
  z.object({
    REDEEM_MODE: oneOf(['dry-run', 'live'] as const, 'dry-run'),
    REDEEM_DOMAINS: patternList(),
    REDEEM_EXCLUDE: patternList(),
    REDEEM_WITHIN_DAYS: wholeNumber(7, 365),
    REDEEM_MAX_PER_RUN: wholeNumber(10, 100_000),
    REDEEM_MAX_PER_DAY: wholeNumber(20, 100_000),
    REDEEM_FOLLOW_SECONDS: wholeNumber(300, 86_400),
    REDEEM_API_QPS: wholeNumber(20, 1_000, 1),
    REDEEM_SUBMIT_CONCURRENCY: submitConcurrency(),
    REDEEM_TLD_RULES: tldRules(),
    DOMAIN_SITE: oneOf(['intl', 'cn'] as const, 'intl'),
    DOMAIN_ENDPOINT: url(),
    SLS_ENDPOINT: url(),
    SLS_PROJECT: optionalText(),
    SLS_LOGSTORE: optionalText(),
    WEBHOOK_SECRET: optionalText(),
  }),
);

/** A "VARIABLE: what is wrong" line from another part of the configuration. */
function asProblem(line: string): ConfigProblem {
  const colon = line.indexOf(': ');
  return colon > 0 ? { variable: line.slice(0, colon), message: line.slice(colon + 2) } : { variable: '(environment)', message: line };
}

/** Rounds of settleConfig at most: each drops the variables the last one named, so a handful suffice. */
const SETTLE_ROUNDS = 8;

/** Whether `message` names one of `variables` (as a whole word: REDEEM_ACCOUNTS is not in REDEEM_ACCOUNTS_X). */
function mentions(message: string, variables: ReadonlySet<string>): boolean {
  for (const variable of variables) if (new RegExp(`(^|[^A-Z0-9_])${variable.replace(/[^A-Z0-9_]/g, '\\$&')}($|[^A-Z0-9_])`).test(message)) return true;
  return false;
}

/**
 * Every problem of the configuration, and the configuration with the bad variables at their defaults. The
 * checks are layered (the variables' own syntax first, then what they mean together: live with no
 * allow-list, the SLS trio), so a first pass that stops at a typo in one number hid the rest, and a person
 * fixed one variable per deployment. Each round drops the variables named so far and looks again; a
 * variable is named in one round only, the first that finds it wrong. What a later round says because of
 * a variable dropped (a secret "set but NOTIFY_DINGTALK_URL is not", when that URL was set, wrongly) is
 * not the person's to fix: it is not named, and that variable is dropped too. Where dropping changes
 * nothing (live with no allow-list), the fallback is a dry run; where that changes nothing either (the SLS
 * trio without its endpoint), the rest of the dropped variables' group goes (the variables that share
 * their name up to its last "_").
 */
function settleConfig(env: Env): { readonly config: RedeemerConfig | undefined; readonly problems: readonly ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const named = new Set<string>();
  let current: Env = env;
  for (let round = 0; round < SETTLE_ROUNDS; round++) {
    try {
      return { config: loadConfigOnce(current), problems };
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      // Every problem of a round (one variable may have several: two bad keys of REDEEM_TLD_RULES), none of
      // a variable an earlier round named (it was dropped: what a later round says of it is its absence),
      // none that names a dropped variable (said of its absence, not of what was set).
      const dropped = new Set(named);
      const fresh = error.problems.filter((problem) => !dropped.has(problem.variable) && !mentions(problem.message, dropped));
      for (const problem of fresh) problems.push(problem);
      for (const problem of error.problems) named.add(problem.variable);
      const next: Record<string, string | undefined> = Object.fromEntries(Object.entries(current).filter(([name]) => !error.problems.some((p) => p.variable === name)));
      if (Object.keys(next).length === Object.keys(current).length) {
        if (next.REDEEM_MODE !== undefined) delete next.REDEEM_MODE;
        else {
          const groups = error.problems.map((p) => p.variable.slice(0, p.variable.lastIndexOf('_') + 1)).filter((group) => group !== '');
          for (const name of Object.keys(next)) if (groups.some((group) => name.startsWith(group))) delete next[name];
          if (Object.keys(next).length === Object.keys(current).length) break;
        }
      }
      current = next;
    }
  }
  return { config: undefined, problems };
}

/**
 * The REDEEM_* and NOTIFY_* names the function or its deployment reads: the schema's, the money's
 * (money.ts), the accounts' (accounts-config.ts), the notifications' (notify/config.ts), and the two s.yaml
 * reads at deploy time (the region, the function's role), which a shell that deploys has set.
 */
const KNOWN_VARIABLES = onFirstUse(
  () =>
    new Set([
      ...Object.keys(envSchema().shape),
      ...['REDEEM_PRICES', 'REDEEM_MIN_BALANCE', 'REDEEM_MAX_SPEND_PER_DAY', 'REDEEM_CURRENCY', 'REDEEM_ACCOUNTS', 'REDEEM_EXTERNAL_ID', 'REDEEM_ROLE_ARN', 'REDEEM_REGION'],
      ...NOTIFY_VARIABLES,
    ]),
);

/** Edit distance (Levenshtein), for the nearest known name of a typo. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** The known name a person most likely meant by `upper` (an unknown name, upper-cased), if one is near. */
function nearestKnown(upper: string): string | undefined {
  if (/DRY_?RUN|LIVE/.test(upper)) return 'REDEEM_MODE';
  const words = (name: string) => new Set(name.split('_').filter(Boolean));
  const typed = words(upper);
  let best: { name: string; d: number } | undefined;
  for (const name of KNOWN_VARIABLES()) {
    if (!name.startsWith('REDEEM_') && !name.startsWith('NOTIFY_')) continue;
    const d = distance(upper, name);
    // Near in spelling (a third of the name's own part), or every word of one in the other (MAX_ORDER_PER_RUN).
    const known = words(name);
    const near = d <= Math.max(2, Math.floor((name.length - name.indexOf('_') - 1) / 3)) || [...known].every((w) => typed.has(w)) || [...typed].every((w) => known.has(w));
    if (near && (!best || d < best.d)) best = { name, d };
  }
  return best?.name;
}

/**
 * Each set REDEEM_* or NOTIFY_* variable (in any case) that nothing reads: a typo, or a name in the wrong
 * case, whose setting would otherwise silently keep its default. An empty one counts as unset, as every
 * variable does.
 */
function unknownVariables(env: Env): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const name of Object.keys(env)) {
    const upper = name.toUpperCase();
    if ((!upper.startsWith('REDEEM_') && !upper.startsWith('NOTIFY_')) || KNOWN_VARIABLES().has(name) || envText(env, name) === undefined) continue;
    if (KNOWN_VARIABLES().has(upper)) {
      problems.push({ variable: name, message: `is not a setting: variable names are upper case, set ${upper}` });
      continue;
    }
    const nearest = nearestKnown(upper);
    problems.push({ variable: name, message: `is not a setting of domain-redeemer${nearest ? `; did you mean ${nearest}?` : ' (README "Configuration" lists them)'}` });
  }
  return problems;
}

export function loadConfig(env: Env = process.env): RedeemerConfig {
  const unknown = unknownVariables(env);
  const { config, problems: found } = settleConfig(unknown.length > 0 ? Object.fromEntries(Object.entries(env).filter(([name]) => !unknown.some((p) => p.variable === name))) : env);
  const problems = [...unknown, ...found];
  if (problems.length > 0 || !config) throw new ConfigError(problems.length > 0 ? problems : [{ variable: '(environment)', message: 'cannot be read' }], config);
  return config;
}

function loadConfigOnce(env: Env): RedeemerConfig {
  const parsed = envSchema().safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => ({ variable: String(issue.path[0] ?? '(environment)'), message: describeIssue({ ...issue, path: [] }).replace(/^\(root\): /, '') })));
  }
  const v = parsed.data;
  const problems: ConfigProblem[] = [];
  if (v.REDEEM_MODE === 'live' && !v.REDEEM_DOMAINS) {
    problems.push({ variable: 'REDEEM_DOMAINS', message: 'required when REDEEM_MODE=live (an allow-list such as "example.com,*.example.net", or "*" for every domain)' });
  }
  const slsParts = [v.SLS_ENDPOINT, v.SLS_PROJECT, v.SLS_LOGSTORE];
  if (slsParts.some((p) => p !== undefined) && slsParts.some((p) => p === undefined)) {
    for (const name of (['SLS_ENDPOINT', 'SLS_PROJECT', 'SLS_LOGSTORE'] as const).filter((n) => v[n] === undefined)) {
      problems.push({ variable: name, message: 'required together with the other SLS_* variables' });
    }
  }
  if (v.SLS_PROJECT && !/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(v.SLS_PROJECT)) problems.push({ variable: 'SLS_PROJECT', message: `${echoed(v.SLS_PROJECT)} is not a valid project name` });
  if (v.SLS_LOGSTORE && !/^[a-z0-9][a-z0-9_-]{1,61}[a-z0-9]$/.test(v.SLS_LOGSTORE)) problems.push({ variable: 'SLS_LOGSTORE', message: `${echoed(v.SLS_LOGSTORE)} is not a valid logstore name` });
  const notify = loadNotifyConfig(env);
  if (!notify.ok) problems.push(...notify.problems.map(asProblem));
  const money = loadMoneyConfig(env);
  problems.push(...money.problems.map(asProblem));
  const accounts = parseAccounts(env);
  problems.push(...accounts.problems.map(asProblem));
  if (problems.length > 0 || !notify.ok) throw new ConfigError(problems);
  return {
    mode: v.REDEEM_MODE,
    allow: v.REDEEM_DOMAINS,
    exclude: v.REDEEM_EXCLUDE ?? [],
    withinDays: v.REDEEM_WITHIN_DAYS,
    maxPerRun: v.REDEEM_MAX_PER_RUN,
    maxPerDay: v.REDEEM_MAX_PER_DAY,
    followSeconds: v.REDEEM_FOLLOW_SECONDS,
    apiQps: v.REDEEM_API_QPS,
    submitConcurrency: v.REDEEM_SUBMIT_CONCURRENCY,
    tldRules: v.REDEEM_TLD_RULES,
    site: v.DOMAIN_SITE,
    domainEndpoint: v.DOMAIN_ENDPOINT,
    sls: v.SLS_ENDPOINT && v.SLS_PROJECT && v.SLS_LOGSTORE ? { endpoint: v.SLS_ENDPOINT, project: v.SLS_PROJECT, logstore: v.SLS_LOGSTORE } : undefined,
    webhookSecret: v.WEBHOOK_SECRET,
    notify: notify.config,
    money: money.value,
    accounts: accounts.config,
  };
}
