/**
 * The fan-out. An orchestrating run resolves REDEEM_ACCOUNTS and hands each account to its own
 * asynchronous invocation of this function; an account run checks the account it was handed against the
 * same list and assumes the role there. One account that cannot be listed, assumed or invoked is
 * reported and does not stop the others.
 */
import type { Clock } from '../clock/index.js';
import { mapLimit } from '../http/index.js';
import type { Credentials } from '../signing/index.js';
import { describeIssues } from '../validation/index.js';
import { accountRefSchema, settleAccounts, type AccountRef, type AccountsConfig } from './accounts-config.js';
import type { CallBounds } from './bounds.js';
import { AccountNotAuthorizedError, PayloadTooLargeError, accountErrorCode, accountErrorMessage } from './errors.js';
import { mayHaveBeenQueued, type AsyncInvocation } from './fc-invoke.js';
import type { AccountListing } from './resource-manager.js';
import { assumeRole, durationForTimeout, type AssumedRole } from './sts.js';

/** Half of FC's 128 KB asynchronous limit: room for FC's own envelope and for a margin. */
const ACCOUNT_PAYLOAD_LIMIT = 64 * 1024;
const DEFAULT_CONCURRENCY = 8;

/**
 * One `kind: account` record per account an orchestrating run handed on. The run's identity (run_id,
 * trigger, fc_request_id, mode) is stamped by the logger, as on every other record.
 */
export interface AccountFields {
  readonly kind: 'account';
  readonly account_id: string;
  readonly role_arn: string;
  readonly outcome: 'invoked' | 'failed';
  /** x-fc-request-id of the account run's invocation. */
  readonly invocation_request_id?: string | undefined;
  readonly error_code?: string | undefined;
  readonly error_message?: string | undefined;
  /**
   * A failed hand-on that FC may have taken all the same (the request went out, no refusal came back): the
   * account run may be running, and is not invoked again. A person must not read it as "not run".
   */
  readonly maybe_queued?: true | undefined;
  readonly duration_ms: number;
}

interface OrchestrateOptions {
  readonly config: AccountsConfig;
  /** The run options as validated for this run; each account run receives them with `account` added. */
  readonly runOptions: Readonly<Record<string, unknown>>;
  /** Account ids a webhook narrowed the run to: each must be in the resolved list, or nothing runs. */
  readonly narrowTo?: readonly string[] | undefined;
}

interface OrchestrateDeps {
  /** One ListAccounts walk (used only for rd:<role-name>). */
  readonly listAccounts: () => Promise<AccountListing>;
  /** Hands one account on: an asynchronous invocation of this function with `payload` as the event. */
  readonly invoke: (payload: string, account: AccountRef) => Promise<AsyncInvocation>;
  readonly writeRecord: (record: AccountFields) => void | Promise<void>;
  readonly concurrency?: number | undefined;
  readonly clock: Pick<Clock, 'now'>;
  /**
   * Epoch ms: no hand-on starts after it. One sent later may outlive the run's wait for its answer, and
   * then nobody knows whether FC took it ("may have been handed on"); one not sent is certainly not run,
   * told so, and the next run hands it on.
   */
  readonly handOnByMs?: number | undefined;
}

export interface OrchestrateResult {
  readonly count_accounts: number;
  readonly count_invoked: number;
  readonly count_failed: number;
  /** Of the failed, those FC may have queued all the same (the request went out, no refusal came back). */
  readonly count_maybe_queued: number;
  /** Set when ListAccounts failed or stopped early; the accounts listed before the stop were still invoked. */
  readonly listing_error_code?: string | undefined;
  readonly listing_error_message?: string | undefined;
  readonly records: readonly AccountFields[];
}

/** The event an account run receives: the run options and the account, nothing else (no `accounts`). */
function accountPayload(runOptions: Readonly<Record<string, unknown>>, account: AccountRef): string {
  const { account: _account, accounts: _accounts, ...options } = runOptions;
  return JSON.stringify({ ...options, account: { id: account.id, roleArn: account.roleArn } });
}

/**
 * Splits the `account` field off an event's options: the account run's marker. Call it on events only;
 * an HTTP request (webhook body) with an `account` field is refused by the run-options schema as today.
 */
export function splitAccountEvent(options: unknown): { readonly account: unknown; readonly options: unknown } {
  if (options === null || typeof options !== 'object' || Array.isArray(options) || !Object.hasOwn(options, 'account')) {
    return { account: undefined, options };
  }
  const { account, ...rest } = options as Record<string, unknown>;
  return { account, options: rest };
}

/**
 * Only accounts of the resolved list; a request naming any other account is refused as a whole. When the
 * directory was listed only in part (`listingError`), an account not listed may be a member past the stop:
 * it is left out, not refused, since the refusal would blame the request for the listing's failure (which
 * the caller reports) and hide it.
 */
