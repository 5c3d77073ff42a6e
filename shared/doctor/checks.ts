/**
 * The doctor's checks, each a function of its ports. A check never throws: whatever goes wrong becomes
 * its own ✘ with what to do. None of them can place an order (see ports.ts).
 */
import { mapLimit } from '../http/index.js';
import { accountErrorCause } from '../accounts/errors.js';
import { priceFor } from '../config/index.js';
import { PERMISSION_DENIED_CODES, errorCode, whatToDo, withPageSizes, type Page } from '../domain-api/index.js';
import { errorMessage, WHAT_TO_DO } from '../errors/index.js';
import { WEBHOOK_SECRET_HINT, webhookSecretProblem } from '../fc/webhook-signature.js';
import { isAtRisk } from '../notify/index.js';
import { DAY_MS, mayBeRedemption, readDomainList, ruleFor, taskListEnd } from '../run/index.js';
import { currencyMismatch } from '../run/guard.js';
import type { AccountsProbe, DoctorPorts, DoctorRecord, PlanSummary } from './ports.js';

type CheckStatus = 'pass' | 'fail' | 'off';

export interface DoctorCheck {
  readonly id: CheckId;
  readonly title: string;
  readonly status: CheckStatus;
  readonly detail: string;
  /** What to do, for every fail. */
  readonly fix?: string | undefined;
}

export type CheckId = 'config' | 'credentials' | 'clock' | 'domains' | 'tasks' | 'balance' | 'sls' | 'notify' | 'tld-coverage' | 'plan' | 'accounts';

/** FC 3.0: the function's own environment variables may total at most 4 KB. */
const FC_ENV_LIMIT_BYTES = 4096;
/** ACS3 refuses a request whose x-acs-date is more than 15 minutes off the server's clock. */
const MAX_CLOCK_SKEW_S = 15 * 60;
/** Skew worth a word while still accepted. */
const NOTABLE_CLOCK_SKEW_S = 60;
/** The prefixes of the variables the function is deployed with (s.yaml); FC_* and credentials are the platform's. */
const FUNCTION_ENV_PREFIXES = ['REDEEM_', 'DOMAIN_', 'SLS_', 'BSS_', 'NOTIFY_', 'WEBHOOK_', 'STS_', 'RESOURCE_MANAGER_'] as const;

export function functionVariables(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && FUNCTION_ENV_PREFIXES.some((prefix) => name.startsWith(prefix))) picked[name] = value;
  }
  return picked;
}

/**
 * The size FC counts against its 4 KB, measured generously: the UTF-8 length of the variables as a JSON
 * object (quotes and separators included), so that a pass here is a pass there.
 */
function environmentSize(env: Readonly<Record<string, string | undefined>>): number {
  const set = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined));
  return Buffer.byteLength(JSON.stringify(set));
}

/**
 * What to do about an API error: the run's own advice (whatToDo), except where the doctor knows better:
 * which permission this check needs (`permission`), and that a throttled doctor is simply run again.
 */
function fixForError(error: unknown, permission: string, endpointVariable = 'DOMAIN_ENDPOINT'): string {
  const code = errorCode(error);
  if (PERMISSION_DENIED_CODES.has(code)) {
    return `grant ${permission} to this identity: attach ram-policy.json to the function's role (or to the RAM user the CLI runs as)`;
  }
  if (code.startsWith('Throttling')) return 'the API throttled the doctor: run it again in a minute';
  if (code === 'NetworkError') return `check the internet access (internetAccess: true on FC) and ${endpointVariable} if it is set`;
  if (code === 'MalformedResponse') return 'the API answered something unexpected: open an issue with the message above';
  return whatToDo(error) ?? 'see "Troubleshooting by error code" in the README';
}

/** The facts one check hands to the next: the names of the domains in redemption, when they were read. */
export interface DoctorFindings {
  inRedemption?: string[] | undefined;
}

