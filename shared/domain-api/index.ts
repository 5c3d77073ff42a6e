/** The Domain API: the signed client, the port the run depends on, bounded paging, response types and typed errors. */
export { DomainApiClient, type DomainApiOptions } from './client.js';
export { RpcCaller, SUCCESS_CODES, errorFromAnswer } from './rpc.js';
export { AnswerTooLargeError, DeadlineNotSentError, DomainApiError, MalformedResponseError, NetworkError, OutcomeUnknownError, PERMISSION_DENIED_CODES, PagingLimitError, SessionEndingError, TaskIsBeingProcessedError, errorCode, explainedMessage, signingWhatToDo, whatToDo } from './errors.js';
export { readAllPages, withPageSizes, type PagedItems, type PagingBounds } from './paging.js';
export { pageOf, type DomainApi, type DomainReads, type DomainListQuery, type Page, type RedeemOrder, type SubmittedOrder, type TaskDetailQuery, type TaskListQuery } from './port.js';
export { mayHaveBeenCarriedOut, readRetryDecision, submitOnce, submitRetryDecision, fromTransportFailure } from './retry-rules.js';
export { TaskDetailStatus, UNREADABLE_CANCEL_STATUS, contradictsItself, isFinalTaskDetail, type DomainItem, type TaskDetail, type TaskInfo } from './schemas.js';
export { SITES, type DomainSite } from './sites.js';
