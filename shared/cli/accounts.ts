/**
 * `redeemer run` / `plan` with REDEEM_ACCOUNTS (or --accounts): the accounts run in this process, a few
 * at a time, each with its role assumed from the ALIBABA_CLOUD_* credentials, exactly as an account run
 * does on FC (the same runRedemption, the same caps per account, the same records with account_id). One
 * table per account, then a total.
 */
import { listAccountsOrThrow, narrowAccounts, type AccountRef, type AccountsConfig } from '../accounts/index.js';
import { systemClock } from '../clock/index.js';
import type { RedeemerConfig } from '../config/index.js';
import { errorMessage } from '../errors/index.js';
import { Semaphore } from '../http/index.js';
import type { Logger } from '../log/index.js';
import { runRedemption, type OrderJournal, type RunOptions, type RunSummary } from '../run/index.js';
import type { Credentials } from '../signing/index.js';
import { renderTable, type TableOptions } from './table.js';

/** Accounts run at once from a laptop: enough to overlap the waits, few enough to stay under any API's QPS. */
const CLI_ACCOUNT_CONCURRENCY = 3;

interface AccountsRunRequest {
  readonly config: RedeemerConfig;
  readonly accounts: AccountsConfig;
  readonly credentials: Credentials;
  readonly options: RunOptions;
  /** Each account run's budget. */
  readonly budgetMs: number;
  readonly logger: Logger;
  /** Each account's orders kept for the next CLI run on this machine (live runs: see host-lock.ts). */
  readonly orderJournal?: ((account: AccountRef) => OrderJournal) | undefined;
}

interface AccountsRun {
  readonly runs: ReadonlyArray<{ readonly account: AccountRef; readonly summary: RunSummary }>;
  /** ListAccounts failed or stopped early: the accounts it had listed still ran. */
  readonly listingError?: string | undefined;
}

export async function runAccounts(request: AccountsRunRequest): Promise<AccountsRun> {
  const clock = systemClock;
  const bounds = { clock, deadlineMs: clock.now() + Math.min(60_000, request.budgetMs / 4) };
  const { accounts: resolved, listingError } = await listAccountsOrThrow(request.accounts, request.credentials, bounds);
  const accounts = narrowAccounts(resolved, request.options.accounts, listingError);
  // An account holds its place among the CLI_ACCOUNT_CONCURRENCY only while it uses the registrar: its
  // records and its message (a robot slow to answer, a wait for a slot under DingTalk's 20 a minute) go on
  // beside the next account's run, which would otherwise order that much later.
  // As mapLimit: once a run throws, no further account starts, the ones going are waited for (none goes
  // on ordering behind the caller's back), and the first error is thrown.
  const places = new Semaphore(CLI_ACCOUNT_CONCURRENCY);
  let failure: { readonly error: unknown } | undefined;
  const settled = await Promise.all(
    accounts.map(async (account) => {
      const release = await places.acquire();
      try {
        if (failure) return undefined;
        return {
          account,
          summary: await runRedemption({
            config: request.config,
            credentials: request.credentials,
            account: { ref: account, config: request.accounts, timeoutSeconds: request.budgetMs / 1000 },
            trigger: 'cli',
            options: request.options,
            budgetMs: request.budgetMs,
            logger: request.logger,
            orderJournal: request.orderJournal?.(account),
            onRegistrarDone: release,
          }),
        };
      } catch (error) {
        failure ??= { error };
        return undefined;
      } finally {
        release();
      }
    }),
  );
  if (failure) throw failure.error;
  const runs = settled.filter((run) => run !== undefined);
  return { runs, listingError: listingError === undefined ? undefined : errorMessage(listingError) };
}

export function accountsExitCode(result: AccountsRun): 0 | 1 {
  return result.listingError !== undefined || result.runs.some(({ summary }) => summary.run.outcome === 'failed' || summary.run.count_failed > 0) ? 1 : 0;
}

/** One table per account, headed by the account, then the total over every account. */
export function renderAccounts(result: AccountsRun, options: TableOptions = {}): string {
  const parts = result.runs.map(({ account, summary }) => `== Account ${account.id} (${account.roleArn})\n\n${renderTable(summary, options)}`);
  return [...parts, renderAccountsTotal(result)].join('\n\n');
}

function renderAccountsTotal(result: AccountsRun): string {
  const runs = result.runs.map((r) => r.summary.run);
  const failed = result.runs.filter((r) => r.summary.run.outcome === 'failed');
  const sum = (pick: (run: RunSummary['run']) => number) => runs.reduce((n, run) => n + pick(run), 0);
  const ordered = sum((r) => r.count_submitted + r.count_in_progress + r.count_succeeded + r.count_failed);
  const lines = [
    `== Total: ${runs.length} account${runs.length === 1 ? '' : 's'}, ${runs.length - failed.length} completed, ${failed.length} failed`,
    `${sum((r) => r.candidates)} in redemption: ${ordered} ordered (${sum((r) => r.count_succeeded)} succeeded, ${sum((r) => r.count_failed)} failed), ${sum((r) => r.count_would_redeem)} would-redeem, ${sum((r) => r.count_skipped)} skipped`,
    `${sum((r) => r.calls)} API calls`,
  ];
  for (const { account, summary } of failed) lines.push(`account ${account.id}: ${summary.run.error_code}: ${summary.run.error_message}`);
  if (result.listingError) lines.push(`ListAccounts: ${result.listingError} (the accounts it had listed ran)`);
  return lines.join('\n');
}