const CHECK_TITLES: Readonly<Record<CheckId, string>> = {
  config: 'configuration',
  credentials: 'credentials',
  clock: 'clock',
  domains: 'domain list (domain:QueryCommonInfo)',
  tasks: 'task ledger (domain:QueryDomainTask)',
  balance: 'balance (bss:DescribeAcccount)',
  sls: 'SLS results logstore',
  notify: 'notification channels',
  'tld-coverage': 'TLD coverage',
  plan: 'what a live run would do now',
  accounts: 'member accounts (REDEEM_ACCOUNTS: sts:AssumeRole, resourcemanager:ListAccounts)',
};

export const failed = (id: CheckId, detail: string, fix: string): DoctorCheck => ({ id, title: CHECK_TITLES[id], status: 'fail', detail, fix });
const pass = (id: CheckId, detail: string): DoctorCheck => ({ id, title: CHECK_TITLES[id], status: 'pass', detail });
const off = (id: CheckId, detail: string): DoctorCheck => ({ id, title: CHECK_TITLES[id], status: 'off', detail });
const NO_CREDENTIALS = 'not checked: no credentials (check 2)';
const CREDENTIALS_FIX = 'fix the credentials first (check 2)';

export function checkConfig(ports: Pick<DoctorPorts, 'configProblems' | 'functionEnv' | 'functionEnvSource'>): DoctorCheck {
  const size = environmentSize(ports.functionEnv);
  const source = ports.functionEnvSource ? ` (${ports.functionEnvSource})` : '';
  const sizeText = `environment ${size.toLocaleString('en-US')} of ${FC_ENV_LIMIT_BYTES.toLocaleString('en-US')} bytes${source}`;
  const problems = [...ports.configProblems];
  if (size > FC_ENV_LIMIT_BYTES) problems.push(`the function's variables total ${size} bytes${source}, above FC's ${FC_ENV_LIMIT_BYTES}-byte limit`);
  // Not a configuration error (a run does not use it, and a daily run must not fail for it), but the webhook
  // refuses every request: the doctor is where a person setting the webhook up looks.
  const weakSecret = webhookSecretProblem(ports.functionEnv.WEBHOOK_SECRET);
  if (weakSecret) problems.push(weakSecret);
  if (problems.length > 0) {
    const fix = size > FC_ENV_LIMIT_BYTES ? 'correct the variables named; shorten the longest (REDEEM_TLD_RULES, REDEEM_PRICES, lists) to fit 4 KB' : 'correct the variables named, then run the doctor again';
    return failed('config', `${problems.length} problem${problems.length > 1 ? 's' : ''}: ${problems.join('; ')}`, weakSecret ? `${fix}; a new WEBHOOK_SECRET: ${WEBHOOK_SECRET_HINT}` : fix);
  }
  return pass('config', `valid; ${sizeText}`);
}

export function checkCredentials(ports: Pick<DoctorPorts, 'credentials'>): DoctorCheck {
  const { source, securityToken, problem, fix } = ports.credentials;
  if (!source && problem) return failed('credentials', problem, fix ?? 'set the variable again as it was issued, without that character (a value read from a file keeps its line break)');
  if (!source) {
    return failed('credentials', 'none found in the FC context, the x-fc-access-key-* headers or ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET', "give the function a role (REDEEM_ROLE_ARN in s.yaml); for the CLI set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET");
  }
  const where = { context: "FC's context (the function's role)", headers: "FC's x-fc-access-key-* headers (the function's role)", environment: 'the ALIBABA_CLOUD_* variables' }[source];
  const token = securityToken ? 'STS token present' : 'no STS token: a long-term AccessKey, whose permissions may differ from the function role\'s';
  return pass('credentials', `from ${where}; ${token}`);
}

