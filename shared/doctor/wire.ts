/**
 * The doctor's ports built from the real clients, the same way for the CLI and for the deployed function
 * (`{"action":"doctor"}`): the configuration as the run would load it, read-only Domain API reads, BSS,
 * one SLS record, one test message per channel, and what a live run would plan now. Nothing built here
 * can submit an order.
 */
import { randomUUID } from 'node:crypto';
import { assumeAccount, listAccountsOrThrow, type AccountsConfig } from '../accounts/index.js';
import { BssClient } from '../bss/index.js';
import { systemClock, type Clock } from '../clock/index.js';
import { ConfigError, loadConfig, loadMoneyConfig, type Env, type RedeemerConfig } from '../config/index.js';
import { DomainApiClient, SITES, type DomainSite } from '../domain-api/index.js';
import { sendTestNotifications } from '../notify/index.js';
import { keptOrdersJournal, ORDERS_READ_BACK_QUERY, prepareRun, registrarScope, SLS_TOPIC, type OrderJournal } from '../run/index.js';
import { toLogEntry } from '../run/index.js';
import type { Credentials } from '../signing/index.js';
import { SlsClient } from '../sls/index.js';
import { functionVariables, planSummary } from './checks.js';
import { readOnlyDomainApi, type AccountsProbe, type CredentialSource, type DoctorPorts } from './ports.js';
import { probeApiClock } from './probe.js';

interface DoctorContext {
  readonly env: Env;
  /** Undefined when none were found: the checks that need them say so. */
  readonly credentials: Credentials | undefined;
  readonly source: CredentialSource | undefined;
  /** Why the credentials found cannot be used, when that is why `credentials` is undefined. */
  readonly credentialsProblem?: string | undefined;
  /** What to do about `credentialsProblem`. */
  readonly credentialsFix?: string | undefined;
  readonly clock?: Clock | undefined;
  /** How long the whole doctor may take (each read is bounded by it). */
  readonly budgetMs?: number | undefined;
  /** The CLI's orders file, read only (see hostOrderJournal): what the next live run on this machine holds. */
  readonly orderJournal?: OrderJournal | undefined;
  /**
   * On FC, the function's own account as FC names it (EngineRequest.ownAccountId): the doctor reads this
   * process's orders of that account (a warm instance's earlier runs), as the next run here would.
   */
  readonly ownAccountId?: string | undefined;
  /**
   * The function's variables as FC holds them, for its 4 KB: the CLI's are s.yaml's as deployed (deployed-env.ts);
   * without it, the process's own (inside the function those are the deployed ones).
   */
  readonly functionEnv?: { readonly variables: Readonly<Record<string, string>>; readonly source: string } | undefined;
}

const OTHER_SITE: Readonly<Record<DomainSite, DomainSite>> = { intl: 'cn', cn: 'intl' };

/** The configuration, or its problems as "VARIABLE: what is wrong" lines and a fallback to check with. */
function configOrProblems(env: Env): { config: RedeemerConfig; problems: string[] } {
  try {
    return { config: loadConfig(env), problems: [] };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // The checks that can still run use the defaults for what was wrong, and what was right as it was set.
    return { config: error.fallback ?? loadConfig({}), problems: error.problems.map((p) => `${p.variable}: ${p.message}`) };
  }
}

