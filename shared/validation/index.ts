/** Messages for zod/mini issues that name the field and never echo its value. */
export { describeIssue, describeIssues, issuePath } from './messages.js';
export { duplicateKey, looksUtf16, parseJsonOrUndefined } from './json.js';
export { onFirstUse } from './on-first-use.js';