export async function checkClock(ports: Pick<DoctorPorts, 'apiClock'>): Promise<DoctorCheck> {
  if (!ports.apiClock) return failed('clock', NO_CREDENTIALS, CREDENTIALS_FIX);
  try {
    const reading = await ports.apiClock();
    if (reading.serverDateMs === undefined) {
      return failed('clock', `the API's answer (HTTP ${reading.httpStatus}) had no Date header to compare with`, 'check DOMAIN_ENDPOINT: the answer did not come from the Domain API');
    }
    // The Date header is truncated to the second: the server's time was within the following second.
    const skew = Math.round((reading.localMs - (reading.serverDateMs + 500)) / 1000);
    const text = skew === 0 ? "in step with the API's clock (0 s)" : `${Math.abs(skew)} s ${skew > 0 ? 'ahead of' : 'behind'} the API's clock`;
    if (Math.abs(skew) > MAX_CLOCK_SKEW_S || reading.code === 'InvalidTimeStamp.Expired') {
      return failed('clock', `${text}; ACS3 refuses more than ${MAX_CLOCK_SKEW_S / 60} minutes${reading.code ? ` (the API answered ${reading.code})` : ''}`, 'set the clock right (enable NTP: timedatectl set-ntp true, or your OS settings)');
    }
    return pass('clock', Math.abs(skew) >= NOTABLE_CLOCK_SKEW_S ? `${text}: accepted (the limit is ${MAX_CLOCK_SKEW_S} s), but worth fixing with NTP` : text);
  } catch (error) {
    return failed('clock', errorMessage(error), fixForError(error, 'domain:QueryCommonInfo'));
  }
}

async function countOf(first: Promise<Pick<Page<unknown>, 'items' | 'totalItems' | 'hasNext'>>): Promise<string> {
  const page = await first;
  return page.totalItems !== undefined ? String(page.totalItems) : page.hasNext ? `${page.items.length}+` : String(page.items.length);
}

export async function checkDomains(ports: Pick<DoctorPorts, 'domains' | 'site' | 'otherSite'>, findings: DoctorFindings): Promise<DoctorCheck> {
  if (!ports.domains) return failed('domains', NO_CREDENTIALS, CREDENTIALS_FIX);
  const api = ports.domains;
  try {
    // The run's own bounded walk: one domain however often a page lists it, and a registrar that ignores
    // PageNum stops at the repeated page instead of being counted again and again. The doctor's own
    // deadline for each check bounds the time.
    const list = await readDomainList(api, { deadlineMs: Number.POSITIVE_INFINITY, now: Date.now });
    const names = list.candidates.map((c) => c.domainName);
    findings.inRedemption = names;
    const renewal = await countOf(api.queryDomainList({ pageNum: 1, pageSize: 1, queryType: 1 }));
    const counts = `${names.length} in redemption, ${renewal} needing renewal (QueryDomainList, DOMAIN_SITE=${ports.site})`;
    // A list the registrar serves short would leave due domains unseen by every run: the doctor says so.
    if (list.unread) return failed('domains', `${counts}; ${list.unread}`, 'the registrar is not paging QueryDomainList as documented: report it to Alibaba Cloud support with the RequestId of a run');
    if (names.length > 0 || renewal !== '0') return pass('domains', counts);
    const total = await countOf(api.queryDomainList({ pageNum: 1, pageSize: 1 }));
    if (total !== '0') return pass('domains', `${counts}; ${total} domains in all`);
    if (!ports.otherSite) return pass('domains', `${counts}; no domain at all on this site`);
    let other: string;
    try {
      other = await countOf(ports.otherSite.api.queryDomainList({ pageNum: 1, pageSize: 1 }));
    } catch (error) {
      return pass('domains', `${counts}; no domain on this site, and the ${ports.otherSite.site} site could not be asked (${errorCode(error)})`);
    }
    if (other === '0') return pass('domains', `${counts}; no domain on either site`);
    return failed('domains', `DOMAIN_SITE=${ports.site} lists no domain, but the ${ports.otherSite.site} site lists ${other}`, `set DOMAIN_SITE=${ports.otherSite.site}`);
  } catch (error) {
    findings.inRedemption = undefined;
    return failed('domains', errorMessage(error), fixForError(error, 'domain:QueryCommonInfo'));
  }
}

