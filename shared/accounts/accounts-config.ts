/**
 * REDEEM_ACCOUNTS and its companions, read from the environment. Problems come back as strings
 * "VARIABLE: what is wrong" for the configuration loader to join with its own; no value that might be
 * sensitive (the external id) is echoed. Unset REDEEM_ACCOUNTS means today's single-account run.
 */
import * as z from 'zod/mini';
import { echoed, envText, parseEndpoint, type Env } from '../config/index.js';
import { AccountListingError } from './errors.js';
import type { Credentials } from '../signing/index.js';
import type { CallBounds } from './bounds.js';
import { onFirstUse } from '../validation/index.js';
import { RESOURCE_MANAGER_DEFAULT_ENDPOINT, accountNumber, listAccounts, type AccountListing, type MemberAccount } from './resource-manager.js';
import { STS_DEFAULT_ENDPOINT } from './sts.js';

/** One account to guard: its id and the role to assume there. */
export interface AccountRef {
  readonly id: string;
  readonly roleArn: string;
}

type AccountsSource =
  | { readonly kind: 'roles'; readonly accounts: readonly AccountRef[] }
  /** rd:<role-name>: every member of the Resource Directory, with that role in each. */
  | { readonly kind: 'directory'; readonly roleName: string };

export interface AccountsConfig {
  readonly source: AccountsSource;
  readonly externalId: string | undefined;
  readonly stsEndpoint: string;
  readonly resourceManagerEndpoint: string;
  /** FC_ENDPOINT; undefined means {accountId}.{region}.fc.aliyuncs.com. */
  readonly fcEndpoint: string | undefined;
}

/** Far more than fits in FC's 4 KB of environment variables; a bound on what one variable may ask. */
export const MAX_LISTED_ACCOUNTS = 200;

const ROLE_NAME = /^[A-Za-z0-9._-]{1,64}$/;
const ROLE_ARN = /^acs:ram::(\d{1,32}):role\/([^/]+)$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;

/**
 * An account id is a number (accountNumber). Listed both ways, one account would run twice (two per-run
 * caps, two logstore read-backs apart, and in the CLI two runs at once that may both order one domain).
 */
function sameAccount(a: string, b: string): boolean {
  return accountNumber(a) === accountNumber(b);
}

function roleArnFor(accountId: string, roleName: string): string {
  return `acs:ram::${accountId}:role/${roleName}`;
}

/** acs:ram::<account-id>:role/<role-name>, or undefined when it is not of that shape. */
function parseRoleArn(text: string): AccountRef | undefined {
  const match = ROLE_ARN.exec(text);
  if (!match || !ROLE_NAME.test(match[2]!)) return undefined;
  return { id: match[1]!, roleArn: text };
}

/** A host name or an http(s) URL, read as BSS_ENDPOINT and the other *_ENDPOINT variables are. */
function endpoint(env: Env, name: string, fallback: string | undefined, problems: string[]): string | undefined {
  const value = envText(env, name);
  return value === undefined ? fallback : (parseEndpoint(name, value, problems) ?? fallback);
}

function parseSource(value: string, problems: string[]): AccountsSource | undefined {
  if (value.startsWith('rd:')) {
    const roleName = value.slice(3).trim();
    if (!ROLE_NAME.test(roleName)) {
      problems.push('REDEEM_ACCOUNTS: "rd:" must be followed by one role name (1 to 64 of A-Z a-z 0-9 . _ -), alone in the variable');
      return undefined;
    }
    return { kind: 'directory', roleName };
  }
  const entries = value.split(',').map((part) => part.trim()).filter(Boolean);
  const accounts: AccountRef[] = [];
  const bad: string[] = [];
  const twice = new Set<string>();
  for (const entry of entries) {
    const ref = parseRoleArn(entry);
    if (!ref) bad.push(entry.startsWith('rd:') ? `${entry} ("rd:" cannot be mixed with role ARNs)` : entry.startsWith('acs:') ? `"${entry}"` : echoed(entry));
    else if (accounts.some((a) => sameAccount(a.id, ref.id))) twice.add(ref.id);
    else accounts.push(ref);
  }
  if (bad.length > 0) problems.push(`REDEEM_ACCOUNTS: not role ARNs of the form acs:ram::<account-id>:role/<role-name>: ${bad.slice(0, 5).join(', ')}`);
  // Two runs in one account at once would each count the caps alone: one role per account.
  if (twice.size > 0) problems.push(`REDEEM_ACCOUNTS: account ${[...twice].join(', ')} listed more than once; give one role per account`);
  if (accounts.length > MAX_LISTED_ACCOUNTS) problems.push(`REDEEM_ACCOUNTS: ${accounts.length} accounts, at most ${MAX_LISTED_ACCOUNTS}; use rd:<role-name> for a Resource Directory`);
  if (entries.length === 0) problems.push('REDEEM_ACCOUNTS: no role ARN in the list');
  return bad.length > 0 || twice.size > 0 || entries.length === 0 ? undefined : { kind: 'roles', accounts };
}

