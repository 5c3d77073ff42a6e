/**
 * One redemption run: discover the domains in redemption, read the registrar's ledger, plan, execute,
 * and record every decision to stdout and SLS. Credentials live only as long as this call.
 */
import { randomUUID } from 'node:crypto';
import type { RedeemerConfig } from '../config/config.js';
import { DomainApiClient } from '../domain-api/client.js';
import { errorCode } from '../domain-api/errors.js';
import { realRuntime, type RetryRuntime } from '../http/retry.js';
import type { Credentials } from '../signing/credentials.js';
import { SlsClient } from '../sls/client.js';
import { execute, type ExecutedDecision } from './executor.js';
import { readLedger } from './ledger.js';
import { narrow, type RunOptions } from './options.js';
import { plan, type Candidate } from './planner.js';
import { countOutcomes, toJsonLine, toLogEntry, type DecisionRecord, type ResultRecord, type RunIdentity, type RunRecord, type Trigger } from './records.js';
import { timeBudget, remainingMs } from './time-budget.js';

export interface RunRequest {
  readonly config: RedeemerConfig;
  readonly credentials: Credentials;
  readonly trigger: Trigger;
  readonly options: RunOptions;
  readonly fcRequestId?: string | undefined;
  /** The whole run, including records; from the FC timeout on Function Compute. */
  readonly budgetMs: number;
  /** Where the JSON lines go (stdout on FC, which ships them to the function's logstore). */
  readonly writeLine?: (line: string) => void;
  readonly runtime?: RetryRuntime;
  readonly followIntervalMs?: number;
  readonly pageSize?: number;
}

export interface RunSummary {
  readonly run: RunRecord;
  readonly decisions: readonly DecisionRecord[];
  readonly sls: { readonly configured: boolean; readonly delivered: boolean; readonly error?: string | undefined };
  readonly callsByAction: Readonly<Record<string, number>>;
}

/** Thrown when discovery cannot finish inside the budget: planning on part of the list could misorder. */
class DiscoveryTimeout extends Error {
  override readonly name = 'DiscoveryTimeout';
}

export async function runRedemption(request: RunRequest): Promise<RunSummary> {
  const runtime = request.runtime ?? realRuntime;
  const budget = timeBudget(request.budgetMs, runtime.now);
  const { config } = request;
  const effective = narrow(config, request.options);
  const identity: RunIdentity = { run_id: randomUUID(), trigger: request.trigger, fc_request_id: request.fcRequestId, mode: effective.mode };
  const writeLine = request.writeLine ?? ((line: string) => process.stdout.write(`${line}\n`));
  const callsByAction: Record<string, number> = {};
  const client = new DomainApiClient({
    site: config.site,
    endpoint: config.domainEndpoint,
    credentials: request.credentials,
    runtime,
    // Reads may not outlive the part of the budget that submissions need.
    retry: { budgetMs: Math.max(1_000, Math.min(30_000, request.budgetMs * 0.2)) },
    onAttempt: ({ action }) => {
      callsByAction[action] = (callsByAction[action] ?? 0) + 1;
    },
  });

  let executed: ExecutedDecision[] = [];
  let candidates = 0;
  let failure: { code: string; message: string } | undefined;
  try {
    const found: Candidate[] = [];
    for await (const page of client.domainPages({ queryType: 2, pageSize: request.pageSize ?? 100 })) {
      // QueryType=2 filters on the server; DomainStatus=2 stays the authority that a domain is in redemption.
      for (const item of page.items) if (item.DomainStatus === '2') found.push({ domainName: item.DomainName, expirationMs: item.ExpirationDateLong });
      if (remainingMs(budget) < budget.submitMarginMs) throw new DiscoveryTimeout('the redemption list could not be read inside the time budget');
    }
    candidates = found.length;
    const ledger = await readLedger(client, runtime.now());
    const decisions = plan(found, ledger, config, effective, runtime.now());
    executed = await execute(decisions, { client, ledger, budget, mode: effective.mode, sleep: runtime.sleep, followIntervalMs: request.followIntervalMs });
  } catch (error) {
    failure = { code: error instanceof DiscoveryTimeout ? 'TimeBudget' : errorCode(error), message: error instanceof Error ? error.message : String(error) };
  }

  const decisions: DecisionRecord[] = executed.map((e) => ({
    kind: 'decision',
    ...identity,
    domain: e.decision.domainName,
    tld: e.decision.tld,
    expiration_ms: e.decision.expirationMs,
    deadline_ms: e.decision.deadlineMs,
    days_left: e.decision.daysLeft,
    rules: e.decision.rules,
    action: e.decision.action,
    reason: e.reason,
    outcome: e.outcome,
    task_no: e.taskNo,
    api_request_id: e.apiRequestId,
    error_code: e.errorCode,
    error_message: e.errorMessage,
    attempts: e.attempts,
    duration_ms: e.durationMs,
    reconciled: e.reconciled,
  }));
  for (const record of decisions) writeLine(toJsonLine(record));

  const sls = await deliver(request, decisions, runtime);
  const run: RunRecord = {
    kind: 'run',
    ...identity,
    outcome: failure ? 'failed' : 'completed',
    reason: effective.reason,
    candidates,
    ...countOutcomes(decisions),
    calls: client.calls,
    left_for_next_run: executed.filter((e) => e.reason === 'time-budget' || e.reason === 'halted').length,
    sls_delivery: sls.configured ? (sls.delivered ? 'ok' : 'failed') : 'off',
    duration_ms: runtime.now() - budget.startedMs,
    error_code: failure?.code,
    error_message: failure?.message,
  };
  writeLine(toJsonLine(run));
  const runDelivery = sls.delivered ? await deliver(request, [run], runtime) : sls;
  return { run, decisions, sls: runDelivery, callsByAction };
}

async function deliver(request: RunRequest, records: readonly ResultRecord[], runtime: RetryRuntime): Promise<RunSummary['sls']> {
  const target = request.config.sls;
  if (!target) return { configured: false, delivered: false };
  try {
    const client = new SlsClient({ target, credentials: request.credentials, runtime });
    const time = Math.floor(runtime.now() / 1000);
    await client.putLogs(records.map((record) => toLogEntry(record, time)), { topic: 'domain-redeemer', source: request.fcRequestId ?? 'local' });
    return { configured: true, delivered: true };
  } catch (error) {
    return { configured: true, delivered: false, error: error instanceof Error ? error.message : String(error) };
  }
}
