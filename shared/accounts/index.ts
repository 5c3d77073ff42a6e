/** Many accounts: REDEEM_ACCOUNTS, STS AssumeRole, ResourceManager ListAccounts, FC InvokeFunction and the fan-out. */
export { MAX_LISTED_ACCOUNTS, directoryLister, listAccountsOrThrow, parseAccounts, settleAccounts, type AccountRef, type AccountsConfig } from './accounts-config.js';
export type { CallBounds } from './bounds.js';
export { AccountNotAuthorizedError, accountErrorCause, accountErrorCode, accountErrorMessage } from './errors.js';
export { fcInvokeEndpoint, invokeFunctionAsync, type AsyncInvocation } from './fc-invoke.js';
export { assumeAccount, authorizeAccount, narrowAccounts, orchestrate, splitAccountEvent, type AccountFields, type OrchestrateResult } from './orchestrate.js';
export type { AssumedRole } from './sts.js';
