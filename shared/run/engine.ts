/**
 * The run itself, independent of how the Domain API and the results logstore are reached: discover the
 * domains in redemption, read the registrar's ledger, plan, execute, and record every decision to stdout
 * and to the logstore. run.ts composes it with the function's own clients.
 */
import { randomUUID } from 'node:crypto';
import type { RedeemerConfig } from '../config/index.js';
import { errorCode, errorMessage } from '../domain-api/index.js';
import type { DomainApi } from '../domain-api/index.js';
import { realRuntime, type RetryRuntime } from '../http/index.js';
import { execute, type ExecutedDecision } from './executor.js';
import { readLedger } from './ledger.js';
import { narrow, type RunOptions } from './options.js';
import { plan, type Candidate } from './planner.js';
import { countOutcomes, toJsonLine, type DecisionRecord, type ResultRecord, type RunIdentity, type RunRecord, type Trigger } from './records.js';
import { timeBudget, remainingMs } from './time-budget.js';

export interface EngineRequest {
  readonly config: RedeemerConfig;
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
  readonly onProgress?: ((event: { readonly phase: 'listing' | 'ledger' | 'submitting' | 'following'; readonly done: number; readonly total?: number | undefined }) => void) | undefined;
}

export interface RunSummary {
  readonly run: RunRecord;
  readonly decisions: readonly DecisionRecord[];
  readonly sls: { readonly configured: boolean; readonly delivered: boolean; readonly error?: string | undefined };
  readonly callsByAction: Readonly<Record<string, number>>;
}

export interface RunPorts {
  readonly api: DomainApi;
  /** Delivers records to the results logstore; undefined when none is configured. */
  readonly deliver?: ((records: readonly ResultRecord[]) => Promise<void>) | undefined;
}

/** Thrown when discovery cannot finish inside the budget: planning on part of the list could misorder. */
class DiscoveryTimeout extends Error {
  override readonly name = 'DiscoveryTimeout';
}

export async function executeRun(request: EngineRequest, ports: RunPorts): Promise<RunSummary> {
  const runtime = request.runtime ?? realRuntime;
  const budget = timeBudget(request.budgetMs, runtime.now);
  const { config } = request;
  const effective = narrow(config, request.options);
  const identity: RunIdentity = { run_id: randomUUID(), trigger: request.trigger, fc_request_id: request.fcRequestId, mode: effective.mode };
  const writeLine = request.writeLine ?? ((line: string) => process.stdout.write(`${line}\n`));
  const client = ports.api;

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
    failure = { code: error instanceof DiscoveryTimeout ? 'TimeBudget' : errorCode(error), message: errorMessage(error) };
  }

  const decisions: DecisionRecord[] = executed.map(({ decision, ...outcome }) => ({
    kind: 'decision',
    ...identity,
    domain: decision.domainName,
    tld: decision.tld,
    expiration_ms: decision.expirationMs,
    deadline_ms: decision.deadlineMs,
    days_left: decision.daysLeft,
    rules: decision.rules,
    action: decision.action,
    ...outcome,
  }));
  for (const record of decisions) writeLine(toJsonLine(record));

  const sls = await deliver(ports, decisions);
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
  const runDelivery = sls.delivered ? await deliver(ports, [run]) : sls;
  return { run, decisions, sls: runDelivery, callsByAction: { ...client.callsByAction } };
}

async function deliver(ports: RunPorts, records: readonly ResultRecord[]): Promise<RunSummary['sls']> {
  if (!ports.deliver) return { configured: false, delivered: false };
  try {
    await ports.deliver(records);
    return { configured: true, delivered: true };
  } catch (error) {
    return { configured: true, delivered: false, error: errorMessage(error) };
  }
}
