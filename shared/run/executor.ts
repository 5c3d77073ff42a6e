/**
 * The executor: submits the planned redemptions one at a time, reconciles any submission whose outcome
 * is unknown with the registrar's ledger before sending anything else, then follows each task until it
 * is final or the time budget says stop.
 */
import type { DomainApi } from '../domain-api/index.js';
import { OutcomeUnknownError, TaskIsBeingProcessedError, errorCode, errorMessage } from '../domain-api/index.js';
import { isFinalTaskDetail, TaskDetailStatus } from '../domain-api/index.js';
import { findNewTask, type Ledger } from './ledger.js';
import type { Decision } from './planner.js';
import type { OutcomeFields } from './records.js';
import { remainingMs, type TimeBudget } from './time-budget.js';

export interface ExecutedDecision extends OutcomeFields {
  readonly decision: Decision;
}

export interface ExecutorDeps {
  readonly client: DomainApi;
  readonly ledger: Ledger;
  readonly budget: TimeBudget;
  readonly mode: 'dry-run' | 'live';
  readonly sleep: (ms: number) => Promise<void>;
  /** First wait between follow-up rounds; it doubles up to 30 s (a registry can take hours, and every poll is a call). */
  readonly followIntervalMs?: number;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export async function execute(decisions: readonly Decision[], deps: ExecutorDeps): Promise<ExecutedDecision[]> {
  const results: Array<Mutable<ExecutedDecision>> = decisions.map((decision) =>
    decision.action === 'skip'
      ? { decision, reason: decision.reason, outcome: 'skipped', task_no: decision.taskNo }
      : { decision, reason: decision.reason, outcome: deps.mode === 'live' ? 'submitted' : 'would-redeem' },
  );
  if (deps.mode !== 'live') return results;

  const known = new Set(deps.ledger.taskNos);
  const following: Array<Mutable<ExecutedDecision>> = [];
  let halted: string | undefined;
  for (const result of results) {
    if (result.decision.action !== 'redeem') continue;
    if (halted || remainingMs(deps.budget) < deps.budget.submitMarginMs) {
      Object.assign(result, { outcome: 'skipped', reason: halted ?? 'time-budget' });
      continue;
    }
    const started = deps.budget.now();
    const { domainName, expirationMs } = result.decision;
    try {
      const saved = await deps.client.saveSingleTaskForCreatingOrderRedeem({ domainName, currentExpirationDate: expirationMs });
      known.add(saved.taskNo);
      Object.assign(result, { outcome: 'submitted', task_no: saved.taskNo, api_request_id: saved.requestId, attempts: saved.attempts });
      following.push(result);
    } catch (error) {
      const fields = { error_code: errorCode(error), error_message: errorMessage(error), api_request_id: (error as { requestId?: string }).requestId };
      if (error instanceof TaskIsBeingProcessedError) {
        // Another operation holds the domain (perhaps a concurrent run's order): in progress, not a failure.
        Object.assign(result, { outcome: 'in-progress', ...fields });
      } else if (error instanceof OutcomeUnknownError) {
        try {
          const found = await findNewTask(deps.client, domainName, known, deps.budget.now());
          if (found) {
            known.add(found.TaskNo);
            Object.assign(result, { outcome: 'submitted', task_no: found.TaskNo, reconciled: true, ...fields });
            following.push(result);
          } else {
            Object.assign(result, { outcome: 'failed', ...fields, error_message: `${fields.error_message}; no order found in the ledger, the next run will decide again` });
          }
        } catch (reconcileError) {
          // The ledger cannot be read, so nothing more may be sent this run.
          halted = 'halted';
          Object.assign(result, { outcome: 'failed', ...fields, error_message: `${fields.error_message}; reconciliation failed: ${errorMessage(reconcileError)}` });
        }
      } else {
        Object.assign(result, { outcome: 'failed', ...fields });
      }
    }
    result.duration_ms = deps.budget.now() - started;
  }

  await follow(following, deps);
  return results;
}

async function follow(pending: Array<Mutable<ExecutedDecision>>, deps: ExecutorDeps): Promise<void> {
  let open = pending;
  let wait = deps.followIntervalMs ?? 1_000;
  while (open.length > 0 && remainingMs(deps.budget) - wait > deps.budget.finishMarginMs) {
    await deps.sleep(wait);
    wait = Math.min(wait * 2, 30_000);
    const still: typeof open = [];
    for (const result of open) {
      if (remainingMs(deps.budget) < deps.budget.finishMarginMs) {
        still.push(result);
        continue;
      }
      try {
        const page = await deps.client.queryTaskDetailList({ taskNo: result.task_no!, domainName: result.decision.domainName });
        const detail = page.items.find((d) => d.DomainName.toLowerCase() === result.decision.domainName);
        if (detail && isFinalTaskDetail(detail)) {
          const succeeded = detail.TaskStatusCode === TaskDetailStatus.ExecuteSuccess;
          Object.assign(result, succeeded ? { outcome: 'succeeded' } : { outcome: 'failed', error_code: detail.FailReason ?? 'EXECUTE_FAILURE', error_message: detail.ErrorMsg });
        } else {
          still.push(result);
        }
      } catch {
        // A follow-up that fails leaves the task as submitted; the ledger tells the next run.
        still.push(result);
      }
    }
    open = still;
  }
}
