/** One redemption run: options, deadlines, the plan, the ledger, execution and the result records. */
export { DAY_MS, estimateDeadline, mergeTldRules, normalizeSuffix, ruleFor, type TldRules } from './deadline.js';
export { executeRun, type EngineRequest, type RunPorts, type RunSummary } from './engine.js';
export type { ProgressEvent } from './executor.js';
export { RunOptionsError, parseRunOptions, type RunOptions } from './options.js';
export type { DecisionRecord, RecordFields, ResultRecord, RunFields, RunIdentity, RunRecord, Trigger, WatchRecord } from './records.js';
export { runRedemption, SLS_TOPIC, type RunRequest } from './run.js';