/**
 * The multi-account configuration, or undefined when REDEEM_ACCOUNTS is unset. Every problem found is
 * listed; `config` is undefined whenever `problems` is not empty.
 */
export function parseAccounts(env: Env): { readonly config: AccountsConfig | undefined; readonly problems: readonly string[] } {
  const problems: string[] = [];
  const raw = envText(env, 'REDEEM_ACCOUNTS');
  const externalId = envText(env, 'REDEEM_EXTERNAL_ID');
  if (raw === undefined) {
    if (externalId !== undefined) problems.push('REDEEM_EXTERNAL_ID: set, but REDEEM_ACCOUNTS is not (it is only passed to AssumeRole)');
    return { config: undefined, problems };
  }
  const source = parseSource(raw, problems);
  if (externalId !== undefined && !EXTERNAL_ID.test(externalId)) {
    problems.push('REDEEM_EXTERNAL_ID: expected 2 to 1224 of A-Z a-z 0-9 _ + = , . @ : / -');
  }
  const stsEndpoint = endpoint(env, 'STS_ENDPOINT', STS_DEFAULT_ENDPOINT, problems)!;
  const resourceManagerEndpoint = endpoint(env, 'RESOURCE_MANAGER_ENDPOINT', RESOURCE_MANAGER_DEFAULT_ENDPOINT, problems)!;
  const fcEndpoint = endpoint(env, 'FC_ENDPOINT', undefined, problems);
  if (problems.length > 0 || !source) return { config: undefined, problems };
  return { config: { source, externalId, stsEndpoint, resourceManagerEndpoint, fcEndpoint }, problems };
}

/** Member accounts to refs, with the configured role name in each. */
function refsForMembers(roleName: string, members: readonly MemberAccount[]): AccountRef[] {
  return members.map((member) => ({ id: member.id, roleArn: roleArnFor(member.id, roleName) }));
}

/**
 * The accounts REDEEM_ACCOUNTS stands for: the listed roles as they are, or every member of the
 * Resource Directory (one ListAccounts walk). A walk that stops early throws AccountListingError.
 */
export async function resolveAccounts(config: AccountsConfig, listAccounts: () => Promise<AccountListing>): Promise<AccountRef[]> {
  if (config.source.kind === 'roles') return [...config.source.accounts];
  const listing = await listAccounts();
  return refsForMembers(config.source.roleName, listing.accounts);
}

/** What to do with the accounts a stopped walk had listed (they are real members, and still guarded). */
function partialRefs(config: AccountsConfig, error: unknown): AccountRef[] {
  if (config.source.kind !== 'directory' || !(error instanceof AccountListingError)) return [];
  return refsForMembers(config.source.roleName, error.partial);
}

/**
 * resolveAccounts that never throws: a walk that failed or stopped early gives the accounts it had
 * listed (possibly none) and its error, for the caller to guard those and report the rest.
 */
export async function settleAccounts(config: AccountsConfig, listAccounts: () => Promise<AccountListing>): Promise<{ readonly accounts: AccountRef[]; readonly listingError: unknown }> {
  try {
    return { accounts: await resolveAccounts(config, listAccounts), listingError: undefined };
  } catch (error) {
    return { accounts: partialRefs(config, error), listingError: error };
  }
}

/** The one ListAccounts walk REDEEM_ACCOUNTS=rd:<role> needs, with the function's own credentials. */
export function directoryLister(config: AccountsConfig, credentials: Credentials, bounds: CallBounds): () => Promise<AccountListing> {
  return () => listAccounts({ credentials, endpoint: config.resourceManagerEndpoint, ...bounds });
}

/**
 * The accounts REDEEM_ACCOUNTS resolves to, listed with the function's own credentials. A walk that
 * stopped early still vouches for the accounts it listed (its error comes back with them); one that
 * listed none vouches for none, and its error is thrown.
 */
export async function listAccountsOrThrow(config: AccountsConfig, credentials: Credentials, bounds: CallBounds): Promise<{ readonly accounts: AccountRef[]; readonly listingError: unknown }> {
  const settled = await settleAccounts(config, directoryLister(config, credentials, bounds));
  if (settled.accounts.length === 0 && settled.listingError !== undefined) throw settled.listingError;
  return settled;
}

/** The account an event names, as it must look: nothing more than {id, roleArn}. */
export const accountRefSchema = onFirstUse(() =>
  z.strictObject({
    id: z.string().check(z.regex(/^\d{1,32}$/)),
    roleArn: z.string().check(z.maxLength(200)),
  }),
);