export async function checkTasks(ports: Pick<DoctorPorts, 'domains' | 'now'>): Promise<DoctorCheck> {
  if (!ports.domains) return failed('tasks', NO_CREDENTIALS, CREDENTIALS_FIX);
  const nowMs = (ports.now ?? Date.now)();
  try {
    // In smaller pages if the registrar refuses 100 (InvalidPageSize), as the run's ledger reads it.
    const domains = ports.domains;
    const list = await withPageSizes(100, (pageSize) => domains.queryTaskList({ pageNum: 1, pageSize, beginCreateTime: nowMs - 7 * DAY_MS, endCreateTime: taskListEnd(nowMs) }));
    const total = list.totalItems ?? list.items.length;
    const counted = list.items.filter((t) => mayBeRedemption(t.TaskType));
    // A type the vendor never documented is counted as a redemption by the ledger: worth seeing by name.
    const undocumented = [...new Set(counted.map((t) => t.TaskType).filter((type) => type !== 'ORDER_REDEEM'))].slice(0, 3);
    const types = undocumented.length > 0 ? `, with undocumented types counted as redemptions: ${undocumented.map((t) => JSON.stringify(t.slice(0, 40))).join(', ')}` : '';
    const listed = `QueryTaskList: ${total} task${total === 1 ? '' : 's'} in the last 7 days (${counted.length} redeem on the first page${types})`;
    const first = list.items[0];
    if (!first) return pass('tasks', `${listed}; QueryTaskDetailList not needed (no task to look into; the same permission covers it)`);
    const details = await ports.domains.queryTaskDetailList({ taskNo: first.TaskNo, pageNum: 1, pageSize: 100 });
    return pass('tasks', `${listed}; QueryTaskDetailList: ${details.totalItems ?? details.items.length} detail(s) for task ${first.TaskNo}`);
  } catch (error) {
    return failed('tasks', errorMessage(error), fixForError(error, 'domain:QueryDomainTask'));
  }
}

function money(n: number): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 4 });
}

export async function checkBalance(ports: Pick<DoctorPorts, 'money' | 'readBalance'>, findings: DoctorFindings): Promise<DoctorCheck> {
  const { money: settings } = ports;
  if (!settings.guard) return off('balance', 'guard off: none of REDEEM_MIN_BALANCE, REDEEM_PRICES, REDEEM_MAX_SPEND_PER_DAY is set, so the balance is not read');
  if (!ports.readBalance) return failed('balance', NO_CREDENTIALS, CREDENTIALS_FIX);
  let balance: { available: number; currency: string; trustPay?: number | undefined };
  try {
    balance = await ports.readBalance();
  } catch (error) {
    return failed('balance', `${errorMessage(error)}; with the guard on, a run submits nothing (balance-unknown)`, fixForError(error, 'bss:DescribeAcccount (the fourth statement of ram-policy.json)', 'BSS_ENDPOINT'));
  }
  const { available, currency, trustPay } = balance;
  // The console shows AvailableAmount with the trust pay in it: said, so the two figures can be squared.
  const left = trustPay ? ` (MybankCreditAmount ${money(trustPay)} left out: domain orders cannot be paid with 信任付 trust pay)` : '';
  const have = `${money(available)} ${currency} available${left}, REDEEM_MIN_BALANCE ${money(settings.minBalance)}`;
  // The run holds every order on a mismatch (guard.ts readBalanceForGuard): the doctor says so first.
  const mismatch = currencyMismatch(currency, settings.currency);
  if (mismatch) return failed('balance', `${have}; ${mismatch.message}: a run submits nothing (balance-unknown)`, mismatch.fix ?? '');
  // Without REDEEM_CURRENCY nothing tells the prices' currency from the account's: said with every pass.
  const pinned = settings.currency !== undefined ? `the amounts are in ${currency} (REDEEM_CURRENCY)` : `the amounts are taken to be in ${currency}: set REDEEM_CURRENCY=${currency} so that a run holds its orders if they are not`;
  const prices = settings.prices;
  if (!prices) {
    if (available > settings.minBalance) return pass('balance', `${have}; without REDEEM_PRICES each order only needs the balance above the minimum; ${pinned}`);
    return failed('balance', `${have}: not above the minimum, so no order would be submitted (insufficient-balance)`, `top up the account, or lower REDEEM_MIN_BALANCE`);
  }
  const names = findings.inRedemption ?? [];
  const unpriced = [...new Set(names.filter((name) => !priceFor(name, prices)).map((name) => ruleFor(name, {}).tld))];
  if (unpriced.length > 0) {
    return failed('balance', `${have}; REDEEM_PRICES has no price for ${unpriced.join(', ')} (domains in redemption) and no "*": those are never ordered`, `add ${unpriced.map((t) => `"${t}"`).join(', ')} or "*" to REDEEM_PRICES (the registry's redemption fee, in ${currency})`);
  }
  const wanted = names.map((name) => priceFor(name, prices)!.price);
  const cheapest = wanted.length > 0 ? Math.min(...wanted) : Math.min(...Object.values(prices));
  const headroom = available - settings.minBalance;
  if (headroom < cheapest) {
    return failed('balance', `${have}: not enough for one order at ${money(cheapest)} ${currency} (the cheapest ${wanted.length > 0 ? 'domain in redemption' : 'price'})`, `top up the account by at least ${money(cheapest - headroom)} ${currency}, or lower REDEEM_MIN_BALANCE`);
  }
  const all = wanted.reduce((sum, price) => sum + price, 0);
  const cover = wanted.length === 0 ? 'no domain in redemption now' : headroom >= all ? `covers all ${wanted.length} domains in redemption (${money(all)} ${currency})` : `covers some of the ${wanted.length} domains in redemption (${money(all)} ${currency} for all), the most urgent first`;
  const cap = settings.maxSpendPerDay === undefined ? '' : `; REDEEM_MAX_SPEND_PER_DAY ${money(settings.maxSpendPerDay)}`;
  return pass('balance', `${have}; ${cover}${cap}; ${pinned}`);
}

