/** One redemption run: options, deadlines, the plan, the ledger, execution and the result records. */
export { DAY_MS, isSuffix, mergeTldRules, normalizeSuffix, ruleFor, type TldRules } from './deadline.js';
export { mayBeRedemption, submissionKey, taskListEnd, type JournalAttempt, type JournalOrder, type OrderJournal } from './ledger.js';
export { readDomainList } from './listing.js';
export { executeRun, prepareRun, registrarScope, type EngineRequest, type RunSummary } from './engine.js';
export { RunOptionsError, narrow, parseRunOptions, type RunOptions } from './options.js';
export { toLogEntry, type DecisionRecord, type RunRecord, type Trigger, type WatchRecord } from './records.js';
export { keptOrdersJournal, ORDERS_READ_BACK_QUERY, runRedemption, slsDeliver, SLS_TOPIC } from './run.js';
export { runFanOut, type FanOutSummary } from './fan-out.js';
export { MAX_SUBMIT_CONCURRENCY, type SubmitConcurrency } from './submit-pacing.js';
