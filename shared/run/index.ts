/** One redemption run: options, deadlines, the plan, the ledger, execution and the result records. */
export { DAY_MS, estimateDeadline, mergeTldRules, normalizeSuffix, ruleFor, type DeadlineEstimate, type TldRules } from './deadline.js';
export { GUARD_OFF_SUMMARY, guardRedemptions, readBalanceForGuard, type BalanceReading, type GuardInput, type GuardReason, type GuardResult, type GuardSettings, type GuardVerdict } from './guard.js';
export { checkListing, type Candidate } from './listing.js';
export { executeRun, prepareRun, type EngineRequest, type PreparedRun, type RunPorts, type RunSummary } from './engine.js';
export type { ProgressEvent } from './executor.js';
export { RunOptionsError, parseRunOptions, type RunOptions } from './options.js';
export { toLogEntry } from './records.js';
export type { AccountRecord, DecisionRecord, FanOutRunRecord, RecordFields, ResultRecord, RunFields, RunIdentity, RunRecord, Trigger, WatchRecord } from './records.js';
export { runRedemption, slsDeliver, SLS_TOPIC, type MemberAccountRun, type RunRequest } from './run.js';
export { isFanOutSummary, runFanOut, type FanOutRequest, type FanOutSummary } from './fan-out.js';
