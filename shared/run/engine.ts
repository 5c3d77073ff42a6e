/**
 * The run itself, independent of how the Domain API and the results logstore are reached: say that the run
 * started, discover the domains in redemption, read the registrar's ledger, plan, execute, and record every
 * decision the moment it is known. run.ts composes it with the function's own clients.
 */
import type { Clock } from '../clock/index.js';
import type { RedeemerConfig } from '../config/index.js';
import { errorCode, PagingLimitError, type DomainApi } from '../domain-api/index.js';
import { errorMessage } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import { execute, type ExecutedDecision, type ProgressEvent } from './executor.js';
import { Ledger } from './ledger.js';
import { readRedemptionList } from './listing.js';
import { narrow, type RunOptions } from './options.js';
import { plan } from './planner.js';
import { Recorder, type Deliver, type SlsDelivery } from './recorder.js';
import { countOutcomes, decisionFields, type DecisionRecord, type RunIdentity, type RunRecord, type Trigger } from './records.js';
import { timeBudget, workDeadline } from './time-budget.js';

export interface EngineRequest {
  readonly config: RedeemerConfig;
  readonly trigger: Trigger;
  readonly options: RunOptions;
  readonly runId: string;
  readonly fcRequestId?: string | undefined;
  /** The whole run, including records; from the FC timeout on Function Compute. */
  readonly budgetMs: number;
  readonly clock: Clock;
  /** Where the JSON lines go (stdout on FC, which ships them to the function's logstore). */
  readonly logger: Logger;
  readonly followIntervalMs?: number | undefined;
  readonly pageSize?: number | undefined;
  readonly onProgress?: ((event: ProgressEvent) => void) | undefined;
}

export interface RunSummary {
  readonly run: RunRecord;
  readonly decisions: readonly DecisionRecord[];
  readonly sls: SlsDelivery;
  readonly callsByAction: Readonly<Record<string, number>>;
}

export interface RunPorts {
  readonly api: DomainApi;
  /** Delivers records to the results logstore; undefined when none is configured. */
  readonly deliver?: Deliver | undefined;
}

/** The ledger looks back a week: a task still open after that is the registrar's to report, not ours to repeat. */
const LEDGER_DAYS = 7;

export async function executeRun(request: EngineRequest, ports: RunPorts): Promise<RunSummary> {
  const { config, clock } = request;
  const budget = timeBudget(request.budgetMs, clock.now);
  const effective = narrow(config, request.options);
  const identity: RunIdentity = { run_id: request.runId, trigger: request.trigger, fc_request_id: request.fcRequestId, mode: effective.mode };
  const logger = request.logger.with({ ...identity });
  const recorder = new Recorder(logger, ports.deliver, clock, workDeadline(budget));
  const api = ports.api;
  recorder.write({ kind: 'run', outcome: 'started', reason: effective.reason }, true);

  let executed: ExecutedDecision[] = [];
  let candidates = 0;
  let failure: { code: string; message: string } | undefined;
  try {
    const bounds = { deadlineMs: budget.endsMs - budget.submitMarginMs, now: clock.now };
    request.onProgress?.({ phase: 'listing', done: 0 });
    const listing = await readRedemptionList(api, bounds, request.pageSize ?? 100);
    candidates = listing.candidates.length + listing.invalid.length;
    request.onProgress?.({ phase: 'ledger', done: 0 });
    const ledger = new Ledger({ api, bounds });
    await ledger.read(clock.now(), LEDGER_DAYS);
    const decisions = plan(listing.candidates, listing.invalid, ledger, config, effective, clock.now());
    executed = await execute(decisions, {
      api,
      ledger,
      budget,
      clock,
      mode: effective.mode,
      maxPerDay: config.maxPerDay,
      emit: (fields) => recorder.write(fields, fields.kind === 'submission' || (fields.kind === 'decision' && fields.action === 'redeem')),
      followIntervalMs: request.followIntervalMs,
      onProgress: request.onProgress,
    });
  } catch (error) {
    failure = { code: error instanceof PagingLimitError ? 'PagingLimit' : errorCode(error), message: errorMessage(error) };
  }

  const decisions: DecisionRecord[] = executed.map(({ decision, ...outcome }) => ({ ...identity, ...decisionFields(decision, outcome) }));
  const sls = await recorder.finish(budget.endsMs - Math.min(2_000, budget.finishMarginMs / 2));
  const run: RunRecord = {
    ...identity,
    kind: 'run',
    outcome: failure ? 'failed' : 'completed',
    reason: effective.reason,
    candidates,
    ...countOutcomes(decisions),
    calls: api.calls,
    left_for_next_run: executed.filter((e) => e.reason === 'time-budget' || e.reason === 'halted').length,
    sls_delivery: sls.configured ? (sls.delivered ? 'ok' : 'failed') : 'off',
    duration_ms: clock.now() - budget.startedMs,
    error_code: failure?.code,
    error_message: failure?.message,
  };
  recorder.write(run);
  const final = await recorder.finish(budget.endsMs);
  return { run, decisions, sls: sls.delivered ? final : sls, callsByAction: { ...api.callsByAction } };
}
