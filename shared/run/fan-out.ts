/**
 * The orchestrating run (REDEEM_ACCOUNTS set, the event names no account): it orders nothing itself. It
 * resolves the accounts, hands each one to its own account run (on FC an asynchronous invocation of this
 * function), and records what it did: `run` started, one `account` record per account, `run` with the
 * counts, on stdout and in the results logstore, with the function's own credentials throughout.
 */
import { randomUUID } from 'node:crypto';
import { accountErrorCode, directoryLister, orchestrate, type AccountRef, type AccountsConfig, type AsyncInvocation, type CallBounds, type OrchestrateResult } from '../accounts/index.js';
import { systemClock, type Clock } from '../clock/index.js';
import type { RedeemerConfig } from '../config/index.js';
import { errorMessage, UserError } from '../errors/index.js';
import { createLogger, type Logger } from '../log/index.js';
import type { Credentials } from '../signing/index.js';
import { narrow, type RunOptions } from './options.js';
import { Recorder, slsFields, type SlsDelivery } from './recorder.js';
import type { AccountRecord, FanOutRunRecord, RunIdentity, Trigger } from './records.js';
import { slsDeliver } from './run.js';
import { finishingDeadlines, submitByMs, timeBudget, workDeadline } from './time-budget.js';
import { notifyFanOut, notifyRecordFields } from '../notify/index.js';

interface FanOutRequest {
  readonly config: RedeemerConfig;
  readonly accounts: AccountsConfig;
  readonly trigger: Trigger;
  readonly options: RunOptions;
  /** The function's own credentials: ListAccounts, InvokeFunction and SLS. */
  readonly credentials: Credentials;
  /** Hands one account on (on FC: invokeFunctionAsync of this function), within the bounds given. */
  readonly invoke: (payload: string, account: AccountRef, bounds: CallBounds & { readonly sendByMs: number }) => Promise<AsyncInvocation>;
  readonly budgetMs: number;
  readonly runId?: string | undefined;
  readonly fcRequestId?: string | undefined;
  readonly clock?: Clock | undefined;
  readonly logger?: Logger | undefined;
  readonly concurrency?: number | undefined;
}

export interface FanOutSummary {
  readonly run: FanOutRunRecord;
  readonly accounts: readonly AccountRecord[];
  readonly sls: SlsDelivery;
}

export async function runFanOut(request: FanOutRequest): Promise<FanOutSummary> {
  const clock = request.clock ?? systemClock;
  const budget = timeBudget(request.budgetMs, clock.now);
  const deadlineMs = workDeadline(budget);
  // The same rule as every run: a request may narrow the configured run, never widen it (before anything is sent).
  const effective = narrow(request.config, request.options);
  const identity: RunIdentity = { run_id: request.runId ?? randomUUID(), trigger: request.trigger, fc_request_id: request.fcRequestId, mode: effective.mode };
  const recorder = new Recorder((request.logger ?? createLogger()).with({ ...identity }), slsDeliver(request.config, request.credentials, clock, request.fcRequestId), clock, deadlineMs);
  recorder.write({ kind: 'run', outcome: 'started', reason: effective.reason }, true);

  const bounds: CallBounds = { clock, deadlineMs };
  // As for a submission: none starts, nor is retried, that could not be answered and recorded in time.
  const handOnByMs = submitByMs(budget);
  // Each account run gets the options as they are, less the narrowing (it acts in one account).
  const { accounts: narrowTo, ...runOptions } = request.options;
  let result: OrchestrateResult | undefined;
  let failure: { code: string; message: string } | undefined;
  let refusal: UserError | undefined;
  try {
    result = await orchestrate(
      { config: request.accounts, runOptions, narrowTo },
      {
        listAccounts: directoryLister(request.accounts, request.credentials, bounds),
        invoke: (payload, account) => request.invoke(payload, account, { ...bounds, sendByMs: handOnByMs }),
        writeRecord: (fields) => recorder.write(fields, true),
        concurrency: request.concurrency,
        clock,
        handOnByMs,
      },
    );
  } catch (error) {
    if (error instanceof UserError) refusal = error;
    failure = { code: accountErrorCode(error), message: errorMessage(error) };
  }
  const finishing = finishingDeadlines(budget);
  const sls = await recorder.finish(finishing.recordsMs);
  const listedNothing = result !== undefined && result.listing_error_code !== undefined && result.count_accounts === 0;
  // A directory that answers with no member at all (it always holds its management account; a list of role
  // ARNs is never empty, nor is a narrowing): every run would guard nothing and, completed with nothing to
  // report, tell no one. Failed, so that a person hears of it.
  const resolvedNone = result !== undefined && result.listing_error_code === undefined && result.count_accounts === 0
    ? { code: 'NoAccounts', message: `REDEEM_ACCOUNTS resolves to no account (ListAccounts listed no member of the Resource Directory): nothing was run; check that the function's account is the Resource Directory's management account or a delegated administrator` }
    : undefined;
  // Every account refused at the hand-on (fc:InvokeFunction missing, say): nothing is guarded, and FC and
  // a webhook caller must see a failed invocation, not only a message. One handed on, or one FC may have
  // queued (a dropped connection), makes a completed run: FC retrying it could run that account twice.
  const refusedAll = result && result.count_accounts > 0 && result.count_invoked === 0 && result.count_maybe_queued === 0 ? result : undefined;
  const firstRefusal = refusedAll?.records.find((r) => r.outcome === 'failed');
  const handedOnNone = refusedAll && firstRefusal && {
    code: firstRefusal.error_code ?? 'InvokeFailed',
    message: `no account could be handed on (${refusedAll.count_failed} of ${refusedAll.count_accounts} failed): ${firstRefusal.error_message ?? ''}`,
  };
  const run: FanOutRunRecord = {
    ...identity,
    kind: 'run',
    outcome: failure || listedNothing || handedOnNone || resolvedNone ? 'failed' : 'completed',
    reason: effective.reason,
    count_accounts: result?.count_accounts ?? 0,
    count_invoked: result?.count_invoked ?? 0,
    count_failed: result?.count_failed ?? 0,
    listing_error_code: result?.listing_error_code,
    listing_error_message: result?.listing_error_message,
    ...slsFields(sls),
    duration_ms: clock.now() - budget.startedMs,
    error_code: failure?.code ?? (listedNothing ? result?.listing_error_code : (handedOnNone ?? resolvedNone)?.code),
    error_message: failure?.message ?? (listedNothing ? result?.listing_error_message : (handedOnNone ?? resolvedNone)?.message),
  };
  const accountRecords = (result?.records ?? []).map((fields): AccountRecord => ({ ...identity, ...fields }));
  // An account never handed on never runs, so nothing else will ever tell of it; a refused request is the caller's.
  const told = refusal ? undefined : await notifyFanOut(request.config.notify, run, accountRecords, { deadlineMs: finishing.notifyMs, now: clock.now, sleep: clock.sleep });
  const recorded: FanOutRunRecord = told?.sent ? { ...run, notify: 'sent', ...notifyRecordFields(told.results) } : run;
  recorder.write(recorded);
  const final = await recorder.finish(budget.endsMs);
  // A request that named an account outside the list is the caller's mistake: answered as such (403).
  if (refusal) throw refusal;
  return { run: recorded, accounts: accountRecords, sls: sls.delivered ? final : sls };
}