export function buildDoctorPorts(context: DoctorContext): DoctorPorts {
  const clock = context.clock ?? systemClock;
  const deadlineMs = clock.now() + (context.budgetMs ?? 60_000);
  const { config, problems } = configOrProblems(context.env);
  const money = loadMoneyConfig(context.env).value;
  const credentials = context.credentials;
  const retry = { maxAttempts: 2 };
  const client = credentials ? new DomainApiClient({ site: config.site, endpoint: config.domainEndpoint, credentials, clock, deadlineMs, retry }) : undefined;
  const bss = credentials ? new BssClient({ site: config.site, endpoint: money.bssEndpoint, credentials, clock, deadlineMs, retry }) : undefined;
  const sls = credentials && config.sls ? new SlsClient({ target: config.sls, credentials, clock, retry }) : undefined;
  const other = OTHER_SITE[config.site];
  // The other site can only be asked on the real endpoints: an override points at one place.
  const otherClient = credentials && !config.domainEndpoint ? new DomainApiClient({ site: other, credentials, clock, deadlineMs, retry }) : undefined;
  const domains = client ? readOnlyDomainApi(client) : undefined;
  return {
    configProblems: problems,
    functionEnv: context.functionEnv?.variables ?? functionVariables(context.env),
    functionEnvSource: context.functionEnv?.source ?? "the function's own variables",
    credentials: { source: context.source, securityToken: Boolean(credentials?.securityToken), problem: context.credentialsProblem, fix: context.credentialsFix },
    site: config.site,
    domains,
    otherSite: otherClient ? { site: other, api: readOnlyDomainApi(otherClient) } : undefined,
    apiClock: credentials
      ? () =>
          // Bounded by the doctor's deadline like every other call: its own 10 s alone, against a registrar slow
          // to answer, outlasted a short function's timeout, and FC stopped the doctor before it reported.
          probeApiClock({ endpoint: config.domainEndpoint ?? SITES[config.site].endpoint, version: SITES[config.site].version, credentials, now: clock.now, timeoutMs: Math.max(1, Math.min(10_000, deadlineMs - clock.now())) })
      : undefined,
    money,
    readBalance: bss ? () => bss.queryAccountBalance() : undefined,
    writeSlsRecord: sls
      ? (record) => sls.putLogs([toLogEntry(record as unknown as Record<string, unknown>, Math.floor(clock.now() / 1000))], { topic: SLS_TOPIC, source: 'doctor' }, deadlineMs)
      : undefined,
    readSlsBack: sls
      ? async () => {
          const nowSeconds = Math.floor(clock.now() / 1000);
          await sls.logs(ORDERS_READ_BACK_QUERY, nowSeconds - 86_400, nowSeconds + 1, Math.min(deadlineMs, clock.now() + 5_000), { line: 1, offset: 0 });
        }
      : undefined,
    notifyTest:
      Object.keys(config.notify.channels).length > 0
        ? async () =>
            (await sendTestNotifications(config.notify, { runId: `doctor-${randomUUID()}`, mode: config.mode }, { deadlineMs: Math.min(deadlineMs, clock.now() + 15_000), now: clock.now, sleep: clock.sleep }))
              .filter((r) => r.status !== 'off')
              .map((r) => ({ channel: r.channel, status: r.status, code: r.code, message: r.message }))
        : undefined,
    tldRules: config.tldRules,
    planNow: async () => {
      if (!client) throw new Error('no credentials');
      // What a live run would decide now, the guard included; prepareRun sends nothing.
      // In this process's scope of the account: a warm FC instance's earlier runs' orders the registrar does not
      // list yet hold their domains in the next run here (the process registry), and did not in the doctor's
      // plan, which said it would order a domain just ordered (with no logstore to read it back from).
      const prepared = await prepareRun(
        { config, effective: { mode: 'live', requested: undefined, reason: 'doctor' }, clock, bounds: { deadlineMs, now: clock.now }, scope: registrarScope(config, context.ownAccountId) },
        // The orders a live run would hold (placed by earlier runs, not listed by the registrar yet): without
        // them the doctor said it would order a domain a run had just ordered.
        { api: readOnlyDomainApi(client), readBalance: bss ? () => bss.queryAccountBalance() : undefined, orderJournal: keptOrdersJournal(sls, clock, undefined, context.orderJournal) },
      );
      // Closed at once: an open ledger of the scope is a run of this process still going (Ledger.close).
      prepared.ledger.close();
      return planSummary(prepared.decisions.map((d) => ({ ...d, daysLeft: Number.isFinite(d.daysLeft) ? d.daysLeft : 0 })), config.notify.atRiskDays);
    },
    accounts: config.accounts ? accountsProbe(config, config.accounts, credentials, { clock, deadlineMs, retry }) : undefined,
    now: clock.now,
  };
}

/**
 * The start of every run of REDEEM_ACCOUNTS, read-only: the accounts resolved as the orchestrator does
 * (listAccountsOrThrow: a walk stopped early still gives what it listed), each role assumed with the function's
 * own credentials, and one page of that account's redemption list read with the role's.
 */
function accountsProbe(config: RedeemerConfig, accounts: AccountsConfig, credentials: Credentials | undefined, bounds: { clock: Clock; deadlineMs: number; retry: { maxAttempts: number } }): AccountsProbe {
  const calls: AccountsProbe['calls'] = credentials && {
    list: () => listAccountsOrThrow(accounts, credentials, bounds),
    probe: async (account) => {
      const assumed = await assumeAccount(account, { credentials, config: accounts, ...bounds });
      const member = readOnlyDomainApi(new DomainApiClient({ site: config.site, endpoint: config.domainEndpoint, credentials: assumed.credentials, ...bounds }));
      await member.queryDomainList({ pageNum: 1, pageSize: 1, queryType: 2 });
    },
  };
  return { source: accounts.source.kind, calls };
}