/** What the run's read-backs of the results logstore ask (its own records, by field): what the doctor's fix names. */
const READ_BACK_NEEDS = 'log:GetLogStoreLogs on that logstore and a field index on `kind`, `action`, `notify` and `account_id` (text; SLS takes about a minute to apply a new index)';

export async function checkSls(ports: Pick<DoctorPorts, 'writeSlsRecord' | 'readSlsBack'>, record: DoctorRecord): Promise<DoctorCheck> {
  if (!ports.writeSlsRecord) return off('sls', 'SLS_ENDPOINT, SLS_PROJECT, SLS_LOGSTORE not set: results go to stdout only');
  try {
    await ports.writeSlsRecord(record);
  } catch (error) {
    // The refusal's own fix (SLS_PROJECT for ProjectNotExist, the clock…) first, then what the check knows.
    const [said, fix] = errorMessage(error).split(WHAT_TO_DO, 2) as [string, string | undefined];
    return failed('sls', said, `${fix ? `${fix}; otherwise ` : ''}the identity needs log:PostLogStoreLogs (and log:GetLogStoreLogs, to read the previous run back) on that logstore (ram-policy.json, third statement); check SLS_ENDPOINT, SLS_PROJECT and SLS_LOGSTORE`);
  }
  const written = `one kind: doctor record written (doctor_id ${record.doctor_id})`;
  if (!ports.readSlsBack) return pass('sls', written);
  // The run reads its own records back: the day's orders (so that a fresh instance does not order a
  // domain another run has just ordered) and the previous run's message. Without the index or the
  // permission those reads find nothing, and the run cannot say so: here is where a person learns it.
  try {
    await ports.readSlsBack();
  } catch (error) {
    return failed('sls', `${written}, but it cannot be read back: ${errorMessage(error)}; the run's own read-backs (the day's orders of other instances, the previous run's message) find nothing`, `give the identity ${READ_BACK_NEEDS}`);
  }
  return pass('sls', `${written} and read back (GetLogs by field answers)`);
}

