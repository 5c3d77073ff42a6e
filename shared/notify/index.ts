/** Chat notifications: configuration, the report of a run, per-vendor requests, and delivery. */
export { loadNotifyConfig, NOTIFY_VARIABLES, type NotifyConfig } from './config.js';
export { channelStatuses, notifyRecordFields, undelivered } from './deliver.js';
export { isAtRisk } from './report.js';
export { formatChannelResults, notifyFanOut, notifyRun, notifyStartFailure, sendTestNotifications } from './notify-run.js';
