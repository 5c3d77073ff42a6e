/**
 * What the doctor needs, as functions and read-only clients, so that it can run on a laptop, inside the
 * function, or in a test without the run. Nothing here can place an order: the Domain API port has only
 * the three reads, and readOnlyDomainApi() builds it as a new object, so not even a cast reaches a submit.
 */
import type { AccountRef } from '../accounts/index.js';
import type { MoneyConfig } from '../config/index.js';
import type { DomainReads, DomainSite } from '../domain-api/index.js';
import type { TldRules } from '../run/index.js';

/** The Domain API reads the doctor makes; there is deliberately no SaveSingleTaskForCreatingOrderRedeem. */
type DomainReadApi = DomainReads;

/** A new object holding only the read methods of `api` (a DomainApiClient, say), bound to it. */
export function readOnlyDomainApi(api: DomainReadApi): DomainReadApi {
  return Object.freeze({
    queryDomainList: (query: Parameters<DomainReadApi['queryDomainList']>[0]) => api.queryDomainList(query),
    queryTaskList: (query: Parameters<DomainReadApi['queryTaskList']>[0]) => api.queryTaskList(query),
    queryTaskDetailList: (query: Parameters<DomainReadApi['queryTaskDetailList']>[0]) => api.queryTaskDetailList(query),
  });
}

export type CredentialSource = 'context' | 'headers' | 'environment';

/** Where the credentials came from; never the credentials themselves. */
interface CredentialFacts {
  /** Undefined when none were found. */
  readonly source: CredentialSource | undefined;
  readonly securityToken: boolean;
  /** Why the credentials found cannot be used (a variable with a line break), when that is why there are none. */
  readonly problem?: string | undefined;
  /** What to do about `problem` (which variable to set or set again). */
  readonly fix?: string | undefined;
}

/** One signed API answer's Date header against the local clock (see probe.ts). */
export interface ApiClockReading {
  /** Undefined when the answer had no readable Date header. */
  readonly serverDateMs: number | undefined;
  /** The local clock halfway through the exchange. */
  readonly localMs: number;
  readonly httpStatus: number;
  /** The error code of a refused answer (e.g. InvalidTimeStamp.Expired), undefined on success. */
  readonly code: string | undefined;
}

/** One channel's test message, as the notification module reports it. */
interface NotifyTestResult {
  readonly channel: string;
  /** "ok" passes; anything else fails the check. */
  readonly status: string;
  readonly code?: string | undefined;
  /** The vendor's words and what to fix (secrets already redacted). */
  readonly message?: string | undefined;
}

/** What a live run would do now, in counts. */
export interface PlanSummary {
  readonly candidates: number;
  readonly wouldOrder: number;
  /** Due soon and not ordered by this run, for whatever reason. */
  readonly atRisk: number;
  /** Not on the allow-list, or excluded. */
  readonly heldByAllowList: number;
  /** Held back by the balance guard or the spend cap, when the plan includes it. */
  readonly heldByGuard?: number | undefined;
}

/** The one test record the doctor writes to SLS. String values only, like the run's records. */
export interface DoctorRecord {
  readonly kind: 'doctor';
  readonly doctor_id: string;
  readonly message: string;
}

export interface DoctorPorts {
  /** "VARIABLE: what is wrong" for every bad variable (loadConfig's and loadMoneyConfig's); [] when valid. */
  readonly configProblems: readonly string[];
  /** The function's own variables (see functionVariables), for FC's 4 KB limit. */
  readonly functionEnv: Readonly<Record<string, string | undefined>>;
  /** Where functionEnv comes from, said beside its size ("as s.yaml deploys it …"). */
  readonly functionEnvSource?: string | undefined;
  readonly credentials: CredentialFacts;
  readonly site: DomainSite;
  /** The configured site's reads; undefined without credentials. */
  readonly domains: DomainReadApi | undefined;
  /** The other site's reads, to tell "wrong DOMAIN_SITE" from "no domains"; optional. */
  readonly otherSite?: { readonly site: DomainSite; readonly api: DomainReadApi } | undefined;
  /** One signed QueryDomainList whose Date header is read (probeApiClock); undefined without credentials. */
  readonly apiClock: (() => Promise<ApiClockReading>) | undefined;
  readonly money: MoneyConfig;
  /** BssClient.queryAccountBalance; undefined without credentials. Called only when the guard is on. */
  readonly readBalance: (() => Promise<{ readonly available: number; readonly currency: string; readonly trustPay?: number | undefined }>) | undefined;
  /** Writes one record to the results logstore; undefined when SLS is not configured. */
  readonly writeSlsRecord?: ((record: DoctorRecord) => Promise<void>) | undefined;
  /** One GetLogs of the run's own read-backs (the day's orders); rejects when the logstore cannot be read that way. */
  readonly readSlsBack?: (() => Promise<void>) | undefined;
  /** The notification module's test ("Tell a person"); undefined or [] when no channel is configured. */
  readonly notifyTest?: (() => Promise<readonly NotifyTestResult[]>) | undefined;
  readonly tldRules: TldRules;
  /** The plan of a live run now (planSummary() of the planner's decisions, after the guard). */
  readonly planNow: () => Promise<PlanSummary>;
  /** REDEEM_ACCOUNTS: what a many-account run needs first; undefined when it is unset (no check in the report). */
  readonly accounts?: AccountsProbe | undefined;
  readonly now?: () => number;
}

/** The calls every run of REDEEM_ACCOUNTS starts with, read-only: nothing here can order. */
export interface AccountsProbe {
  /** How REDEEM_ACCOUNTS names the accounts: listed role ARNs, or rd:<role> (ResourceManager ListAccounts). */
  readonly source: 'roles' | 'directory';
  /** The calls, with the function's credentials; undefined without them. */
  readonly calls:
    | {
        /** The accounts it resolves to (ListAccounts for rd:). */
        readonly list: () => Promise<{ readonly accounts: readonly AccountRef[]; readonly listingError: unknown }>;
        /** Assumes the account's role (STS AssumeRole) and reads one page of its redemption list with it; throws as they do. */
        readonly probe: (account: AccountRef) => Promise<void>;
      }
    | undefined;
}
