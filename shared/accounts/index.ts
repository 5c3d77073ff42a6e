/** Many accounts: REDEEM_ACCOUNTS, STS AssumeRole, ResourceManager ListAccounts, FC InvokeFunction and the fan-out. */
export {
  MAX_LISTED_ACCOUNTS,
  accountRefSchema,
  directoryLister,
  parseAccounts,
  parseRoleArn,
  partialRefs,
  resolveAccounts,
  roleArnFor,
  settleAccounts,
  type AccountRef,
  type AccountsConfig,
  type AccountsSource,
} from './accounts-config.js';
export type { CallBounds } from './bounds.js';
export { AccountListingError, AccountNotAuthorizedError, PayloadTooLargeError, accountErrorCode } from './errors.js';
export { ASYNC_PAYLOAD_LIMIT, FC_VERSION, fcInvokeEndpoint, invokeFunctionAsync, type AsyncInvocation, type InvokeAsyncRequest } from './fc-invoke.js';
export {
  ACCOUNT_PAYLOAD_LIMIT,
  accountPayload,
  assumeAccount,
  authorizeAccount,
  mapLimited,
  narrowAccounts,
  orchestrate,
  splitAccountEvent,
  type AccountFields,
  type AssumeAccountDeps,
  type OrchestrateDeps,
  type OrchestrateOptions,
  type OrchestrateResult,
} from './orchestrate.js';
export { DEFAULT_MAX_PAGES, listAccounts, type AccountListing, type ListAccountsRequest, type MemberAccount } from './resource-manager.js';
export { assumeRole, durationForTimeout, roleSessionName, type AssumeRoleRequest, type AssumedRole } from './sts.js';
