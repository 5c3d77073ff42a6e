/** The Domain API: the signed client, the port the run depends on, response types and typed errors. */
export { DomainApiClient, type DomainApiOptions } from './client.js';
export { DomainApiError, MalformedResponseError, NetworkError, OutcomeUnknownError, TaskIsBeingProcessedError, errorCode, errorMessage } from './errors.js';
export { pageOf, type DomainApi, type DomainListQuery, type Page, type PageEnvelope, type RedeemOrder } from './port.js';
export { isOutcomeUnknown, readRetryDecision, submitRetryDecision, toNetworkError } from './retry-rules.js';
export { TaskDetailStatus, isFinalTaskDetail, type DomainItem, type TaskDetail, type TaskInfo } from './schemas.js';
export { SITES, type DomainSite } from './sites.js';
