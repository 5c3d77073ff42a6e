/** One redemption run: options, deadlines, the plan, the ledger, execution and the result records. */
export { DAY_MS, estimateDeadline, mergeTldRules, normalizeSuffix, ruleFor, type DeadlineEstimate, type TldRules } from './deadline.js';
export { GUARD_OFF_SUMMARY, guardRedemptions, readBalanceForGuard, type BalanceReading, type GuardInput, type GuardReason, type GuardResult, type GuardSettings, type GuardVerdict } from './guard.js';
export { executeRun, type EngineRequest, type RunPorts, type RunSummary } from './engine.js';
export { RunOptionsError, parseRunOptions, type RunOptions } from './options.js';
export type { DecisionRecord, ResultRecord, RunRecord, Trigger } from './records.js';
export { runRedemption, type RunRequest } from './run.js';