export function narrowAccounts(resolved: readonly AccountRef[], narrowTo: readonly string[] | undefined, listingError?: unknown): AccountRef[] {
  if (narrowTo === undefined) return [...resolved];
  const known = new Set(resolved.map((a) => a.id));
  const unknown = narrowTo.filter((id) => !known.has(id));
  if (unknown.length > 0 && listingError === undefined) {
    throw new AccountNotAuthorizedError(`accounts: ${unknown.slice(0, 5).join(', ')} not among the accounts REDEEM_ACCOUNTS resolves to; a request may narrow the accounts, never add one`);
  }
  const wanted = new Set(narrowTo);
  return resolved.filter((a) => wanted.has(a.id));
}

export async function orchestrate(options: OrchestrateOptions, deps: OrchestrateDeps): Promise<OrchestrateResult> {
  const now = deps.clock.now;
  const { accounts: resolved, listingError } = await settleAccounts(options.config, deps.listAccounts);
  const accounts = narrowAccounts(resolved, options.narrowTo, listingError);

  let maybeQueued = 0;
  const records = await mapLimit(accounts, deps.concurrency ?? DEFAULT_CONCURRENCY, async (account): Promise<AccountFields> => {
    const started = now();
    const base = { kind: 'account' as const, account_id: account.id, role_arn: account.roleArn };
    let record: AccountFields;
    if (deps.handOnByMs !== undefined && now() >= deps.handOnByMs) {
      const record: AccountFields = { ...base, outcome: 'failed', error_code: 'time-budget', error_message: 'not handed on: the time budget ran out before its turn; the next run hands it on', duration_ms: 0 };
      await deps.writeRecord(record);
      return record;
    }
    try {
      const payload = accountPayload(options.runOptions, account);
      const size = Buffer.byteLength(payload);
      if (size > ACCOUNT_PAYLOAD_LIMIT) {
        throw new PayloadTooLargeError(`the account run's event would be ${size} bytes, over the ${ACCOUNT_PAYLOAD_LIMIT}-byte limit kept under FC's 128 KB; name fewer domains`);
      }
      const invocation = await deps.invoke(payload, account);
      record = { ...base, outcome: 'invoked', invocation_request_id: invocation.requestId, duration_ms: now() - started };
    } catch (error) {
      const queued = mayHaveBeenQueued(error);
      if (queued) maybeQueued++;
      record = { ...base, outcome: 'failed', error_code: accountErrorCode(error), error_message: accountErrorMessage(error), ...(queued ? { maybe_queued: true as const } : {}), duration_ms: now() - started };
    }
    await deps.writeRecord(record);
    return record;
  });

  const invoked = records.filter((r) => r.outcome === 'invoked').length;
  return {
    count_accounts: accounts.length,
    count_invoked: invoked,
    count_failed: records.length - invoked,
    count_maybe_queued: maybeQueued,
    ...(listingError !== undefined ? { listing_error_code: accountErrorCode(listingError), listing_error_message: accountErrorMessage(listingError) } : {}),
    records,
  };
}

/**
 * An account run accepts the account its event names only when it is exactly (id and role) one that
 * REDEEM_ACCOUNTS resolves to. The lead's handler calls this for events only: the HTTP trigger and the
 * webhook body never carry an account.
 */
export function authorizeAccount(account: unknown, resolved: readonly AccountRef[], listingError?: unknown): AccountRef {
  const parsed = accountRefSchema().safeParse(account);
  if (!parsed.success) throw new AccountNotAuthorizedError(`account: ${describeIssues(parsed.error.issues, 'account')}`);
  const match = resolved.find((a) => a.id === parsed.data.id && a.roleArn === parsed.data.roleArn);
  // A walk that stopped part-way (`listingError`) vouches only for the accounts it listed: one past the stop
  // is not run, and what stopped the walk (throttling, say: the next run tries again) is what is said. Told
  // "not among the accounts REDEEM_ACCOUNTS resolves to", and that every run fails the same way, a person
  // went looking for a configuration that was right.
  if (!match && listingError !== undefined) throw listingError;
  if (!match) throw new AccountNotAuthorizedError(`account ${parsed.data.id} (${parsed.data.roleArn}) is not among the accounts REDEEM_ACCOUNTS resolves to`);
  return match;
}

interface AssumeAccountDeps extends CallBounds {
  /** The function's own credentials (FC's context or headers). */
  readonly credentials: Credentials;
  readonly config: Pick<AccountsConfig, 'stsEndpoint' | 'externalId'>;
  /** The function's timeout: the temporary credentials must outlive the run. */
  readonly timeoutSeconds?: number | undefined;
}

/** The member account's temporary credentials, for the normal run in that account. */
export async function assumeAccount(account: AccountRef, deps: AssumeAccountDeps): Promise<AssumedRole> {
  return assumeRole({
    credentials: deps.credentials,
    roleArn: account.roleArn,
    accountId: account.id,
    durationSeconds: durationForTimeout(deps.timeoutSeconds),
    externalId: deps.config.externalId,
    endpoint: deps.config.stsEndpoint,
    clock: deps.clock,
    deadlineMs: deps.deadlineMs,
    retry: deps.retry,
    requestTimeoutMs: deps.requestTimeoutMs,
  });
}
