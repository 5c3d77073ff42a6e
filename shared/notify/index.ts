/** Chat notifications: configuration, the report of a run, per-vendor requests, and delivery. */
export { CHANNEL_NAMES, loadNotifyConfig, type ChannelName, type ChannelTarget, type NotifyConfig, type NotifyConfigResult, type NotifyOn } from './config.js';
export {
  buildReport,
  reasonWords,
  shouldNotify,
  testReport,
  type AtRiskItem,
  type FailedItem,
  type NotificationReport,
  type OrderedItem,
  type RenewItem,
  type ReportExtras,
  type WatchRecord,
} from './report.js';
export { composeMessage, renderMessage, summaryLine } from './message.js';
export { CHANNELS, deliveryProblemsFrom, notifyRecordFields, sendNotifications, type ChannelResult, type SendOptions } from './deliver.js';
export { formatChannelResults, notifyRun, sendTestNotifications, type RunNotification } from './notify-run.js';
export type { Channel, OutgoingRequest, Verdict } from './channels/channel.js';
