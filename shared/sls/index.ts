/** SLS PutLogs: the client, with its hand-encoded LogGroup and LOG v1 signature. */
export { SlsClient } from './client.js';
export type { LogEntry } from './log-group.js';
