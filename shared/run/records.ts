/**
 * Result records: one per domain decision and one per run, with stable snake_case keys, written as one
 * JSON line each on stdout and as SLS log contents. Nothing here may carry a credential.
 */
import type { LogEntry } from '../sls/index.js';

export type Trigger = 'timer' | 'webhook' | 'invoke' | 'cli';
export type Outcome = 'would-redeem' | 'submitted' | 'in-progress' | 'succeeded' | 'failed' | 'skipped';

export interface RunIdentity {
  readonly run_id: string;
  readonly trigger: Trigger;
  readonly fc_request_id: string | undefined;
  readonly mode: 'dry-run' | 'live';
}

/** What became of a decision: the executor fills these, the decision record carries them as they are. */
export interface OutcomeFields {
  /** The planner's reason, or why the executor did not get to it ("time-budget", "halted"). */
  readonly reason: string;
  readonly outcome: Outcome;
  readonly task_no?: string | undefined;
  readonly api_request_id?: string | undefined;
  readonly error_code?: string | undefined;
  readonly error_message?: string | undefined;
  readonly attempts?: number | undefined;
  readonly duration_ms?: number | undefined;
  readonly reconciled?: boolean | undefined;
}

export interface DecisionRecord extends RunIdentity, OutcomeFields {
  readonly kind: 'decision';
  readonly domain: string;
  readonly tld: string;
  readonly expiration_ms: number;
  readonly deadline_ms: number;
  readonly days_left: number;
  readonly rules: 'known' | 'assumed';
  readonly action: 'redeem' | 'skip';
}

export type OutcomeCounts = Readonly<Record<`count_${'would_redeem' | 'submitted' | 'in_progress' | 'succeeded' | 'failed' | 'skipped'}`, number>>;

export interface RunRecord extends RunIdentity, OutcomeCounts {
  readonly kind: 'run';
  /** completed: every domain decided and recorded; failed: the run stopped on an error. */
  readonly outcome: 'completed' | 'failed';
  readonly reason: string | undefined;
  readonly candidates: number;
  readonly calls: number;
  readonly left_for_next_run: number;
  readonly sls_delivery: 'ok' | 'failed' | 'off';
  readonly duration_ms: number;
  readonly error_code?: string | undefined;
  readonly error_message?: string | undefined;
}

export type ResultRecord = DecisionRecord | RunRecord;

export function countOutcomes(records: readonly DecisionRecord[]): OutcomeCounts {
  const count = (outcome: Outcome) => records.filter((r) => r.outcome === outcome).length;
  return {
    count_would_redeem: count('would-redeem'),
    count_submitted: count('submitted'),
    count_in_progress: count('in-progress'),
    count_succeeded: count('succeeded'),
    count_failed: count('failed'),
    count_skipped: count('skipped'),
  };
}

/** SLS log contents: string values, absent fields left out. */
export function toLogEntry(record: ResultRecord, timeSeconds: number): LogEntry {
  const contents: Array<[string, string]> = [];
  for (const [key, value] of Object.entries(record)) {
    if (value === undefined || value === null) continue;
    contents.push([key, String(value)]);
  }
  return { time: timeSeconds, contents };
}

export function toJsonLine(record: ResultRecord): string {
  return JSON.stringify(record);
}