export async function checkNotify(ports: Pick<DoctorPorts, 'notifyTest'>): Promise<DoctorCheck> {
  if (!ports.notifyTest) return off('notify', 'no channel configured');
  try {
    const results = await ports.notifyTest();
    if (results.length === 0) return off('notify', 'no channel configured');
    const bad = results.filter((r) => r.status !== 'ok');
    const list = results.map((r) => `${r.channel} ${r.status}${r.code ? ` (${r.code})` : ''}`).join(', ');
    if (bad.length === 0) return pass('notify', `one test message each: ${list}`);
    // The channel's own words say what to fix (a DingTalk keyword or IP whitelist is no URL, token or secret).
    const why = bad.filter((r) => r.message).map((r) => `${r.channel}: ${r.message}`);
    return failed('notify', list, `${why.length > 0 ? `${why.join('; ')}; otherwise ` : ''}check the URL, token or secret of ${bad.map((r) => r.channel).join(', ')} (the NOTIFY_* variables)`);
  } catch (error) {
    return failed('notify', errorMessage(error), 'check the NOTIFY_* variables');
  }
}

export function checkTldCoverage(ports: Pick<DoctorPorts, 'tldRules'>, findings: DoctorFindings): DoctorCheck {
  const names = findings.inRedemption;
  if (!names) return failed('tld-coverage', 'not checked: the redemption list could not be read (check 4)', 'fix check 4 first');
  const assumed = new Map<string, number>();
  for (const name of names) {
    const rule = ruleFor(name, ports.tldRules);
    if (!rule.known) assumed.set(rule.tld, (assumed.get(rule.tld) ?? 0) + 1);
  }
  if (assumed.size === 0) return pass('tld-coverage', `every TLD of the ${names.length} domains in redemption has a deadline rule`);
  const list = [...assumed].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([tld, n]) => `${tld} (${n})`);
  return failed(
    'tld-coverage',
    `${assumed.size} TLD${assumed.size > 1 ? 's' : ''} not in the deadline rules (rules: assumed, 30 + 14 days): ${list.join(', ')}`,
    `look up each registry's grace and redemption periods and add them to REDEEM_TLD_RULES, e.g. {"${[...assumed.keys()][0]}":{"graceDays":30,"redemptionDays":30}}`,
  );
}

export async function checkPlan(ports: Pick<DoctorPorts, 'planNow'>): Promise<DoctorCheck> {
  try {
    const p: PlanSummary = await ports.planNow();
    const guard = p.heldByGuard ? `, held back by the guard ${p.heldByGuard}` : '';
    return pass('plan', `would order ${p.wouldOrder}, at risk ${p.atRisk}, held back by the allow-list ${p.heldByAllowList}${guard} (of ${p.candidates} in redemption)`);
  } catch (error) {
    return failed('plan', errorMessage(error), fixForError(error, 'domain:QueryCommonInfo and domain:QueryDomainTask'));
  }
}

/** Member accounts asked at once: STS and ResourceManager quotas are the whole account's. */
const ACCOUNTS_AT_ONCE = 4;
/** Accounts named in a failed check's detail; the rest are counted. */
const ACCOUNTS_NAMED = 5;

function accountFix(error: unknown): string {
  const cause = accountErrorCause(error);
  return whatToDo(cause) ?? fixForError(cause, 'the permission named above');
}

/**
 * What every run of REDEEM_ACCOUNTS does before it reads a domain: resolve the accounts (ListAccounts for
 * rd:<role>), assume the role in each, read its redemption list with that role. Checks 1 to 10 look at the
 * doctor's own account only; without this one a role that does not exist, a trust policy that wants an
 * external id, or a member role without the Domain API permission passed the doctor, and every run of
 * that account then failed.
 */
export async function checkAccounts(probe: AccountsProbe, time: { readonly now: () => number; readonly stopAtMs: number } = { now: Date.now, stopAtMs: Number.POSITIVE_INFINITY }): Promise<DoctorCheck> {
  const calls = probe.calls;
  if (!calls) return failed('accounts', NO_CREDENTIALS, CREDENTIALS_FIX);
  let listed: Awaited<ReturnType<typeof calls.list>>;
  try {
    listed = await calls.list();
  } catch (error) {
    return failed('accounts', errorMessage(error), accountFix(error));
  }
  const { accounts, listingError } = listed;
  // A directory of thousands does not fit in the check's time: no account is started after stopAtMs, so
  // the check reports what it found (and how many it did not get to) instead of timing out with nothing.
  // Each probe catches its own failure: mapLimit never stops early.
  const tried = await mapLimit(accounts, ACCOUNTS_AT_ONCE, async (account) => {
    if (time.now() >= time.stopAtMs) return 'untried' as const;
    return calls.probe(account).then(
      () => 'ok' as const,
      (error: unknown) => ({ id: account.id, error }),
    );
  });
  const problems = tried.filter((t): t is { id: string; error: unknown } => typeof t === 'object');
  const untried = tried.filter((t) => t === 'untried').length;
  const how = probe.source === 'directory' ? 'listed by ResourceManager' : 'listed in REDEEM_ACCOUNTS';
  const notes: string[] = [];
  const fixes = new Set<string>();
  if (listingError !== undefined) {
    notes.push(`the account list stopped early (${errorMessage(listingError)}): only the ${accounts.length} listed before were checked`);
    fixes.add(accountFix(listingError));
  }
  if (untried > 0) {
    notes.push(`${untried} of the ${accounts.length} accounts were not tried in the doctor's time (${accounts.length - untried} were)`);
    fixes.add('run the doctor again with REDEEM_ACCOUNTS set to the role ARNs of the others (a few dozen at a time)');
  }
  if (problems.length > 0) {
    const named = problems.slice(0, ACCOUNTS_NAMED).map((p) => `${p.id} (${errorCode(p.error)}: ${errorMessage(p.error)})`);
    const more = problems.length > ACCOUNTS_NAMED ? `, and ${problems.length - ACCOUNTS_NAMED} more` : '';
    notes.unshift(`${problems.length} of ${accounts.length} accounts ${how} cannot be run: ${named.join('; ')}${more}`);
    for (const p of problems) fixes.add(accountFix(p.error));
  }
  if (notes.length > 0) return failed('accounts', notes.join('; '), [...fixes].join('; '));
  if (accounts.length === 0) return failed('accounts', `no account ${how}`, 'check REDEEM_ACCOUNTS: a Resource Directory with no member leaves nothing to guard');
  return pass('accounts', `${accounts.length} accounts ${how}: each role assumed and its redemption list read (QueryDomainList) with it`);
}

/** Skip reasons that mean "the allow-list or the deny-list keeps it out". */
const ALLOW_LIST_REASONS = new Set(['not-allowed', 'excluded']);
const GUARD_REASONS = new Set(['insufficient-balance', 'cap-spend-per-day', 'balance-unknown']);

/**
 * Counts a live plan (the planner's decisions, with the guard's hold-backs as skip reasons). At risk:
 * deadline within `atRiskDays` (NOTIFY_AT_RISK_DAYS, default 3) and not ordered by this run.
 */
export function planSummary(decisions: ReadonlyArray<{ readonly action: string; readonly reason: string; readonly daysLeft: number }>, atRiskDays = 3): PlanSummary {
  let wouldOrder = 0;
  let atRisk = 0;
  let heldByAllowList = 0;
  let heldByGuard = 0;
  for (const d of decisions) {
    if (d.action === 'redeem') wouldOrder++;
    else {
      if (isAtRisk(d.daysLeft, d.reason, atRiskDays)) atRisk++;
      if (ALLOW_LIST_REASONS.has(d.reason)) heldByAllowList++;
      if (GUARD_REASONS.has(d.reason)) heldByGuard++;
    }
  }
  return { candidates: decisions.length, wouldOrder, atRisk, heldByAllowList, heldByGuard };
}
